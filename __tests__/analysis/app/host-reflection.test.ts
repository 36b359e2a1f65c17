/**
 * Finding a made-up host name in an answer (src/analysis/app/host-reflection.ts): percent-encoded in
 * a redirect's query, in a JSON field, in a cookie, in another header; never a near miss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findReflections, forgedHostName } from '../../../src/analysis/app/host-reflection.js';

test('forged names are fresh *.invalid names (RFC 6761: they never resolve)', () => {
  const a = forgedHostName();
  assert.match(a, /^prg-[0-9a-f]{12}\.invalid$/);
  assert.notEqual(a, forgedHostName());
});

test('the name is found wherever the app put it, with the field and the URL parameter that carries it', () => {
  const name = 'prg-0123456789ab.invalid';
  const redirect = `https://github.com/login/oauth/authorize?client_id=Ov23li&redirect_uri=${encodeURIComponent(`https://${name}/api/auth/callback/github`)}&state=x`;
  const found = findReflections(
    {
      rawHeaders: [
        ['location', redirect],
        ['report-to', JSON.stringify({ endpoints: [{ url: `https://${name.toUpperCase()}/api/security/csp-report` }] })],
        ['set-cookie', `__Secure-next-auth.callback-url=${encodeURIComponent(`https://${name}`)}; Path=/`],
        ['x-other', 'prg-0123456789ab.invalidate'.slice(0, 10)],
      ],
      cookies: [`__Secure-next-auth.callback-url=${encodeURIComponent(`https://${name}`)}; Path=/; HttpOnly`, '__Host-next-auth.csrf-token=abc; Path=/'],
      body: JSON.stringify({ github: { callbackUrl: `https://${name}/api/auth/callback/github`, signinUrl: 'https://app.acme-saas.com/api/auth/signin/github' } }),
    },
    name,
  );
  assert.deepEqual(
    found.map((f) => [f.kind, f.field]),
    [
      ['location', 'Location (redirect_uri)'],
      ['header', 'Report-To'],
      ['cookie', 'cookie __Secure-next-auth.callback-url'],
      ['body', 'body github.callbackUrl'],
    ],
  );
  assert.match(found[0]!.value, new RegExp(`redirect_uri=https://${name.replace(/\./g, '\\.')}/api/auth/callback/github`), 'shown decoded');
  assert.equal(found[2]!.value, `https://${name}`);
  assert.deepEqual(findReflections({ rawHeaders: [['location', '/auth/login?callbackUrl=https%3A%2F%2Fapp.acme-saas.com']], cookies: [], body: '<a href="https://app.acme-saas.com">' }, name), []);
  const html = findReflections({ rawHeaders: [], cookies: [], body: `<form action="https://${name}/api/auth/signin/email">` }, name);
  assert.deepEqual(html.map((f) => f.field), ['body']);
});
