package control

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
)

// The request log: GET lists (filtered by query parameters), DELETE clears.

// requestParams are the query parameters GET requests reads.
var requestParams = []string{"endpoint", "client_id", "grant_type", "error", "status", "after", "limit"}

func (h *handler) requests(w http.ResponseWriter, r *http.Request) {
	f, err := requestFilter(r.URL.Query())
	if err != nil {
		refuse(w, err)
		return
	}
	recs := h.ctl.Requests(f)
	out := requestsAnswer{Requests: make([]Request, 0, len(recs))}
	for _, rec := range recs {
		out.Requests = append(out.Requests, Request{Seq: rec.Seq, Time: rec.Time.Format(time.RFC3339Nano), Method: rec.Method,
			Endpoint: rec.Endpoint, Path: rec.Path, ClientID: rec.ClientID, GrantType: rec.GrantType, Scope: rec.Scope,
			Status: rec.Status, Error: rec.Error, DurationMS: float64(rec.Duration.Microseconds()) / 1000})
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) clearRequests(w http.ResponseWriter, _ *http.Request) {
	h.ctl.ClearRequests()
	writeJSON(w, http.StatusOK, clearedAnswer{Cleared: true})
}

// requestFilter reads the query; an unknown parameter or a bad number is
// refused rather than ignored, so that a typo does not list everything.
func requestFilter(q url.Values) (authserver.RequestFilter, error) {
	var f authserver.RequestFilter
	for name, vs := range q {
		known := false
		for _, p := range requestParams {
			known = known || p == name
		}
		if !known {
			return f, fmt.Errorf("query parameter %q: use endpoint, client_id, grant_type, error, status, after or limit", name)
		}
		if len(vs) > 1 {
			return f, fmt.Errorf("query parameter %q: give it once", name)
		}
	}
	f.Endpoint, f.ClientID, f.GrantType, f.Error = q.Get("endpoint"), q.Get("client_id"), q.Get("grant_type"), q.Get("error")
	for _, n := range []struct {
		name string
		set  func(int64)
		max  int64
	}{
		{"status", func(v int64) { f.Status = int(v) }, 599},
		{"after", func(v int64) { f.After = v }, 1 << 62},
		{"limit", func(v int64) { f.Limit = int(v) }, authserver.RequestLogSize},
	} {
		s := q.Get(n.name)
		if s == "" {
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 || v > n.max {
			return f, fmt.Errorf("%s %q: use a whole number from 0 to %d", n.name, s, n.max)
		}
		n.set(v)
	}
	return f, nil
}

// query is the inverse of requestFilter, for the client.
func (q RequestQuery) values() url.Values {
	v := url.Values{}
	for _, p := range []struct{ name, val string }{{"endpoint", q.Endpoint}, {"client_id", q.ClientID},
		{"grant_type", q.GrantType}, {"error", q.Error}} {
		if p.val != "" {
			v.Set(p.name, p.val)
		}
	}
	if q.Status != 0 {
		v.Set("status", strconv.Itoa(q.Status))
	}
	if q.After != 0 {
		v.Set("after", strconv.FormatInt(q.After, 10))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}
