package main

import (
	"fmt"
	"io"
	"slices"
)

// Cycles measure the paths of one server against its own
// client_credentials rate when the machine's speed drifts from one minute
// to the next: a cycle runs client_credentials, the other paths, then
// client_credentials again, a few seconds each (scripts/bench-peers.sh,
// BENCH_CYCLES), and each path is divided by the mean of the
// client_credentials runs just before and just after it in the same cycle.
// Over several cycles (and servers), report prints the median and the
// range of each ratio.

// cycleModes are the paths of a cycle's table, in its column order.
var cycleModes = []string{"refresh", "introspect", "authcode"}

// cycleRatios returns, for each path of one cycle's runs (in the order
// they ran), its rate divided by the mean rate of the client_credentials
// runs next to it: the last one before and the first one after, or the
// one of them there is. A path with no client_credentials run in its
// cycle has no ratio.
func cycleRatios(runs []Result) map[string][]float64 {
	out := map[string][]float64{}
	for i, r := range runs {
		if r.Mode == "cc" {
			continue
		}
		var around []float64
		for j := i - 1; j >= 0; j-- {
			if runs[j].Mode == "cc" {
				around = append(around, runs[j].RPS)
				break
			}
		}
		for j := i + 1; j < len(runs); j++ {
			if runs[j].Mode == "cc" {
				around = append(around, runs[j].RPS)
				break
			}
		}
		if len(around) == 0 {
			continue
		}
		var sum float64
		for _, v := range around {
			sum += v
		}
		if mean := sum / float64(len(around)); mean > 0 {
			out[r.Mode] = append(out[r.Mode], r.RPS/mean)
		}
	}
	return out
}

// printCycles prints the table of the runs that belong to cycles: one row
// per server (by name, in the order they first ran).
func printCycles(w io.Writer, runs []Result) {
	type cycleKey struct {
		name  string
		cycle int
	}
	var names []string
	byCycle := map[cycleKey][]Result{}
	var keys []cycleKey
	for _, r := range runs {
		k := cycleKey{r.Name, r.Cycle}
		if _, ok := byCycle[k]; !ok {
			keys = append(keys, k)
		}
		byCycle[k] = append(byCycle[k], r)
		if !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
	}
	ratios := map[string]map[string][]float64{} // name → path → one ratio per cycle
	cycles := map[string]int{}
	for _, k := range keys {
		if ratios[k.name] == nil {
			ratios[k.name] = map[string][]float64{}
		}
		cycles[k.name]++
		for mode, rs := range cycleRatios(byCycle[k]) {
			ratios[k.name][mode] = append(ratios[k.name][mode], rs...)
		}
	}
	fmt.Fprintln(w, "Cycles: each path ÷ the mean of the client_credentials runs just before and after it in the same cycle; median (range) over the cycles")
	fmt.Fprintln(w)
	header, rule := "| server | cycles |", "|---|---|"
	for _, m := range cycleModes {
		header += " " + modeNames[m] + " |"
		rule += "---|"
	}
	fmt.Fprintln(w, header)
	fmt.Fprintln(w, rule)
	for _, name := range names {
		row := fmt.Sprintf("| %s | %d |", name, cycles[name])
		for _, m := range cycleModes {
			rs := ratios[name][m]
			if len(rs) == 0 {
				row += " - |"
				continue
			}
			row += fmt.Sprintf(" %.2f× (%.2f–%.2f) |", median(rs), slices.Min(rs), slices.Max(rs))
		}
		fmt.Fprintln(w, row)
	}
	fmt.Fprintln(w)
}

// median of vs (not empty); the mean of the middle two for an even count.
func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
