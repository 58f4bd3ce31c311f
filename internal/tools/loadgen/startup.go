package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"os/exec"
	"slices"
	"syscall"
	"time"
)

// StartupResult is the time from exec to the first line of standard
// output (-until line: serve's issuer) or to exit (-until exit: version),
// over several runs, and the resident memory once idle (line only).
type StartupResult struct {
	Name       string  `json:"name"`
	Mode       string  `json:"mode"` // "startup"
	Runs       int     `json:"runs"`
	MedianMs   float64 `json:"median_ms"`
	MinMs      float64 `json:"min_ms"`
	MaxMs      float64 `json:"max_ms"`
	IdleRSSKiB int64   `json:"idle_rss_kib,omitempty"` // median, -settle after the line
	IdleHWMKiB int64   `json:"idle_hwm_kib,omitempty"` // median high-water mark at the same time
}

func runStartup(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("startup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "name in the result (default: the command)")
	runs := fs.Int("runs", 10, "runs (the median is reported)")
	until := fs.String("until", "line", "line: until the first line of standard output, then SIGTERM; exit: until it exits")
	settle := fs.Duration("settle", 2*time.Second, "with -until line: wait this long after the line before reading the memory")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	argv := fs.Args()
	if len(argv) == 0 || *runs < 1 || (*until != "line" && *until != "exit") {
		return usagef("startup: want -until line|exit, -runs > 0 and -- BIN ARGS...")
	}
	if *name == "" {
		*name = fmt.Sprint(argv)
	}
	res := StartupResult{Name: *name, Mode: "startup", Runs: *runs}
	var times []time.Duration
	var rss, hwm []int64
	for range *runs {
		d, r, h, err := startOnce(argv, *until == "line", *settle)
		if err != nil {
			return err
		}
		times = append(times, d)
		rss, hwm = append(rss, r), append(hwm, h)
	}
	slices.Sort(times)
	slices.Sort(rss)
	slices.Sort(hwm)
	res.MedianMs, res.MinMs, res.MaxMs = ms(times[len(times)/2]), ms(times[0]), ms(times[len(times)-1])
	res.IdleRSSKiB, res.IdleHWMKiB = rss[len(rss)/2], hwm[len(hwm)/2]
	line, _ := json.Marshal(res)
	fmt.Fprintf(stdout, "%s\n", line)
	fmt.Fprintf(stderr, "%-28s median %6.1f ms (min %.1f, max %.1f)  idle RSS %s (high-water %s)\n",
		res.Name, res.MedianMs, res.MinMs, res.MaxMs, mib(res.IdleRSSKiB), mib(res.IdleHWMKiB))
	return nil
}

// startOnce runs argv once and measures it.
func startOnce(argv []string, untilLine bool, settle time.Duration) (d time.Duration, rss, hwm int64, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = io.Discard
	if !untilLine {
		cmd.Stdout = io.Discard
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, 0, 0, fmt.Errorf("%s: %w", argv[0], err)
		}
		return time.Since(t0), 0, 0, nil
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, 0, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		go func() { _, _ = io.Copy(io.Discard, out) }()
		if werr := cmd.Wait(); werr != nil && err == nil {
			err = fmt.Errorf("%s did not exit cleanly on SIGTERM: %w", argv[0], werr)
		}
	}()
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		return 0, 0, 0, fmt.Errorf("%s printed no line: %w", argv[0], err)
	}
	d = time.Since(t0)
	time.Sleep(settle)
	rss, hwm, err = readRSS(cmd.Process.Pid)
	return d, rss, hwm, err
}
