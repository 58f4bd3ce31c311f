package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// loadConfig is what one load run needs.
type loadConfig struct {
	name, mode      string
	tool            string // "go" or "wrk"
	creds           credentials
	conns           int
	duration        time.Duration
	warmup          time.Duration
	pid             int
	scope, redirect string
	// replicas are the base URLs (scheme://host:port) the workers spread
	// over, worker i on replicas[i%len]: several serve processes of one
	// issuer. Empty: the issuer's own address.
	replicas []string
}

// credentials of the client the load uses, from the -creds file.
type credentials struct {
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// Result is one run, one JSON line of load's output and report's input.
type Result struct {
	Name     string  `json:"name"`
	Mode     string  `json:"mode"`
	Tool     string  `json:"tool"` // go or wrk
	Conns    int     `json:"conns"`
	Seconds  float64 `json:"seconds"`
	Requests int     `json:"requests"` // operations (authcode: /authorize + /token is one)
	Errors   int     `json:"errors"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	// Resident memory of -pid in KiB: before the load, the highest sample
	// during it (every 50 ms), and the kernel's high-water mark at the end.
	RSSStartKiB int64 `json:"rss_start_kib,omitempty"`
	RSSPeakKiB  int64 `json:"rss_peak_kib,omitempty"`
	HWMKiB      int64 `json:"hwm_kib,omitempty"`
	// Replicas is how many base URLs the load was spread over (-replica;
	// 0: the issuer only), PerReplica the measured successes each one answered.
	Replicas   int   `json:"replicas,omitempty"`
	PerReplica []int `json:"per_replica,omitempty"`
	// Cycle numbers the runs of one cycle (-cycle; 0: not in a cycle):
	// report divides each path by the client_credentials runs around it
	// in the same cycle (cycles.go).
	Cycle int `json:"cycle,omitempty"`
}

func runLoad(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c loadConfig
	credsFile := fs.String("creds", "", "JSON file with issuer, client_id and client_secret")
	issuer := fs.String("issuer", "", "issuer URL (default: the -creds file's issuer)")
	procs := fs.Int("procs", 1, "GOMAXPROCS of the load generator (1: one thread's worth, as wrk -t1)")
	fs.StringVar(&c.tool, "tool", "go", "go (this program's workers) or wrk (wrk -t1 --latency on PATH; -mode cc only)")
	fs.StringVar(&c.name, "name", "", "name of the server in the result")
	fs.StringVar(&c.mode, "mode", "cc", "cc (client_credentials), refresh, introspect or authcode")
	fs.IntVar(&c.conns, "c", 16, "connections (one worker each)")
	fs.DurationVar(&c.duration, "d", 10*time.Second, "measured duration")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "load before the measurement starts (not counted)")
	fs.IntVar(&c.pid, "pid", 0, "process whose resident memory is sampled (0: none)")
	fs.StringVar(&c.scope, "scope", "", "scope parameter (default: none)")
	fs.StringVar(&c.redirect, "redirect-uri", "http://127.0.0.1/callback", "redirect_uri of refresh and authcode")
	cycle := fs.Int("cycle", 0, "the cycle this run belongs to (report compares the paths of a cycle with its client_credentials runs)")
	fs.Func("replica", "base URL of a replica of the issuer (repeatable): worker i uses replica i mod n (-tool go only)", func(v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
			return fmt.Errorf("%q is not a base URL like http://127.0.0.1:8081", v)
		}
		c.replicas = append(c.replicas, u.Scheme+"://"+u.Host)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("load: unexpected argument %q", fs.Arg(0))
	}
	if *credsFile == "" {
		return usagef("load: -creds FILE is required")
	}
	data, err := os.ReadFile(*credsFile)
	if err != nil {
		return usagef("load: %v", err)
	}
	if err := json.Unmarshal(data, &c.creds); err != nil || c.creds.ClientID == "" || c.creds.ClientSecret == "" {
		return usagef("load: %s: want a JSON object with client_id and client_secret", *credsFile)
	}
	if *issuer != "" {
		c.creds.Issuer = *issuer
	}
	if c.creds.Issuer == "" {
		return usagef("load: no issuer (-issuer, or issuer in %s)", *credsFile)
	}
	if c.tool != "go" && c.tool != "wrk" {
		return usagef("load: -tool %q is not go or wrk", c.tool)
	}
	if c.conns < 1 || c.duration <= 0 || c.warmup < 0 || *procs < 1 || *cycle < 0 {
		return usagef("load: -c, -d and -procs must be positive, -warmup and -cycle not negative")
	}
	if c.name == "" {
		c.name = c.creds.Issuer
	}
	if len(c.replicas) > 0 && c.tool != "go" {
		return usagef("load: -replica needs -tool go (wrk loads one address)")
	}
	if len(c.replicas) > c.conns {
		return usagef("load: %d replicas but only %d connections (-c)", len(c.replicas), c.conns)
	}
	runtime.GOMAXPROCS(*procs)
	res, err := load(context.Background(), c)
	if err != nil {
		return err
	}
	res.Cycle = *cycle
	line, _ := json.Marshal(res)
	fmt.Fprintf(stdout, "%s\n", line)
	fmt.Fprintf(stderr, "%-28s %-10s %-3s %8.0f/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  peak RSS %s\n",
		res.Name, res.Mode, res.Tool, res.RPS, res.P50ms, res.P99ms, res.Errors, mib(res.RSSPeakKiB))
	if res.PerReplica != nil {
		fmt.Fprintf(stderr, "%-28s answered per replica: %v\n", "", res.PerReplica)
	}
	return nil
}

// load runs c.conns workers for c.warmup + c.duration and measures the
// operations that started after the warm-up and ended before the deadline.
func load(ctx context.Context, c loadConfig) (*Result, error) {
	tr := &http.Transport{MaxConnsPerHost: c.conns, MaxIdleConnsPerHost: c.conns, DisableCompression: true,
		ForceAttemptHTTP2: false}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t, err := newTarget(ctx, hc, c)
	if err != nil {
		return nil, err
	}
	if c.tool == "wrk" {
		return loadWrk(ctx, t, c)
	}
	// One target per replica: the same discovered endpoints on another
	// address; worker w loads targets[w%len].
	targets := []*target{t}
	if len(c.replicas) > 0 {
		targets = targets[:0]
		for _, base := range c.replicas {
			rt, err := t.at(base)
			if err != nil {
				return nil, err
			}
			targets = append(targets, rt)
		}
	}
	newOps := make([]func(context.Context) (func(context.Context) error, error), len(targets))
	for i, rt := range targets {
		if newOps[i], err = rt.operation(c.mode); err != nil {
			return nil, err
		}
	}
	ops := make([]func(context.Context) error, c.conns)
	for i := range ops {
		if ops[i], err = newOps[i%len(newOps)](ctx); err != nil { // per-worker setup: tokens, families
			return nil, fmt.Errorf("%s: preparing worker %d: %w", c.mode, i, err)
		}
	}

	var sampler *rssSampler
	res := &Result{Name: c.name, Mode: c.mode, Tool: "go", Conns: c.conns}
	if c.pid > 0 {
		if res.RSSStartKiB, _, err = readRSS(c.pid); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	measureFrom, deadline := start.Add(c.warmup), start.Add(c.warmup+c.duration)
	if c.pid > 0 {
		sampler = startRSSSampler(c.pid, measureFrom, 50*time.Millisecond)
	}
	lat := make([][]time.Duration, c.conns)
	errs := make([]int, c.conns)
	firstErr := make([]error, c.conns)
	var wg sync.WaitGroup
	for w := range c.conns {
		wg.Go(func() {
			lat[w] = make([]time.Duration, 0, 1<<14)
			for {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				err := ops[w](ctx)
				t1 := time.Now()
				if t0.Before(measureFrom) || t1.After(deadline) {
					continue
				}
				if err != nil {
					errs[w]++
					if firstErr[w] == nil {
						firstErr[w] = err
					}
					continue
				}
				lat[w] = append(lat[w], t1.Sub(t0))
			}
		})
	}
	wg.Wait()
	if sampler != nil {
		res.RSSPeakKiB = sampler.stop()
		if _, res.HWMKiB, err = readRSS(c.pid); err != nil {
			return nil, err
		}
	}
	var all []time.Duration
	if len(c.replicas) > 0 {
		res.Replicas, res.PerReplica = len(c.replicas), make([]int, len(c.replicas))
	}
	for w := range c.conns {
		all = append(all, lat[w]...)
		res.Errors += errs[w]
		if res.PerReplica != nil {
			res.PerReplica[w%len(res.PerReplica)] += len(lat[w])
		}
	}
	res.Seconds = c.duration.Seconds()
	res.Requests = len(all)
	res.RPS = float64(len(all)) / res.Seconds
	if len(all) == 0 {
		return nil, fmt.Errorf("%s: no successful operation in %s: %w", c.mode, c.duration, errors1(firstErr))
	}
	slices.Sort(all)
	res.P50ms = ms(percentile(all, 0.50))
	res.P99ms = ms(percentile(all, 0.99))
	if res.Errors*100 > res.Requests { // more than 1 % failed: not a comparable run
		return nil, fmt.Errorf("%s: %d of %d operations failed, first: %w", c.mode, res.Errors, res.Errors+res.Requests, errors1(firstErr))
	}
	return res, nil
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mib(kib int64) string {
	if kib == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MB", float64(kib)*1024/1e6)
}

// errors1 is the first non-nil error.
func errors1(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return fmt.Errorf("no error recorded")
}

// answerError is a response that is not the expected success.
func answerError(res *http.Response, body []byte) error {
	b := strings.TrimSpace(string(body))
	if len(b) > 200 {
		b = b[:200] + "…"
	}
	return fmt.Errorf("%s %s: HTTP %d: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, b)
}
