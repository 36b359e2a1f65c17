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

test('a run of 12 or more characters of a secret is masked wherever it sits; a vendor prefix alone is not', () => {
  const secret = 'sk_live_51HqT7yK9zXpW2mN4vB8cR3dF6gH1jL0aS5';
  const r = new Redactor([secret]);
  // Every slice a command could print (`cut -cA-B`), at every offset, 12 characters or longer.
  for (let start = 0; start + 12 <= secret.length; start++) {
    for (const length of [12, 13, 18, 25]) {
      if (start + length > secret.length) continue;
      const slice = secret.slice(start, start + length);
      const out = r.redact(`line: ${slice} :end`);
      assert.equal(out, 'line: *** :end', `slice ${start}+${length}`);
    }
  }
  // Shorter runs carry too little of the secret to single it out; the public prefix stays readable.
  assert.equal(r.redact('key sk_live_51H (11 chars)'), 'key sk_live_51H (11 chars)');
  assert.equal(r.redact('a Stripe key starts with sk_live_'), 'a Stripe key starts with sk_live_');
  // Two pieces of the same secret on one line are both masked; text between them stays.
  assert.equal(r.redact(`${secret.slice(0, 14)} and ${secret.slice(20, 34)}`), '*** and ***');
  // Pieces of its encoded forms too: a slice of the base64 and of the hex.
  const base64 = Buffer.from(secret).toString('base64');
  const hex = Buffer.from(secret).toString('hex');
  assert.equal(r.redact(`b64 ${base64.slice(5, 21)} hex ${hex.slice(7, 31)}`), 'b64 *** hex ***');
});

test('a 2 MiB log with pieces of several secrets scattered in it: every piece masked, nothing else', () => {
  const secrets = Array.from({ length: 8 }, (_, i) => `secret-${i}-${'Qz9x'.repeat(8)}-${i}`);
  const r = new Redactor(secrets);
  const filler = 'npm info a line of ordinary build output that is not secret at all\n';
  const parts: string[] = [];
  for (let i = 0, size = 0; size < 2 * 1024 * 1024; i++) {
    parts.push(i % 997 === 0 ? `${secrets[i % 8]!.slice(3, 20)}\n` : filler);
    size += parts[parts.length - 1]!.length;
  }
  const text = parts.join('');
  const out = r.redact(text);
  for (const s of secrets) for (let i = 0; i + 12 <= s.length; i++) assert.ok(!out.includes(s.slice(i, i + 12)), `${s} piece ${i}`);
  assert.equal(out.split('\n').filter((l) => l === '***').length, parts.filter((p) => p !== filler).length);
});
