import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envEntries, looksLikeEnvFile, parseEnvText } from '../src/env-file.js';

test('env entries: values as node --env-file reads them, with the line of each assignment', () => {
  const text = [
    '# app',
    'APP_URL=https://app.acme-saas.com',
    'export NEXTAUTH_SECRET="quoted # not a comment"',
    'PRIVATE_KEY="-----BEGIN KEY-----',
    'abc',
    '-----END KEY-----"',
    'EMPTY=',
    'APP_URL=https://second.acme-saas.com # the last one wins',
  ].join('\n');
  assert.deepEqual(envEntries(text), [
    { name: 'NEXTAUTH_SECRET', value: 'quoted # not a comment', line: 3 },
    { name: 'PRIVATE_KEY', value: '-----BEGIN KEY-----\nabc\n-----END KEY-----', line: 4 },
    { name: 'EMPTY', value: '', line: 7 },
    { name: 'APP_URL', value: 'https://second.acme-saas.com', line: 8 },
  ]);
  // The same reader as the env-file input (a byte-order mark is not part of the first name).
  assert.equal(parseEnvText('\uFEFFA=1\n').A, '1');
});

test('env files by content: mostly KEY=VALUE lines; a script with a few assignments is not one', () => {
  assert.ok(looksLikeEnvFile('# direnv\nexport DATABASE_URL=postgres://x\nexport STRIPE_SYNC_SECRET=abc\n'));
  assert.ok(looksLikeEnvFile('APP_URL=https://a\nKEY="multi\nline\nvalue"\nOTHER=1\n'));
  assert.ok(!looksLikeEnvFile('#!/bin/sh\nset -e\nNODE_ENV=production\nnpm ci\nnpm run build\necho done\n'));
  assert.ok(!looksLikeEnvFile('# Title\n\nSome prose.\n'));
});
