package serve

import "runtime/debug"

// gcPercent is the garbage collector's target of a serve process when the
// environment sets none: the heap may grow to three times what is live
// before a collection, instead of Go's default two. A serve on SQLite holds
// little live data: its peak RSS under load went from 32–38 MB to 35–43 MB
// (docs/performance.md), while collections, about 8 % of the CPU of
// introspection at the default, run half as often. The memory store, whose
// records are live data, grows by the same factor.
const gcPercent = 200

// tuneGC sets gcPercent unless GOGC is in the environment (lookup is
// os.LookupEnv), which then decides as usual; it reports whether it set it.
// Only the serve command calls it: a program that embeds the server keeps
// its own setting.
func tuneGC(lookup func(string) (string, bool)) bool {
	if _, set := lookup("GOGC"); set {
		return false
	}
	debug.SetGCPercent(gcPercent)
	return true
}
