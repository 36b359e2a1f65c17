import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineOfOffset, lineStarts } from '../../src/util/lines.js';

test('a line number is the same whether the text is counted in characters or in UTF-8 bytes', () => {
  const text = 'é\r\nsk_live_x\n\nlast';
  const chars = lineStarts(text);
  const bytes = lineStarts(Buffer.from(text, 'utf8'));
  assert.deepEqual(chars, [0, 3, 13, 14]);
  assert.deepEqual(bytes, [0, 4, 14, 15], 'é is two bytes');
  const needle = 'sk_live_x';
  assert.equal(lineOfOffset(chars, text.indexOf(needle)), 2);
  assert.equal(lineOfOffset(bytes, Buffer.from(text).indexOf(needle)), 2);
  // The newline belongs to the line it ends; the empty line and the last line without one count.
  assert.equal(lineOfOffset(chars, text.indexOf('\n', 3)), 2);
  assert.equal(lineOfOffset(chars, 13), 3);
  assert.equal(lineOfOffset(chars, text.length - 1), 4);
  assert.equal(lineOfOffset(lineStarts(''), 0), 1);
});
