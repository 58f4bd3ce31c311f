// Interop checks of the device authorization grant (RFC 8628) of
// `oauthkit serve` with openid-client 6.9.0: initiateDeviceAuthorization
// and pollDeviceAuthorizationGrant, which waits `interval` between polls
// and handles authorization_pending and slow_down itself.
//
//   node testdata/interop/openid-client-device.mjs ISSUER
//
// The server at ISSUER runs with testdata/interop/device.yaml. The person
// on the verification page is played by fetch with a cookie jar: it opens
// verification_uri_complete, submits the code, signs in and answers the
// consent page, while openid-client polls. One line "ok NAME" per passed
// check; the first failure prints "FAIL NAME: why" on standard error and
// exits 1. cmd/oauthkit/interop_device_test.go asserts the lines.
//
// allowInsecureRequests: the server under test listens on a loopback
// address over plain http; nothing else is relaxed.
import * as client from 'openid-client';

import { check, expect, expectOAuthError, issuerArg } from './lib.mjs';

const issuer = issuerArg();
const USER = { username: 'alice', password: 'wonderland' };

function discover(clientId, auth) {
  return client.discovery(new URL(issuer), clientId, undefined, auth, {
    execute: [client.allowInsecureRequests],
  });
}

// person plays the user on the pages: a cookie jar and forms posted back.
function person() {
  const jar = new Map();
  async function go(url, form) {
    const res = await fetch(new URL(url, issuer), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form) : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const body = await res.text();
    if (res.status === 302 || res.status === 303) {
      return go(res.headers.get('location'));
    }
    return { status: res.status, body };
  }
  const field = (page, name) => page.body.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
  // answer opens verification_uri_complete, confirms the code, signs in
  // and answers the consent page with decision; it returns the last page.
  return async function answer(completeURI, userCode, decision) {
    let page = await go(completeURI);
    expect(page.status === 200 && field(page, 'user_code') === userCode, `device page ${page.status}, prefilled ${field(page, 'user_code')}`);
    page = await go('/authorize/device', { csrf_token: field(page, 'csrf_token'), user_code: userCode });
    expect(/Sign in/.test(page.body), `no login page after the code (${page.status})`);
    page = await go('/authorize/login', { csrf_token: field(page, 'csrf_token'), request: field(page, 'request'), ...USER });
    expect(/Allow access\?/.test(page.body) && page.body.includes(userCode), `no consent page showing ${userCode} (${page.status})`);
    return go('/authorize/consent', { csrf_token: field(page, 'csrf_token'), request: field(page, 'request'), decision });
  };
}

let device; // interop-device, public
await check('discovery device_authorization_endpoint', async () => {
  device = await discover('interop-device', client.None());
  const md = device.serverMetadata();
  expect(md.device_authorization_endpoint === issuer + '/device_authorization',
    `device_authorization_endpoint ${md.device_authorization_endpoint}`);
  expect(md.grant_types_supported?.includes('urn:ietf:params:oauth:grant-type:device_code'), 'grant_types_supported lacks the device grant');
});

await check('device flow approved on the pages', async () => {
  const da = await client.initiateDeviceAuthorization(device, { scope: 'openid read' });
  expect(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/.test(da.user_code), `user_code ${da.user_code}`);
  expect(da.verification_uri === issuer + '/device' && da.expires_in === 600 && da.interval === 5,
    `answer ${JSON.stringify({ ...da, device_code: undefined })}`);
  const polling = client.pollDeviceAuthorizationGrant(device, da);
  const done = await person()(da.verification_uri_complete, da.user_code, 'allow');
  expect(done.status === 200 && /Device connected/.test(done.body), `after allow: ${done.status}`);
  const tokens = await polling; // openid-client validates the ID token
  const c = tokens.claims();
  expect(c.iss === issuer && c.aud === 'interop-device' && c.sub === 'alice' && typeof c.auth_time === 'number',
    `claims ${JSON.stringify(c)}`);
  expect(tokens.scope === 'openid read' && tokens.refresh_token, `tokens ${JSON.stringify({ scope: tokens.scope })}`);
  const info = await client.fetchUserInfo(device, tokens.access_token, c.sub);
  expect(info.sub === 'alice', `userinfo ${JSON.stringify(info)}`);
  const next = await client.refreshTokenGrant(device, tokens.refresh_token);
  expect(next.claims()?.sub === 'alice', 'refresh gave no ID token for alice');
  // the device code is spent
  await expectOAuthError(() => client.pollDeviceAuthorizationGrant(device, { ...da, interval: 1 }), 'invalid_grant', 400);
});

await check('device flow denied on the pages', async () => {
  const da = await client.initiateDeviceAuthorization(device, { scope: 'read' });
  const polling = client.pollDeviceAuthorizationGrant(device, da);
  polling.catch(() => {}); // awaited below
  const done = await person()(da.verification_uri_complete, da.user_code, 'deny');
  expect(done.status === 200 && /Access denied/.test(done.body), `after deny: ${done.status}`);
  await expectOAuthError(() => polling, 'access_denied', 400);
});

await check('device flow auto-approved, public client', async () => {
  const ci = await discover('interop-device-ci', client.None());
  const da = await client.initiateDeviceAuthorization(ci, { scope: 'openid' });
  const tokens = await client.pollDeviceAuthorizationGrant(ci, da);
  expect(tokens.claims()?.sub === 'alice' && tokens.refresh_token, 'no ID token for alice or no refresh token');
});

await check('device flow auto-approved, client_secret_basic', async () => {
  const basic = await discover('interop-device-basic', client.ClientSecretBasic('interop-device-s3cret-0123456789'));
  const da = await client.initiateDeviceAuthorization(basic);
  const tokens = await client.pollDeviceAuthorizationGrant(basic, da);
  expect(tokens.scope === 'read' && tokens.refresh_token === undefined && tokens.claims() === undefined,
    `tokens ${JSON.stringify({ scope: tokens.scope, refresh: !!tokens.refresh_token })}`);
});

await check('device authorization refused: unauthorized_client, invalid_client', async () => {
  const web = await discover('interop-web', client.ClientSecretBasic('interop-web-s3cret-0123456789'));
  await expectOAuthError(() => client.initiateDeviceAuthorization(web), 'unauthorized_client', 400);
  const wrong = await discover('interop-device-basic', client.ClientSecretBasic('not-the-secret'));
  await expectOAuthError(() => client.initiateDeviceAuthorization(wrong), 'invalid_client', 401);
});
