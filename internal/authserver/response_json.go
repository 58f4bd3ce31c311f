package authserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// tokenBody is the RFC 6749 §5.1 token response. Its JSON is written by
// hand, members sorted by name as encoding/json writes a map (the shape
// these answers have always had): access_token, expires_in, id_token,
// issued_token_type, refresh_token, scope, token_type. The optional ones
// are left out when empty; token_type only under ctl tamper no_token_type.
type tokenBody struct {
	AccessToken     string
	ExpiresIn       int64
	IDToken         string
	IssuedTokenType string
	RefreshToken    string
	Scope           string
	TokenType       string
	omitTokenType   bool
}

// appendJSON appends b's JSON object and a newline (as json.Encoder ends
// a value).
func (b *tokenBody) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"access_token":`...)
	dst = appendJSONString(dst, b.AccessToken)
	dst = append(dst, `,"expires_in":`...)
	dst = strconv.AppendInt(dst, b.ExpiresIn, 10)
	for _, m := range [...]struct{ name, value string }{
		{`,"id_token":`, b.IDToken},
		{`,"issued_token_type":`, b.IssuedTokenType},
		{`,"refresh_token":`, b.RefreshToken},
		{`,"scope":`, b.Scope},
	} {
		if m.value != "" {
			dst = append(dst, m.name...)
			dst = appendJSONString(dst, m.value)
		}
	}
	if !b.omitTokenType {
		dst = append(dst, `,"token_type":`...)
		dst = appendJSONString(dst, b.TokenType)
	}
	return append(dst, "}\n"...)
}

var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// writeTokenJSON answers 200 with b as WriteJSON would: the same
// Content-Type, the same bytes, in one Write.
func writeTokenJSON(w http.ResponseWriter, b *tokenBody) {
	bp := jsonBufs.Get().(*[]byte)
	out := b.appendJSON((*bp)[:0])
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
	if cap(out) <= 64<<10 { // a huge body's buffer is not kept
		*bp = out[:0]
		jsonBufs.Put(bp)
	}
}

// appendJSONString appends s as a JSON string the way encoding/json does
// with HTML escaping off: printable ASCII is copied, " and \ are escaped;
// a string with any other byte (control characters, UTF-8, which
// encoding/json escapes or replaces by its own rules) is encoded by
// encoding/json itself.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return appendJSONStringSlow(dst, s)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

func appendJSONStringSlow(dst []byte, s string) []byte {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	out := buf.Bytes()
	return out[:len(out)-1] // the Encoder's newline
}
