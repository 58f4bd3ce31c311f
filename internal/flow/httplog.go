package flow

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// Masked replaces a secret value in verbose output.
const Masked = "****"

// sensitive names parameters and JSON members whose values are masked.
var sensitive = []string{"client_secret", "password", "code", "code_verifier", "refresh_token", "registration_access_token",
	"access_token", "id_token", "token", "client_assertion", "assertion", "device_code",
	"subject_token", "actor_token"}

// IsSensitive reports whether a parameter or member value must be masked.
func IsSensitive(name string) bool { return slices.Contains(sensitive, name) }

// LoggingTransport writes each request and response to W with secrets and
// tokens masked: the Authorization and cookie headers, and the values of
// the sensitive parameters in URLs, form bodies and JSON bodies. Other
// bodies are summarised, never shown.
type LoggingTransport struct {
	Base http.RoundTripper
	W    io.Writer
}

// RoundTrip implements http.RoundTripper.
func (t *LoggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, MaskURL(req.URL.String()))
	writeHeaders(&b, "> ", req.Header)
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(io.LimitReader(rc, maxBody))
			rc.Close()
			writeBody(&b, "> ", req.Header.Get("Content-Type"), data)
		}
	}
	io.WriteString(t.W, b.String())
	resp, err := t.Base.RoundTrip(req)
	if err != nil {
		fmt.Fprintf(t.W, "< error: %v\n", unwrapURLError(err))
		return nil, err
	}
	b.Reset()
	fmt.Fprintf(&b, "< %s %s\n", resp.Proto, resp.Status)
	writeHeaders(&b, "< ", resp.Header)
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if rerr == nil {
		writeBody(&b, "< ", resp.Header.Get("Content-Type"), data)
	}
	io.WriteString(t.W, b.String())
	return resp, nil
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Proxy-Authorization":
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " " + Masked
			case "Cookie", "Set-Cookie":
				v = Masked
			case "Location", "Content-Location":
				v = MaskURL(v)
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, termtext.Cut(v, 2000))
		}
	}
}

func writeBody(b *strings.Builder, prefix, contentType string, data []byte) {
	if len(data) == 0 {
		return
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/x-www-form-urlencoded":
		if v, err := url.ParseQuery(string(data)); err == nil {
			fmt.Fprintf(b, "%s%s\n", prefix, maskValues(v).Encode())
			return
		}
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		if obj, err := ParseObject(data); err == nil {
			for i, m := range obj {
				if IsSensitive(m.Name) {
					obj[i].Value = []byte(`"` + Masked + `"`)
				}
			}
			out, _ := obj.MarshalJSON()
			fmt.Fprintf(b, "%s%s\n", prefix, termtext.Cut(string(out), 4000))
			return
		}
	}
	fmt.Fprintf(b, "%s(%d bytes of %s, not shown)\n", prefix, len(data), orUnknown(mt))
}

// MaskURL masks the sensitive parameters in a URL's query and fragment.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User(Masked)
	}
	if u.RawQuery != "" {
		if q, err := url.ParseQuery(u.RawQuery); err == nil {
			u.RawQuery = maskValues(q).Encode()
		} else {
			u.RawQuery = Masked
		}
	}
	fragment := ""
	if u.Fragment != "" {
		if q, err := url.ParseQuery(u.Fragment); err == nil {
			fragment = "#" + maskValues(q).Encode()
		} else {
			fragment = "#" + Masked
		}
		u.Fragment, u.RawFragment = "", ""
	}
	return u.String() + fragment
}

func maskValues(v url.Values) url.Values {
	out := cloneValues(v)
	for k, vs := range out {
		if IsSensitive(k) {
			for i := range vs {
				vs[i] = Masked
			}
		}
	}
	return out
}
