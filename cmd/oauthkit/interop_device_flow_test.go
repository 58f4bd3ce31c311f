package main

// `oauthkit flow device` (RFC 8628) against oidc-provider's device flow
// (testdata/interop/oidc-provider.mjs, features.deviceFlow): the real
// binary polls with --no-browser while headless Chromium plays the person
// on another device: it opens the verification URL oauthkit printed, types
// the user code, signs in and consents (or aborts, for access_denied).

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// opUserCodeLine is the line of `flow device` that names the user code.
var opUserCodeLine = regexp.MustCompile(`(?m)^On any device, open this URL and enter the code (\S+):$`)

func TestInteropOIDCProviderDeviceFlow(t *testing.T) {
	bin, op := startInteropOIDCProvider(t)
	if op.DeviceClientID == "" {
		t.Fatal("oidc-provider.mjs printed no device_client_id")
	}

	t.Run("approve", func(t *testing.T) {
		ctx := opBrowser(t)
		start := time.Now()
		run := opStartAuthcode(t, bin, []string{"flow", "device", "--issuer", op.Issuer, "--client-id", op.DeviceClientID,
			"--scope", "openid api:read", "--no-browser", "--timeout", "3m", "-o", "json"})
		userCode, verification, complete := opDeviceInstructions(t, run)
		if verification != op.Issuer+"/device" || complete != verification+"?user_code="+userCode {
			t.Errorf("verification URLs %q and %q; want %s/device and it with ?user_code=%s", verification, complete, op.Issuer, userCode)
		}

		// The person types the code on the plain verification page.
		opBrowserStep(t, ctx, "user code page", chromedp.Navigate(verification),
			chromedp.WaitVisible(chromedp.CSS(`input[name="user_code"]`)))
		opBrowserStep(t, ctx, "type the user code",
			chromedp.SendKeys(chromedp.CSS(`input[name="user_code"]`), userCode),
			chromedp.Click(chromedp.CSS(`button[form="op.deviceInputForm"]`)),
			chromedp.WaitVisible(chromedp.CSS(`button[autofocus][form="op.deviceConfirmForm"]`)))
		opBrowserStep(t, ctx, "confirm the code",
			chromedp.Click(chromedp.CSS(`button[autofocus][form="op.deviceConfirmForm"]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)))
		opSignIn(t, ctx)
		opBrowserStep(t, ctx, "consent", chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`body`)))

		res := run.wait(t)
		tok := res.tokenResponse(t, start)
		claims := opVerifyAccessToken(t, bin, op, tok["access_token"])
		if claims["sub"] != "alice" || claims["client_id"] != op.DeviceClientID || claims["scope"] != "api:read" {
			t.Errorf("device access token: sub %v, client_id %v, scope %v; want alice, %s, api:read", claims["sub"], claims["client_id"], claims["scope"], op.DeviceClientID)
		}
		// The ID token, verified by oauthkit (no nonce in this grant).
		printed := res.idTokenClaims(t)
		if printed["sub"] != "alice" || printed["aud"] != op.DeviceClientID || printed["iss"] != op.Issuer {
			t.Errorf("id_token_claims: sub %v, aud %v, iss %v; want alice, %s, %s", printed["sub"], printed["aud"], printed["iss"], op.DeviceClientID, op.Issuer)
		}
		if !strings.Contains(res.stderr, "Waiting for approval; the code expires in 10m") {
			t.Errorf("stderr does not tell the expiry of oidc-provider's 600 s device code:\n%s", res.stderr)
		}
	})

	t.Run("abort is access_denied, exit 3", func(t *testing.T) {
		ctx := opBrowser(t)
		run := opStartAuthcode(t, bin, []string{"flow", "device", "--issuer", op.Issuer, "--client-id", op.DeviceClientID,
			"--scope", "openid", "--no-browser", "--timeout", "3m", "-o", "env"})
		_, _, complete := opDeviceInstructions(t, run)
		// verification_uri_complete carries the code: straight to the
		// confirmation, where the person aborts.
		opBrowserStep(t, ctx, "confirmation page", chromedp.Navigate(complete),
			chromedp.WaitVisible(chromedp.CSS(`button[name="abort"]`)))
		opBrowserStep(t, ctx, "abort", chromedp.Click(chromedp.CSS(`button[name="abort"]`)),
			chromedp.WaitVisible(chromedp.CSS(`body`)))
		res := run.wait(t)
		res.wantExit(t, 3)
		if res.stdout != "(exit 3)\n" || !strings.Contains(res.stderr, "error=access_denied") {
			t.Errorf("abort: stdout %q, stderr %q; want (exit 3) and access_denied", res.stdout, res.stderr)
		}
	})
}

// opDeviceInstructions waits for the user code and the two verification
// URLs that `flow device --no-browser` prints on standard error.
func opDeviceInstructions(t *testing.T, r *opAuthcodeRun) (userCode, verification, complete string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		s := r.stderr.String()
		if m := opUserCodeLine.FindStringSubmatch(s); m != nil && strings.Contains(s, "Waiting for approval") {
			urls := opAuthURLLine.FindAllStringSubmatch(s, -1)
			if len(urls) != 2 {
				t.Fatalf("want two URLs alone on their lines, got %v in\n%s", urls, s)
			}
			return m[1], urls[0][1], urls[1][1]
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("oauthkit %s exited (%v) before printing the user code\nstdout:\n%s\nstderr:\n%s",
				strings.Join(r.args, " "), err, r.stdout.String(), s)
		case <-deadline:
			t.Fatalf("oauthkit %s printed no user code within 60s\nstderr:\n%s", strings.Join(r.args, " "), s)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestDeviceFlowAgainstServeInBrowser: `oauthkit flow device --no-browser`
// against `oauthkit serve`'s device grant, while headless Chromium plays
// the person: types the user code on /device, signs in, and allows (tokens,
// exit 0) or denies (access_denied, exit 3).
func TestDeviceFlowAgainstServeInBrowser(t *testing.T) {
	root := interopRoot(t)
	bin := buildInteropBinary(t)
	conf := writeInteropFile(t, filepath.Join(t.TempDir(), "device.yaml"), []byte(`scopes: {read: Read your data}
clients:
  - id: tv
    grant_types: [device_code]
    scopes: [openid, read]
users:
  - username: alice
    password: wonderland-pw
`))
	issuer := startInteropServe(t, bin, root, "--config", conf)

	for _, c := range []struct {
		decision string
		exit     int
	}{{"allow", 0}, {"deny", 3}} {
		t.Run(c.decision, func(t *testing.T) {
			ctx := opBrowser(t)
			run := opStartAuthcode(t, bin, []string{"flow", "device", "--issuer", issuer, "--client-id", "tv",
				"--scope", "openid read", "--no-browser", "--timeout", "3m", "-o", "json"})
			userCode, verification, _ := opDeviceInstructions(t, run)
			if verification != issuer+"/device" {
				t.Errorf("verification_uri %q, want %s/device", verification, issuer)
			}
			opBrowserStep(t, ctx, "device page", chromedp.Navigate(verification),
				chromedp.WaitVisible(chromedp.CSS(`input[name="user_code"]`)))
			// Typed in lower case without the dash: the page accepts both.
			typed := strings.ToLower(strings.ReplaceAll(userCode, "-", ""))
			opBrowserStep(t, ctx, "type the user code",
				chromedp.SendKeys(chromedp.CSS(`input[name="user_code"]`), typed),
				chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
			opBrowserStep(t, ctx, "sign in",
				chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "wonderland-pw"),
				chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="`+c.decision+`"]`)))
			opBrowserStep(t, ctx, c.decision, chromedp.Click(chromedp.CSS(`button[name="decision"][value="`+c.decision+`"]`)),
				chromedp.WaitVisible(chromedp.CSS(`p[role="status"]`)))

			res := run.wait(t)
			res.wantExit(t, c.exit)
			if c.decision == "deny" {
				if res.stdout != "" || !strings.Contains(res.stderr, "error=access_denied") {
					t.Errorf("deny: stdout %q, stderr %q; want nothing and access_denied", res.stdout, res.stderr)
				}
				return
			}
			var out struct {
				AccessToken string         `json:"access_token"`
				Scope       string         `json:"scope"`
				Claims      map[string]any `json:"id_token_claims"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || !opJWTShape.MatchString(out.AccessToken) {
				t.Fatalf("stdout is not a token response with a JWT (%v):\n%s", err, res.stdout)
			}
			if out.Claims["sub"] != "alice" || out.Claims["aud"] != "tv" || out.Claims["iss"] != issuer {
				t.Errorf("id_token_claims %v: want sub alice, aud tv, iss %s", out.Claims, issuer)
			}
			v := opRun(t, bin, "jwt", "verify", out.AccessToken, "--jwks", issuer+"/jwks.json", "--iss", issuer, "--aud", issuer, "-o", "json")
			v.wantExit(t, 0)
			if !strings.Contains(v.stdout, `"sub": "alice"`) || !strings.Contains(v.stdout, `"client_id": "tv"`) {
				t.Errorf("access token claims:\n%s", v.stdout)
			}
		})
	}
}
