import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseUrl } from '../../../src/rules/config/database-url.js';
import { ruleWith } from '../../helpers.js';

const base = 'postgresql://app:Zq8vN2pLx4Rt7Ws9@db.acme-saas.com:5432/app';

test('config.database-url passes with verify-full and a timeout, and masks the password', async () => {
  const r = await ruleWith(databaseUrl, {});
  assert.equal(r.status, 'pass');
  assert.match(r.details ?? '', /app:\*\*\*@db\.acme-saas\.com/);
  assert.ok(!JSON.stringify(r).includes('Zq8vN2pLx4Rt7Ws9'));
});

test('config.database-url fails without TLS, on localhost, and on a non-Postgres URL', async () => {
  const cases: Array<[string | undefined, RegExp]> = [
    [base, /does not request TLS/],
    [`${base}?sslmode=disable`, /sslmode=disable/],
    [`${base}?sslmode=prefer`, /sslmode=prefer/],
    ['postgresql://app:pw@localhost:5432/app?sslmode=require', /this machine/],
    ['postgresql://app:pw@127.0.0.1/app?sslmode=require', /this machine/],
    ['mysql://app:pw@db.acme-saas.com/app', /scheme "mysql:"/],
    ['not a url', /not a URL/],
    [undefined, /not set/],
  ];
  for (const [value, message] of cases) {
    const r = await ruleWith(databaseUrl, { DATABASE_URL: value });
    assert.equal(r.status, 'fail', String(value));
    assert.match(r.summary, message, String(value));
    assert.ok(!JSON.stringify(r).includes('Zq8vN2pLx4Rt7Ws9'), 'never prints the password');
  }
});

test('config.database-url warns on sslmode=require and on missing connection settings', async () => {
  const unverified = await ruleWith(databaseUrl, { DATABASE_URL: `${base}?sslmode=require&connection_limit=5` });
  assert.equal(unverified.status, 'warn');
  assert.match(unverified.details ?? '', /does not verify/);
  const noPool = await ruleWith(databaseUrl, { DATABASE_URL: `${base}?sslmode=verify-full` });
  assert.equal(noPool.status, 'warn');
  assert.match(noPool.details ?? '', /connect_timeout/);
  const sslTrue = await ruleWith(databaseUrl, { DATABASE_URL: `${base}?ssl=true&pgbouncer=true` });
  assert.equal(sslTrue.status, 'warn', 'ssl=true means require');
});
