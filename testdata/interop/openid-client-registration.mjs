// Dynamic client registration (RFC 7591) of `oauthkit serve --registration
// token` with openid-client's dynamicClientRegistration, an independent
// client; the management calls (RFC 7592) are plain fetch.
//
//   OAUTHKIT_REGISTRATION_TOKEN=TOKEN node testdata/interop/openid-client-registration.mjs ISSUER
//
// One line "ok NAME" per passed check; the first failure prints
// "FAIL NAME: why" on standard error and exits 1.
// cmd/oauthkit/interop_registration_test.go asserts the lines.
import * as client from 'openid-client';

import { check, expect, expectOAuthError, issuerArg } from './lib.mjs';

const issuer = issuerArg();
const initialAccessToken = process.env.OAUTHKIT_REGISTRATION_TOKEN ?? '';
const options = { execute: [client.allowInsecureRequests] };
const service = {
  client_name: 'interop service',
  grant_types: ['client_credentials'],
  response_types: [],
  token_endpoint_auth_method: 'client_secret_post',
  scope: 'read',
};

await check('registration without the initial access token', async () => {
  await expectOAuthError(() => client.dynamicClientRegistration(new URL(issuer), service, undefined, options), 'invalid_token', 401);
});

await check('registration with a wrong initial access token', async () => {
  await expectOAuthError(() => client.dynamicClientRegistration(new URL(issuer), service, undefined,
    { ...options, initialAccessToken: initialAccessToken + 'x' }), 'invalid_token', 401);
});

let registered;
await check('registration', async () => {
  registered = await client.dynamicClientRegistration(new URL(issuer), service, undefined, { ...options, initialAccessToken });
  const md = registered.clientMetadata();
  expect(/^dcr-[0-9a-f]{24}$/.test(md.client_id), `client_id ${md.client_id}`);
  expect(typeof md.client_secret === 'string' && md.client_secret.length === 43, 'no 43-character client_secret');
  expect(md.client_secret_expires_at === 0, `client_secret_expires_at ${md.client_secret_expires_at}`);
  expect(md.registration_client_uri === `${issuer}/register/${md.client_id}`, `registration_client_uri ${md.registration_client_uri}`);
  expect(md.token_endpoint_auth_method === 'client_secret_post' && md.scope === 'read', JSON.stringify(md));
});

let accessToken;
await check('client_credentials with the registered client', async () => {
  const tr = await client.clientCredentialsGrant(registered, { scope: 'read' });
  expect(tr.token_type.toLowerCase() === 'bearer' && tr.access_token, 'no bearer access token');
  accessToken = tr.access_token;
  const res = await fetch(`${issuer}/protected`, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(res.status === 200, `/protected answered ${res.status}`);
});

await check('registration of a public loopback client', async () => {
  const pub = await client.dynamicClientRegistration(new URL(issuer), {
    redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none', scope: 'read',
  }, client.None(), { ...options, initialAccessToken });
  const md = pub.clientMetadata();
  expect(md.client_secret === undefined && md.grant_types.join() === 'authorization_code', JSON.stringify(md));
});

await check('registration invalid_redirect_uri', async () => {
  await expectOAuthError(() => client.dynamicClientRegistration(new URL(issuer), {
    redirect_uris: ['https://app.example/*'],
  }, undefined, { ...options, initialAccessToken }), 'invalid_redirect_uri', 400);
});

await check('registration invalid_client_metadata', async () => {
  await expectOAuthError(() => client.dynamicClientRegistration(new URL(issuer), {
    grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'none',
  }, undefined, { ...options, initialAccessToken }), 'invalid_client_metadata', 400);
});

const md = () => registered.clientMetadata();
const manage = (method, token, body) => fetch(md().registration_client_uri, {
  method,
  headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
  body: body ? JSON.stringify(body) : undefined,
});

await check('read (RFC 7592)', async () => {
  const res = await manage('GET', md().registration_access_token);
  const body = await res.json();
  expect(res.status === 200 && body.client_id === md().client_id && body.client_secret === undefined, `${res.status} ${JSON.stringify(body)}`);
  const wrong = await manage('GET', md().registration_access_token + 'x');
  expect(wrong.status === 401 && (await wrong.json()).error === 'invalid_token', `wrong token: ${wrong.status}`);
});

await check('update (RFC 7592)', async () => {
  const res = await manage('PUT', md().registration_access_token, { ...service, client_id: md().client_id, client_name: 'renamed' });
  const body = await res.json();
  expect(res.status === 200 && body.client_name === 'renamed', `${res.status} ${JSON.stringify(body)}`);
  const tr = await client.clientCredentialsGrant(registered, { scope: 'read' });
  expect(tr.access_token, 'the secret no longer works after the update');
});

await check('delete (RFC 7592) ends the token', async () => {
  const res = await manage('DELETE', md().registration_access_token);
  expect(res.status === 204, `DELETE answered ${res.status}`);
  const prot = await fetch(`${issuer}/protected`, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(prot.status === 401, `/protected answered ${prot.status} after the delete`);
  await expectOAuthError(() => client.clientCredentialsGrant(registered, { scope: 'read' }), 'invalid_client', 401);
});
