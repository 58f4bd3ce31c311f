package sqlite

import "time"

// Gathering. A write that finds no other write queued or committing
// commits at once. But under concurrent load most writes still find none:
// the server spends most of a request outside the store (signing, here), so
// group commit alone gave batches of 1.1 writes on average under the
// refresh load of docs/performance.md, and every rotation paid its own
// transaction, WAL frames and fsync. So, while writes overlap, the first
// write of a batch waits up to gatherWindow for others, which then share
// its transaction and fsync; a batch of gatherTarget writes commits at
// once.
//
// Whether writes overlap is learnt from the writes themselves: overlap is
// a moving average of how often a write arrives while another one is
// queued or committing, which a single caller writing in a loop never does
// (it waits for its own write). Gathering starts when that average reaches
// gatherFrom and stops when a batch that waited got no company, which
// halves it. So a lone client, a test or a script commits at once as
// before, and only concurrent writes can be held, for gatherWindow at most.
const (
	gatherWindow = 3 * time.Millisecond
	gatherTarget = 16
	gatherFrom   = 0.25
	overlapDecay = 16 // the average's weight: 1/overlapDecay per write
)

// gatherer decides whether the committer waits for more writes; the
// committer's mutex guards it.
type gatherer struct {
	overlap float64 // moving average of writes that found another pending, 0..1
}

// arrived records a write that found others pending or not.
func (g *gatherer) arrived(others bool) {
	x := 0.0
	if others {
		x = 1
	}
	g.overlap += (x - g.overlap) / overlapDecay
}

// on reports whether writes overlap enough to gather them.
func (g *gatherer) on() bool { return g.overlap >= gatherFrom }

// waited records the size of a batch whose first write waited: alone, the
// wait bought nothing.
func (g *gatherer) waited(size int) {
	if size <= 1 {
		g.overlap /= 2
	}
}

// wait is how much longer a queue whose first write arrived at first
// should wait for company at now; 0: commit it now.
func (g *gatherer) wait(queued int, first, now time.Time) time.Duration {
	if queued == 0 || queued >= gatherTarget || !g.on() {
		return 0
	}
	return max(0, first.Add(gatherWindow).Sub(now))
}
