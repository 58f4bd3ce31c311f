// Interop checks of JWT client authentication (RFC 7523 §2.2) and the JWT
// bearer grant (RFC 7523 §2.1) of `oauthkit serve` with openid-client
// (PrivateKeyJwt, ClientSecretJwt) and jose (the grant's assertion).
//
//   OAUTHKIT_PKJWT_KEY=FILE OAUTHKIT_OTHER_KEY=FILE OAUTHKIT_SJWT_SECRET=S \
//     node testdata/interop/openid-client-jwt.mjs ISSUER
//
// The server at ISSUER has the clients "jwt-pk" (private_key_jwt, the public
// half of the private JWK in OAUTHKIT_PKJWT_KEY, grants client_credentials
// and jwt_bearer), "jwt-secret" (client_secret_jwt with OAUTHKIT_SJWT_SECRET)
// and the user alice; OAUTHKIT_OTHER_KEY is a private JWK it does not know.
// cmd/oauthkit/interop_jwtauth_test.go writes the configuration and asserts
// the "ok NAME" lines; the first failure prints "FAIL NAME: why" on
// standard error and exits 1. allowInsecureRequests: the server listens on
// a loopback address over plain http; nothing else is relaxed.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

import * as client from 'openid-client';
import { SignJWT, importJWK } from 'jose';

import { check, expect, expectOAuthError, issuerArg } from './lib.mjs';

const issuer = issuerArg();
const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

// privateKey imports a private JWK file for signing: openid-client takes
// { key: CryptoKey, kid }.
async function privateKey(envName) {
  const jwk = JSON.parse(readFileSync(process.env[envName], 'utf8'));
  return { key: await importJWK(jwk, jwk.alg ?? 'ES256'), kid: jwk.kid, alg: jwk.alg ?? 'ES256' };
}

function discover(clientId, auth) {
  return client.discovery(new URL(issuer), clientId, undefined, auth, {
    algorithm: 'oauth2',
    execute: [client.allowInsecureRequests],
  });
}

const pk = await privateKey('OAUTHKIT_PKJWT_KEY');
const other = await privateKey('OAUTHKIT_OTHER_KEY');
const secret = process.env.OAUTHKIT_SJWT_SECRET;
let pkConfig;
let secretConfig;
let token;

await check('discovery lists private_key_jwt and client_secret_jwt', async () => {
  pkConfig = await discover('jwt-pk', client.PrivateKeyJwt({ key: pk.key, kid: pk.kid }));
  const md = pkConfig.serverMetadata();
  for (const m of ['private_key_jwt', 'client_secret_jwt']) {
    expect(md.token_endpoint_auth_methods_supported?.includes(m), `token_endpoint_auth_methods_supported lacks ${m}`);
    expect(md.introspection_endpoint_auth_methods_supported?.includes(m), `introspection_endpoint_auth_methods_supported lacks ${m}`);
  }
  for (const a of ['ES256', 'HS256']) {
    expect(md.token_endpoint_auth_signing_alg_values_supported?.includes(a), `token_endpoint_auth_signing_alg_values_supported lacks ${a}`);
  }
  expect(md.grant_types_supported?.includes(GRANT_JWT_BEARER), `grant_types_supported lacks ${GRANT_JWT_BEARER}`);
});

await check('private_key_jwt client_credentials', async () => {
  const tr = await client.clientCredentialsGrant(pkConfig, { scope: 'read' });
  expect(typeof tr.access_token === 'string' && tr.token_type === 'bearer', `answer ${JSON.stringify(tr)}`);
  token = tr.access_token;
});

await check('private_key_jwt introspection', async () => {
  const res = await client.tokenIntrospection(pkConfig, token);
  expect(res.active === true && res.client_id === 'jwt-pk', `introspection ${JSON.stringify(res)}`);
});

await check('private_key_jwt revocation', async () => {
  await client.tokenRevocation(pkConfig, token);
  const res = await client.tokenIntrospection(pkConfig, token);
  expect(res.active === false, `after revocation ${JSON.stringify(res)}`);
});

await check('private_key_jwt with a key the server does not know', async () => {
  const wrong = await discover('jwt-pk', client.PrivateKeyJwt({ key: other.key, kid: other.kid }));
  await expectOAuthError(() => client.clientCredentialsGrant(wrong, { scope: 'read' }), 'invalid_client', 401);
});

await check('client_secret_jwt client_credentials', async () => {
  secretConfig = await discover('jwt-secret', client.ClientSecretJwt(secret));
  const tr = await client.clientCredentialsGrant(secretConfig, { scope: 'read' });
  expect(typeof tr.access_token === 'string', `answer ${JSON.stringify(tr)}`);
});

await check('client_secret_jwt with a wrong secret', async () => {
  const wrong = await discover('jwt-secret', client.ClientSecretJwt(secret + 'x'));
  await expectOAuthError(() => client.clientCredentialsGrant(wrong, { scope: 'read' }), 'invalid_client', 401);
});

// assertion mints a JWT bearer grant assertion with jose: iss the client,
// sub the user, aud the issuer.
function assertion(key, claims = {}) {
  return new SignJWT({ jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuer('jwt-pk').setSubject('alice').setAudience(issuer)
    .setIssuedAt().setExpirationTime('60s')
    .sign(key.key);
}

let grantAssertion;
await check('jwt-bearer grant', async () => {
  grantAssertion = await assertion(pk);
  const tr = await client.genericGrantRequest(pkConfig, GRANT_JWT_BEARER, { assertion: grantAssertion, scope: 'read' });
  const res = await client.tokenIntrospection(pkConfig, tr.access_token);
  expect(res.active === true && res.sub === 'alice' && res.client_id === 'jwt-pk', `introspection ${JSON.stringify(res)}`);
  expect(tr.refresh_token === undefined, 'a refresh token was issued');
});

await check('jwt-bearer replayed assertion refused', async () => {
  await expectOAuthError(() => client.genericGrantRequest(pkConfig, GRANT_JWT_BEARER, { assertion: grantAssertion }), 'invalid_grant', 400);
});

await check('jwt-bearer assertion signed by another key refused', async () => {
  const a = await assertion({ ...other, kid: pk.kid });
  await expectOAuthError(() => client.genericGrantRequest(pkConfig, GRANT_JWT_BEARER, { assertion: a }), 'invalid_grant', 400);
});
