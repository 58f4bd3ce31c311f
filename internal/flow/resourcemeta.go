package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/oauth"
	"github.com/oauthkit/oauthkit/internal/termtext"
)

// ResourceMetadata is an RFC 9728 protected resource metadata document.
type ResourceMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name"`
	// URL is where the document was fetched.
	URL string `json:"-"`
}

// DiscoverResource finds the RFC 9728 metadata of a protected resource, the
// way an MCP client does: target is the metadata URL itself, or the
// resource's URL, which is requested without a token; its 401 names the
// metadata in WWW-Authenticate resource_metadata (RFC 9728 §5.1). Metadata
// reached that way must be for that resource (§3.3, §7.3: a resource cannot
// send its clients to another one's authorization server).
func (c *Client) DiscoverResource(ctx context.Context, target string, insecure bool) (*ResourceMetadata, error) {
	if err := CheckURL("--resource-metadata", target, insecure); err != nil {
		return nil, err
	}
	resp, header, err := c.get(ctx, target)
	if err != nil {
		return nil, err
	}
	metaURL, accessed := target, ""
	switch {
	case resp.Status == http.StatusOK:
	case resp.Status == http.StatusUnauthorized:
		metaURL = ChallengeParam(header.Values("WWW-Authenticate"), "resource_metadata")
		if metaURL == "" {
			return nil, fmt.Errorf("%s answered 401 without resource_metadata in WWW-Authenticate (RFC 9728 §5.1); give the metadata URL itself", termtext.Cut(target, 200))
		}
		if err := CheckURL("resource_metadata", metaURL, insecure); err != nil {
			return nil, err
		}
		accessed = target
		if resp, _, err = c.get(ctx, metaURL); err != nil {
			return nil, err
		}
		if resp.Status != http.StatusOK {
			return nil, fmt.Errorf("resource metadata at %s: HTTP %d", termtext.Cut(metaURL, 200), resp.Status)
		}
	default:
		return nil, fmt.Errorf("%s answered HTTP %d: neither RFC 9728 metadata nor a 401 that names it", termtext.Cut(target, 200), resp.Status)
	}
	m, err := ParseResourceMetadata(resp.Body, accessed, insecure)
	if err != nil {
		return nil, fmt.Errorf("resource metadata at %s: %w", termtext.Cut(metaURL, 200), err)
	}
	m.URL = metaURL
	return m, nil
}

// ParseResourceMetadata parses an RFC 9728 §2 document. accessed, when
// set, is the resource URL whose 401 named it: the document's resource must
// be that URL or a prefix of it at a path boundary (§3.3).
func ParseResourceMetadata(body []byte, accessed string, insecure bool) (*ResourceMetadata, error) {
	if _, err := ParseObject(body); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	var m ResourceMetadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("a member has the wrong type: %v", err)
	}
	if err := oauth.CheckResourceIndicator(m.Resource); err != nil {
		return nil, fmt.Errorf("resource %q %v", termtext.Cut(m.Resource, 200), err)
	}
	if accessed != "" && accessed != m.Resource && !strings.HasPrefix(accessed, strings.TrimSuffix(m.Resource, "/")+"/") {
		return nil, fmt.Errorf("it is for resource %q, not for %q whose 401 named it (RFC 9728 §3.3)", termtext.Cut(m.Resource, 200), termtext.Cut(accessed, 200))
	}
	if len(m.AuthorizationServers) == 0 {
		return nil, fmt.Errorf("it lists no authorization_servers (RFC 9728 §2)")
	}
	for _, as := range m.AuthorizationServers {
		if err := CheckURL("authorization server", as, insecure); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// PickAuthorizationServer returns the issuer to use: want when the metadata
// lists it, the first listed when want is "".
func (m *ResourceMetadata) PickAuthorizationServer(want string) (string, error) {
	if want == "" {
		return m.AuthorizationServers[0], nil
	}
	if slices.Contains(m.AuthorizationServers, want) {
		return want, nil
	}
	return "", fmt.Errorf("--issuer %s is not one of the resource's authorization_servers (%s)", termtext.Cut(want, 200),
		termtext.Cut(strings.Join(m.AuthorizationServers, ", "), 400))
}

// get sends an unauthenticated GET asking for JSON.
func (c *Client) get(ctx context.Context, u string) (*response, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	return c.doWithHeader(ctx, req)
}

// ChallengeParam returns the value of an auth-param of the Bearer
// challenge in WWW-Authenticate header values (RFC 9110 §11.6.1: quoted or
// token form), "" when absent or malformed.
func ChallengeParam(headers []string, name string) string {
	for _, h := range headers {
		if v, ok := bearerParams(h)[name]; ok {
			return v
		}
	}
	return ""
}

// bearerParams parses the auth-params of the Bearer challenge of one
// header value; nil when there is none or it does not parse.
func bearerParams(h string) map[string]string {
	s := strings.TrimSpace(h)
	scheme, rest, _ := strings.Cut(s, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	out := map[string]string{}
	rest = strings.TrimSpace(rest)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return out // another challenge or a token68 follows
		}
		key := strings.ToLower(strings.TrimSpace(rest[:eq]))
		if strings.ContainsAny(key, " ,\"") {
			return out
		}
		rest = strings.TrimLeft(rest[eq+1:], " ")
		var val string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return nil // unterminated quoted string
			}
			val, rest = b.String(), rest[i+1:]
		} else {
			end := strings.IndexAny(rest, ", ")
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
		}
		if _, dup := out[key]; !dup {
			out[key] = val
		}
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, ",") {
			return out
		}
		rest = strings.TrimLeft(rest[1:], " ")
	}
	return out
}
