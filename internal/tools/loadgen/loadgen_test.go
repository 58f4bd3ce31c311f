package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

// benchConfig is a server with one confidential client and one user for
// auto-approve (a bcrypt hash: nothing to hash at start-up).
const benchConfig = `tokens: {format: jwt}
scopes: {read: Read}
clients:
  - id: bench
    secret: bench-secret-0123456789abcdef
    auth_method: client_secret_basic
    grant_types: [client_credentials, authorization_code, refresh_token]
    scopes: [read]
    redirect_uris: [http://127.0.0.1/callback]
users:
  - username: bench-user
    password_hash: $2a$04$MZo5dnxOQbIU.8PcBcusme0WIDatOiqmsx83MkW16phMvKPsV6ylW
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startServe runs the real oauthkit binary with the bench configuration.
func startServe(t *testing.T) *servetest.Server {
	t.Helper()
	return servetest.Run(t, servetest.Options{Args: []string{"--config", writeFile(t, "bench.yaml", benchConfig),
		"--store", "memory", "--addr", "127.0.0.1:0", "--auto-approve", "bench-user"}})
}

// Every mode of the load generator completes operations against the
// real server without an error, and samples the server's memory.
func TestLoadEveryModeAgainstServe(t *testing.T) {
	s := startServe(t)
	creds := credentials{Issuer: s.URL, ClientID: "bench", ClientSecret: "bench-secret-0123456789abcdef"}
	for _, mode := range []string{"cc", "refresh", "introspect", "authcode"} {
		t.Run(mode, func(t *testing.T) {
			res, err := load(context.Background(), loadConfig{name: "oauthkit", mode: mode, creds: creds, conns: 2,
				duration: 400 * time.Millisecond, warmup: 100 * time.Millisecond, pid: s.Cmd.Process.Pid,
				redirect: "http://127.0.0.1/callback"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests == 0 || res.Errors != 0 || res.P50ms <= 0 || res.P99ms < res.P50ms {
				t.Fatalf("result %+v", res)
			}
			// (VmHWM is not compared with the samples: the kernel updates
			// the two counters at different times.)
			if res.RSSStartKiB <= 0 || res.RSSPeakKiB <= 0 || res.HWMKiB <= 0 {
				t.Fatalf("memory of the server: %+v", res)
			}
		})
	}
}

// With -replica the workers spread over two serve processes of one issuer
// on one store (worker i on replica i mod 2): both answer, every answer is
// checked, and refresh families started on a replica rotate there.
func TestLoadSpreadsOverReplicas(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "bench.yaml", benchConfig)
	args := []string{"--config", cfg, "--store", "sqlite:" + filepath.Join(dir, "o.db"), "--addr", "127.0.0.1:0",
		"--auto-approve", "bench-user"}
	s1 := servetest.Run(t, servetest.Options{Args: args})
	s2 := servetest.Run(t, servetest.Options{Args: append(args, "--issuer", s1.URL)})
	// The second replica keeps the issuer and names its own address on stderr.
	banner, err := s2.Stderr.WaitFor(func(s string) bool { return strings.Contains(s, "listening on: ") }, s2.Done(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	addr, _, _ := strings.Cut(banner[strings.Index(banner, "listening on: ")+len("listening on: "):], " ")
	if s2.URL != s1.URL || !strings.HasPrefix(addr, "http://127.0.0.1:") || addr == s1.URL {
		t.Fatalf("replica 2: issuer %q, address %q; want issuer %q and another address", s2.URL, addr, s1.URL)
	}
	creds := credentials{Issuer: s1.URL, ClientID: "bench", ClientSecret: "bench-secret-0123456789abcdef"}
	for _, mode := range []string{"cc", "refresh"} {
		t.Run(mode, func(t *testing.T) {
			res, err := load(context.Background(), loadConfig{name: "two", mode: mode, creds: creds, conns: 4,
				duration: 400 * time.Millisecond, warmup: 100 * time.Millisecond, redirect: "http://127.0.0.1/callback",
				replicas: []string{s1.URL, addr}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Errors != 0 || res.Replicas != 2 || len(res.PerReplica) != 2 || res.PerReplica[0] == 0 ||
				res.PerReplica[1] == 0 || res.PerReplica[0]+res.PerReplica[1] != res.Requests {
				t.Fatalf("result %+v, want both replicas answering", res)
			}
		})
	}
	// A replica that is not there fails the run: the load really goes to it.
	_, err = load(context.Background(), loadConfig{mode: "cc", creds: creds, conns: 2, duration: 200 * time.Millisecond,
		replicas: []string{s1.URL, "http://127.0.0.1:1"}})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("err %v, want the unreachable replica named", err)
	}
}

// A wrong secret fails the run with the server's answer, not a result.
func TestLoadWrongSecretFails(t *testing.T) {
	s := startServe(t)
	_, err := load(context.Background(), loadConfig{mode: "cc", conns: 1, duration: 200 * time.Millisecond,
		creds: credentials{Issuer: s.URL, ClientID: "bench", ClientSecret: "wrong-secret-0123456789abcdef"}})
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("err %v, want the 401 invalid_client answer", err)
	}
}

// Bad command lines are usage errors (exit 2) with one clear line.
func TestUsageErrors(t *testing.T) {
	noSecret := writeFile(t, "creds.json", `{"issuer":"http://127.0.0.1:1","client_id":"x"}`)
	for _, args := range [][]string{
		nil,
		{"nope"},
		{"load"},
		{"load", "-creds", noSecret},
		{"load", "-creds", filepath.Join(t.TempDir(), "missing.json")},
		{"startup", "-until", "never", "--", "true"},
		{"report"},
		{"load", "-creds", noSecret, "-replica", "ftp://127.0.0.1:1"},
		{"load", "-creds", noSecret, "-replica", "http://127.0.0.1:1/token"},
	} {
		err := run(args)
		if !errors.As(err, new(usageError)) || strings.Contains(err.Error(), "\n") {
			t.Errorf("run(%q) = %v, want a one-line usage error", args, err)
		}
	}
}

// report prints client_credentials as ratios to the reference server
// measured by the same tool (a table per tool), and the other paths as
// ratios to the same server's client_credentials by the same tool.
func TestReportRatios(t *testing.T) {
	out := report(t,
		Result{Name: "oidc-provider", Mode: "cc", RPS: 1000, P50ms: 5, P99ms: 10},
		Result{Name: "oauthkit", Mode: "cc", RPS: 2500, P50ms: 2, P99ms: 15, RSSPeakKiB: 30000},
		Result{Name: "oauthkit", Mode: "introspect", RPS: 12500, P50ms: 1, P99ms: 2},
		Result{Name: "oidc-provider", Mode: "cc", Tool: "wrk", RPS: 2000, P50ms: 4, P99ms: 8},
		Result{Name: "oauthkit serve, SQLite (default)", Mode: "refresh", RPS: 800, P50ms: 10, P99ms: 30},
		Result{Name: "oauthkit serve, SQLite (default)", Mode: "cc", RPS: 1600, P50ms: 5, P99ms: 20},
		Result{Name: "pg, 2 replicas", Mode: "cc", RPS: 800, P50ms: 9, P99ms: 40, Replicas: 2, PerReplica: []int{4001, 3999}},
		Result{Name: "pg, 2 replicas", Mode: "refresh", RPS: 400, P50ms: 20, P99ms: 80, Replicas: 2, PerReplica: []int{2000, 2000}},
		Result{Name: "oauthkit", Mode: "cc", Tool: "wrk", RPS: 1000, P50ms: 8, P99ms: 24},
		StartupResult{Name: "oauthkit version", Mode: "startup", Runs: 3, MedianMs: 4.2, MinMs: 4, MaxMs: 5},
	)
	wantLines(t, out,
		"| oidc-provider | 1,000 | 5.00 ms | 10.00 ms | - | 1.00× | 1.00× |",
		"| oauthkit | 2,500 | 2.00 ms | 15.00 ms | 31 MB | 2.50× | 1.50× |",
		"| oauthkit | introspection (JWT) | 12,500 | 1.00 ms | 2.00 ms | - | 5.00× |",
		"load by wrk -t1; ratios to oidc-provider",
		"| oauthkit | 1,000 | 8.00 ms | 24.00 ms | - | 0.50× | 3.00× |",
		"| oauthkit version | 3 | 4.2 ms | 4.0 ms | 5.0 ms | - | - |",
		// replica rows: a table of their own, against SQLite path by path
		// and against the reference's client_credentials (cc only)
		"| pg, 2 replicas | client_credentials | 2 | 800 | 9.00 ms | 40.00 ms | - | 4,001 / 3,999 | 0.50× | 0.80× |",
		"| pg, 2 replicas | refresh_token (rotation) | 2 | 400 | 20.00 ms | 80.00 ms | - | 2,000 / 2,000 | 0.50× | - |",
	)
	if strings.Contains(out, "| pg, 2 replicas | 800 |") {
		t.Errorf("a replica row is in the client_credentials table too:\n%s", out)
	}
}

// report runs loadgen report on results (Result and StartupResult values,
// one JSON line each) and returns what it printed.
func report(t *testing.T, results ...any) string {
	t.Helper()
	var lines bytes.Buffer
	for _, r := range results {
		b, _ := json.Marshal(r)
		lines.Write(append(b, '\n'))
	}
	var out bytes.Buffer
	if err := runReport([]string{writeFile(t, "results.jsonl", lines.String())}, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// wantLines fails t for each of want that out lacks.
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
}

// The runs of cycles make a table of their own: each path divided by the
// client_credentials runs around it in its cycle, median and range over
// the cycles.
func TestReportCycles(t *testing.T) {
	const sq, base = "oauthkit serve, SQLite (cycles)", "oauthkit@abc serve, SQLite (cycles)"
	out := report(t,
		Result{Name: "oidc-provider", Mode: "cc", RPS: 1000, P50ms: 5, P99ms: 10},
		Result{Name: sq, Cycle: 1, Mode: "cc", RPS: 1000},
		Result{Name: sq, Cycle: 1, Mode: "refresh", RPS: 800},
		Result{Name: sq, Cycle: 1, Mode: "authcode", RPS: 500},
		Result{Name: sq, Cycle: 1, Mode: "introspect", RPS: 6000},
		Result{Name: sq, Cycle: 1, Mode: "cc", RPS: 1000},
		// a slower minute at the start of cycle 2: the mean of 1,200 and 800
		Result{Name: sq, Cycle: 2, Mode: "cc", RPS: 1200},
		Result{Name: sq, Cycle: 2, Mode: "refresh", RPS: 900},
		Result{Name: sq, Cycle: 2, Mode: "authcode", RPS: 660},
		Result{Name: sq, Cycle: 2, Mode: "introspect", RPS: 5400},
		Result{Name: sq, Cycle: 2, Mode: "cc", RPS: 800},
		// a cycle cut short: only the client_credentials run before
		Result{Name: base, Cycle: 1, Mode: "cc", RPS: 2000},
		Result{Name: base, Cycle: 1, Mode: "refresh", RPS: 1500},
	)
	wantLines(t, out,
		"| server | cycles | refresh_token (rotation) | introspection (JWT) | /authorize + /token (auto-approve) |",
		"| "+sq+" | 2 | 0.85× (0.80–0.90) | 5.70× (5.40–6.00) | 0.58× (0.50–0.66) |",
		"| "+base+" | 1 | 0.75× (0.75–0.75) | - | - |",
	)
	if strings.Contains(out, "| "+sq+" | 1,000 |") || strings.Contains(out, "| "+sq+" | refresh_token") {
		t.Errorf("a cycle's run is in another table too:\n%s", out)
	}
}

// wrk's report (wrk 4.1.0, -t1 -c16 --latency against serve) becomes the
// same result as the Go workers'; failures count as errors.
func TestParseWrk(t *testing.T) {
	const report = `Running 2s test @ http://127.0.0.1:36929/token
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    35.94ms   43.23ms 278.47ms   84.70%
    Req/Sec   722.15    365.42     1.37k    65.00%
  Latency Distribution
     50%   23.60ms
     75%   57.03ms
     90%   96.76ms
     99%  174.49ms
  1460 requests in 2.04s, 1.30MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    714.33
Transfer/sec:    649.45KB
`
	var res Result
	if err := parseWrk(report, &res); err != nil {
		t.Fatal(err)
	}
	want := Result{Seconds: 2.04, Requests: 1453, Errors: 7, RPS: 714.33, P50ms: 23.6, P99ms: 174.49}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("parsed %+v, want %+v", res, want)
	}
	if err := parseWrk("wrk: connection refused\n", &res); err == nil {
		t.Fatal("a report without numbers parsed")
	}
}
