import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUrl } from '../../../src/rules/config/app-url.js';
import { nextauthUrl } from '../../../src/rules/config/nextauth-url.js';
import { ruleWith } from '../../helpers.js';

test('config.app-url passes for the production https origin', async () => {
  const r = await ruleWith(appUrl, {});
  assert.equal(r.status, 'pass');
  assert.match(r.summary, /https:\/\/app\.acme-saas\.com/);
});

test('config.app-url fails on http://, unset, loopback, private IPs and credentials', async () => {
  const cases: Array<[string | undefined, RegExp]> = [
    ['http://app.acme-saas.com', /not https/],
    [undefined, /not set/],
    ['https://localhost:3000', /not a public host/],
    ['https://127.0.0.1', /not a public host/],
    ['https://10.1.2.3', /not a public host/],
    ['https://192.168.0.10', /not a public host/],
    ['https://0.0.0.0', /not a public host/],
    ['https://[::1]', /not a public host/],
    ['https://admin:hunter2hunter2@app.acme-saas.com', /credentials/],
    ['app.acme-saas.com', /not an absolute URL/],
  ];
  for (const [value, message] of cases) {
    const r = await ruleWith(appUrl, { APP_URL: value });
    assert.equal(r.status, 'fail', `${value}`);
    assert.match(r.summary, message, `${value}`);
    assert.ok(r.fix, 'a failing rule says what to do');
  }
});

test('config.nextauth-url passes with the same origin (trailing slash allowed)', async () => {
  const r = await ruleWith(nextauthUrl, { NEXTAUTH_URL: 'https://app.acme-saas.com/' });
  assert.equal(r.status, 'pass');
});

test('config.nextauth-url fails for another origin, naming both', async () => {
  const r = await ruleWith(nextauthUrl, { NEXTAUTH_URL: 'https://auth.acme-saas.com' });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /auth\.acme-saas\.com.*app\.acme-saas\.com/);
  assert.match(r.fix ?? '', /https:\/\/app\.acme-saas\.com/);
  const http = await ruleWith(nextauthUrl, { NEXTAUTH_URL: 'http://app.acme-saas.com' });
  assert.equal(http.status, 'fail');
});
