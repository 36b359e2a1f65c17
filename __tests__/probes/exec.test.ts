/**
 * The gate's commands: bounded in time (the whole process tree is ended), linear and bounded in what
 * they keep of their output, and never waiting on stdin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MAX_LINE_CHARS, runCommand } from '../../src/probes/exec.js';

const base = { cwd: process.cwd(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 60_000 };

/** Running (a zombie waiting for its new parent to reap it counts as ended). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  return condition();
}

test('a command past its bound is ended with its whole process tree, and says so', async () => {
  const lines: string[] = [];
  // The shell starts a grandchild and waits: both must go.
  const r = await runCommand('sleep 300 & echo "child $!"; wait', { ...base, timeoutMs: 300, graceMs: 200, onLine: (l) => lines.push(l) });
  assert.equal(r.exitCode, null);
  assert.match(r.endedBy ?? '', /^did not finish within 300 ms \(command-timeout-minutes\)$/);
  const pid = Number(/child (\d+)/.exec(lines.join('\n'))?.[1]);
  assert.ok(pid > 0, lines.join('\n'));
  assert.ok(await until(() => !alive(pid)), 'the grandchild was ended too');
});

test('a command that ignores SIGTERM is killed after the grace period', async () => {
  const r = await runCommand('trap "" TERM; echo ready; while :; do sleep 0.05; done', { ...base, timeoutMs: 200, graceMs: 200 });
  assert.equal(r.exitCode, null);
  assert.ok(r.endedBy);
  assert.deepEqual(r.tail, ['ready']);
});

test('an aborted rule ends its command', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('the rule was cut off')), 100);
  const r = await runCommand('sleep 300', { ...base, signal: controller.signal, graceMs: 100 });
  assert.equal(r.exitCode, null);
  assert.equal(r.endedBy, 'stopped: the rule was cut off');
});

test('stdin is closed: a command that prompts gets end-of-file instead of hanging', async () => {
  const r = await runCommand('if read answer; then echo "got $answer"; else echo "no input"; fi', base);
  assert.equal(r.exitCode, 0);
  assert.deepEqual(r.tail, ['no input']);
});

// Slow (about 2 s): the gate gives a leftover process that long to release the output pipes.
test('a command that leaves a process holding its output still returns, and the leftover is ended', async () => {
  const r = await runCommand('sleep 300 & echo "left $!"', { ...base });
  assert.equal(r.exitCode, 0);
  const pid = Number(/left (\d+)/.exec(r.tail.join('\n'))?.[1]);
  assert.ok(await until(() => !alive(pid)), 'the leftover process was ended with the group');
});

test('one 30 MB line without a newline is cut, counted, and kept out of memory', async () => {
  const seen: string[] = [];
  const r = await runCommand('head -c 30000000 /dev/zero | tr "\\0" a', { ...base, onLine: (l) => seen.push(l) });
  assert.equal(r.exitCode, 0);
  assert.equal(r.bytes, 30_000_000);
  assert.equal(r.lines, 1);
  assert.equal(seen.length, 1);
  assert.ok(seen[0]!.startsWith('a'.repeat(MAX_LINE_CHARS)));
  assert.match(seen[0]!, / … \(29,998,000 more characters\)$/);
  assert.ok(r.text.length < MAX_LINE_CHARS + 100);
});

test('many lines: the log gets its budget, the rest is counted, the tail and the first error are kept', async () => {
  const logged: string[] = [];
  const script = 'echo "npm ERR! the real cause is here"; i=0; while [ $i -lt 20000 ]; do echo "line $i of noise"; i=$((i+1)); done; echo "Error: last words"; exit 3';
  const r = await runCommand(script, { ...base, logBudgetBytes: 10_000, onLine: (l) => logged.push(l) });
  assert.equal(r.exitCode, 3);
  assert.equal(r.lines, 20_002);
  assert.equal(r.lines, logged.length + r.linesNotLogged);
  assert.ok(logged.length < 1000, `logged ${logged.length} lines`);
  assert.equal(r.tail.at(-1), 'Error: last words');
  assert.equal(r.tail.length, 30);
  assert.equal(r.firstError, 'npm ERR! the real cause is here');
});

test('multi-byte characters split across chunks and CRLF line ends come out whole', async () => {
  const r = await runCommand(`printf 'caf\\303\\251\\r\\n\\342\\202\\254 end'`, base);
  assert.deepEqual(r.tail, ['café', '€ end']);
});
