package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

var toolNames = map[string]string{"go": "internal/tools/loadgen", "wrk": "wrk -t1"}

var modeNames = map[string]string{
	"cc": "client_credentials", "refresh": "refresh_token (rotation)",
	"introspect": "introspection (JWT)", "authcode": "/authorize + /token (auto-approve)",
}

// runReport prints the tables of docs/performance.md from load's and
// startup's JSON lines: client_credentials of every server as a ratio to
// the reference server (-ref), the other paths as a ratio to the same
// server's client_credentials, and the start-up measurements.
func runReport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	ref := fs.String("ref", "oidc-provider", "name of the server the client_credentials ratios refer to")
	storeRef := fs.String("store-ref", "oauthkit serve, SQLite (default)", "name of the server the replica rows (-replica) are compared with, path by path")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usagef("usage: loadgen report [-ref NAME] [-store-ref NAME] RESULTS.jsonl")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return usagef("report: %v", err)
	}
	var loads []Result
	var starts []StartupResult
	var replicated []Result // rows loaded through -replica: a table of their own
	var cycled []Result     // rows of cycles (-cycle): a table of their own
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var probe struct{ Mode string }
		if err := json.Unmarshal(line, &probe); err != nil {
			return fmt.Errorf("report: %s:%d: %v", fs.Arg(0), n, err)
		}
		if probe.Mode == "startup" {
			var s StartupResult
			_ = json.Unmarshal(line, &s)
			starts = append(starts, s)
			continue
		}
		var r Result
		_ = json.Unmarshal(line, &r)
		r.Tool = cmp.Or(r.Tool, "go") // results written before the tool was recorded
		if r.Replicas > 0 {
			replicated = append(replicated, r)
			continue
		}
		if r.Cycle > 0 {
			cycled = append(cycled, r)
			continue
		}
		loads = append(loads, r)
	}
	// client_credentials rows by tool: each tool's rows are compared with
	// the reference server measured by the same tool.
	type key struct{ name, tool string }
	cc := map[key]Result{}
	var tools []string
	for _, r := range loads {
		if r.Mode != "cc" {
			continue
		}
		if !slices.Contains(tools, r.Tool) {
			tools = append(tools, r.Tool)
		}
		cc[key{r.Name, r.Tool}] = r
	}
	ratio := func(a, b float64) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	for _, tool := range tools {
		refCC, haveRef := cc[key{*ref, tool}]
		fmt.Fprintf(stdout, "client_credentials, HTTP Basic, RS256 JWT access tokens unless named otherwise; load by %s; ratios to %s\n\n", toolNames[tool], *ref)
		fmt.Fprintln(stdout, "| server | req/s | p50 | p99 | peak RSS under load | req/s ratio | p99 ratio |")
		fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
		for _, r := range loads {
			if r.Mode != "cc" || r.Tool != tool {
				continue
			}
			rr, pr := "-", "-"
			if haveRef {
				rr, pr = ratio(r.RPS, refCC.RPS), ratio(r.P99ms, refCC.P99ms)
			}
			fmt.Fprintf(stdout, "| %s | %s | %.2f ms | %.2f ms | %s | %s | %s |\n",
				r.Name, thousands(r.RPS), r.P50ms, r.P99ms, mib(r.RSSPeakKiB), rr, pr)
		}
		fmt.Fprintln(stdout)
	}
	first := true
	for _, r := range loads {
		if r.Mode == "cc" {
			continue
		}
		if first {
			fmt.Fprintln(stdout, "Other paths, ratio to the same server's client_credentials rate in this run, by the same tool")
			fmt.Fprintln(stdout)
			fmt.Fprintln(stdout, "| server | path | req/s | p50 | p99 | peak RSS under load | ratio |")
			fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
			first = false
		}
		fmt.Fprintf(stdout, "| %s | %s | %s | %.2f ms | %.2f ms | %s | %s |\n", r.Name, modeNames[r.Mode],
			thousands(r.RPS), r.P50ms, r.P99ms, mib(r.RSSPeakKiB), ratio(r.RPS, cc[key{r.Name, r.Tool}].RPS))
	}
	if !first {
		fmt.Fprintln(stdout)
	}
	if len(replicated) > 0 {
		byMode := map[key]Result{} // the -store-ref server's rows, by mode (in tool)
		for _, r := range loads {
			if r.Name == *storeRef {
				byMode[key{r.Mode, r.Tool}] = r
			}
		}
		fmt.Fprintf(stdout, "Replicas: the load spread over the replicas' addresses, worker i on replica i mod n; peak RSS of the first replica; ratios to %s (same path) and to %s's client_credentials\n\n", *storeRef, *ref)
		fmt.Fprintln(stdout, "| server | path | replicas | req/s | p50 | p99 | peak RSS under load | answered per replica | vs "+*storeRef+" | vs "+*ref+" |")
		fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|---|")
		for _, r := range replicated {
			vsStore, vsRef := "-", "-"
			if s, ok := byMode[key{r.Mode, r.Tool}]; ok {
				vsStore = ratio(r.RPS, s.RPS)
			}
			if o, ok := cc[key{*ref, r.Tool}]; ok && r.Mode == "cc" {
				vsRef = ratio(r.RPS, o.RPS)
			}
			split := make([]string, len(r.PerReplica))
			for i, n := range r.PerReplica {
				split[i] = thousands(float64(n))
			}
			fmt.Fprintf(stdout, "| %s | %s | %d | %s | %.2f ms | %.2f ms | %s | %s | %s | %s |\n", r.Name, modeNames[r.Mode], r.Replicas,
				thousands(r.RPS), r.P50ms, r.P99ms, mib(r.RSSPeakKiB), strings.Join(split, " / "), vsStore, vsRef)
		}
		fmt.Fprintln(stdout)
	}
	if len(cycled) > 0 {
		printCycles(stdout, cycled)
	}
	if len(starts) > 0 {
		fmt.Fprintln(stdout, "Start-up: exec to the issuer line (serve) or to the exit (version)")
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, "| what | runs | median | min | max | idle RSS | idle high-water |")
		fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
		for _, s := range starts {
			fmt.Fprintf(stdout, "| %s | %d | %.1f ms | %.1f ms | %.1f ms | %s | %s |\n", s.Name, s.Runs,
				s.MedianMs, s.MinMs, s.MaxMs, mib(s.IdleRSSKiB), mib(s.IdleHWMKiB))
		}
	}
	return nil
}

// thousands formats a rate as 12,345.
func thousands(f float64) string {
	n := int64(f + 0.5)
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
