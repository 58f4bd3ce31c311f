// oidc-provider 9.13.3 as the reference peer of scripts/bench-peers.sh
// (`make bench-peers`, docs/performance.md): the client_credentials grant
// with HTTP Basic client authentication and RFC 9068 JWT access tokens
// signed RS256 with a fresh RSA 2048 key, as `oauthkit serve` issues them.
//
//   node testdata/interop/bench-oidc-provider.mjs > creds.json
//
// It listens on 127.0.0.1 with a free port and prints one JSON line on
// standard output once it accepts connections:
//
//   {"issuer":"http://127.0.0.1:PORT","client_id":"bench","client_secret":"..."}
//
// which is what `loadgen load -creds FILE` reads. Nothing else is enabled
// beyond what the grant needs (no login pages, no request log).
// Stops on SIGTERM, SIGINT or when standard input is closed.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const CLIENT_ID = 'bench';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const RESOURCE = 'https://api.bench.test';
const SCOPE = 'read';

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
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: SCOPE,
    }],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: [SCOPE],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      // JWT access tokens exist only for a resource server (RFC 8707);
      // every client_credentials token is for RESOURCE.
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== RESOURCE) {
            throw new Provider.errors.InvalidTarget();
          }
          return {
            scope: SCOPE,
            audience: RESOURCE,
            accessTokenTTL: 1800,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    ttl: { ClientCredentials: 1800 },
  };
}

const server = createServer();
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration());
  provider.on('server_error', (_ctx, err) => process.stderr.write(`server_error: ${err.stack}\n`));
  try {
    await provider.Client.find(CLIENT_ID);
  } catch (err) {
    process.stderr.write(`bench-oidc-provider.mjs: client ${CLIENT_ID}: ${err.message}: ${err.error_description ?? ''}\n`);
    process.exit(1);
  }
  server.on('request', provider.callback());
  process.stdout.write(JSON.stringify({ issuer, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }) + '\n');
});

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
