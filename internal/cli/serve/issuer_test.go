package serve

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func tcpAddr(t *testing.T, s string) net.Addr {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The first line serve prints must reach the process: issuerFor decides
// the issuer from the bound address and what the user gave.
func TestIssuerFor(t *testing.T) {
	for _, tc := range []struct {
		explicit string
		fromFlag bool
		bound    string
		want     string
		note     bool
	}{
		{"", false, "127.0.0.1:41234", "http://127.0.0.1:41234", false},
		{"", false, "0.0.0.0:41234", "http://127.0.0.1:41234", false},
		{"", false, "[::1]:41234", "http://[::1]:41234", false},
		// the configuration's loopback http issuer names another address: it follows the bound one
		{"http://127.0.0.1:8080", false, "127.0.0.1:41234", "http://127.0.0.1:41234", true},
		{"http://localhost:8080", false, "127.0.0.1:41234", "http://127.0.0.1:41234", true},
		{"http://127.0.0.1", false, "127.0.0.1:41234", "http://127.0.0.1:41234", true},
		{"http://[::1]:41234", false, "127.0.0.1:41234", "http://127.0.0.1:41234", true},
		// ... unless it names the bound address
		{"http://127.0.0.1:41234", false, "127.0.0.1:41234", "http://127.0.0.1:41234", false},
		{"http://localhost:41234/realm", false, "127.0.0.1:41234", "http://localhost:41234/realm", false},
		{"http://127.0.0.1:41234", false, "0.0.0.0:41234", "http://127.0.0.1:41234", false},
		// https or another host (a reverse proxy): kept
		{"https://auth.example.test", false, "127.0.0.1:41234", "https://auth.example.test", false},
		{"https://127.0.0.1:8443", false, "127.0.0.1:41234", "https://127.0.0.1:8443", false},
		{"http://auth.example.test:8080", false, "127.0.0.1:41234", "http://auth.example.test:8080", false},
		// --issuer on the command line: kept as given (a port mapping)
		{"http://localhost:18080", true, "127.0.0.1:41234", "http://localhost:18080", false},
	} {
		got, note := issuerFor(tc.explicit, tc.fromFlag, tcpAddr(t, tc.bound))
		if got != tc.want || (note != "") != tc.note {
			t.Errorf("issuerFor(%q, flag %v, %s) = %q, note %q; want %q, note %v", tc.explicit, tc.fromFlag, tc.bound, got, note, tc.want, tc.note)
		}
		if tc.note && (!strings.Contains(note, tc.explicit) || !strings.Contains(note, tc.want) || strings.Contains(note, "\n")) {
			t.Errorf("note %q: want one line naming %s and %s", note, tc.explicit, tc.want)
		}
		// the banner adds the listening address exactly when the issuer does not reach it
		listen := listenURL(got, tcpAddr(t, tc.bound))
		if kept := got == tc.explicit && !reaches(got, tcpAddr(t, tc.bound)); (listen != "") != kept {
			t.Errorf("listenURL(%q, %s) = %q", got, tc.bound, listen)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:0", "127.0.0.1:8080", ":8080", "[::1]:0", "localhost:http", "127.0.0.1:99999", "0.0.0.0:"} {
		if err := checkAddr(ok); err != nil {
			t.Errorf("checkAddr(%q) = %v, want nil (listening decides)", ok, err)
		}
	}
	for _, bad := range []string{"nonsense", "127.0.0.1", "127.0.0.1:port", "[::1:8080", "a:b:c"} {
		err := checkAddr(bad)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "--addr") {
			t.Errorf("checkAddr(%q) = %v, want a one-line error naming --addr", bad, err)
		}
	}
}

// docs/security.md rule 54: a state directory group or others can write
// to is refused and left as it is; one they can only read or enter is made
// 0700 with a note.
func TestCheckStateDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes on Windows")
	}
	for _, tc := range []struct {
		mode    os.FileMode
		refused bool
		after   os.FileMode
	}{
		{0o700, false, 0o700},
		{0o750, false, 0o700}, {0o705, false, 0o700}, {0o755, false, 0o700}, {0o711, false, 0o700},
		{0o770, true, 0o770}, {0o702, true, 0o702}, {0o777, true, 0o777}, {os.ModeSticky | 0o777, true, os.ModeSticky | 0o777},
	} {
		dir := filepath.Join(t.TempDir(), "state")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, tc.mode); err != nil {
			t.Fatal(err)
		}
		var note strings.Builder
		err := checkStateDir(dir, &note)
		if (err != nil) != tc.refused {
			t.Errorf("mode %v: checkStateDir = %v, want refused %v", tc.mode, err, tc.refused)
		}
		if err != nil && (!strings.Contains(err.Error(), "chmod 700 "+dir) || strings.Contains(err.Error(), "\n")) {
			t.Errorf("mode %v: %v; want one line with the chmod that fixes it", tc.mode, err)
		}
		fixed := !tc.refused && tc.mode != 0o700
		if wantNote := "note: state directory " + dir + " had mode " + fmt.Sprintf("%04o", tc.mode.Perm()) + "; changed it to 0700 (docs/security.md rule 54)\n"; fixed && note.String() != wantNote {
			t.Errorf("mode %v: note %q, want %q", tc.mode, note.String(), wantNote)
		} else if !fixed && note.Len() != 0 {
			t.Errorf("mode %v: note %q, want none", tc.mode, note.String())
		}
		if info, _ := os.Stat(dir); info.Mode()&(os.ModePerm|os.ModeSticky) != tc.after {
			t.Errorf("mode %v is %v afterwards, want %v", tc.mode, info.Mode(), tc.after)
		}
	}
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkStateDir(file, io.Discard); err == nil {
		t.Error("a file as the state directory was accepted")
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 clients", 1: "1 client", 2: "2 clients"} {
		if got := plural(n, "client", "clients"); got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
}
