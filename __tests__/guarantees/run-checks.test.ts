/**
 * The leak search the end-to-end suites rely on finds a secret in every form a program puts it in, so
 * their "0 found" means something.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchSecrets, visibleLog } from './run-checks.js';

const SECRET = 'Sup3r$ecret/Value+42"é';

test('searchSecrets finds the raw, URL-encoded, base64 (any alignment), hex and escaped forms', () => {
  const bytes = Buffer.from(SECRET);
  const forms: Record<string, string> = {
    raw: SECRET,
    'URL-encoded': encodeURIComponent(SECRET),
    'form-encoded': new URLSearchParams({ v: SECRET }).toString().slice(2),
    base64: bytes.toString('base64'),
    'base64url, unpadded': bytes.toString('base64url'),
    'inside base64, offset 1': Buffer.concat([Buffer.from('x'), bytes, Buffer.from('tail')]).toString('base64'),
    'inside base64, offset 2': Buffer.concat([Buffer.from('xy'), bytes]).toString('base64url'),
    hex: bytes.toString('hex'),
    HEX: bytes.toString('hex').toUpperCase(),
    JSON: JSON.stringify({ v: SECRET }),
    'JSON, ASCII only': JSON.stringify(SECRET).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    'JS, slashes escaped': JSON.stringify(SECRET).replace(/\//g, '\\/'),
  };
  for (const [form, text] of Object.entries(forms)) {
    const { found } = searchSecrets([SECRET], { log: `before ${text} after` });
    assert.ok(found.length > 0, `${form} was not found`);
    assert.ok(found.every((f) => !f.includes(SECRET)), 'the finding never shows the secret');
  }
  assert.deepEqual(searchSecrets([SECRET], { log: 'Sup3…e42 *** masked' }).found, []);
});

test('the visible log leaves out the ::add-mask:: lines the runner consumes', () => {
  assert.equal(visibleLog(`::add-mask::${SECRET}\nshown\n::add-mask::x`), 'shown');
});
