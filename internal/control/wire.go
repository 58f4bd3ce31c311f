package control

// The JSON bodies of the control API (docs/control.md). The server handler
// and the Go client share them, so the two cannot drift apart.

// Times on the wire: omitted or 0 means once, -1 every matching request
// until reset; a queued entry reports what is left.
const (
	TimesOnce   = 0
	TimesAlways = -1
)

// FailRequest is the body of POST fail and what it queued.
type FailRequest struct {
	Endpoint         string `json:"endpoint"`
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description,omitempty"`
	Status           int    `json:"status,omitempty"`
	Delay            string `json:"delay,omitempty"`
	ClientID         string `json:"client_id,omitempty"`
	Times            int    `json:"times,omitempty"`
}

// TamperRequest is the body of POST tamper and what it queued.
type TamperRequest struct {
	Kind     string `json:"kind"`
	ClientID string `json:"client_id,omitempty"`
	Times    int    `json:"times,omitempty"`
}

// LoginAsRequest is the body of POST login-as and what it queued.
type LoginAsRequest struct {
	User     string `json:"user"`
	ClientID string `json:"client_id,omitempty"`
	Times    int    `json:"times,omitempty"`
}

// Where extra claims go (ClaimsRequest.In).
const (
	InAccessToken = "access_token"
	InIDToken     = "id_token"
	InUserinfo    = "userinfo"
)

// ClaimsRequest is the body of POST claims and the rule it set.
type ClaimsRequest struct {
	User     string         `json:"user,omitempty"`
	ClientID string         `json:"client_id,omitempty"`
	Claims   map[string]any `json:"claims"`
	In       []string       `json:"in,omitempty"`
}

// ClockRequest is the body of POST clock.
type ClockRequest struct {
	Skew string `json:"skew"`
}

// ClockState answers GET and POST clock.
type ClockState struct {
	Skew string `json:"skew"`
	Now  string `json:"now"` // RFC 3339, the server's (skewed) time
}

// RotateKeysRequest is the body of POST rotate-keys.
type RotateKeysRequest struct {
	Alg string `json:"alg,omitempty"`
}

// KeyInfo describes a published key.
type KeyInfo struct {
	KID     string `json:"kid"`
	Alg     string `json:"alg"`
	Signing bool   `json:"signing"`
}

// RetireKeyRequest is the body of POST retire-key.
type RetireKeyRequest struct {
	KID string `json:"kid"`
}

// RevokeRequest is the body of POST revoke; the answer adds At.
type RevokeRequest struct {
	All      bool   `json:"all,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	User     string `json:"user,omitempty"`
	At       string `json:"at,omitempty"` // RFC 3339: tokens issued up to then are revoked
}

// RequestQuery filters GET requests; zero fields select everything.
type RequestQuery struct {
	Endpoint  string
	ClientID  string
	GrantType string
	Error     string
	Status    int
	After     int64
	Limit     int
}

// Request is one record of the request log: never a secret, a code or a
// token.
type Request struct {
	Seq        int64   `json:"seq"`
	Time       string  `json:"time"` // RFC 3339 with fractional seconds
	Method     string  `json:"method"`
	Endpoint   string  `json:"endpoint"`
	Path       string  `json:"path"`
	ClientID   string  `json:"client_id,omitempty"`
	GrantType  string  `json:"grant_type,omitempty"`
	Scope      string  `json:"scope,omitempty"`
	Status     int     `json:"status"`
	Error      string  `json:"error,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// State answers GET state.
type State struct {
	Skew     string           `json:"skew"`
	Failures []FailRequest    `json:"failures"`
	Tampers  []TamperRequest  `json:"tampers"`
	Logins   []LoginAsRequest `json:"logins"`
	Claims   []ClaimsRequest  `json:"claims"`
	Revoked  []RevokeRequest  `json:"revoked"`
	Keys     []KeyInfo        `json:"keys"`
	Requests int              `json:"requests"`
}

// The answers' envelopes.
type (
	failAnswer struct {
		Queued FailRequest `json:"queued"`
	}
	tamperAnswer struct {
		Queued TamperRequest `json:"queued"`
	}
	loginAnswer struct {
		Queued LoginAsRequest `json:"queued"`
	}
	claimsAnswer struct {
		Set ClaimsRequest `json:"set"`
	}
	retireAnswer struct {
		Retired string `json:"retired"`
	}
	keysAnswer struct {
		Keys []KeyInfo `json:"keys"`
	}
	revokeAnswer struct {
		Revoked RevokeRequest `json:"revoked"`
	}
	requestsAnswer struct {
		Requests []Request `json:"requests"`
	}
	clearedAnswer struct {
		Cleared bool `json:"cleared"`
	}
	resetAnswer struct {
		Reset bool `json:"reset"`
	}
	errorAnswer struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}
)
