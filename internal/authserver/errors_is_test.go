package authserver

import (
	"errors"
	"fmt"
	"testing"
)

// Issue 15 item 6: the RFC codes are sentinels errors.Is can match.
func TestErrorCodeSentinels(t *testing.T) {
	e := NewError(ErrInvalidGrant, "refresh token was revoked (RFC 7009)")
	wrapped := fmt.Errorf("token endpoint: %w", e)
	if !errors.Is(wrapped, CodeInvalidGrant) {
		t.Errorf("errors.Is(%v, CodeInvalidGrant) = false", wrapped)
	}
	if errors.Is(wrapped, CodeInvalidClient) {
		t.Errorf("errors.Is(%v, CodeInvalidClient) = true", wrapped)
	}
	if !errors.Is(wrapped, NewError(ErrInvalidGrant, "another description")) {
		t.Error("an *Error target with the same code does not match")
	}
	if e.Description != "refresh token was revoked (RFC 7009)" || e.Status != 400 {
		t.Errorf("NewError kept %q, status %d", e.Description, e.Status)
	}
	var target *Error
	if !errors.As(wrapped, &target) || target.Code != "invalid_grant" {
		t.Errorf("errors.As: %v", target)
	}
	if CodeInvalidGrant.Error() != "invalid_grant" || ErrInvalidGrant != "invalid_grant" {
		t.Error("the sentinel and the string constant disagree")
	}
}
