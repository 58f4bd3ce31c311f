package serve

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/tui/dashboard"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// dashboardRun is the dashboard of `serve --tui` while the server runs.
type dashboardRun struct {
	f      *cmdutil.Factory
	events chan dashboard.Request
	input  io.Reader // nil: the terminal

	once sync.Once
	prog *tea.Program
	done chan struct{}
	err  error // of the program, once done is closed
}

func newDashboardRun(f *cmdutil.Factory) *dashboardRun {
	return &dashboardRun{f: f, events: make(chan dashboard.Request, 256), done: make(chan struct{})}
}

// observer is the authserver.Options.OnEvent of the dashboard (nil without
// one): each answered request becomes a row.
func (d *dashboardRun) observer() func(authserver.Event) {
	if d == nil {
		return nil
	}
	return func(ev authserver.Event) {
		d.emit(dashboard.Request{Time: ev.Time, Method: ev.Method, Path: ev.Path, ClientID: ev.ClientID,
			GrantType: ev.GrantType, Status: ev.Status, Latency: ev.Duration, Error: ev.Error})
	}
}

// emit hands a request to the dashboard without ever blocking the server:
// when the screen falls behind, requests are dropped from it.
func (d *dashboardRun) emit(r dashboard.Request) {
	select {
	case d.events <- r:
	default:
	}
}

// start shows the dashboard on standard error and returns a context that
// ends when the person presses q (or ctx ends).
func (d *dashboardRun) start(ctx context.Context, info bannerInfo, started time.Time) context.Context {
	ios := d.f.IOStreams
	cfg := dashboard.Config{Issuer: info.issuer, Store: info.store, Now: d.f.Now, Started: started,
		Styles: theme.New(ios.ErrOut, ios.ColorEnabled())}
	if dm := info.demo; dm != nil {
		cfg.Demo = &dashboard.Demo{ClientID: dm.ClientID, ClientSecret: dm.ClientSecret,
			PublicClientID: dm.PublicClientID, Username: dm.Username, Password: dm.Password}
	}
	if c := info.config; c != nil {
		cfg.Source = fmt.Sprintf("config %s (%d clients, %d users)", c.File, len(c.Clients), len(c.Users))
	}
	// Ask the terminal for its background now: asked while the program
	// reads the keys, the answer would be taken for key presses.
	cfg.Styles.Renderer.HasDarkBackground()
	opts := []tea.ProgramOption{tea.WithOutput(ios.ErrOut), tea.WithoutSignalHandler(), tea.WithAltScreen()}
	if d.input != nil {
		opts = append(opts, tea.WithInput(d.input))
	} else {
		opts = append(opts, tea.WithInputTTY())
	}
	d.prog = tea.NewProgram(dashboard.New(cfg), opts...)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer close(d.done)
		defer cancel()
		_, d.err = d.prog.Run()
	}()
	go func() {
		for {
			select {
			case r := <-d.events:
				d.prog.Send(dashboard.RequestMsg(r))
			case <-d.done:
				return
			}
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			d.prog.Quit()
		case <-d.done:
		}
	}()
	return ctx
}

// stop closes the dashboard and waits until the terminal is restored; nil
// and repeated calls are fine. The error is the program's (no terminal…).
func (d *dashboardRun) stop() error {
	if d == nil || d.prog == nil {
		return nil
	}
	d.once.Do(func() {
		d.prog.Quit()
		select {
		case <-d.done:
		case <-time.After(2 * time.Second):
			d.prog.Kill()
			<-d.done
		}
	})
	return d.err
}
