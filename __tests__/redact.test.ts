import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, maskValue } from '../src/redact.js';

test('masks raw, URL-encoded and base64 forms of every secret', () => {
  const secret = 'p@ss/word+with=chars';
  const r = new Redactor([secret, undefined, 'true']);
  const text = `a ${secret} b ${encodeURIComponent(secret)} c ${Buffer.from(secret).toString('base64')} true`;
  const out = r.redact(text);
  assert.ok(!out.includes(secret));
  assert.ok(!out.includes(encodeURIComponent(secret)));
  assert.ok(!out.includes(Buffer.from(secret).toString('base64')));
  assert.match(out, /true$/, 'short values are not masked');
});

test('maskValue keeps a recognisable prefix and the last four characters', () => {
  assert.equal(maskValue('sk_live_abcdefghijklmnopa1b2'), 'sk_live_…a1b2');
  assert.equal(maskValue('short'), '***');
});
