package authserver

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Device authorization (RFC 8628) defaults.
const (
	// DefaultDeviceCodeTTL is how long a device code and its user code
	// live (expires_in).
	DefaultDeviceCodeTTL = 10 * time.Minute
	// DefaultDeviceInterval is the minimum time between polls (interval,
	// RFC 8628 §3.2).
	DefaultDeviceInterval = 5 * time.Second
	// DeviceSlowDownStep is how much the interval grows after each
	// slow_down (RFC 8628 §3.5).
	DeviceSlowDownStep = 5 * time.Second
	// MaxLiveDeviceCodes caps a client's pending device authorizations,
	// as MaxLiveCodes does its authorization codes (docs/security.md rule 52).
	MaxLiveDeviceCodes = 1000

	// PathDeviceAuthorization is the device authorization endpoint.
	PathDeviceAuthorization = "/device_authorization"
	// PathVerification is the verification_uri, short to type; it
	// redirects to PathDevice, under the session cookie's Path.
	PathVerification = "/device"
	// PathDevice is the page where a person enters a user code.
	PathDevice = PathAuthorize + "/device"
)

// handleDeviceAuthorization is POST /device_authorization (RFC 8628
// §3.1–3.2): the client authenticates as at /token (a public client sends
// its client_id), must be registered for the device_code grant, and gets
// a device code, a user code and where the person enters it.
func (s *Server) handleDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	form, client, ok := s.clientRequest(w, r, false, "device_code")
	if !ok {
		return
	}
	out, e := s.deviceAuthorization(r, form, client)
	if e != nil {
		WriteError(w, e)
		return
	}
	NoStore(w)
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) deviceAuthorization(r *http.Request, form map[string]string, client store.Client) (map[string]any, *Error) {
	if !hasGrant(client, GrantDeviceCode) {
		return nil, NewError(ErrUnauthorizedClient, "client "+client.ID+" is not registered for the device_code grant (RFC 8628 §3.1, RFC 6749 §5.2)")
	}
	scope, e := clientScope(form["scope"], client)
	if e != nil {
		return nil, e
	}
	ctx := r.Context()
	now := s.now()
	// Auto-approval is settled before anything is stored, so a refusal
	// leaves nothing behind.
	var approver *store.User
	if client.AutoApprove || s.settings.AutoApproveUser != "" {
		u, e := s.autoApproveUser(ctx, &authzRequest{Client: client, LoginHint: form["login_hint"]})
		if e != nil {
			if e.Code == "login_required" { // no such error at this endpoint
				e = NewError(ErrInvalidRequest, e.Description)
			}
			return nil, e
		}
		approver = &u
	}
	n, err := s.store.DeviceCodes().CountLive(ctx, client.ID, now)
	if err != nil {
		return nil, s.storeError(err)
	}
	if n >= MaxLiveDeviceCodes {
		return nil, &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusServiceUnavailable, RetryAfter: int(s.deviceTTL().Seconds()),
			Description: "client " + client.ID + " has too many device authorizations waiting for a user; wait until they expire (docs/security.md rule 52)"}
	}
	deviceCode := randomToken(32)
	rec := store.DeviceCode{Hash: s.hasher.Hash(deviceCode), ClientID: client.ID, Scope: scope,
		Interval: s.deviceInterval(), CreatedAt: now, ExpiresAt: now.Add(s.deviceTTL())}
	var userCode string
	for range 5 { // a user code may collide with a stored one: draw again
		userCode = newUserCode()
		rec.UserCodeHash = s.userCodeHashes(userCode)[0]
		if err = s.store.DeviceCodes().Create(ctx, rec); !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return nil, s.storeError(err)
	}
	if approver != nil {
		_, err := s.store.DeviceCodes().Decide(ctx, rec.UserCodeHash, store.DeviceDecision{Approve: true,
			Subject: approver.Subject, AuthTime: now, Now: now})
		if err != nil {
			return nil, s.storeError(err)
		}
	}
	verification := s.settings.Issuer + PathVerification
	return map[string]any{
		"device_code":               deviceCode,
		"user_code":                 formatUserCode(userCode),
		"verification_uri":          verification,
		"verification_uri_complete": verification + "?" + url.Values{"user_code": {formatUserCode(userCode)}}.Encode(),
		"expires_in":                int64(s.deviceTTL().Seconds()),
		"interval":                  int64(s.deviceInterval().Seconds()),
	}, nil
}

func (s *Server) deviceTTL() time.Duration {
	if s.settings.DeviceCodeTTL > 0 {
		return s.settings.DeviceCodeTTL
	}
	return DefaultDeviceCodeTTL
}

func (s *Server) deviceInterval() time.Duration {
	if s.settings.DeviceInterval > 0 {
		return max(s.settings.DeviceInterval.Truncate(time.Second), time.Second) // interval is in seconds
	}
	return DefaultDeviceInterval
}

// secondsCeil is d in whole seconds, rounded up.
func secondsCeil(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}
