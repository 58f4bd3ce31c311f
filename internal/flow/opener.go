package flow

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/pkg/browser"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// Opener opens a URL in a browser. Tests replace it to see the URL.
type Opener interface {
	Open(url string) error
}

// SystemOpener opens the system browser. $BROWSER, when set, wins: a
// colon-separated list of commands, each run without a shell, with "%s"
// replaced by the URL or the URL appended; the first that starts is used.
// Otherwise github.com/pkg/browser picks the platform's opener (xdg-open,
// open, rundll32).
type SystemOpener struct {
	Getenv func(string) string
	// Stderr receives the output of a $BROWSER command, so that standard
	// output stays the command's result. The platform opener's output is
	// kept back; its first line is in the error when it fails.
	Stderr io.Writer
}

// Open implements Opener.
func (o SystemOpener) Open(u string) error {
	if o.Getenv != nil {
		if list := o.Getenv("BROWSER"); strings.TrimSpace(list) != "" {
			return openWithBrowserEnv(list, u, o.Stderr)
		}
	}
	// pkg/browser sends the opener's output to os.Stdout unless told
	// otherwise; the result of oauthkit goes there. Its output is kept in a
	// file instead (a file, not a pipe: a browser it starts may hold the
	// pipe open as long as it runs), and only its first line is told, in
	// the error, when it fails: xdg-open without a browser writes a line
	// per browser it tried.
	out, err := os.CreateTemp("", "oauthkit-opener-*")
	if err != nil {
		return fmt.Errorf("keeping the browser opener's output: %w", err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	browser.Stdout, browser.Stderr = out, out
	if err := browser.OpenURL(u); err != nil {
		if said := firstLine(out, maxOpenerLine); said != "" {
			return fmt.Errorf("%w: %s", err, said)
		}
		return err
	}
	return nil
}

// maxOpenerLine caps the opener's line quoted in an error.
const maxOpenerLine = 160

// firstLine is the first non-blank line of what f holds, made safe for a
// terminal and cut to max runes.
func firstLine(f *os.File, max int) string {
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	for _, l := range strings.Split(string(buf[:n]), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return termtext.Cut(l, max)
		}
	}
	return ""
}

func openWithBrowserEnv(list, u string, stderr io.Writer) error {
	var errs []error
	for _, entry := range strings.Split(list, ":") {
		fields := strings.Fields(entry)
		if len(fields) == 0 {
			continue
		}
		args, replaced := make([]string, 0, len(fields)), false
		for _, f := range fields[1:] {
			if strings.Contains(f, "%s") {
				f, replaced = strings.ReplaceAll(f, "%s", u), true
			}
			args = append(args, f)
		}
		if !replaced {
			args = append(args, u)
		}
		cmd := exec.Command(fields[0], args...)
		cmd.Stdout, cmd.Stderr = stderr, stderr
		if err := cmd.Start(); err != nil {
			errs = append(errs, err)
			continue
		}
		go func() { _ = cmd.Wait() }() // reap it; the browser may run on
		return nil
	}
	if len(errs) == 0 {
		return errors.New("$BROWSER names no command")
	}
	return fmt.Errorf("$BROWSER: %w", errors.Join(errs...))
}
