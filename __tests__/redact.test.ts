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

test('masks the forms a secret travels in: base64 inside longer base64 at every alignment, hex, JSON/JS escapes', () => {
  const secret = 'Zq8v"N2p/Lx4\\Rt7Ws9é';
  const r = new Redactor([secret]);
  const leaks = (text: string) => !r.redact(text).includes('***');
  for (let before = 0; before < 6; before++) {
    for (const after of [0, 1, 2, 5]) {
      const bytes = Buffer.concat([Buffer.from('x'.repeat(before)), Buffer.from(secret), Buffer.from('y'.repeat(after))]);
      for (const alphabet of ['base64', 'base64url'] as const) {
        const text = bytes.toString(alphabet);
        assert.ok(!leaks(text), `${alphabet} with ${before} bytes before and ${after} after: ${text}`);
      }
    }
  }
  const hex = Buffer.from(secret).toString('hex');
  for (const form of [hex, hex.toUpperCase(), JSON.stringify(secret), JSON.stringify(secret).replace(/\//g, '\\/'), JSON.stringify({ s: secret }).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)]) {
    assert.ok(!leaks(`log: ${form} end`), form);
  }
  assert.equal(r.redact('nothing secret here'), 'nothing secret here');
});
