// oidc-provider (OpenID Certified, by panva) as an independent authorization
// server for `oauthkit flow`, started by cmd/oauthkit/interop_oidcprovider_test.go.
//
//   node testdata/interop/oidc-provider.mjs
//
// It listens on 127.0.0.1 with a free port and prints one JSON line on
// standard output once it accepts connections:
//
//   {"issuer":"http://127.0.0.1:PORT","client_id":"...","client_secret":"...","resource":"...",
//    "pkjwt_client_id":"...","pkjwt_private_jwk":{...},"sjwt_client_id":"...","sjwt_client_secret":"..."}
//
// The client is confidential (client_secret_basic) and may use
// authorization_code (PKCE S256 required), refresh_token and
// client_credentials. It is a native application (RFC 8252 §7.3), so its
// loopback redirect URI http://127.0.0.1/callback matches any port.
// Access tokens are RFC 9068 JWTs (RS256) for RESOURCE, issued through
// Resource Indicators (RFC 8707) even when the request names no resource.
// The login page (devInteractions) accepts any username and password; the
// consent page has one "Continue" button. offline_access gives a refresh
// token (with prompt=consent: OpenID Connect Core §11; without it
// oidc-provider drops offline_access). The signing key is a fresh RSA key
// (the JWKS holds only it).
//
// The device authorization grant (RFC 8628, features.deviceFlow) is on, for
// DEVICE_CLIENT_ID (printed as device_client_id): a public client
// (token_endpoint_auth_method none) that may use only the device grant. Its
// user page is /device; the login and consent pages are the ones above.
//
// Two more clients use only client_credentials and authenticate with JWT
// assertions (RFC 7523 §2.2): one with private_key_jwt (a fresh EC P-256
// key; its private JWK is printed for the test), one with
// client_secret_jwt (HS256 with its secret).
//
// Stops on SIGTERM, SIGINT or when standard input is closed. Set
// OIDC_PROVIDER_DEBUG=1 to log each request on standard error.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const CLIENT_ID = 'oauthkit-interop';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const DEVICE_CLIENT_ID = 'oauthkit-interop-device';
const RESOURCE = 'https://api.oidc-provider.interop.test';
const RESOURCE_SCOPE = 'api:read';
const PKJWT_CLIENT_ID = 'oauthkit-interop-pkjwt';
const PKJWT_KEY = clientKey();
const SJWT_CLIENT_ID = 'oauthkit-interop-sjwt';
const SJWT_CLIENT_SECRET = randomBytes(32).toString('base64url');

// clientKey is a fresh EC P-256 private JWK with a kid, for private_key_jwt.
function clientKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: 'client-' + randomBytes(6).toString('hex'), alg: 'ES256', use: 'sig' };
}

// publicJWK drops the private member of an EC JWK.
function publicJWK({ d: _d, ...pub }) {
  return pub;
}

// signingKey is a fresh RSA key as a private JWK, with a kid.
function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: 'rsa-' + randomBytes(6).toString('hex'), use: 'sig', alg: 'RS256' };
}

function configuration() {
  return {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
      scope: `openid offline_access ${RESOURCE_SCOPE}`,
    }, {
      client_id: DEVICE_CLIENT_ID,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
      response_types: [],
      redirect_uris: [],
      scope: `openid ${RESOURCE_SCOPE}`,
    }, {
      client_id: PKJWT_CLIENT_ID,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [publicJWK(PKJWT_KEY)] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: RESOURCE_SCOPE,
    }, {
      client_id: SJWT_CLIENT_ID,
      client_secret: SJWT_CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_jwt',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: RESOURCE_SCOPE,
    }],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', RESOURCE_SCOPE],
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      // RFC 9126: `flow authcode --par` pushes here (interop_par_oidcprovider_test.go).
      pushedAuthorizationRequests: { enabled: true },
      introspection: { enabled: true },
      // DPoP (RFC 9449) with a server nonce on every request that has a proof;
      // requests without one are unaffected (cmd/oauthkit/interop_dpop_test.go).
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      revocation: { enabled: true },
      // Dynamic registration (RFC 7591) and its management (RFC 7592), open:
      // for `oauthkit client register|show|delete` (interop_registration_test.go).
      registration: { enabled: true },
      registrationManagement: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== RESOURCE) {
            throw new errors.InvalidTarget();
          }
          return {
            scope: RESOURCE_SCOPE,
            audience: RESOURCE,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // Any login is an account whose only claim is its subject.
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: { AccessToken: 600, ClientCredentials: 600, IdToken: 600, RefreshToken: 3600 },
  };
}

const server = createServer();
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration());
  if (process.env.OIDC_PROVIDER_DEBUG === '1') {
    provider.use(async (ctx, next) => {
      await next();
      process.stderr.write(`${ctx.method} ${ctx.path} -> ${ctx.status}\n`);
    });
  }
  provider.on('server_error', (_ctx, err) => process.stderr.write(`server_error: ${err.stack}\n`));
  // Clients are validated on first use: check this one now, so that a
  // configuration error stops the script before it claims to be ready.
  for (const id of [CLIENT_ID, DEVICE_CLIENT_ID, PKJWT_CLIENT_ID, SJWT_CLIENT_ID]) {
    try {
      await provider.Client.find(id);
    } catch (err) {
      process.stderr.write(`oidc-provider.mjs: client ${id}: ${err.message}: ${err.error_description ?? ''}\n`);
      process.exit(1);
    }
  }
  server.on('request', provider.callback());
  process.stdout.write(JSON.stringify({
    issuer, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, resource: RESOURCE,
    device_client_id: DEVICE_CLIENT_ID,
    pkjwt_client_id: PKJWT_CLIENT_ID, pkjwt_private_jwk: PKJWT_KEY,
    sjwt_client_id: SJWT_CLIENT_ID, sjwt_client_secret: SJWT_CLIENT_SECRET,
  }) + '\n');
});

// stop closes the listener and every open connection, then exits.
function stop() {
  process.stdin.destroy();
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
