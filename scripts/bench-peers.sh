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
#   BENCH_CYCLES=0        N > 0: also N cycles on SQLite per build (the baseline's and this one's
#                         alternating), each on a server of its own on one state directory per build:
#                         client_credentials, refresh_token, /authorize + /token, introspection, then
#                         client_credentials again, BENCH_CYCLE_DURATION=3s each after 1s of warm-up;
#                         report divides each path by the client_credentials runs around it, so that
#                         the machine's drift from one minute to the next cancels out (docs/performance.md)
#   BENCH_PG=1            also client_credentials and refresh_token on a PostgreSQL store, with one
#                         serve and with two (one issuer, one database, one --secret-key-file; loadgen
#                         -replica spreads the connections over both); each gets a new database
#                         oauthkit_bench_<random>, dropped at exit. Needs psql.
#   BENCH_PG_DSN=URL      the server to create them on, as a user who may create databases
#                         (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
set -euo pipefail

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-1s}
CONNS=${BENCH_CONNS:-16}
TOOL=${BENCH_TOOL:-auto}
TAGS=${BENCH_TAGS:-}
BASELINE=${BENCH_BASELINE:-}
PATHS=${BENCH_PATHS:-1}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-10}
CYCLES=${BENCH_CYCLES:-0}
CYCLE_DURATION=${BENCH_CYCLE_DURATION:-3s}
PG=${BENCH_PG:-0}
PG_DSN=${BENCH_PG_DSN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
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
case $PG in
0) ;;
1)
	command -v psql >/dev/null || die "BENCH_PG=1: psql is not on PATH"
	psql "$PG_DSN" -v ON_ERROR_STOP=1 -Atqc 'SELECT 1' >/dev/null ||
		die "BENCH_PG=1: cannot reach PostgreSQL at BENCH_PG_DSN (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)"
	;;
*) die "BENCH_PG=$PG is not 0 or 1" ;;
esac
case $CYCLES in
'' | *[!0-9]*) die "BENCH_CYCLES=$CYCLES is not a number of cycles" ;;
esac
[ -f "$INTEROP/node_modules/oidc-provider/package.json" ] ||
	die "testdata/interop/node_modules/oidc-provider is missing: run npm ci --prefix testdata/interop"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-peers.XXXXXX")
PIDS=()
PG_DBS=() # databases this run created, dropped at exit (after the servers stopped)
cleanup() {
	local p db
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	for db in "${PG_DBS[@]}"; do
		psql "$PG_DSN" -Atqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null ||
			echo "bench-peers: could not drop the database $db; drop it by hand" >&2
	done
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

# load NAME CREDS ISSUER PID MODE...: one row per mode. With CYCLE set, the
# rows are cycle CYCLE's (loadgen load -cycle), by loadgen's workers only.
load() {
	local name=$1 creds=$2 issuer=$3 pid=$4 mode
	shift 4
	for mode in "$@"; do
		local tools=go tool
		[ "$mode" = cc ] && [ -z "${CYCLE:-}" ] && tools=$CC_TOOLS
		for tool in $tools; do
			"$LOADGEN" load -tool "$tool" -name "$name" -creds "$creds" -issuer "$issuer" -pid "$pid" -mode "$mode" \
				-c "$CONNS" -d "$DURATION" -warmup "$WARMUP" ${CYCLE:+-cycle "$CYCLE"} >>"$RESULTS"
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

# The goal-5 keys (ES256, EdDSA), made once for every build's rows.
"$TMP/oauthkit" keygen --type ec --out-dir "$TMP/es256" >/dev/null 2>&1 || die "keygen --type ec failed"
"$TMP/oauthkit" keygen --type ed25519 --out-dir "$TMP/ed25519" >/dev/null 2>&1 || die "keygen --type ed25519 failed"

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
	serve_rows "$TMP/oauthkit-base" "$BASE_NAME serve, SQLite, ES256" cc -- --state-dir "$TMP/state-base-es" --key "$TMP/es256/oauthkit.key.pem"
	serve_rows "$TMP/oauthkit-base" "$BASE_NAME serve, SQLite, EdDSA" cc -- --state-dir "$TMP/state-base-ed" --key "$TMP/ed25519/oauthkit.key.pem"
fi
SQLITE_MODES=$MORE
[ "$PG" = 1 ] && [ "$PATHS" != 1 ] && SQLITE_MODES="cc refresh" # the PostgreSQL rows' reference
echo "== oauthkit" >&2
serve_rows "$TMP/oauthkit" "oauthkit serve, memory store" "$MORE" -- --store memory
serve_rows "$TMP/oauthkit" "oauthkit serve, SQLite (default)" "$SQLITE_MODES" -- --state-dir "$TMP/state"
serve_rows "$TMP/oauthkit" "oauthkit serve, memory store, ES256" cc -- --store memory --key "$TMP/es256/oauthkit.key.pem"
serve_rows "$TMP/oauthkit" "oauthkit serve, SQLite, ES256" cc -- --state-dir "$TMP/state-es" --key "$TMP/es256/oauthkit.key.pem"
serve_rows "$TMP/oauthkit" "oauthkit serve, SQLite, EdDSA" cc -- --state-dir "$TMP/state-ed" --key "$TMP/ed25519/oauthkit.key.pem"

if [ "$PG" = 1 ]; then
	# pg_create: a new database; its URL in PG_DB_DSN (BENCH_PG_DSN with
	# the database name replaced).
	pg_create() {
		local db
		db=oauthkit_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
		psql "$PG_DSN" -v ON_ERROR_STOP=1 -Atqc "CREATE DATABASE $db" >/dev/null || die "cannot create the database $db"
		PG_DBS+=("$db")
		PG_DB_DSN=$(printf '%s' "$PG_DSN" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$db#")
	}
	# replica N DSN [--issuer URL]: start serve N on the store; its own
	# address in REPLICA_URL (the banner names it when --issuer is another
	# one's), its process in REPLICA_PID.
	replica() {
		local n=$1 dsn=$2 out=$TMP/pg$1.out log=$TMP/pg$1.log i
		shift 2
		: >"$out"
		"$TMP/oauthkit" serve --config "$TMP/bench.yaml" --addr 127.0.0.1:0 --auto-approve bench-user \
			--store "$dsn" --state-dir "$TMP/pg-state$n" --secret-key-file "$TMP/pg.secret-key" "$@" >"$out" 2>"$log" &
		REPLICA_PID=$!
		PIDS+=("$REPLICA_PID")
		wait_line "$out" "$REPLICA_PID" || { cat "$log" >&2; die "PostgreSQL replica $n did not start"; }
		REPLICA_URL=$(head -1 "$out")
		if [ $# -gt 0 ]; then # --issuer: the address is on the banner's "listening on:" line
			for i in $(seq 1 200); do
				REPLICA_URL=$(sed -n 's/^ *listening on: \([^ ]*\).*/\1/p' "$log" | head -1)
				[ -n "$REPLICA_URL" ] && break
				sleep 0.05
			done
			[ -n "$REPLICA_URL" ] || { cat "$log" >&2; die "PostgreSQL replica $n: no listening address on its banner"; }
		fi
	}
	# pg_load NAME ISSUER PID URL...: cc and refresh, spread over the URLs.
	pg_load() {
		local name=$1 issuer=$2 pid=$3 mode u
		shift 3
		local reps=()
		for u in "$@"; do reps+=(-replica "$u"); done
		for mode in cc refresh; do
			"$LOADGEN" load -tool go -name "$name" -creds "$TMP/creds.json" -issuer "$issuer" -pid "$pid" -mode "$mode" \
				-c "$CONNS" -d "$DURATION" -warmup "$WARMUP" "${reps[@]}" >>"$RESULTS"
		done
	}
	echo "== oauthkit on PostgreSQL ($(psql "$PG_DSN" -Atqc 'SHOW server_version' | cut -d' ' -f1)), one replica" >&2
	pg_create
	replica 1 "$PG_DB_DSN"
	pg_load "oauthkit serve, PostgreSQL, 1 replica" "$REPLICA_URL" "$REPLICA_PID" "$REPLICA_URL"
	stop "$REPLICA_PID"
	echo "== oauthkit on PostgreSQL, two replicas (one issuer, one database)" >&2
	pg_create
	replica 1 "$PG_DB_DSN"
	R1_URL=$REPLICA_URL R1_PID=$REPLICA_PID
	replica 2 "$PG_DB_DSN" --issuer "$R1_URL"
	pg_load "oauthkit serve, PostgreSQL, 2 replicas" "$R1_URL" "$R1_PID" "$R1_URL" "$REPLICA_URL"
	stop "$REPLICA_PID"
	stop "$R1_PID"
fi

# cycle_rows BIN NAME STATE N: cycle N on a new server of BIN on STATE.
cycle_rows() {
	CYCLE=$4 DURATION=$CYCLE_DURATION WARMUP=1s serve_rows "$1" "$2" "cc refresh authcode introspect cc" -- --state-dir "$3"
}
if [ "$CYCLES" -gt 0 ]; then
	echo "== $CYCLES cycles on SQLite, $CYCLE_DURATION per path" >&2
	for n in $(seq 1 "$CYCLES"); do
		if [ -n "$BASELINE" ]; then
			cycle_rows "$TMP/oauthkit-base" "$BASE_NAME serve, SQLite (cycles)" "$TMP/state-cycles-base" "$n"
		fi
		cycle_rows "$TMP/oauthkit" "oauthkit serve, SQLite (cycles)" "$TMP/state-cycles" "$n"
	done
fi

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
[ "$PG" = 1 ] && echo "PostgreSQL $(psql "$PG_DSN" -Atqc 'SHOW server_version' | cut -d' ' -f1) on $(printf '%s' "$PG_DSN" | sed -E 's#^postgres(ql)?://([^@/]*@)?([^/?]*).*#\3#'), one new database per PostgreSQL configuration"
echo "$(go version | cut -d' ' -f3), node $(node --version)$(command -v wrk >/dev/null && echo ", $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"); $CONNS connections, $DURATION per row after $WARMUP of warm-up"
echo
"$LOADGEN" report "$RESULTS"
