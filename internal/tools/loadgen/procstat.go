package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// readRSS returns VmRSS and VmHWM of a process in KiB (Linux
// /proc/PID/status; elsewhere an error).
func readRSS(pid int) (rss, hwm int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("reading the memory of process %d: %w", pid, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 {
			continue
		}
		switch string(f[0]) {
		case "VmRSS:":
			rss, _ = strconv.ParseInt(string(f[1]), 10, 64)
		case "VmHWM:":
			hwm, _ = strconv.ParseInt(string(f[1]), 10, 64)
		}
	}
	return rss, hwm, nil
}

// rssSampler records the highest VmRSS of a process from a start time on.
type rssSampler struct {
	done chan struct{}
	peak chan int64
}

func startRSSSampler(pid int, from time.Time, every time.Duration) *rssSampler {
	s := &rssSampler{done: make(chan struct{}), peak: make(chan int64, 1)}
	go func() {
		var peak int64
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-s.done:
				s.peak <- peak
				return
			case now := <-tick.C:
				if now.Before(from) {
					continue
				}
				if rss, _, err := readRSS(pid); err == nil {
					peak = max(peak, rss)
				}
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peak in KiB.
func (s *rssSampler) stop() int64 {
	close(s.done)
	return <-s.peak
}
