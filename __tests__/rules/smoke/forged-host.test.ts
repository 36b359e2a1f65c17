/**
 * The forged-host probe's logic (src/rules/smoke/forged-host.ts) on answers written here: which
 * requests it sends, that the OAuth sign-in carries the browser-like CSRF pair, and how it tells a
 * URL NextAuth built from an edge's error page that repeats the Host it refused. (Against the live
 * sandbox app: __tests__/rules/smoke/sandbox.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpClient, ProbeRequest, ProbeResponse } from '../../../src/probes/http.js';
import { authorizationRedirect, oauthProviderIds, probeForgedHost } from '../../../src/rules/smoke/forged-host.js';

const ORIGIN = new URL('https://app.acme-saas.com');

function answer(url: string, status: number, body = '', headers: Record<string, string> = {}, cookies: string[] = []): ProbeResponse {
  return { url, status, headers, rawHeaders: Object.entries(headers), cookies, body, bodyTruncated: false, headerBytes: 0, redirects: [], durationMs: 1, attempts: 1 };
}

/** An app whose edge refuses unknown Hosts with a page that names them, and whose NextAuth trusts X-Forwarded-Host. */
function fakeClient(sent: ProbeRequest[]): HttpClient {
  return {
    request: async (req: ProbeRequest) => {
      sent.push(req);
      if (req.hostHeader) return answer(req.url, 404, `<h1>The deployment ${req.hostHeader} could not be found</h1>`);
      const origin = req.headers?.['x-forwarded-host'] ? `https://${req.headers['x-forwarded-host']}` : ORIGIN.origin;
      const path = new URL(req.url).pathname;
      if (path === '/api/auth/csrf') return answer(req.url, 200, '{"csrfToken":"t0k"}', {}, ['__Host-next-auth.csrf-token=t0k%7Chash; Path=/; Secure', `__Secure-next-auth.callback-url=${encodeURIComponent(origin)}; Path=/`]);
      if (path === '/api/auth/signin') return answer(req.url, 302, '', { location: `/auth/login?callbackUrl=${encodeURIComponent(origin)}` });
      if (path === '/api/auth/signin/github') {
        assert.equal(req.headers?.cookie, '__Host-next-auth.csrf-token=t0k%7Chash', 'the browser-like CSRF cookie');
        assert.match(String(req.body), /^csrfToken=t0k&callbackUrl=https%3A%2F%2Fapp\.acme-saas\.com%2F&json=true$/);
        return answer(req.url, 200, JSON.stringify({ url: `https://github.com/login/oauth/authorize?redirect_uri=${encodeURIComponent(`${origin}/api/auth/callback/github`)}` }));
      }
      return answer(req.url, 200, JSON.stringify({ github: { callbackUrl: `${origin}/api/auth/callback/github` } }));
    },
  } as unknown as HttpClient;
}

test('only OAuth 2 / OIDC providers get the sign-in POST: never e-mail, credentials or the OAuth 1.0a twitter', () => {
  assert.deepEqual(oauthProviderIds({ github: { type: 'oauth' }, google: { type: 'oidc' }, email: { type: 'email' }, credentials: { type: 'credentials' }, twitter: { type: 'oauth' } }), ['github', 'google']);
});

test('a reflection in what NextAuth answers (2xx/3xx) is NextAuth\'s; an edge\'s 404 that names the refused Host is only echoed', async () => {
  const sent: ProbeRequest[] = [];
  const providers = answer(new URL('/api/auth/providers', ORIGIN).toString(), 200, '{"github":{"type":"oauth"}}');
  const result = await probeForgedHost({ http: fakeClient(sent), origin: ORIGIN, timeoutMs: 1000, providers, oauthProviders: ['github'] });
  assert.equal(sent.length, 11, 'providers ×2, csrf ×3, signin ×3 (one round), then signin/github ×3');
  assert.ok(sent.every((r) => r.retry === false), 'one round trip each: no retries');
  assert.ok(sent.every((r) => (r.method ?? 'GET') === 'GET' || new URL(r.url).pathname === '/api/auth/signin/github'), 'nothing but GETs and the OAuth sign-in POST');
  assert.deepEqual(result.reflected.map((r) => `${r.method} ${r.path} ${r.variant}`).sort(), [
    'GET /api/auth/csrf x-forwarded-host',
    'GET /api/auth/providers x-forwarded-host',
    'GET /api/auth/signin x-forwarded-host',
    'POST /api/auth/signin/github x-forwarded-host',
  ]);
  assert.equal(result.echoed.length, 4, 'the four 404 pages that repeat the forged Host');
  assert.ok(result.echoed.every((r) => r.variant === 'host' && r.answer.startsWith('404')));
  const post = result.reflected.find((r) => r.method === 'POST')!;
  assert.deepEqual(post.reflections.map((x) => x.field), ['body url (redirect_uri)']);
  assert.deepEqual(result.oauthProviders, ['github']);
});

test('the OAuth sign-in carries the last CSRF cookie of the answer, as a browser keeps it (Auth.js v5 with `auth` as middleware sets two)', async () => {
  const sent: ProbeRequest[] = [];
  // next-saas-stripe-starter's shape: `export { auth as middleware }` runs Auth.js on /api/auth/csrf
  // too and sets a CSRF cookie of its own first; the route's cookie, set last, is the body token's.
  const client = {
    request: async (req: ProbeRequest) => {
      sent.push(req);
      const path = new URL(req.url).pathname;
      if (path === '/api/auth/csrf') {
        return answer(req.url, 200, '{"csrfToken":"route"}', {}, ['__Host-authjs.csrf-token=middleware%7Chash1; Path=/; HttpOnly; Secure; SameSite=Lax', '__Host-authjs.csrf-token=route%7Chash2; Path=/; HttpOnly; Secure; SameSite=Lax']);
      }
      if (path === '/api/auth/signin/google') {
        if (req.headers?.cookie !== '__Host-authjs.csrf-token=route%7Chash2') return answer(req.url, 302, '', { location: `${ORIGIN.origin}/login?error=MissingCSRF` });
        return answer(req.url, 302, '', { location: `https://accounts.google.com/o/oauth2/v2/auth?redirect_uri=${encodeURIComponent(`${ORIGIN.origin}/api/auth/callback/google`)}` });
      }
      return answer(req.url, 200, '{}');
    },
  } as unknown as HttpClient;
  const providers = answer(new URL('/api/auth/providers', ORIGIN).toString(), 200, '{"google":{"type":"oidc"}}');
  const result = await probeForgedHost({ http: client, origin: ORIGIN, timeoutMs: 1000, providers, oauthProviders: ['google'] });
  const posts = result.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 3);
  assert.ok(posts.every((r) => r.answer.includes('accounts.google.com')), posts.map((r) => r.answer).join('; '));
  assert.ok(sent.filter((r) => r.method === 'POST').every((r) => r.headers?.cookie === '__Host-authjs.csrf-token=route%7Chash2'));
});

test('a sign-in that answers with an error back into the app built no redirect_uri: the provider is unverified, not probed', async () => {
  const client = {
    request: async (req: ProbeRequest) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/auth/csrf') return answer(req.url, 200, '{"csrfToken":"t"}', {}, ['__Host-authjs.csrf-token=t%7Ch; Path=/; HttpOnly; Secure; SameSite=Lax']);
      // Google's OpenID discovery document could not be fetched: Auth.js sends the browser to its error page.
      if (path === '/api/auth/signin/google') return answer(req.url, 302, '', { location: `${ORIGIN.origin}/api/auth/error?error=Configuration` });
      if (path === '/api/auth/signin/github') return answer(req.url, 200, JSON.stringify({ url: `https://github.com/login/oauth/authorize?redirect_uri=${encodeURIComponent(`${ORIGIN.origin}/api/auth/callback/github`)}` }));
      return answer(req.url, 200, '{}');
    },
  } as unknown as HttpClient;
  const providers = answer(new URL('/api/auth/providers', ORIGIN).toString(), 200, '{"google":{"type":"oidc"},"github":{"type":"oauth"}}');
  const result = await probeForgedHost({ http: client, origin: ORIGIN, timeoutMs: 1000, providers, oauthProviders: ['google', 'github'] });
  assert.deepEqual(result.oauthProviders, ['github'], 'only the provider whose authorization URL came back counts as probed');
  assert.match(result.unverified ?? '', /^POST \/api\/auth\/signin\/google answered 302 .*to \/api\/auth\/error\?error=Configuration, back into the app, not to the provider$/);
  assert.equal(result.skipped, undefined);
});

test('authorizationRedirect: the provider\'s URL from Location or the JSON answer; the app\'s own pages and error answers are not one', () => {
  const at = (status: number, headers: Record<string, string> = {}, body = '') => answer(`${ORIGIN.origin}/api/auth/signin/x`, status, body, headers);
  assert.equal(authorizationRedirect(at(302, { location: 'https://github.com/login/oauth/authorize?client_id=1' }), ORIGIN).url, 'https://github.com/login/oauth/authorize?client_id=1');
  assert.equal(authorizationRedirect(at(200, {}, '{"url":"https://accounts.google.com/o/oauth2/v2/auth"}'), ORIGIN).url, 'https://accounts.google.com/o/oauth2/v2/auth');
  assert.match(authorizationRedirect(at(302, { location: '/login?error=MissingCSRF' }), ORIGIN).problem ?? '', /back into the app/);
  assert.match(authorizationRedirect(at(200, {}, '{"url":"https://idp.example.test/authorize?error=access_denied"}'), ORIGIN).problem ?? '', /not to the provider/);
  assert.match(authorizationRedirect(at(500, {}, 'Internal Server Error'), ORIGIN).problem ?? '', /no redirect$/);
  assert.equal(authorizationRedirect(undefined, ORIGIN).problem, 'no answer');
});
