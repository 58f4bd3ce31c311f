package servetest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// DefaultStartTimeout bounds how long serve may take to print its issuer
// (a new store generates an RSA key; the race detector slows that down).
const DefaultStartTimeout = 30 * time.Second

// DefaultStopTimeout bounds how long Run's cleanup waits after its signal.
const DefaultStopTimeout = 10 * time.Second

// Options says how to start one `oauthkit serve`.
type Options struct {
	// Bin is the binary; "" means Binary().
	Bin string
	// Argv0, when set, replaces the process's os.Args[0] (testscript's
	// re-executed test binary picks its command by this name).
	Argv0 string
	// Args follow "serve" on the command line.
	Args []string
	// Dir is the working directory ("" = the test's).
	Dir string
	// Env is added to os.Environ() (later entries win).
	Env []string
	// Stdout and Stderr, when set, receive the output too (a file, say).
	Stdout, Stderr io.Writer
	// StartTimeout bounds the wait for the issuer (DefaultStartTimeout).
	StartTimeout time.Duration

	// For Run's cleanup only:

	// StopSignal is sent when the test ends (nil = kill at once).
	StopSignal os.Signal
	// StopTimeout bounds the wait after StopSignal (DefaultStopTimeout);
	// past it the test fails and the process is killed.
	StopTimeout time.Duration
	// WantCleanExit fails the test when serve does not exit with status 0
	// after StopSignal.
	WantCleanExit bool
}

// Server is one running `oauthkit serve`.
type Server struct {
	// URL is the issuer, the first line of standard output.
	URL string
	// Cmd is the process.
	Cmd *exec.Cmd
	// Stdout and Stderr hold everything the process printed.
	Stdout, Stderr *LockedBuffer

	exited  chan struct{}
	waitErr error // written before exited is closed
}

// Start starts serve and waits for its issuer line. On an error the
// process is gone and the error carries its standard error.
func Start(o Options) (*Server, error) {
	bin := o.Bin
	if bin == "" {
		var err error
		if bin, err = Binary(); err != nil {
			return nil, err
		}
	}
	s := &Server{Stdout: &LockedBuffer{}, Stderr: &LockedBuffer{}, exited: make(chan struct{})}
	s.Cmd = exec.Command(bin, append([]string{"serve"}, o.Args...)...)
	if o.Argv0 != "" {
		s.Cmd.Args[0] = o.Argv0
	}
	s.Cmd.Dir = o.Dir
	s.Cmd.Env = append(os.Environ(), o.Env...)
	s.Cmd.Stdout, s.Cmd.Stderr = tee(s.Stdout, o.Stdout), tee(s.Stderr, o.Stderr)
	if err := s.Cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting oauthkit serve: %w", err)
	}
	go func() {
		s.waitErr = s.Cmd.Wait()
		close(s.exited)
	}()
	timeout := o.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	line, err := s.Stdout.FirstLine(s.exited, timeout)
	switch {
	case errors.Is(err, ErrExited):
		return nil, fmt.Errorf("serve %s exited before printing its issuer (%v); stderr:\n%s",
			strings.Join(o.Args, " "), s.waitErr, s.Stderr.String())
	case err != nil:
		s.Kill()
		return nil, fmt.Errorf("serve %s printed no issuer within %s; stderr:\n%s",
			strings.Join(o.Args, " "), timeout, s.Stderr.String())
	}
	s.URL = line
	return s, nil
}

func tee(buf *LockedBuffer, also io.Writer) io.Writer {
	if also == nil {
		return buf
	}
	return io.MultiWriter(buf, also)
}

// Run is Start for one test: it fails the test when serve does not start,
// and stops serve when the test ends (Options.StopSignal, or a kill),
// showing the end of its standard error when the test failed.
func Run(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if o.StopSignal == nil {
			s.Kill()
		} else {
			wait := o.StopTimeout
			if wait <= 0 {
				wait = DefaultStopTimeout
			}
			code, err := s.Stop(o.StopSignal, wait)
			switch {
			case errors.Is(err, ErrTimeout):
				t.Errorf("serve did not exit within %s of %v", wait, o.StopSignal)
			case err != nil:
				t.Errorf("stopping serve: %v", err)
			case o.WantCleanExit && code != 0:
				t.Errorf("serve did not exit cleanly on %v: exit status %d", o.StopSignal, code)
			}
		}
		if t.Failed() {
			t.Logf("serve stderr (last 4 KiB):\n%s", Tail(s.Stderr.String(), 4096))
		}
	})
	return s
}

// Done is closed once the process has exited.
func (s *Server) Done() <-chan struct{} { return s.exited }

// Exited reports whether the process has exited.
func (s *Server) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// WaitErr is the error of the process's Wait, once Done is closed.
func (s *Server) WaitErr() error {
	<-s.exited
	return s.waitErr
}

// ExitCode is the exit status once Done is closed: -1 when a signal ended
// the process.
func (s *Server) ExitCode() int {
	<-s.exited
	return s.Cmd.ProcessState.ExitCode()
}

// Kill kills the process (if it still runs) and waits until it is gone.
func (s *Server) Kill() {
	select {
	case <-s.exited:
	default:
		_ = s.Cmd.Process.Kill()
		<-s.exited
	}
}

// Stop sends sig and waits at most timeout for the exit; it returns the
// exit status (-1 for death by a signal). Past the timeout it kills the
// process and returns ErrTimeout. A process that already exited is not
// signalled.
func (s *Server) Stop(sig os.Signal, timeout time.Duration) (int, error) {
	select {
	case <-s.exited:
		return s.ExitCode(), nil
	default:
	}
	if err := s.Cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.Kill()
		return s.ExitCode(), fmt.Errorf("signal %v: %w", sig, err)
	}
	select {
	case <-s.exited:
		return s.ExitCode(), nil
	case <-time.After(timeout):
		s.Kill()
		return s.ExitCode(), ErrTimeout
	}
}
