/**
 * The runner's command parser (workflow-commands.ts) finds what a runner would execute, and the gate's
 * one choke point (src/workflow-text.ts) leaves nothing for it to find, whatever text it is given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAnnotationCommand } from '../../src/report/annotations.js';
import { workflowSafeText } from '../../src/workflow-text.js';
import { inject, MARKER_PATTERN, marker, PAYLOAD_KINDS } from './payloads.js';
import { recordProof } from './proof-counts.js';
import { parseWorkflowCommands, runnerLines, unintendedCommands } from './workflow-commands.js';

test('the parser finds each payload as the runner would run it (the percent-encoded newline is plain text)', () => {
  PAYLOAD_KINDS.forEach((kind, k) => {
    const m = marker(k, 0);
    const commands = unintendedCommands(`a value${kind.build(m)}`, MARKER_PATTERN);
    if (kind.name === 'percent-encoded newline') {
      assert.deepEqual(commands, [], kind.name);
    } else {
      assert.equal(commands.length, 1, `${kind.name}: ${JSON.stringify(kind.build(m))}`);
      assert.match(commands[0]!.data + JSON.stringify(commands[0]!.properties), new RegExp(m));
    }
  });
});

test('the runner reads lines at \\n, \\r and \\r\\n; names ignore case; V1 is found anywhere in a line', () => {
  assert.deepEqual(runnerLines('a\rb\r\nc\nd'), ['a', 'b', 'c', 'd']);
  const [upper] = parseWorkflowCommands('::Add-Mask::x');
  assert.equal(upper?.name, 'Add-Mask');
  const [legacy] = parseWorkflowCommands('text before ##[warning file=a%3Bb.ts;line=3]data');
  assert.deepEqual([legacy?.syntax, legacy?.name, legacy?.properties, legacy?.data], ['v1', 'warning', { file: 'a;b.ts', line: '3' }, 'data']);
  assert.deepEqual(parseWorkflowCommands(':: not a command\n::unknown::x\n##[nothing]\ntext :: ::error::x'), []);
});

test("what @actions/core writes is the gate's own command, not an injection, whatever its data holds", () => {
  const line = formatAnnotationCommand({
    level: 'error',
    title: 'gate.migrations: Migration history is clean',
    message: `migration x\n::stop-commands::${marker(0, 1)} ##[error]y 100%`,
    file: 'prisma/migrations/x/migration.sql',
    startLine: 1,
  });
  const [command, ...rest] = parseWorkflowCommands(line);
  assert.equal(rest.length, 0);
  assert.equal(command?.name, 'error');
  assert.equal(command?.properties.title, 'gate.migrations: Migration history is clean');
  assert.deepEqual(unintendedCommands(line, MARKER_PATTERN), []);
});

test('no text, however hostile, comes out of the choke point as a workflow command', () => {
  const bases = ['', 'x', ' ', '\t', ':', '::', '#', '##', '##[', '[', ']', '%', ' :: ', '\n', '\r', '\u200b', '\ufe0f', '\u00a0'];
  let lines = 0;
  let texts = 0;
  PAYLOAD_KINDS.forEach((kind, k) => {
    bases.forEach((before, b) => {
      for (const after of ['', '\n', 'tail', ']']) {
        const text = `${before}${kind.build(marker(k, b))}${after}`;
        const safe = workflowSafeText(text);
        lines += runnerLines(safe).length;
        texts++;
        const found = parseWorkflowCommands(safe);
        assert.deepEqual(found, [], `${kind.name} after ${JSON.stringify(before)}: ${JSON.stringify(safe)}`);
      }
    });
  });
  // All payloads at once, as the integration suites inject them.
  const all = workflowSafeText(inject('value', 99).value);
  lines += runnerLines(all).length;
  texts++;
  assert.deepEqual(parseWorkflowCommands(all), []);
  recordProof({ suite: 'choke-point', texts, lines, commandsFound: 0 });
});
