#!/usr/bin/env node
// A --login program for `oauthkit check` against oidc-provider.mjs (its
// devInteractions): it is run as `check-login.mjs AUTHORIZATION_URL`, plays
// the browser without a person — follows the redirects inside the
// provider's origin with its cookies, fills the login form (any login and
// password) and submits the consent form — and prints the URL the
// provider finally redirects to (the redirect URI with the code) on
// standard output, as the login contract of docs/check.md asks.
//
// It never requests anything outside the provider's origin and stops after
// 20 steps.
const start = new URL(process.argv[2] ?? process.env.OAUTHKIT_AUTHORIZATION_URL);
const origin = start.origin;
const cookies = new Map();

function remember(res) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1));
  }
}

function cookieHeader() {
  return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

// formOf returns the first form of a page: its action and its fields, with
// login and password filled in.
function formOf(html, base) {
  const form = html.match(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i);
  if (!form) return null;
  const fields = new URLSearchParams();
  for (const input of form[2].matchAll(/<input([^>]*)>/gi)) {
    const name = input[1].match(/name="([^"]*)"/i)?.[1];
    if (!name) continue;
    let value = input[1].match(/value="([^"]*)"/i)?.[1] ?? '';
    if (name === 'login') value = 'alice';
    if (name === 'password') value = 'any-password';
    fields.set(name, value);
  }
  return { action: new URL(form[1], base), fields };
}

let url = start;
let init = { method: 'GET' };
for (let step = 0; step < 20; step++) {
  if (url.origin !== origin) {
    process.stdout.write(url.href + '\n');
    process.exit(0);
  }
  const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: cookieHeader() } });
  remember(res);
  const location = res.headers.get('location');
  if (res.status >= 300 && res.status < 400 && location) {
    url = new URL(location, url);
    init = { method: 'GET' };
    continue;
  }
  const html = await res.text();
  const form = res.status === 200 ? formOf(html, url) : null;
  if (!form) {
    process.stderr.write(`check-login.mjs: HTTP ${res.status} at ${url.pathname} without a form to submit\n`);
    process.exit(1);
  }
  url = form.action;
  init = { method: 'POST', body: form.fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}
process.stderr.write('check-login.mjs: more than 20 steps\n');
process.exit(1);
