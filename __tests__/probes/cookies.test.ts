/**
 * The one Set-Cookie parser (src/probes/cookies.ts), case by case from RFC 6265bis §5.6 (parsing)
 * and §5.7 (the storage model), as Chrome, Firefox and Safari apply them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPath, domainMatch, parseSetCookie, parseSetCookieLine, prefixOf, storageRefusal } from '../../src/probes/cookies.js';

const SITE = new URL('https://app.acme-saas.com/api/auth/csrf');
const TOKEN = 'c0ffee0123456789abcdef0123456789';

test('§5.6: the pair ends at the first ";", attribute names are case-insensitive, the last one wins, the value is kept apart', () => {
  const { cookie, value } = parseSetCookieLine(`  __Secure-next-auth.session-token = ${TOKEN} ; path=/; SAMESITE=strict; samesite=lax; DOMAIN=.ACME-saas.com; secure; httponly; Partitioned`);
  assert.equal(cookie.name, '__Secure-next-auth.session-token');
  assert.equal(value, TOKEN);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.domain, 'acme-saas.com', 'one leading dot dropped, lower-cased');
  assert.equal(cookie.path, '/');
  assert.ok(cookie.secure && cookie.httpOnly && cookie.partitioned);
  assert.ok(!JSON.stringify(cookie).includes(TOKEN), 'the parsed cookie never holds the value');
  assert.match(cookie.shown, /^__Secure-next-auth\.session-token=…; path=\//);
});

test('§5.6: SameSite other than Strict/Lax/None (True, empty, a typo) is "Default", which Firefox and Safari treat as None', () => {
  for (const written of ['True', '', 'Invalid', 'lax;']) {
    const c = parseSetCookie(`a=b; SameSite=${written}`);
    assert.equal(c.sameSite, written === 'lax;' ? 'Lax' : 'Default', written);
  }
  assert.equal(parseSetCookie('a=b; SameSite=NONE').sameSite, 'None');
  assert.equal(parseSetCookie('a=b').sameSite, 'Default');
  assert.equal(parseSetCookie('a=b; SameSite=True').sameSiteRaw, 'True');
});

test('§5.6: Path not starting with "/" and an empty Domain are ignored; Max-Age must be digits', () => {
  assert.equal(parseSetCookie('a=b; Path=relative').path, undefined);
  assert.equal(parseSetCookie('a=b; Path=').path, undefined);
  assert.equal(parseSetCookie('a=b; Domain=').domain, undefined);
  assert.equal(parseSetCookie('a=b; Max-Age=60').maxAge, 60);
  assert.equal(parseSetCookie('a=b; Max-Age=-1').maxAge, -1);
  assert.equal(parseSetCookie('a=b; Max-Age=1e3').maxAge, undefined);
  assert.equal(parseSetCookie(`a=b; Path=/${'x'.repeat(1100)}`).path, undefined, 'an attribute value over 1024 bytes is ignored');
});

test('§5.6: control characters, an empty name and value, and over 4096 bytes make browsers ignore the line', () => {
  assert.match(parseSetCookie('a=b\u0001c').ignored ?? '', /control character/);
  assert.equal(parseSetCookie('a=b\tc').ignored, undefined, 'a tab is allowed');
  assert.match(parseSetCookie('=; Path=/').ignored ?? '', /both empty/);
  assert.match(parseSetCookie(`a=${'x'.repeat(4096)}`).ignored ?? '', /4096/);
  const nameless = parseSetCookieLine('justavalue; Path=/');
  assert.deepEqual([nameless.cookie.name, nameless.value, nameless.cookie.ignored], ['', 'justavalue', undefined], 'a line without "=" is a nameless cookie');
  assert.match(parseSetCookie('__Host-x; Secure').ignored ?? '', /nameless cookie whose value starts with a cookie prefix/);
});

test('§5.1.3 domain-match: the host or a subdomain of it, never a suffix that is not a label, never for an IP', () => {
  assert.ok(domainMatch('app.acme-saas.com', 'acme-saas.com'));
  assert.ok(domainMatch('APP.acme-saas.com', 'app.acme-saas.com'));
  assert.ok(!domainMatch('app.acme-saas.com', 'cme-saas.com'));
  assert.ok(!domainMatch('acme-saas.com', 'app.acme-saas.com'));
  assert.ok(!domainMatch('10.0.0.1', '0.0.1'));
  assert.equal(defaultPath('/api/auth/csrf'), '/api/auth');
  assert.equal(defaultPath('/csrf'), '/');
});

test('§5.7: a Domain that does not domain-match the host is refused (never stored), a matching one is kept', () => {
  assert.equal(storageRefusal(parseSetCookie('s=1; Domain=other.example; Path=/'), SITE), 'its Domain=other.example does not cover app.acme-saas.com');
  assert.equal(storageRefusal(parseSetCookie('s=1; Domain=www.acme-saas.com; Path=/'), SITE), 'its Domain=www.acme-saas.com does not cover app.acme-saas.com');
  assert.equal(storageRefusal(parseSetCookie('s=1; Domain=.acme-saas.com; Path=/'), SITE), undefined);
});

test('§5.7: prefixes are matched case-insensitively by user agents; prefixOf says whether the case is exact', () => {
  assert.deepEqual(prefixOf('__Host-next-auth.csrf-token'), { prefix: '__Host-', exact: true });
  assert.deepEqual(prefixOf('__SECURE-next-auth.session-token'), { prefix: '__Secure-', exact: false });
  assert.deepEqual(prefixOf('__host-x'), { prefix: '__Host-', exact: false });
  assert.equal(prefixOf('_Host-x'), undefined);
  assert.equal(storageRefusal(parseSetCookie('__secure-x=1; Path=/'), SITE), 'a __Secure- cookie must be Secure');
  assert.equal(storageRefusal(parseSetCookie('__HOST-x=1; Secure; Path=/api'), SITE), 'a __Host- cookie must have Path=/ and no Domain');
  assert.equal(storageRefusal(parseSetCookie('__Host-x=1; Secure; Path=/; Domain=app.acme-saas.com'), SITE), 'a __Host- cookie must have Path=/ and no Domain');
  assert.equal(storageRefusal(parseSetCookie('__Host-x=1; Secure; Path=/'), SITE), undefined);
  assert.equal(storageRefusal(parseSetCookie('s=1; Secure'), new URL('http://app.acme-saas.com/')), 'it is Secure but came over http');
});
