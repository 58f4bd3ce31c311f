// Helpers shared by the interop scripts: argument handling, one "ok NAME"
// line per passed check, and a clean one-line failure (exit 1).

// issuerArg returns the issuer URL given as the only argument.
export function issuerArg() {
  const args = process.argv.slice(2);
  if (args.length !== 1 || !/^https?:\/\//.test(args[0])) {
    process.stderr.write(`usage: node ${process.argv[1]} ISSUER_URL\n`);
    process.exit(2);
  }
  return args[0];
}

// check runs fn; on success it prints "ok NAME", on failure "FAIL NAME: why"
// on standard error and exits 1, so later checks never run on a broken state.
export async function check(name, fn) {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`FAIL ${name}: ${describe(err)}\n`);
    process.exit(1);
  }
  process.stdout.write(`ok ${name}\n`);
}

// expect throws with message unless cond holds.
export function expect(cond, message) {
  if (!cond) {
    throw new Error(message);
  }
}

// expectOAuthError runs fn and demands that it fails with the OAuth error
// code and HTTP status (RFC 6749 §5.2). openid-client reports a JSON error
// body as ResponseBodyError, and a response with a WWW-Authenticate challenge
// (401 invalid_client after HTTP Basic) as WWWAuthenticateChallengeError,
// whose body is still unread.
export async function expectOAuthError(fn, code, status) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err !== undefined, `succeeded, want ${code} (HTTP ${status})`);
  let got = err.error;
  if (err.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE') {
    got = (await err.response.json()).error;
  } else if (err.code !== 'OAUTH_RESPONSE_BODY_ERROR') {
    throw new Error(`want ${code} (HTTP ${status}), got ${describe(err)}`);
  }
  expect(got === code && err.status === status, `got ${got} (HTTP ${err.status}), want ${code} (HTTP ${status})`);
}

// describe gives one line for an error, with the OAuth fields when present.
export function describe(err) {
  if (!(err instanceof Error)) {
    return String(err);
  }
  let s = `${err.name}: ${err.message}`;
  if (err.error) {
    s += ` [${err.error}${err.error_description ? ': ' + err.error_description : ''}]`;
  }
  if (err.code) {
    s += ` (${err.code})`;
  }
  if (err.cause instanceof Error) {
    s += ` caused by ${err.cause.name}: ${err.cause.message}${err.cause.code ? ' (' + err.cause.code + ')' : ''}`;
  } else if (err.cause instanceof Response) {
    s += ` (HTTP ${err.cause.status} from ${err.cause.url})`;
  } else if (err.cause) {
    try {
      s += ` cause=${JSON.stringify(err.cause)}`;
    } catch {
      // an unprintable cause adds nothing
    }
  }
  return s.replace(/\s*\n\s*/g, ' ');
}
