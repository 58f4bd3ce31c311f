package oauthkittest_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/oauthkittest"
)

const deviceConfig = `
clients:
  - id: tv
    grant_types: [device_code, refresh_token]
    scopes: [openid, read]
  - id: spa
    redirect_uris: [http://127.0.0.1:9999/cb]
    scopes: [read]
users:
  - username: carol
    password: carol-password
`

// golang.org/x/oauth2's device flow (DeviceAuth, DeviceAccessToken, RFC 8628)
// against the embedded server with auto-approve: the first poll gets the
// tokens; a client without the grant is refused.
func TestDeviceFlowWithXOAuth2(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t, oauthkittest.WithConfigYAML([]byte(deviceConfig)), oauthkittest.WithAutoApprove("carol"))
	ctx := srv.Context(context.Background())
	conf := srv.OAuth2Config("tv")
	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if da.VerificationURI != srv.URL()+"/device" || len(da.UserCode) != 9 || da.Interval != 5 {
		t.Errorf("device authorization %+v", da)
	}
	da.Interval = 1 // auto-approved: no need to wait the announced 5 s before the first poll
	tok, err := conf.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Extra("id_token") == nil || tok.Extra("scope") != "openid read" {
		t.Errorf("token %+v scope %v", tok, tok.Extra("scope"))
	}

	// x/oauth2 sends only client_id here: a public client without the grant
	_, err = srv.OAuth2Config("spa").DeviceAuth(ctx)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "unauthorized_client" {
		t.Fatalf("DeviceAuth of a client without the grant: %v, want unauthorized_client", err)
	}
}
