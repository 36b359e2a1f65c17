/**
 * Benchmark: masking secrets, and pieces of them, in output (src/redact.ts). Every line the gate prints
 * and every report it writes passes through the Redactor; since a run of 12 or more characters of any
 * form of a secret is masked too (issue 24), the cost must stay linear in the text's size whatever the
 * number of secrets. This prints the time to redact command output of growing size with 1, 8 and 32
 * secrets, as one text and as lines (how command output is redacted), and the throughput.
 *
 *   npm run bench:redact [-- --runs N]
 *
 * Each figure is the median of N runs (default 7) after one warm-up. Linear means: doubling the size
 * doubles the time, and the time per MiB is flat across sizes and secret counts.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redactor } from '../src/redact.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

/** Build output with a piece of some secret every ~500 lines. */
function buildLog(bytes: number, secrets: string[]): string {
  const line = 'info  - Compiled /api/teams/[slug]/payments in 412 ms (1184 modules)\n';
  const parts: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const text = i % 499 === 0 ? `leaked ${secrets[i % secrets.length]!.slice(3, 21)}\n` : line;
    parts.push(text);
    size += text.length;
  }
  return parts.join('');
}

console.log('secrets | size    | one text (ms) | per line (ms) | MiB/s (one text)');
console.log('--------|---------|---------------|---------------|-----------------');
for (const count of [1, 8, 32]) {
  const secrets = Array.from({ length: count }, () => randomBytes(30).toString('base64'));
  const redactor = new Redactor(secrets);
  for (const size of [0.5, 1, 2, 4, 8]) {
    const log = buildLog(size * MiB, secrets);
    const lines = log.split('\n');
    const whole = time(() => void redactor.redact(log));
    const perLine = time(() => {
      for (const l of lines) redactor.redact(l);
    });
    console.log(`${String(count).padStart(7)} | ${`${size} MiB`.padEnd(7)} | ${whole.toFixed(1).padStart(13)} | ${perLine.toFixed(1).padStart(13)} | ${(size / (whole / 1000)).toFixed(1).padStart(16)}`);
  }
}
