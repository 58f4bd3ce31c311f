package flow

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// Userinfo asks the UserInfo endpoint about the user an access token
// stands for (OpenID Connect Core §5.3): a GET with the token as a Bearer
// credential (RFC 6750 §2.1). The claims are returned as sent. A refusal
// (the WWW-Authenticate error of RFC 6750 §3, or a JSON error object) is an
// *OAuthError.
func (c *Client) Userinfo(ctx context.Context, accessToken string) (Object, error) {
	if c.Endpoints.Userinfo == "" {
		return nil, fmt.Errorf("no UserInfo endpoint: the metadata lists no userinfo_endpoint; give --userinfo-url")
	}
	if i := checkB64Token(accessToken); i >= 0 {
		return nil, fmt.Errorf("the access token has byte 0x%02x at offset %d, which a Bearer token cannot contain (RFC 6750 §2.1)", accessToken[i], i)
	}
	resp, hdr, err := c.userinfoRequest(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	const where = "UserInfo endpoint"
	if resp.Status != http.StatusOK {
		if code, desc := bearerError(hdr.Get("WWW-Authenticate")); code != "" {
			return nil, &OAuthError{Where: where, Code: termtext.Cut(code, 100), Description: termtext.Cut(desc, 500), Status: resp.Status}
		}
		if obj, err := ParseObject(resp.Body); err == nil && obj.String("error") != "" {
			return nil, &OAuthError{Where: where, Code: termtext.Cut(obj.String("error"), 100), Description: termtext.Cut(obj.String("error_description"), 500), Status: resp.Status}
		}
		return nil, fmt.Errorf("%s answered HTTP %d%s", where, resp.Status, snippet(resp.ContentType, resp.Body))
	}
	if mt, _, _ := mime.ParseMediaType(resp.ContentType); mt == "application/jwt" {
		return nil, fmt.Errorf("%s answered a signed or encrypted JWT (application/jwt), which oauthkit does not verify; ask the server for JSON", where)
	}
	obj, err := ParseObject(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s answered a body that is not a JSON object: %v", where, err)
	}
	return obj, nil
}

// bearerError reads error and error_description from a WWW-Authenticate
// Bearer challenge (RFC 6750 §3).
func bearerError(h string) (code, desc string) {
	scheme, params, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", ""
	}
	for params != "" {
		params = strings.TrimLeft(params, " ,")
		name, rest, ok := strings.Cut(params, "=")
		if !ok {
			break
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := 1
			for end < len(rest) && rest[end] != '"' {
				if rest[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(rest) {
				val, params = strings.ReplaceAll(rest[1:], `\`, ""), ""
			} else {
				val, params = strings.ReplaceAll(rest[1:end], `\`, ""), rest[end+1:]
			}
		} else {
			val, params, _ = strings.Cut(rest, ",")
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "error":
			code = strings.TrimSpace(val)
		case "error_description":
			desc = val
		}
	}
	return code, desc
}

// userinfoRequest sends GET to the UserInfo endpoint: with a DPoP proof
// when the client has a DPoP key (RFC 9449 §7, CallResource), else Bearer.
func (c *Client) userinfoRequest(ctx context.Context, accessToken string) (*response, http.Header, error) {
	if c.DPoP != nil {
		ans, err := c.CallResource(ctx, http.MethodGet, c.Endpoints.Userinfo, accessToken, nil)
		if err != nil {
			return nil, nil, err
		}
		return &response{Status: ans.Status, ContentType: ans.Header.Get("Content-Type"), Body: ans.Body}, ans.Header, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Endpoints.Userinfo, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("bad UserInfo URL: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	return c.doWithHeader(ctx, req)
}
