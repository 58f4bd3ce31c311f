package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrk's output: the rate, the latency distribution (--latency), the
// request count and the failures.
var (
	wrkRPS      = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkPct      = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkRequests = regexp.MustCompile(`(\d+) requests in ([0-9.]+)(us|ms|s|m)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// loadWrk runs the client_credentials load with wrk (one thread, c.conns
// connections) instead of the Go workers: first c.warmup, not counted,
// then c.duration. wrk checks only the status: non-2xx answers and socket
// errors are the errors. The Authorization header goes to wrk in a Lua
// file (0600, removed afterwards), never on its command line.
func loadWrk(ctx context.Context, t *target, c loadConfig) (*Result, error) {
	if c.mode != "cc" {
		return nil, usagef("load: -tool wrk runs only -mode cc")
	}
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return nil, errors.New("-tool wrk: wrk is not on PATH")
	}
	body := "grant_type=client_credentials"
	if c.scope != "" {
		body += "&scope=" + strings.ReplaceAll(c.scope, " ", "+")
	}
	f, err := os.CreateTemp("", "loadgen-*.lua")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	_, werr := fmt.Fprintf(f, "wrk.method = \"POST\"\nwrk.body = %q\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\nwrk.headers[\"Authorization\"] = %q\n",
		body, t.basic)
	if err := errors.Join(werr, f.Close()); err != nil {
		return nil, err
	}
	run := func(d time.Duration) (string, error) {
		secs := max(1, int(d.Round(time.Second)/time.Second))
		out, err := exec.CommandContext(ctx, bin, "-t1", "-c"+strconv.Itoa(c.conns), "-d"+strconv.Itoa(secs)+"s",
			"--latency", "-s", f.Name(), t.token).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("wrk: %w: %s", err, strings.TrimSpace(string(out)))
		}
		return string(out), nil
	}
	if c.warmup > 0 {
		if _, err := run(c.warmup); err != nil {
			return nil, err
		}
	}
	res := &Result{Name: c.name, Mode: c.mode, Tool: "wrk", Conns: c.conns}
	var sampler *rssSampler
	if c.pid > 0 {
		if res.RSSStartKiB, _, err = readRSS(c.pid); err != nil {
			return nil, err
		}
		sampler = startRSSSampler(c.pid, time.Now(), 50*time.Millisecond)
	}
	out, err := run(c.duration)
	if sampler != nil {
		res.RSSPeakKiB = sampler.stop()
		if _, res.HWMKiB, err = readRSS(c.pid); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	if err := parseWrk(out, res); err != nil {
		return nil, err
	}
	if res.Errors*100 > res.Requests {
		return nil, fmt.Errorf("cc: %d of %d requests failed (wrk: non-2xx answers or socket errors)", res.Errors, res.Requests)
	}
	return res, nil
}

// parseWrk fills res from wrk's report.
func parseWrk(out string, res *Result) error {
	m := wrkRPS.FindStringSubmatch(out)
	n := wrkRequests.FindStringSubmatch(out)
	pcts := wrkPct.FindAllStringSubmatch(out, -1)
	if m == nil || n == nil || len(pcts) != 2 {
		return fmt.Errorf("wrk: unexpected report (run with --latency?):\n%s", out)
	}
	res.RPS, _ = strconv.ParseFloat(m[1], 64)
	total, _ := strconv.Atoi(n[1])
	res.Seconds = wrkDuration(n[2], n[3]).Seconds()
	for _, p := range pcts {
		v := wrkDuration(p[2], p[3])
		if p[1] == "50" {
			res.P50ms = ms(v)
		} else {
			res.P99ms = ms(v)
		}
	}
	if e := wrkNon2xx.FindStringSubmatch(out); e != nil {
		res.Errors, _ = strconv.Atoi(e[1])
	}
	if e := wrkSocket.FindStringSubmatch(out); e != nil {
		for _, s := range e[1:] {
			k, _ := strconv.Atoi(s)
			res.Errors += k
		}
	}
	res.Requests = total - min(total, res.Errors)
	return nil
}

func wrkDuration(num, unit string) time.Duration {
	f, _ := strconv.ParseFloat(num, 64)
	switch unit {
	case "us":
		return time.Duration(f * float64(time.Microsecond))
	case "ms":
		return time.Duration(f * float64(time.Millisecond))
	case "m":
		return time.Duration(f * float64(time.Minute))
	}
	return time.Duration(f * float64(time.Second))
}
