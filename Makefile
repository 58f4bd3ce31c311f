# oauthkit — `make test` is the one test command (README.md, .ci/run).
GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
GORELEASER_VERSION := v2.15.4
GORELEASER := $(GOBIN)/goreleaser
FUZZTIME  ?= 30s
GO_DIRS   := cmd internal keys oauthkittest
INTEROP   := testdata/interop

.PHONY: all build test tools fmt-check vet tidy-check docs docs-check go-test go-test-openssl release-check fuzz clean

all: build

build:
	$(GO) build -trimpath -o bin/oauthkit ./cmd/oauthkit

## test: everything CI checks, in order of speed
test: tools fmt-check vet tidy-check docs-check go-test go-test-openssl release-check

## tools: install pinned tools (goreleaser into GOPATH/bin; the npm interop peers into testdata/interop)
tools:
	@if ! "$(GORELEASER)" --version 2>/dev/null | grep -q "$(GORELEASER_VERSION:v%=%)"; then \
		echo "installing goreleaser $(GORELEASER_VERSION)"; \
		$(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION); \
	fi
	@if [ -f $(INTEROP)/package-lock.json ]; then \
		if ! command -v npm >/dev/null 2>&1; then \
			echo "WARNING: npm not found: the interop tests will skip (CI fails them)"; \
		elif [ ! -f $(INTEROP)/node_modules/.package-lock.json ] || [ $(INTEROP)/package-lock.json -nt $(INTEROP)/node_modules/.package-lock.json ]; then \
			echo "installing the interop peers (npm ci --prefix $(INTEROP))"; \
			npm ci --prefix $(INTEROP) --no-audit --no-fund; \
		fi; \
	fi

fmt-check:
	@out=$$(gofmt -l $(GO_DIRS)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

tidy-check:
	$(GO) mod tidy -diff

## docs: regenerate the CLI reference in docs/cli
docs:
	rm -rf docs/cli
	$(GO) run ./cmd/gen-docs -out docs/cli

docs-check:
	@tmp=$$(mktemp -d); $(GO) run ./cmd/gen-docs -out $$tmp/cli && \
	if ! diff -r docs/cli $$tmp/cli; then echo "docs/cli is stale: run 'make docs'"; rm -rf $$tmp; exit 1; fi; rm -rf $$tmp

go-test:
	$(GO) test -race -timeout 30m ./...

## go-test-openssl: the suite again with the cgo RSA signer (needs gcc and libssl-dev)
go-test-openssl:
	@if [ "$$($(GO) env CGO_ENABLED)" != 1 ] || ! command -v "$$($(GO) env CC)" >/dev/null 2>&1 || [ ! -f /usr/include/openssl/evp.h ]; then \
		echo "go-test-openssl needs cgo (a C compiler, CGO_ENABLED=1) and the OpenSSL headers (apt-get install gcc libssl-dev)"; exit 1; \
	fi
	$(GO) vet -tags openssl ./...
	$(GO) test -race -timeout 30m -tags openssl ./...

release-check:
	$(GORELEASER) check
	$(GORELEASER) build --snapshot --clean --single-target

## fuzz: run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=2m)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$t"; $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done

## bench-peers: oauthkit serve against node-oidc-provider under the same load, the tables of
## docs/performance.md (not part of test; BENCH_DURATION=10s, BENCH_BASELINE=REV, BENCH_PG=1 for the
## PostgreSQL rows with one and two replicas, see the script)
.PHONY: bench-peers
bench-peers:
	scripts/bench-peers.sh

clean:
	rm -rf bin dist completions manpages
