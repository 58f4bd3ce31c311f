package flowprogress

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"rsc.io/qr"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

func testDeviceAuth() *flow.DeviceAuthorization {
	return &flow.DeviceAuthorization{DeviceCode: "DC", UserCode: "WDJB-MJHT",
		VerificationURI:         "http://127.0.0.1:8080/device",
		VerificationURIComplete: "http://127.0.0.1:8080/device?user_code=WDJB-MJHT",
		ExpiresAt:               start.Add(10 * time.Minute), Interval: 5 * time.Second}
}

func (h *harness) deviceModel(manual bool) Model {
	return New(Config{Title: "oauthkit flow device", Now: h.c.Now, Styles: theme.Plain(), Cancel: func() { h.cancelled++ }, Manual: manual, Device: true,
		Open: func(u string) error { h.opened = append(h.opened, u); return h.openErr }})
}

// TestScreenDevice drives the device view in a Bubble Tea program (fixed
// size, clock and ASCII colour profile): the user code, URL and QR code
// are printed whole above the view, the countdown to expires_in follows
// the injected clock, each poll and slow_down shows, and the final summary
// frame equals testdata/TestScreenDevice/<size>.golden (-update rewrites).
func TestScreenDevice(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness()
			tm := teatest.NewTestModel(t, h.deviceModel(false), teatest.WithInitialTermSize(size[0], size[1]))
			tm.Send(DiscoveredMsg{Issuer: "http://127.0.0.1:8080"})
			tm.Send(DeviceAuthorizedMsg{Auth: testDeviceAuth()})
			tm.Send(EventMsg{Step: flow.StepBrowserOpened})
			// The header comes in one piece (TestDeviceHeader checks it whole).
			wait(t, tm, "or scan it:")
			wait(t, tm, "no poll yet · every 5s · code expires in 10m")
			h.c.Set(start.Add(10 * time.Second))
			tm.Send(DevicePollMsg{Step: flow.DevicePending, Polls: 1, Interval: 5 * time.Second})
			tm.Send(DevicePollMsg{Step: flow.DeviceSlowDown, Polls: 2, Interval: 10 * time.Second})
			wait(t, tm, "poll 2 · every 10s (slow_down ×1) · code expires in 9m50s")
			h.c.Set(start.Add(61 * time.Second))
			tm.Send(TickMsg{})
			wait(t, tm, "code expires in 8m59s")
			tm.Send(DoneMsg{Token: testToken()})
			wait(t, tm, "done")
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
			if final.Cancelled() {
				t.Error("enter on the summary counted as a cancel")
			}
			teatest.RequireEqualOutput(t, []byte(final.Final()))
		})
	}
}

// TestDeviceHeader: the header printed above the view, QR code included,
// equals testdata/TestDeviceHeader.golden; the QR code decodes back to
// verification_uri_complete's modules (same size as a fresh encoding).
func TestDeviceHeader(t *testing.T) {
	d := testDeviceAuth()
	got := DeviceHeader(d, theme.Plain())
	golden.RequireEqual(t, []byte(got))
	code, err := qr.Encode(d.VerificationURIComplete, qr.L)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(QR(d.VerificationURIComplete), "\n")
	// Half blocks: two rows of modules a line, a quiet zone of two modules.
	if want := (code.Size + 4 + 1) / 2; len(lines) < want || len(lines) > want+1 {
		t.Errorf("QR code of %d lines for %d modules", len(lines), code.Size)
	}
	for i := 0; i < code.Size; i += 2 {
		row := []rune(lines[1+i/2])[2:] // past the top and left quiet zones
		for j := 0; j < code.Size; j++ {
			top := code.Black(j, i)
			bottom := i+1 < code.Size && code.Black(j, i+1)
			want := map[[2]bool]rune{{true, true}: ' ', {true, false}: '▄', {false, true}: '▀', {false, false}: '█'}[[2]bool{top, bottom}]
			if row[j] != want {
				t.Fatalf("module (%d,%d): %q, want %q", j, i, row[j], want)
			}
		}
	}
}

// TestDeviceHeaderWithoutQR: no verification_uri_complete, no QR code; one
// too long for a QR code in a terminal is named as a URL instead.
func TestDeviceHeaderWithoutQR(t *testing.T) {
	d := testDeviceAuth()
	d.VerificationURIComplete = ""
	if got := DeviceHeader(d, theme.Plain()); strings.Contains(got, "scan") || strings.Contains(got, "█") {
		t.Errorf("a QR code without verification_uri_complete:\n%s", got)
	}
	d.VerificationURIComplete = "http://127.0.0.1:8080/device?user_code=WDJB-MJHT&pad=" + strings.Repeat("x", 400)
	got := DeviceHeader(d, theme.Plain())
	if strings.Contains(got, "█") || strings.Contains(got, "scan") || !strings.Contains(got, "\n  "+d.VerificationURIComplete+"\n") {
		t.Errorf("header for a long URL:\n%s", got)
	}
}

func TestDeviceSteps(t *testing.T) {
	h := newHarness()
	m, _ := send(h.deviceModel(true), DiscoveredMsg{Issuer: "http://127.0.0.1:8080"})
	body := m.(Model).Final()
	if !strings.Contains(body, " · device code") || strings.Contains(body, "browser") {
		t.Errorf("before the device code:\n%s", body)
	}
	m, cmd := send(m, DeviceAuthorizedMsg{Auth: testDeviceAuth()})
	if cmd == nil {
		t.Error("the header is not printed")
	}
	body = m.(Model).Final()
	for _, want := range []string{"✓ device code    user code WDJB-MJHT (printed above)", "· browser        open the URL above in a browser",
		"no poll yet · every 5s · code expires in 10m"} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
	// o opens verification_uri_complete.
	_, cmd = send(m, key("o"))
	if cmd == nil {
		t.Fatal("o does nothing")
	}
	cmd()
	if len(h.opened) != 1 || h.opened[0] != testDeviceAuth().VerificationURIComplete {
		t.Errorf("opened %v", h.opened)
	}
	// The code expired at the server: the approval step fails with the error.
	fm, cmd := send(m, DoneMsg{Err: &flow.DeviceExpiredError{ExpiresAt: start.Add(10 * time.Minute)}})
	if !isQuit(cmd) {
		t.Error("an error does not close the view")
	}
	if body := fm.(Model).Final(); !strings.Contains(body, "✗ approval       the device code expired at 2026-11-23T10:10:00Z before it was\n") ||
		!strings.Contains(body, "· tokens") {
		t.Errorf("after the expiry:\n%s", body)
	}
}

func TestDeviceFailureBeforeTheCode(t *testing.T) {
	h := newHarness()
	m, _ := send(h.deviceModel(false), DiscoveredMsg{}, DoneMsg{Err: errors.New("device authorization endpoint answered error=unauthorized_client")})
	if body := m.(Model).Final(); !strings.Contains(body, "✓ discovery      endpoints from the flags") ||
		!strings.Contains(body, "✗ device code    device authorization endpoint answered\n                  error=unauthorized_client") {
		t.Errorf("body:\n%s", body)
	}
}

// TestDeviceCancel: q while polling cancels the flow; nothing stays.
func TestDeviceCancel(t *testing.T) {
	h := newHarness()
	m, _ := send(h.deviceModel(false), DiscoveredMsg{}, DeviceAuthorizedMsg{Auth: testDeviceAuth()})
	m, cmd := send(m, key("ctrl+c"))
	if !isQuit(cmd) || h.cancelled != 1 || !m.(Model).Cancelled() || m.(Model).Final() != "" {
		t.Errorf("ctrl+c: quit %v, cancelled %d, final %q", isQuit(cmd), h.cancelled, m.(Model).Final())
	}
}
