// DPoP (RFC 9449) interop of `oauthkit serve --dpop-nonce` with
// oauth4webapi, an independent OAuth 2.0 client, started by
// cmd/oauthkit/interop_dpop_test.go:
//
//   node testdata/interop/oauth4webapi-dpop.mjs ISSUER
//
// The server runs with the configuration the Go test writes: dpop-svc
// (confidential, client_credentials, dpop_bound_access_tokens) and
// dpop-public (public, auto-approved for alice, authorization_code and
// refresh_token). oauth4webapi signs the proofs with its own ES256 key,
// handles the server nonce (use_dpop_nonce, retried once with the
// DPoP-Nonce it got) and sends Authorization: DPoP with ath to /protected.
// One line "ok NAME" per passed check; the first failure prints
// "FAIL NAME: why" on standard error and exits 1.
import * as oauth from 'oauth4webapi';

import { check, expect, issuerArg } from './lib.mjs';

const issuer = new URL(issuerArg());
const insecure = { [oauth.allowInsecureRequests]: true }; // http on 127.0.0.1 only
const svc = { client_id: 'dpop-svc' };
const svcAuth = oauth.ClientSecretBasic('dpop-svc-s3cret-0123456789');
const pub = { client_id: 'dpop-public' };
const pubAuth = oauth.None();
const REDIRECT = 'http://127.0.0.1/callback';

// withNonceRetry runs request and process; a use_dpop_nonce answer (the
// DPoP handle has kept the server's DPoP-Nonce) is retried once.
async function withNonceRetry(request, process) {
  try {
    return await process(await request());
  } catch (err) {
    if (!oauth.isDPoPNonceError(err)) {
      throw err;
    }
    return process(await request());
  }
}

// claimsOf decodes a JWT's payload (the signature is checked by the server
// that accepts the token; here only cnf.jkt is read).
function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

let as;
await check('discovery lists dpop_signing_alg_values_supported', async () => {
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  expect(JSON.stringify(as.dpop_signing_alg_values_supported) === '["ES256","RS256","PS256","EdDSA"]',
    `dpop_signing_alg_values_supported ${JSON.stringify(as.dpop_signing_alg_values_supported)}`);
});

const keyPair = await oauth.generateKeyPair('ES256');
const svcDPoP = oauth.DPoP(svc, keyPair);
const jkt = await svcDPoP.calculateThumbprint();

let ccToken;
await check('client_credentials without a proof refused', async () => {
  let err;
  try {
    await oauth.processClientCredentialsResponse(as, svc, await oauth.clientCredentialsGrantRequest(as, svc, svcAuth, {}, insecure));
  } catch (e) {
    err = e;
  }
  expect(err?.error === 'invalid_request' && /dpop_bound_access_tokens/.test(err.error_description ?? ''),
    `got ${err?.error}: ${err?.error_description}`);
});

await check('client_credentials with DPoP (nonce retry)', async () => {
  let nonceErrors = 0;
  const tr = await withNonceRetry(
    () => oauth.clientCredentialsGrantRequest(as, svc, svcAuth, {}, { DPoP: svcDPoP, ...insecure }),
    async (res) => {
      try {
        return await oauth.processClientCredentialsResponse(as, svc, res);
      } catch (err) {
        if (oauth.isDPoPNonceError(err)) nonceErrors++;
        throw err;
      }
    });
  expect(nonceErrors === 1, `${nonceErrors} use_dpop_nonce answers, want exactly 1 before the token`);
  expect(tr.token_type === 'dpop', `token_type ${tr.token_type}, want dpop`);
  expect(claimsOf(tr.access_token).cnf?.jkt === jkt, `cnf ${JSON.stringify(claimsOf(tr.access_token).cnf)}, want jkt ${jkt}`);
  ccToken = tr.access_token;
});

await check('protected resource with DPoP', async () => {
  const res = await withNonceRetry(
    () => oauth.protectedResourceRequest(ccToken, 'GET', new URL('/protected', issuer), new Headers(), null, { DPoP: svcDPoP, ...insecure }),
    async (r) => r);
  expect(res.status === 200, `HTTP ${res.status}`);
  const body = await res.json();
  expect(body.client_id === 'dpop-svc', `body ${JSON.stringify(body)}`);
});

await check('protected resource with another key refused', async () => {
  const other = oauth.DPoP(svc, await oauth.generateKeyPair('ES256'));
  let err;
  try {
    await withNonceRetry(
      () => oauth.protectedResourceRequest(ccToken, 'GET', new URL('/protected', issuer), new Headers(), null, { DPoP: other, ...insecure }),
      async (r) => r);
  } catch (e) {
    err = e;
  }
  const challenge = err?.cause?.find?.((c) => c.scheme === 'dpop');
  expect(err?.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' && challenge?.parameters?.error === 'invalid_dpop_proof',
    `got ${err?.code} ${JSON.stringify(err?.cause)}`);
});

const pubDPoP = oauth.DPoP(pub, keyPair);
let refreshToken;
await check('authorization_code with dpop_jkt and DPoP', async () => {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: pub.client_id, redirect_uri: REDIRECT, scope: 'read', state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    dpop_jkt: await pubDPoP.calculateThumbprint(),
  }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status === 302, `authorize: HTTP ${res.status}`);
  const params = oauth.validateAuthResponse(as, pub, new URL(res.headers.get('location')), state);
  const tr = await withNonceRetry(
    () => oauth.authorizationCodeGrantRequest(as, pub, pubAuth, params, REDIRECT, verifier, { DPoP: pubDPoP, ...insecure }),
    (r) => oauth.processAuthorizationCodeResponse(as, pub, r));
  expect(tr.token_type === 'dpop' && tr.refresh_token, `token_type ${tr.token_type}, refresh_token ${Boolean(tr.refresh_token)}`);
  refreshToken = tr.refresh_token;
});

await check('refresh_token with another key refused', async () => {
  const other = oauth.DPoP(pub, await oauth.generateKeyPair('ES256'));
  let err;
  try {
    await withNonceRetry(
      () => oauth.refreshTokenGrantRequest(as, pub, pubAuth, refreshToken, { DPoP: other, ...insecure }),
      (r) => oauth.processRefreshTokenResponse(as, pub, r));
  } catch (e) {
    err = e;
  }
  expect(err?.error === 'invalid_grant', `got ${err?.error}: ${err?.error_description}`);
});

await check('refresh_token with the same key', async () => {
  const tr = await withNonceRetry(
    () => oauth.refreshTokenGrantRequest(as, pub, pubAuth, refreshToken, { DPoP: pubDPoP, ...insecure }),
    (r) => oauth.processRefreshTokenResponse(as, pub, r));
  expect(tr.token_type === 'dpop', `token_type ${tr.token_type}`);
  expect(claimsOf(tr.access_token).cnf?.jkt === jkt, 'the refreshed token is not bound to the key');
});
