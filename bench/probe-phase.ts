/**
 * Benchmark: the probe phase against a slow deployment. The sandbox (good scenario) answers every
 * request after `delayMs` (default 300 ms); the gate's probe rules (sections smoke, security,
 * stripe) run through the real engine (loadSettings + runGate, as the CLI does). Then each of those
 * rules runs alone (its own runGate, so fresh clients) to find the slowest single probe chain.
 *
 * The phase runs its rules concurrently, so its wall time should stay near its slowest request
 * chain, far below the sum of the chains. A rule that runs `after` another (team-flow after
 * login-flow) starts only when that one is done, so the slowest dependency chain (the sum of its
 * rules' times alone) is the floor of the phase's wall time; the target is a phase within 1.3x that
 * chain, with the header rules' page set (five pages and the providers list, fetched once each)
 * included.
 *
 *   npx tsx bench/probe-phase.ts [delayMs] [--runs N]
 *
 * Each measurement is the median of N runs (default 3), after one warm-up phase run that is not
 * counted (module loading, the app's connection pool, TLS session set-up in the sandbox).
 */
import { parseArgs } from 'node:util';
import { runGate } from '../src/gate.js';
import type { Logger, Report } from '../src/engine/types.js';
import { RULES } from '../src/rules/index.js';
import { loadSettings } from '../src/settings.js';
import { startSandbox } from '../sandbox/index.js';

const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '3' } }, allowPositionals: true });
const delayMs = Number(positionals[0] ?? 300);
const runs = Number(values.runs);
if (!Number.isInteger(delayMs) || delayMs < 0 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: npx tsx bench/probe-phase.ts [delayMs] [--runs N]\n');
  process.exit(2);
}

const PHASE = 'smoke,security,stripe';
const log: Logger = { info: () => undefined, output: () => undefined, group: (_name, fn) => fn() };
/** The most requests the app was serving at once (arrival to response sent). */
function peak(requests: readonly { at: number; durationMs: number }[]): number {
  const events = requests.flatMap((r) => [[r.at, 1] as const, [r.at + r.durationMs, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, change] of events) most = Math.max(most, (now += change));
  return most;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

const sandbox = await startSandbox({ quiet: true, responseDelayMs: delayMs });
try {
  const app = sandbox.app!;
  const gate = async (checks: string) => {
    const settings = await loadSettings({ inputs: { ...sandbox.inputs, checks }, env: sandbox.env, cwd: sandbox.dir });
    const appBefore = app.requests.length;
    const stripeBefore = sandbox.stripe.requests.length;
    const started = performance.now();
    const report: Report = await runGate(settings, { log });
    const wallMs = performance.now() - started;
    const requests = app.requests.slice(appBefore);
    return { wallMs, report, appRequests: requests.length, peakInFlight: peak(requests), stripeRequests: sandbox.stripe.requests.length - stripeBefore };
  };

  await gate(PHASE); // warm-up
  const phases = [];
  for (let i = 0; i < runs; i++) phases.push(await gate(PHASE));
  const phaseMs = median(phases.map((p) => p.wallMs));
  const phase = phases.find((p) => p.wallMs === phaseMs)!;
  const notPassing = phase.report.rules.filter((r) => r.status !== 'pass' && r.status !== 'skip');

  const alone: { id: string; ms: number; inPhaseMs: number; status: string }[] = [];
  for (const rule of phase.report.rules) {
    const times: number[] = [];
    let status = '';
    for (let i = 0; i < runs; i++) {
      const single = await gate(rule.id);
      times.push(single.wallMs);
      status = single.report.rules[0]!.status;
    }
    alone.push({ id: rule.id, ms: median(times), inPhaseMs: rule.durationMs, status });
  }
  alone.sort((a, b) => b.ms - a.ms);
  const slowest = alone[0]!;
  const sum = alone.reduce((n, r) => n + r.ms, 0);
  // Dependency chains: a rule's own time alone after the longest chain among the selected rules it waits for.
  const aloneMs = new Map(alone.map((r) => [r.id, r.ms]));
  const chainOf = (id: string): { ids: string[]; ms: number } => {
    const deps = (RULES.find((r) => r.meta.id === id)?.meta.after ?? []).filter((d) => aloneMs.has(d)).map(chainOf);
    const longest = deps.sort((a, b) => b.ms - a.ms)[0] ?? { ids: [], ms: 0 };
    return { ids: [...longest.ids, id], ms: longest.ms + aloneMs.get(id)! };
  };
  const chain = alone.map((r) => chainOf(r.id)).sort((a, b) => b.ms - a.ms)[0]!;

  const width = Math.max(...alone.map((r) => r.id.length));
  process.stdout.write(
    [
      `Probe phase (${PHASE}: ${phase.report.rules.length} rules) against the sandbox with a ${delayMs} ms response delay; median of ${runs} runs after a warm-up`,
      `  verdict: ${phase.report.ready ? 'ready' : 'not ready'}${notPassing.length ? ` (${notPassing.map((r) => `${r.id} ${r.status}`).join(', ')})` : ''}`,
      `  phase wall time:        ${ms(phaseMs)}`,
      `  slowest single chain:   ${ms(slowest.ms)} (${slowest.id}, alone)`,
      `  ratio phase / slowest:  ${(phaseMs / slowest.ms).toFixed(2)}${phaseMs / slowest.ms < 2 ? ' (under 2)' : ' (NOT under 2)'}`,
      `  sum of single chains:   ${ms(sum)} (${(sum / phaseMs).toFixed(1)}x the phase)`,
      `  slowest dependency chain: ${ms(chain.ms)} (${chain.ids.join(' → ')}, each alone); phase / that: ${(phaseMs / chain.ms).toFixed(2)}${phaseMs / chain.ms <= 1.3 ? ' (within 1.3x)' : ' (NOT within 1.3x)'}`,
      `  app requests in the phase: ${phase.appRequests} (${ms(phase.appRequests * delayMs)} of delay if sequential), at most ${phase.peakInFlight} at once; Stripe API requests: ${phase.stripeRequests}`,
      '',
      `  ${'rule'.padEnd(width)}  alone     in the phase`,
      ...alone.map((r) => `  ${r.id.padEnd(width)}  ${ms(r.ms).padStart(8)}  ${ms(r.inPhaseMs).padStart(8)}${r.status === 'pass' ? '' : `  (${r.status})`}`),
      '',
    ].join('\n'),
  );
} finally {
  await sandbox.stop();
}
