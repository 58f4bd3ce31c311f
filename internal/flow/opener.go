package flow

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/pkg/browser"
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
	// Stderr receives the opener's own output, so that standard output
	// stays the command's result.
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
	// otherwise; the result of oauthkit goes there, so redirect it.
	browser.Stdout, browser.Stderr = o.Stderr, o.Stderr
	return browser.OpenURL(u)
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
