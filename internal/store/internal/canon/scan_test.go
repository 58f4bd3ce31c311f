package canon

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// row is a Scanner over fixed column values, as a driver would give them
// (nil for SQL NULL).
type row []any

func (r row) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(r))
	}
	for i, v := range r {
		switch d := dest[i].(type) {
		case *string:
			*d = v.(string)
		case *int64:
			*d = v.(int64)
		case *int:
			*d = v.(int)
		case *bool:
			*d = v.(bool)
		case *[]byte:
			*d = v.([]byte)
		case **int64:
			if v == nil {
				*d = nil
			} else {
				n := v.(int64)
				*d = &n
			}
		default:
			return fmt.Errorf("scan: column %d: unexpected destination %T", i, dest[i])
		}
	}
	return nil
}

func TestScanCodeAndToken(t *testing.T) {
	t1 := time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)
	us := t1.UnixMicro()
	c, err := ScanCode(row{"h", "web", "https://a/cb", "openid", "sub", "ch", "S256", "n", us, us, nil, "", "sid", "https://rs"})
	if err != nil || !c.UsedAt.IsZero() || c.AuthTime != t1 || c.ExpiresAt != t1 || c.Resource != "https://rs" {
		t.Errorf("ScanCode (unused) = %+v, %v", c, err)
	}
	c, err = ScanCode(row{"h", "web", "", "", "sub", "", "", "", int64(0), us, us, "fam", "", ""})
	if err != nil || c.UsedAt != t1 || !c.AuthTime.IsZero() || c.FamilyID != "fam" {
		t.Errorf("ScanCode (used) = %+v, %v", c, err)
	}
	tok, fam, err := ScanTokenAndFamily(row{"r", "fam", us, us, 2, "rotated", us,
		"fam", "web", "sub", "openid", us, us, "", true, "sid", ""})
	if err != nil || tok.Status != store.TokenStatus("rotated") || tok.RotatedAt != t1 || tok.RefreshCount != 2 || !fam.Revoked || fam.CreatedAt != t1 {
		t.Errorf("ScanTokenAndFamily = %+v, %+v, %v", tok, fam, err)
	}
	tok, _, err = ScanTokenAndFamily(row{"r", "fam", us, us, 0, "active", nil,
		"fam", "web", "sub", "openid", us, us, "", false, "sid", ""})
	if err != nil || !tok.RotatedAt.IsZero() {
		t.Errorf("ScanTokenAndFamily (not rotated) = %+v, %v", tok, err)
	}
}

func TestScanClientDecodes(t *testing.T) {
	c, err := ScanClient(row{"web", "", "Web", `["https://a/cb"]`, `[]`, `["openid"]`, "none",
		true, false, "", `{"n":1}`, int64(0), `[]`, `{}`})
	if err != nil || len(c.RedirectURIs) != 1 || c.GrantTypes != nil || c.Claims["n"] != float64(1) || !c.CreatedAt.IsZero() {
		t.Errorf("ScanClient = %+v, %v", c, err)
	}
	if _, err := ScanClient(row{"web", "", "Web", `{`, `[]`, `[]`, "none",
		true, false, "", `{}`, int64(0), `[]`, `{}`}); err == nil {
		t.Error("ScanClient with a bad stored list succeeded")
	}
}

func TestScanDeviceAndSession(t *testing.T) {
	t1 := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	us := t1.UnixMicro()
	d, err := ScanDevice(row{"h", "u", "tv", "openid", int64(5_000_000), us, us, "approved", "sub", us, "sid", int64(0), ""})
	if err != nil || d.Interval != 5*time.Second || d.Status != store.DeviceStatusApproved || !d.LastPolledAt.IsZero() || d.AuthTime != t1 {
		t.Errorf("ScanDevice = %+v, %v", d, err)
	}
	b, err := ScanSession(row{"h", "", "", int64(0), "sid", us, us})
	if err != nil || !b.AuthTime.IsZero() || b.ExpiresAt != t1 {
		t.Errorf("ScanSession (anonymous) = %+v, %v", b, err)
	}
	p, err := ScanPending(row{[]byte{}, us, us}, "sh", "id")
	if err != nil || p.Data != nil || p.SessionHash != "sh" || p.ID != "id" || p.CreatedAt != t1 {
		t.Errorf("ScanPending = %+v, %v", p, err)
	}
}

func TestClientValuesRoundTrip(t *testing.T) {
	in := store.Client{ID: "web", Name: "Web", RedirectURIs: []string{"https://a/cb"}, Scopes: []string{"openid"},
		AuthMethod: "none", AutoApprove: true, Claims: map[string]any{"n": 1},
		CreatedAt: time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)}
	values, err := ClientValues(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ScanClient(row(values))
	if err != nil || out.ID != "web" || len(out.RedirectURIs) != 1 || out.GrantTypes != nil ||
		out.Claims["n"] != float64(1) || out.CreatedAt != Time(in.CreatedAt) || !out.AutoApprove {
		t.Errorf("ScanClient(ClientValues(c)) = %+v, %v", out, err)
	}
	if _, err := ClientValues(store.Client{ID: "bad", Claims: map[string]any{"ch": make(chan int)}}); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), `client "bad"`) {
		t.Errorf("ClientValues with a channel claim: %v, want ErrInvalid naming the client", err)
	}
}

// The redemption's RETURNING reads the columns of CodeColumns, in the
// same order, with no family.
func TestCodeColumnsNoFamily(t *testing.T) {
	want := strings.NewReplacer("c.", "", "COALESCE(f.id, '')", "''").Replace(CodeColumns)
	if CodeColumnsNoFamily != want {
		t.Errorf("CodeColumnsNoFamily = %q, want CodeColumns without the join: %q", CodeColumnsNoFamily, want)
	}
}
