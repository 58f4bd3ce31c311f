// Interop checks of `oauthkit serve` with openid-client (built on
// oauth4webapi), an independent OAuth 2.0 / OpenID Connect client.
//
//   OAUTHKIT_DEMO_ISSUER=DEMO_ISSUER node testdata/interop/openid-client.mjs ISSUER
//
// The server at ISSUER runs with testdata/interop/oauthkit.yaml; the one at
// DEMO_ISSUER is the zero-config `oauthkit serve --auto-approve demo`, for
// the OpenID Connect login (checks "oidc …"). One line "ok NAME" is
// printed per passed check; the first failure prints "FAIL NAME: why" on
// standard error and exits 1. cmd/oauthkit/interop_test.go asserts the lines.
//
// allowInsecureRequests: openid-client refuses plain http unless told
// otherwise. The server under test listens on a loopback address over http,
// so every Configuration here opts in; nothing else is relaxed.
import * as client from 'openid-client';

import { check, describe, expect, expectOAuthError, issuerArg } from './lib.mjs';

const issuer = issuerArg();
const USER = { username: 'alice', password: 'wonderland' };

// discover returns a Configuration from RFC 8414 (algorithm "oauth2") or
// OpenID Connect (algorithm "oidc") discovery.
function discover(clientId, auth, algorithm) {
  return client.discovery(new URL(issuer), clientId, undefined, auth, {
    algorithm,
    execute: [client.allowInsecureRequests],
  });
}

let basic; // interop-basic: client_secret_basic
let post; // interop-post: client_secret_post

await check('discovery', async () => {
  basic = await discover('interop-basic', client.ClientSecretBasic('interop-basic-s3cret'), 'oauth2');
  const md = basic.serverMetadata();
  expect(md.issuer === issuer, `issuer ${md.issuer}, want ${issuer}`);
  for (const [key, path] of [['token_endpoint', '/token'], ['introspection_endpoint', '/introspect'],
    ['revocation_endpoint', '/revoke'], ['jwks_uri', '/jwks.json'], ['userinfo_endpoint', '/userinfo']]) {
    expect(md[key] === issuer + path, `${key} ${md[key]}, want ${issuer + path}`);
  }
  for (const g of ['client_credentials', 'password', 'refresh_token']) {
    expect(md.grant_types_supported?.includes(g), `grant_types_supported lacks ${g}`);
  }
  for (const m of ['client_secret_basic', 'client_secret_post']) {
    expect(md.token_endpoint_auth_methods_supported?.includes(m), `token_endpoint_auth_methods_supported lacks ${m}`);
  }
});

await check('discovery openid-configuration', async () => {
  const oidc = await discover('interop-basic', client.ClientSecretBasic('interop-basic-s3cret'), 'oidc');
  expect(oidc.serverMetadata().token_endpoint === issuer + '/token', 'token_endpoint differs from RFC 8414 discovery');
});

await check('discovery client_secret_post', async () => {
  post = await discover('interop-post', client.ClientSecretPost('interop-post-s3cret'), 'oauth2');
});

await check('client_credentials', async () => {
  const tr = await client.clientCredentialsGrant(basic, { scope: 'read' });
  expect(tr.token_type === 'bearer', `token_type ${tr.token_type}`);
  expect(tr.access_token.split('.').length === 3, 'access token is not a JWT');
  expect(tr.scope === 'read', `scope ${tr.scope}, want read`);
  expect(tr.expires_in > 0 && tr.expires_in <= 300, `expires_in ${tr.expires_in}, want 1..300`);
  expect(tr.refresh_token === undefined, 'client_credentials must not give a refresh token (RFC 6749 §4.4.3)');
  expect(tr.claims() === undefined, 'no ID token expected');
});

await check('client_credentials client_secret_post', async () => {
  const tr = await client.clientCredentialsGrant(post);
  expect(tr.scope === 'read', `scope ${tr.scope}, want read (all the client may have)`);
});

await check('client_credentials wrong secret', async () => {
  const bad = await discover('interop-basic', client.ClientSecretBasic('not-the-secret'), 'oauth2');
  await expectOAuthError(() => client.clientCredentialsGrant(bad), 'invalid_client', 401);
});

let tokens; // from the password grant of interop-basic
await check('password', async () => {
  tokens = await client.genericGrantRequest(basic, 'password', { ...USER, scope: 'read write' });
  expect(tokens.token_type === 'bearer', `token_type ${tokens.token_type}`);
  expect(tokens.scope === 'read write', `scope ${tokens.scope}`);
  expect(typeof tokens.refresh_token === 'string' && tokens.refresh_token !== '', 'no refresh token');
});

await check('password wrong password', async () => {
  await expectOAuthError(() => client.genericGrantRequest(basic, 'password', { ...USER, password: 'nope' }),
    'invalid_grant', 400);
});

await check('refresh_token', async () => {
  const next = await client.refreshTokenGrant(basic, tokens.refresh_token, { scope: 'read' });
  expect(next.refresh_token && next.refresh_token !== tokens.refresh_token, 'the refresh token did not rotate');
  expect(next.access_token !== tokens.access_token, 'the access token was not renewed');
  expect(next.scope === 'read', `scope ${next.scope}, want read (narrowed)`);
  tokens = next;
});

await check('userinfo', async () => {
  // OpenID Connect Core §5.3: a token without openid ("read") is refused
  // with 403 insufficient_scope (docs/security.md rule 51); the claims of an
  // openid token are checked under "oidc userinfo".
  const res = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  const body = await res.json();
  expect(res.status === 403 && body.error === 'insufficient_scope', `userinfo ${res.status} ${JSON.stringify(body)}, want 403 insufficient_scope`);
});

await check('protected resource', async () => {
  const res = await client.fetchProtectedResource(basic, tokens.access_token, new URL(issuer + '/protected'), 'GET');
  expect(res.status === 200, `status ${res.status}`);
  const body = await res.json();
  expect(body.sub === 'alice' && body.client_id === 'interop-basic', `body ${JSON.stringify(body)}`);
});

await check('introspection', async () => {
  const at = await client.tokenIntrospection(basic, tokens.access_token);
  expect(at.active === true, 'access token not active');
  expect(at.client_id === 'interop-basic' && at.sub === 'alice' && at.scope === 'read',
    `claims ${JSON.stringify(at)}`);
  expect(at.iss === issuer, `iss ${at.iss}`);
  const rt = await client.tokenIntrospection(basic, tokens.refresh_token, { token_type_hint: 'refresh_token' });
  expect(rt.active === true, 'refresh token not active');
});

await check('introspection client_secret_post', async () => {
  const res = await client.tokenIntrospection(post, tokens.access_token);
  expect(res.active === true, 'access token not active');
});

await check('revocation', async () => {
  await client.tokenRevocation(basic, tokens.refresh_token, { token_type_hint: 'refresh_token' });
  const rt = await client.tokenIntrospection(basic, tokens.refresh_token);
  expect(rt.active === false, 'refresh token still active after revocation');
  expect(Object.keys(rt).length === 1, `an inactive token must say nothing else: ${JSON.stringify(rt)}`);
  // RFC 7009 §2.1: revoking a refresh token should also revoke the access
  // tokens of the same grant.
  const at = await client.tokenIntrospection(basic, tokens.access_token);
  expect(at.active === false, 'access token of the revoked grant still active');
  await expectOAuthError(() => client.refreshTokenGrant(basic, tokens.refresh_token), 'invalid_grant', 400);
});

await check('revocation access_token', async () => {
  const tr = await client.clientCredentialsGrant(post);
  await client.tokenRevocation(post, tr.access_token, { token_type_hint: 'access_token' });
  const res = await client.tokenIntrospection(post, tr.access_token);
  expect(res.active === false, 'access token still active after revocation');
});

await check('revocation unknown token', async () => {
  // RFC 7009 §2.2: an invalid token is not an error.
  await client.tokenRevocation(basic, 'not-a-token-this-server-issued');
});

await check('refresh_token rotation refuses the old token', async () => {
  const first = await client.genericGrantRequest(post, 'password', USER);
  const second = await client.refreshTokenGrant(post, first.refresh_token);
  expect(second.refresh_token !== first.refresh_token, 'the refresh token did not rotate');
  await expectOAuthError(() => client.refreshTokenGrant(post, first.refresh_token), 'invalid_grant', 400);
});

await check('refresh_token of another client', async () => {
  const other = await client.genericGrantRequest(post, 'password', USER);
  await expectOAuthError(() => client.refreshTokenGrant(basic, other.refresh_token), 'invalid_grant', 400);
});

// OpenID Connect against `oauthkit serve --auto-approve demo`: the public
// demo client logs in with the authorization code flow, PKCE and a nonce.
// openid-client validates the ID token fully (signature via the JWKS, iss,
// aud, exp, iat, nonce, and the iss of the authorization response); nothing
// is switched off besides allowing plain http to the loopback server.
const demoIssuer = process.env.OAUTHKIT_DEMO_ISSUER;
const CALLBACK = 'http://127.0.0.1:9/callback'; // registered as http://127.0.0.1/callback: any loopback port

// login runs /authorize (answered at once: auto-approve) and redeems the code.
async function login(config, { nonce, expectedNonce = nonce }) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK, scope: 'openid profile email', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location') ?? '';
  expect(res.status === 302 && location.startsWith(CALLBACK + '?'), `authorize: HTTP ${res.status} to ${location}`);
  return client.authorizationCodeGrant(config, new URL(location), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce, idTokenExpected: true,
  });
}

let oidc; // the public demo client, OpenID Connect discovery
let oidcTokens;
await check('oidc discovery', async () => {
  expect(demoIssuer, 'OAUTHKIT_DEMO_ISSUER is not set (the issuer of `oauthkit serve --auto-approve demo`)');
  oidc = await client.discovery(new URL(demoIssuer), 'oauthkit-demo-public', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const md = oidc.serverMetadata();
  expect(md.issuer === demoIssuer, `issuer ${md.issuer}`);
  expect(md.end_session_endpoint === demoIssuer + '/authorize/logout', `end_session_endpoint ${md.end_session_endpoint}`);
  expect(md.id_token_signing_alg_values_supported?.includes('RS256'), 'RS256 not in id_token_signing_alg_values_supported');
  for (const sc of ['openid', 'profile', 'email']) {
    expect(md.scopes_supported?.includes(sc), `scopes_supported lacks ${sc}`);
  }
});

await check('oidc authorization code with PKCE and ID token validation', async () => {
  const nonce = client.randomNonce();
  oidcTokens = await login(oidc, { nonce });
  const c = oidcTokens.claims();
  expect(c.iss === demoIssuer && c.aud === 'oauthkit-demo-public' && c.sub === 'demo', `claims ${JSON.stringify(c)}`);
  expect(c.nonce === nonce, `nonce ${c.nonce}, want ${nonce}`);
  expect(c.name === 'Demo User' && c.email === 'demo@example.test' && c.email_verified === true, `claims ${JSON.stringify(c)}`);
  expect(typeof c.auth_time === 'number' && typeof c.at_hash === 'string', `claims ${JSON.stringify(c)}`);
  expect(oidcTokens.scope === 'openid profile email', `scope ${oidcTokens.scope}`);
});

await check('oidc userinfo', async () => {
  const info = await client.fetchUserInfo(oidc, oidcTokens.access_token, oidcTokens.claims().sub);
  expect(info.sub === 'demo' && info.name === 'Demo User' && info.preferred_username === 'demo' &&
    info.email === 'demo@example.test', `userinfo ${JSON.stringify(info)}`);
});

await check('oidc wrong nonce refused by the client', async () => {
  let err;
  try {
    await login(oidc, { nonce: client.randomNonce(), expectedNonce: 'not-the-nonce-sent' });
  } catch (e) {
    err = e;
  }
  // openid-client wraps oauth4webapi's 'unexpected ID Token "nonce" claim value'.
  expect(err?.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && /"nonce"/.test(err.cause?.message),
    `want a nonce mismatch, got ${err && describe(err)}`);
});

await check('oidc refresh_token returns a new ID token', async () => {
  const next = await client.refreshTokenGrant(oidc, oidcTokens.refresh_token);
  const c = next.claims();
  expect(c !== undefined, 'no ID token on refresh');
  expect(c.sub === 'demo' && c.auth_time === oidcTokens.claims().auth_time && c.nonce === undefined,
    `claims ${JSON.stringify(c)}`);
});
