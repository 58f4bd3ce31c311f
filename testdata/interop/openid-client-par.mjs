// Interop checks of `oauthkit serve` with openid-client (oauth4webapi) for
// pushed authorization requests (RFC 9126), resource indicators (RFC 8707)
// and signed request objects (RFC 9101).
//
//   OAUTHKIT_JAR_KEY=jar.key.pem node testdata/interop/openid-client-par.mjs ISSUER
//
// The server runs with the configuration cmd/oauthkit/interop_par_test.go
// writes (a client that must push its requests, one that signs them with the
// key in OAUTHKIT_JAR_KEY, a resource https://api.interop.test/) and
// --auto-approve alice, so /authorize answers at once. One line "ok NAME" per
// passed check; the first failure prints "FAIL NAME: why" and exits 1.
import { readFileSync } from 'node:fs';

import * as jose from 'jose';
import * as client from 'openid-client';

import { check, expect, expectOAuthError, issuerArg } from './lib.mjs';

const issuer = issuerArg();
const CALLBACK = 'http://127.0.0.1:9/callback';
const RESOURCE = 'https://api.interop.test/';
const OTHER = 'https://other.interop.test/';

let par; // par-client: client_secret_basic, must push
await check('discovery pushed_authorization_request_endpoint', async () => {
  par = await client.discovery(new URL(issuer), 'par-client', undefined, client.ClientSecretBasic('par-client-s3cret-0123456789'), {
    algorithm: 'oauth2', execute: [client.allowInsecureRequests],
  });
  const md = par.serverMetadata();
  expect(md.pushed_authorization_request_endpoint === issuer + '/par', `pushed_authorization_request_endpoint ${md.pushed_authorization_request_endpoint}`);
  expect(md.require_pushed_authorization_requests === false, 'require_pushed_authorization_requests should be false server-wide');
});

// authorize follows the auto-approved /authorize to the callback URL.
async function authorize(url) {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location') ?? '';
  return { res, location };
}

async function pkce() {
  const verifier = client.randomPKCECodeVerifier();
  return { verifier, challenge: await client.calculatePKCECodeChallenge(verifier) };
}

let tokens;
let pushedURL;
await check('par with resource: code, token with aud = resource', async () => {
  const { verifier, challenge } = await pkce();
  const state = client.randomState();
  pushedURL = await client.buildAuthorizationUrlWithPAR(par, {
    redirect_uri: CALLBACK, scope: 'read', state, resource: RESOURCE,
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  const keys = [...pushedURL.searchParams.keys()].sort().join(',');
  expect(keys === 'client_id,request_uri', `authorization URL carries ${keys}, want client_id,request_uri`);
  expect(pushedURL.searchParams.get('request_uri').startsWith('urn:ietf:params:oauth:request_uri:'), `request_uri ${pushedURL.searchParams.get('request_uri')}`);
  const { res, location } = await authorize(pushedURL);
  expect(res.status === 302 && location.startsWith(CALLBACK + '?'), `authorize: HTTP ${res.status} to ${location}`);
  tokens = await client.authorizationCodeGrant(par, new URL(location), { pkceCodeVerifier: verifier, expectedState: state });
  const claims = jose.decodeJwt(tokens.access_token);
  expect(claims.aud === RESOURCE, `aud ${JSON.stringify(claims.aud)}, want ${RESOURCE}`);
  expect(tokens.scope === 'read', `scope ${tokens.scope}`);
});

await check('request_uri is single-use', async () => {
  const { res, location } = await authorize(pushedURL);
  const body = await res.text();
  expect(res.status === 400 && location === '' && body.includes('invalid_request_uri'), `reuse: HTTP ${res.status}, Location ${location}`);
});

await check('plain authorize refused for a client that must push', async () => {
  const { challenge } = await pkce();
  const url = client.buildAuthorizationUrl(par, { redirect_uri: CALLBACK, scope: 'read', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
  const { res, location } = await authorize(url);
  const err = location ? new URL(location).searchParams.get('error') : null;
  expect(res.status === 302 && err === 'invalid_request', `HTTP ${res.status} to ${location}`);
});

await check('par with an unknown resource: invalid_target', async () => {
  const { challenge } = await pkce();
  await expectOAuthError(() => client.buildAuthorizationUrlWithPAR(par, {
    redirect_uri: CALLBACK, scope: 'read', resource: OTHER, code_challenge: challenge, code_challenge_method: 'S256',
  }), 'invalid_target', 400);
});

await check('refresh cannot widen the resources', async () => {
  await expectOAuthError(() => client.refreshTokenGrant(par, tokens.refresh_token, { resource: OTHER }), 'invalid_target', 400);
});

await check('refresh keeps the resource', async () => {
  const next = await client.refreshTokenGrant(par, tokens.refresh_token, { resource: RESOURCE });
  expect(jose.decodeJwt(next.access_token).aud === RESOURCE, 'aud changed on refresh');
});

let jar; // jar-client: public, signs its requests (private_key_jwt keys)
let signingKey;
await check('jar request object by value', async () => {
  const pem = readFileSync(process.env.OAUTHKIT_JAR_KEY, 'utf8');
  signingKey = { key: await jose.importPKCS8(pem, 'ES256'), kid: 'jar-1' };
  jar = await client.discovery(new URL(issuer), 'jar-client', undefined, client.None(), {
    algorithm: 'oauth2', execute: [client.allowInsecureRequests],
  });
  const { verifier, challenge } = await pkce();
  const state = client.randomState();
  const url = await client.buildAuthorizationUrlWithJAR(jar, {
    redirect_uri: CALLBACK, scope: 'read', state, resource: RESOURCE, code_challenge: challenge, code_challenge_method: 'S256',
  }, signingKey);
  expect(url.searchParams.has('request'), 'no request parameter');
  const { res, location } = await authorize(url);
  expect(res.status === 302 && location.startsWith(CALLBACK + '?'), `authorize: HTTP ${res.status} to ${location}`);
  const tr = await client.authorizationCodeGrant(jar, new URL(location), { pkceCodeVerifier: verifier, expectedState: state });
  expect(jose.decodeJwt(tr.access_token).aud === RESOURCE, 'aud is not the signed resource');
});

await check('jar request object signed by another key refused', async () => {
  const { privateKey } = await jose.generateKeyPair('ES256');
  const { challenge } = await pkce();
  const url = await client.buildAuthorizationUrlWithJAR(jar, {
    redirect_uri: CALLBACK, scope: 'read', state: 's', code_challenge: challenge, code_challenge_method: 'S256',
  }, { key: privateKey, kid: 'jar-1' });
  const { res, location } = await authorize(url);
  const body = await res.text();
  expect(res.status === 400 && location === '' && body.includes('invalid_request_object'), `HTTP ${res.status}, Location ${location}`);
});

await check('jar request object pushed', async () => {
  const { verifier, challenge } = await pkce();
  const state = client.randomState();
  const jarURL = await client.buildAuthorizationUrlWithJAR(jar, {
    redirect_uri: CALLBACK, scope: 'read', state, code_challenge: challenge, code_challenge_method: 'S256',
  }, signingKey);
  const pushed = await client.buildAuthorizationUrlWithPAR(jar, jarURL.searchParams);
  const { res, location } = await authorize(pushed);
  expect(res.status === 302 && location.startsWith(CALLBACK + '?'), `authorize: HTTP ${res.status} to ${location}`);
  await client.authorizationCodeGrant(jar, new URL(location), { pkceCodeVerifier: verifier, expectedState: state });
});

