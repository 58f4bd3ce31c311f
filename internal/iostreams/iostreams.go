// Package iostreams holds the standard streams of a command and every rule
// about terminals in one place: stdout is the result, stderr is the talk,
// colour only on a terminal and never with NO_COLOR, a screen (TUI) only on
// a terminal that can draw one, a question only when someone can answer it.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	noColor                        bool
	dumb                           bool
	stdinFd                        int
}

// System returns the process's streams with terminal detection.
func System() *IOStreams {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		noColor:   noColor,
		dumb:      os.Getenv("TERM") == "dumb",
		stdinFd:   int(os.Stdin.Fd()),
	}
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (ios *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, stdinFd: -1}, in, out, errOut
}

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetTTY overrides terminal detection (tests).
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// SetEnv overrides what System reads from the environment (tests):
// NO_COLOR set, and TERM=dumb.
func (s *IOStreams) SetEnv(noColor, dumbTerminal bool) {
	s.noColor, s.dumb = noColor, dumbTerminal
}

// ColorEnabled reports whether stderr talk may use colour: a terminal
// that is not TERM=dumb, without NO_COLOR.
func (s *IOStreams) ColorEnabled() bool { return s.CanRunTUI() && !s.noColor }

// CanRunTUI reports whether a screen (a Bubble Tea program, drawn on
// standard error) can run: standard error is a terminal that is not
// TERM=dumb. NO_COLOR takes the colour away, not the screen.
func (s *IOStreams) CanRunTUI() bool { return s.stderrTTY && !s.dumb }

// CanPrompt reports whether the user can be asked something: a screen can
// run and standard input is a terminal to answer on.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.CanRunTUI() }

// ReadPassword reads a line from the terminal on stdin without echo.
// It is only valid when IsStdinTTY is true.
func (s *IOStreams) ReadPassword() ([]byte, error) {
	return term.ReadPassword(s.stdinFd)
}
