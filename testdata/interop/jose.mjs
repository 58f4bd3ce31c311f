// Interop checks of the access tokens of `oauthkit serve` with jose, an
// independent JOSE implementation: the published JWKS verifies them as
// RFC 9068 JWT access tokens, and a tampered token is refused.
//
//   node testdata/interop/jose.mjs ISSUER
//
// The server runs with testdata/interop/oauthkit.yaml, whose tokens.audience
// is AUDIENCE below. Output as in openid-client.mjs: "ok NAME" per check.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { check, expect, issuerArg } from './lib.mjs';

const issuer = issuerArg();
const AUDIENCE = 'https://api.interop.test';
// RFC 9068 §2.2: the claims every JWT access token carries.
const REQUIRED = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

// tokenRequest asks the token endpoint with plain fetch (no OAuth library)
// and client_secret_basic (RFC 6749 §2.3.1).
async function tokenRequest(params) {
  const res = await fetch(issuer + '/token', {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from('interop-basic:interop-basic-s3cret').toString('base64'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params),
  });
  const body = await res.json();
  expect(res.status === 200, `token endpoint: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

const JWKS = createRemoteJWKSet(new URL(issuer + '/jwks.json'));
const options = { issuer, audience: AUDIENCE, typ: 'at+jwt', algorithms: ['RS256'], requiredClaims: REQUIRED };

// expectRefused demands that verifying token fails with the jose error code.
async function expectRefused(token, opts, code) {
  let err;
  try {
    await jwtVerify(token, JWKS, opts);
  } catch (e) {
    err = e;
  }
  expect(err !== undefined, `verified, want ${code}`);
  expect(err.code === code, `got ${err.code}: ${err.message}, want ${code}`);
}

let accessToken;
await check('jwks', async () => {
  const res = await fetch(issuer + '/jwks.json');
  expect(res.status === 200, `HTTP ${res.status}`);
  const set = await res.json();
  expect(Array.isArray(set.keys) && set.keys.length > 0, 'no keys');
  for (const k of set.keys) {
    expect(k.kid && k.use === 'sig' && k.alg === 'RS256' && k.kty === 'RSA', `key ${JSON.stringify(k)}`);
    expect(k.d === undefined && k.p === undefined, `key ${k.kid} publishes private members`);
  }
});

await check('jwtVerify client_credentials token', async () => {
  accessToken = await tokenRequest({ grant_type: 'client_credentials', scope: 'read write' });
  const { payload, protectedHeader } = await jwtVerify(accessToken, JWKS, options);
  expect(protectedHeader.alg === 'RS256' && protectedHeader.typ === 'at+jwt', `header ${JSON.stringify(protectedHeader)}`);
  expect(typeof protectedHeader.kid === 'string' && protectedHeader.kid !== '', 'no kid in the header');
  expect(payload.sub === 'interop-basic' && payload.client_id === 'interop-basic', `payload ${JSON.stringify(payload)}`);
  expect(payload.scope === 'read write', `scope ${payload.scope}`);
  expect(payload.exp - payload.iat === 300, `lifetime ${payload.exp - payload.iat}s, want 300s`);
});

await check('jwtVerify password token', async () => {
  const token = await tokenRequest({ grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'read' });
  const { payload } = await jwtVerify(token, JWKS, { ...options, requiredClaims: [...REQUIRED, 'auth_time'] });
  expect(payload.sub === 'alice' && payload.scope === 'read', `payload ${JSON.stringify(payload)}`);
});

await check('tampered payload refused', async () => {
  const [h, p, s] = accessToken.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  claims.scope = 'read write admin';
  const forged = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
  await expectRefused(forged, options, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
});

await check('tampered signature refused', async () => {
  const [h, p, s] = accessToken.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[sig.length - 1] ^= 0x01;
  await expectRefused([h, p, sig.toString('base64url')].join('.'), options, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
});

await check('unknown kid refused', async () => {
  const [, p, s] = accessToken.split('.');
  const header = { ...decodeProtectedHeader(accessToken), kid: 'not-a-published-kid' };
  const forged = [Buffer.from(JSON.stringify(header)).toString('base64url'), p, s].join('.');
  await expectRefused(forged, options, 'ERR_JWKS_NO_MATCHING_KEY');
});

await check('wrong audience refused', async () => {
  await expectRefused(accessToken, { ...options, audience: 'https://other.example.test' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
});

await check('wrong issuer refused', async () => {
  await expectRefused(accessToken, { ...options, issuer: 'https://other.example.test' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
});

await check('wrong typ refused', async () => {
  await expectRefused(accessToken, { ...options, typ: 'JWT' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
});
