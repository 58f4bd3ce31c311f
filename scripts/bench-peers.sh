#!/usr/bin/env bash
# bench-peers: the load of issue 17 against `oauthkit serve` and
# node-oidc-provider 9.13.3 in one run, and the tables of
# docs/performance.md with ratios. Run it as `make bench-peers` from the
# repository root; it is not part of `make test`.
#
# Each server runs alone while it is measured (started, loaded, stopped),
# all on 127.0.0.1 with free ports; the load generator is
# internal/tools/loadgen (one thread's worth of CPU, like wrk -t1).
#
# Environment:
#   BENCH_DURATION=10s    measured time per row (plus BENCH_WARMUP=1s before it)
#   BENCH_CONNS=16        connections
#   BENCH_TOOL=auto       the client_credentials rows are measured by internal/tools/loadgen's workers
#                         and, when wrk is on PATH, by wrk -t1 too (a table each); go: loadgen only;
#                         wrk: both, wrk required. The other paths always use loadgen.
#   BENCH_TAGS=           build tags of the oauthkit under test (e.g. openssl)
#   BENCH_BASELINE=REV    also build git revision REV and measure it in the same run
#   BENCH_PATHS=1         0 skips the refresh, introspection and authorization-code rows
#   BENCH_STARTUP_RUNS=10 runs of the start-up measurements (0 skips them)
#   BENCH_OUT=FILE        keep the raw JSON lines (loadgen report FILE prints the tables again)
set -euo pipefail

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-1s}
CONNS=${BENCH_CONNS:-16}
TOOL=${BENCH_TOOL:-auto}
TAGS=${BENCH_TAGS:-}
BASELINE=${BENCH_BASELINE:-}
PATHS=${BENCH_PATHS:-1}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
INTEROP=$ROOT/testdata/interop

die() { echo "bench-peers: $*" >&2; exit 1; }
command -v go >/dev/null || die "go is not on PATH"
command -v node >/dev/null || die "node is not on PATH (the reference peer is node-oidc-provider)"
case $TOOL in
auto) CC_TOOLS=go; command -v wrk >/dev/null && CC_TOOLS="go wrk" ;;
go) CC_TOOLS=go ;;
wrk) command -v wrk >/dev/null || die "BENCH_TOOL=wrk: wrk is not on PATH"; CC_TOOLS="go wrk" ;;
*) die "BENCH_TOOL=$TOOL is not auto, go or wrk" ;;
esac
[ -f "$INTEROP/node_modules/oidc-provider/package.json" ] ||
	die "testdata/interop/node_modules/oidc-provider is missing: run npm ci --prefix testdata/interop"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-peers.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
RESULTS=$TMP/results.jsonl
: >"$RESULTS"

COMMIT=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null) || COMMIT="(not a git checkout)"
if (cd "$ROOT" && git rev-parse --git-dir >/dev/null 2>&1) && ! (cd "$ROOT" && git diff --quiet HEAD -- . ':!testdata/interop/node_modules'); then
	COMMIT="$COMMIT (with uncommitted changes)"
fi
echo "== building $COMMIT (oauthkit${TAGS:+ with -tags $TAGS}, loadgen)" >&2
(cd "$ROOT" && go build -trimpath ${TAGS:+-tags "$TAGS"} -o "$TMP/oauthkit" ./cmd/oauthkit)
(cd "$ROOT" && go build -trimpath -o "$TMP/loadgen" ./internal/tools/loadgen)
LOADGEN=$TMP/loadgen
if [ -n "$BASELINE" ]; then
	echo "== building the baseline $BASELINE" >&2
	mkdir "$TMP/base"
	(cd "$ROOT" && git archive "$BASELINE") | tar -x -C "$TMP/base"
	(cd "$TMP/base" && go build -trimpath -o "$TMP/oauthkit-base" ./cmd/oauthkit)
	BASE_NAME="oauthkit@$(cd "$ROOT" && git rev-parse --short "$BASELINE")"
fi

# The client the load uses: a random secret, in files only (0600).
umask 077
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >"$TMP/bench.yaml" <<EOF
# written by scripts/bench-peers.sh
tokens:
  format: jwt
  access_token_ttl: 30m
scopes:
  read: Read
clients:
  - id: bench
    secret: $SECRET
    auth_method: client_secret_basic
    grant_types: [client_credentials, authorization_code, refresh_token]
    scopes: [read]
    redirect_uris: [http://127.0.0.1/callback]
users:
  # bcrypt (cost 4) of a random string nobody kept: auto-approve never
  # checks it, and the start-up hashes nothing.
  - username: bench-user
    password_hash: \$2a\$04\$MZo5dnxOQbIU.8PcBcusme0WIDatOiqmsx83MkW16phMvKPsV6ylW
EOF
printf '{"client_id":"bench","client_secret":"%s"}\n' "$SECRET" >"$TMP/creds.json"

# wait_line FILE PID: wait until FILE has a line (the server is ready).
wait_line() {
	local i
	for i in $(seq 1 600); do
		if [ -s "$1" ] && [ "$(wc -l <"$1")" -ge 1 ]; then return 0; fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# load NAME CREDS ISSUER PID MODE...: one row per mode.
load() {
	local name=$1 creds=$2 issuer=$3 pid=$4 mode
	shift 4
	for mode in "$@"; do
		local tools=go tool
		[ "$mode" = cc ] && tools=$CC_TOOLS
		for tool in $tools; do
			"$LOADGEN" load -tool "$tool" -name "$name" -creds "$creds" -issuer "$issuer" -pid "$pid" -mode "$mode" \
				-c "$CONNS" -d "$DURATION" -warmup "$WARMUP" >>"$RESULTS"
		done
	done
}

# serve_rows BIN NAME MODES -- SERVE_ARGS...: start serve, load it, stop it.
serve_rows() {
	local bin=$1 name=$2 modes=$3
	shift 4
	local out=$TMP/serve.out log=$TMP/serve.log
	: >"$out"
	"$bin" serve --config "$TMP/bench.yaml" --addr 127.0.0.1:0 --auto-approve bench-user "$@" >"$out" 2>"$log" &
	local pid=$!
	PIDS+=("$pid")
	wait_line "$out" "$pid" || { cat "$log" >&2; die "$name did not start"; }
	# shellcheck disable=SC2086 # modes is a list
	load "$name" "$TMP/creds.json" "$(head -1 "$out")" "$pid" $modes
	stop "$pid"
}

echo "== node-oidc-provider $(node -p "require('$INTEROP/node_modules/oidc-provider/package.json').version")" >&2
mkfifo "$TMP/node.in"
node "$INTEROP/bench-oidc-provider.mjs" <"$TMP/node.in" >"$TMP/op.json" 2>"$TMP/op.log" &
NODE=$!
PIDS+=("$NODE")
exec 9>"$TMP/node.in" # its standard input stays open until we close it
wait_line "$TMP/op.json" "$NODE" || { cat "$TMP/op.log" >&2; die "oidc-provider did not start"; }
load oidc-provider "$TMP/op.json" "" "$NODE" cc
exec 9>&-
stop "$NODE"

MORE=cc
[ "$PATHS" = 1 ] && MORE="cc refresh introspect authcode"
if [ -n "$BASELINE" ]; then
	echo "== $BASE_NAME" >&2
	serve_rows "$TMP/oauthkit-base" "$BASE_NAME serve, memory store" cc -- --store memory
	serve_rows "$TMP/oauthkit-base" "$BASE_NAME serve, SQLite" cc -- --state-dir "$TMP/state-base"
fi
echo "== oauthkit" >&2
serve_rows "$TMP/oauthkit" "oauthkit serve, memory store" "$MORE" -- --store memory
serve_rows "$TMP/oauthkit" "oauthkit serve, SQLite (default)" "$MORE" -- --state-dir "$TMP/state"
"$TMP/oauthkit" keygen --type ec --out-dir "$TMP/es256" >/dev/null 2>&1
serve_rows "$TMP/oauthkit" "oauthkit serve, memory store, ES256" cc -- --store memory --key "$TMP/es256/oauthkit.key.pem"
serve_rows "$TMP/oauthkit" "oauthkit serve, SQLite, ES256" cc -- --state-dir "$TMP/state-es" --key "$TMP/es256/oauthkit.key.pem"

if [ "$STARTUP_RUNS" -gt 0 ]; then
	echo "== start-up (zero-config serve, version)" >&2
	startup_rows() {
		local bin=$1 name=$2 dir=$TMP/zc-$RANDOM
		"$LOADGEN" startup -name "$name serve, zero-config, new state" -runs 1 -- \
			"$bin" serve --state-dir "$dir" --addr 127.0.0.1:0 >>"$RESULTS"
		"$LOADGEN" startup -name "$name serve, zero-config, existing state" -runs "$STARTUP_RUNS" -- \
			"$bin" serve --state-dir "$dir" --addr 127.0.0.1:0 >>"$RESULTS"
		"$LOADGEN" startup -name "$name version" -until exit -runs "$((STARTUP_RUNS * 2))" -- "$bin" version >>"$RESULTS"
	}
	[ -n "$BASELINE" ] && startup_rows "$TMP/oauthkit-base" "$BASE_NAME"
	startup_rows "$TMP/oauthkit" oauthkit
fi

[ -n "${BENCH_OUT:-}" ] && cp "$RESULTS" "$BENCH_OUT"
echo
echo "commit $COMMIT${TAGS:+, -tags $TAGS}; $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(go version | cut -d' ' -f3), node $(node --version)$(command -v wrk >/dev/null && echo ", $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"); $CONNS connections, $DURATION per row after $WARMUP of warm-up"
echo
"$LOADGEN" report "$RESULTS"
