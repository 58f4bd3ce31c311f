package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/store"
)

// maxBody bounds a request body.
const maxBody = 64 << 10

// readJSON decodes the body into v: JSON, at most 64 KiB, no unknown
// fields, one value. It answers the error itself and reports false.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "invalid_request", "send the body as Content-Type: application/json")
			return false
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("one JSON object only")
	}
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("one JSON object only")
		}
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request", fmt.Sprintf("the body is larger than %d KiB", maxBody>>10))
		case errors.Is(err, io.EOF):
			writeError(w, http.StatusBadRequest, "invalid_request", "the body is empty; send a JSON object")
		default:
			writeError(w, http.StatusBadRequest, "invalid_request", "the body is not the JSON this operation takes: "+err.Error())
		}
		return false
	}
	return true
}

// writeJSON answers v with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	authserver.WriteJSON(w, status, v)
}

// writeError answers an error object.
func writeError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, errorAnswer{Error: code, Description: authserver.SafeDescription(description)})
}

// refuse answers an error of the core: an unknown user, client or key is
// 404 not_found, anything else a 400 with the core's one-line message.
func refuse(w http.ResponseWriter, err error) {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, authserver.ErrUnknownKey) {
		writeError(w, http.StatusNotFound, "not_found", err.Error())
		return
	}
	writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
}
