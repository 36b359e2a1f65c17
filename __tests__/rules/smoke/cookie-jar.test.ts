/** The sign-in flows' cookie jar: what a browser would keep and send back for one site. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar } from '../../../src/rules/smoke/cookie-jar.js';

const SITE = 'https://app.acme-saas.com';

test('host-only cookies go back to the same host only; Domain cookies to its subdomains too', () => {
  const jar = new CookieJar();
  jar.store(`${SITE}/api/auth/csrf`, ['a=1; Path=/', 'b=2; Domain=acme-saas.com; Path=/', 'c=3; Domain=.acme-saas.com; Path=/']);
  assert.equal(jar.header(`${SITE}/x`), 'a=1; b=2; c=3');
  assert.equal(jar.header('https://www.acme-saas.com/x'), 'b=2; c=3');
  assert.equal(jar.header('https://acme-saas.com.evil.example/x'), undefined);
});

test('a Domain that does not cover the host is refused, and said so', () => {
  const jar = new CookieJar();
  jar.store(`${SITE}/`, ['s=1; Domain=other.example; Path=/']);
  assert.deepEqual(jar.names(), []);
  assert.deepEqual(jar.rejected, [{ name: 's', reason: 'its Domain=other.example does not cover app.acme-saas.com' }]);
});

test('Path: explicit paths match at segment boundaries; the default is the request directory', () => {
  const jar = new CookieJar();
  jar.store(`${SITE}/api/auth/csrf`, ['p=1; Path=/api', 'd=2']);
  assert.equal(jar.header(`${SITE}/api/teams`), 'p=1');
  assert.equal(jar.header(`${SITE}/api`), 'p=1');
  assert.equal(jar.header(`${SITE}/apix`), undefined);
  assert.equal(jar.header(`${SITE}/api/auth/session`), 'd=2; p=1', 'longer path first');
});

test('Secure cookies are not sent over http; prefixes are enforced as browsers do', () => {
  const jar = new CookieJar();
  jar.store(`${SITE}/`, ['__Secure-next-auth.session-token=t; Path=/; HttpOnly; Secure; SameSite=Lax', '__Host-next-auth.csrf-token=c%7Ch; Path=/; HttpOnly; Secure']);
  assert.equal(jar.header(`${SITE}/`), '__Secure-next-auth.session-token=t; __Host-next-auth.csrf-token=c%7Ch');
  assert.equal(jar.header('http://app.acme-saas.com/'), undefined);
  jar.store(`${SITE}/`, ['__Secure-x=1; Path=/', '__Host-y=1; Secure; Path=/api', '__Host-z=1; Secure; Domain=app.acme-saas.com; Path=/']);
  assert.deepEqual(jar.rejected.map((r) => r.reason), [
    'a __Secure- cookie must be Secure',
    'a __Host- cookie must have Path=/ and no Domain',
    'a __Host- cookie must have Path=/ and no Domain',
  ]);
  jar.store('http://app.acme-saas.com/', ['s=1; Secure; Path=/']);
  assert.equal(jar.rejected.at(-1)?.reason, 'it is Secure but came over http');
});

test('the jar and security.cookies share one parser: a prefix in another case is enforced too (RFC 6265bis §5.7)', () => {
  const jar = new CookieJar();
  jar.store(`${SITE}/`, ['__SECURE-x=1; Path=/', '__host-y=1; Secure; Path=/api', '__secure-ok=1; Secure; Path=/']);
  assert.deepEqual(jar.rejected.map((r) => `${r.name}: ${r.reason}`), ['__SECURE-x: a __Secure- cookie must be Secure', '__host-y: a __Host- cookie must have Path=/ and no Domain']);
  assert.deepEqual(jar.names(), ['__secure-ok']);
});

test('Max-Age and Expires: a past date or Max-Age=0 deletes; a cookie expires on time', () => {
  const jar = new CookieJar();
  const now = Date.parse('2026-11-27T10:00:00Z');
  jar.store(`${SITE}/`, ['session=1; Path=/; Max-Age=60', 'old=1; Path=/; Expires=Thu, 01 Jan 2026 00:00:00 GMT', 'keep=1; Path=/'], now);
  assert.equal(jar.header(`${SITE}/`, now), 'session=1; keep=1');
  assert.equal(jar.header(`${SITE}/`, now + 61_000), 'keep=1');
  jar.store(`${SITE}/`, ['keep=; Path=/; Max-Age=0'], now);
  assert.equal(jar.header(`${SITE}/`, now), undefined);
  assert.equal(jar.has('keep'), false);
});

test('a new value replaces the cookie of the same name, domain and path', () => {
  const jar = new CookieJar();
  jar.store(`${SITE}/`, ['t=1; Path=/']);
  jar.store(`${SITE}/`, ['t=2; Path=/']);
  jar.store(`${SITE}/`, ['t=3; Path=/api']);
  assert.equal(jar.header(`${SITE}/api/x`), 't=3; t=2');
  assert.deepEqual(jar.names(), ['t', 't']);
});
