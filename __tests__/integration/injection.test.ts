/**
 * Workflow-command injection, end to end: the real bundle under Node 24, run the way a runner runs it,
 * with every payload of guarantees/payloads.ts (stop-commands, add-mask, error, notice, group, the
 * legacy ##[ form, leading blanks, zero-width and other ignorable characters…) in every app variable,
 * the env file, the config file, the app's responses, database rows and Stripe object names. Every
 * stdout line is read with the runner's own rules (guarantees/workflow-commands.ts): no command the
 * gate did not send, every annotation it meant to send still there, the outputs and report written,
 * and no secret in any form anywhere.
 *
 * Slow: 45-55 s measured on a loaded 2-core machine. One sandbox (PostgreSQL start-up dominates) and
 * eight runs of the bundle, one after the other because the last one changes the sandbox's database
 * and Stripe catalog.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { APP_HOST, startSandbox, type Sandbox } from '../../sandbox/index.js';
import { issueCert } from '../../sandbox/certs.js';
import { runAction, type ActionRun } from '../../scripts/run-action.js';
import { cli } from '../../src/cli.js';
import { APP_VARIABLES } from '../../src/target-app.js';
import { freeAddress, httpsServer, passHeaders, proxyHandler } from '../guarantees/fault-servers.js';
import { inject, injectChunks, markersIn, MARKER_PATTERN, PAYLOAD_KINDS, type InjectOptions } from '../guarantees/payloads.js';
import { recordProof } from '../guarantees/proof-counts.js';
import { assertNoLeak, assertOnlyGateCommands, assertWritten, runPlaces, visibleLog } from '../guarantees/run-checks.js';
import { parseWorkflowCommands, runnerLines, unintendedCommands } from '../guarantees/workflow-commands.js';
import { tempRepo } from '../helpers.js';

interface Place {
  id: number;
  where: string;
  kinds: number;
}

const places: Place[] = [];
/** `base` with every payload kind appended, marked with a new place number. */
function place(where: string, base: string, options?: InjectOptions): string {
  const id = places.length + 1;
  const { value, kinds } = inject(base, id, options);
  places.push({ id, where, kinds });
  return value;
}

/** The same, spread over values of at most `maxLength` characters (a varchar column). */
function placeChunks(where: string, base: string, maxLength: number, options?: InjectOptions): string[] {
  const id = places.length + 1;
  const { values, kinds } = injectChunks(base, id, maxLength, options);
  places.push({ id, where, kinds });
  return values;
}

/** Runs of the bundle, stdout lines parsed (all, and those a person sees), annotations found, leak searches. */
const totals = { runs: 0, lines: 0, visibleLines: 0, annotations: 0, searches: 0 };
const reached = new Set<number>();

/** Everything every run must show; returns the places whose payload reached the visible log. */
function checkRun(run: ActionRun, secrets: readonly string[]): Set<number> {
  const report = assertWritten(run);
  const commands = assertOnlyGateCommands(run, report);
  const leak = assertNoLeak(secrets, runPlaces(run));
  totals.runs++;
  totals.lines += commands.lines;
  totals.visibleLines += runnerLines(visibleLog(run.stdout)).length;
  totals.annotations += commands.annotations;
  totals.searches += leak.searches;
  const seen = markersIn(visibleLog(run.stdout));
  for (const id of seen) reached.add(id);
  return seen;
}

/** The places of `run` (by description prefix) whose marker reached the log. */
function reachedOf(seen: Set<number>, prefix: string): string[] {
  return places.filter((p) => p.where.startsWith(prefix) && seen.has(p.id)).map((p) => p.where);
}

describe('workflow-command injection', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({ scenario: 'good', quiet: true });
  });
  after(async () => {
    await sandbox?.stop();
    const injected = places.reduce((n, p) => n + p.kinds, 0);
    recordProof({ suite: 'injection', payloadKinds: PAYLOAD_KINDS.length, places: places.length, payloadsInjected: injected, reachedLog: reached.size, ...totals, unintendedCommands: 0, leaks: 0 });
  });

  const SECRET_NAME = /SECRET|PASSWORD|TOKEN/;

  /**
   * The app variables the gate reads, with every payload appended (URLs after a path slash, so they
   * still probe): the secret ones, or the others. Apart, because any run of 12 characters of a secret
   * is masked wherever it appears, and the payloads share such runs (`::error::INJ`): in one run, the
   * secrets' payloads would mask the quoted variables' payloads, and nothing would show they reached
   * the log harmlessly.
   */
  function injectedVariables(channel: string, which: 'secrets' | 'others'): Record<string, string> {
    const env: Record<string, string> = {};
    const names = [...new Set([...APP_VARIABLES, ...Object.keys(sandbox.env)])].filter((n) => n in sandbox.env || (APP_VARIABLES as readonly string[]).includes(n));
    for (const name of names.sort()) {
      const good = sandbox.env[name] ?? '';
      if (SECRET_NAME.test(name) !== (which === 'secrets')) {
        if (good) env[name] = good;
        continue;
      }
      const base = /^https?:\/\//.test(good) && !good.includes('?') && !good.endsWith('/') ? `${good}/` : good;
      env[name] = place(`${channel} ${name}`, base, { noNul: true });
    }
    return env;
  }

  const VARIABLE_CHECKS = 'config,smoke,security,stripe,gate.migrations,gate.no-db-push';

  test('in every app variable of the step environment', { timeout: 300_000 }, async () => {
    const env = injectedVariables('variable', 'others');
    const run = await runAction({ inputs: { ...sandbox.inputs, checks: VARIABLE_CHECKS, 'timeout-seconds': '10', 'github-client-id': place('input github-client-id', 'Ov23liInputClientId', { noNul: true }) }, env });
    const seen = checkRun(run, sandbox.secrets);
    // The variables rules quote: their payloads did reach the log, harmlessly.
    const quoted = reachedOf(seen, 'variable');
    for (const name of ['NEXTAUTH_URL', 'AUTH_PROVIDERS', 'ENABLE_HSTS', 'NEXTAUTH_DEBUG', 'NEXTAUTH_TRUST_HOST']) {
      assert.ok(quoted.includes(`variable ${name}`), `${name}'s payload was quoted in the log (quoted: ${quoted.join(', ')})`);
    }
  });

  test('in every secret variable of the step environment (masked with ::add-mask:: first)', { timeout: 300_000 }, async () => {
    const env = injectedVariables('secret variable', 'secrets');
    const secrets = [...sandbox.secrets, ...Object.entries(env).filter(([k]) => SECRET_NAME.test(k)).map(([, v]) => v)];
    const run = await runAction({ inputs: { ...sandbox.inputs, checks: VARIABLE_CHECKS, 'timeout-seconds': '10', 'github-client-secret': place('input github-client-secret', 'cs_InputClientSecret0123456789', { noNul: true }) }, env });
    checkRun(run, secrets);
  });

  test('in every app variable of the env file', { timeout: 300_000 }, async () => {
    const env = injectedVariables('env-file', 'others');
    const secrets = sandbox.secrets;
    const file = join(sandbox.dir, 'injected.env');
    writeFileSync(file, toDotenvEscaped(env), { mode: 0o600 });
    const run = await runAction({ inputs: { ...sandbox.inputs, checks: VARIABLE_CHECKS, 'timeout-seconds': '10', 'env-file': file }, env: {} });
    const seen = checkRun(run, secrets);
    assert.ok(reachedOf(seen, 'env-file').includes('env-file NEXTAUTH_URL'), 'the env file was read and its values quoted');
  });

  test('in every secret variable of the env file (the gate masks what it reads from the file)', { timeout: 300_000 }, async () => {
    const env = injectedVariables('secret env-file', 'secrets');
    const secrets = [...sandbox.secrets, ...Object.entries(env).filter(([k]) => SECRET_NAME.test(k)).map(([, v]) => v)];
    const file = join(sandbox.dir, 'injected-secrets.env');
    writeFileSync(file, toDotenvEscaped(env), { mode: 0o600 });
    const run = await runAction({ inputs: { ...sandbox.inputs, checks: VARIABLE_CHECKS, 'timeout-seconds': '10', 'env-file': file }, env: {} });
    checkRun(run, secrets);
  });

  test('in config file values and in every part of the app\'s answers (HTTPS, the sandbox CA)', { timeout: 300_000 }, async () => {
    const port = sandbox.ports.https;
    const address = await freeAddress(port, [sandbox.address, sandbox.ingestAddress]);
    const json = place('app JSON string values', '');
    const html = place('app HTML pages', '');
    const headers = place('app response headers', '', { singleLine: true, latin1: true });
    const cookies = place('app Set-Cookie values', '', { singleLine: true, latin1: true });
    const app = await httpsServer(issueCert(sandbox.ca, { hosts: [APP_HOST] }), proxyHandler(sandbox, injectingReply({ json, html, headers, cookies })), address, port);
    const repo = sandbox.repoDir;
    const config = {
      paths: {
        // The health route stays as it is, so its JSON (with the app's payloads) is read and quoted.
        register: place('config paths.register', '/auth/join', { noSpace: true }),
      },
      plans: { expected: [place('config plans.expected', 'Team'), 'Enterprise'] },
      operations: {
        backups: { 'last-restore-test': new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10), evidence: place('config operations.backups.evidence', 'https://evidence.acme.com/drill/', { noNul: true }) },
        rollback: { docs: [place('config operations.rollback.docs', 'docs/rollback.md')] },
      },
      waivers: [{ rule: 'config.enable-coep', reason: place('config waivers.reason', 'embeds are not COEP-ready') }],
    };
    mkdirSync(join(repo, 'config-injection'), { recursive: true });
    const configFile = join(repo, 'config-injection', 'readiness.yml');
    writeFileSync(configFile, stringify(config));
    const resolve = sandbox.resolve.map((line) => (line.startsWith(`${APP_HOST}:${port}:`) ? `${APP_HOST}:${port}:${address}` : line)).join('\n');
    let run: ActionRun;
    try {
      run = await runAction({
        inputs: { ...sandbox.inputs, resolve, checks: 'config,smoke,security', 'config-file': configFile, 'timeout-seconds': '10' },
        env: { ...sandbox.env, ENABLE_COEP: 'false' },
      });
    } finally {
      await app.close();
    }
    const seen = checkRun(run, sandbox.secrets);
    const quoted = reachedOf(seen, 'app').concat(reachedOf(seen, 'config'));
    for (const where of ['app JSON string values', 'app response headers', 'app Set-Cookie values', 'config paths.register', 'config plans.expected', 'config operations.rollback.docs']) {
      assert.ok(quoted.includes(where), `the payload of ${where} was quoted in the log (quoted: ${quoted.join(', ')})`);
    }
  });

  test('in configuration errors: an unknown key, an input, an env file that cannot be read', { timeout: 120_000 }, async () => {
    const repo = tempRepo({
      '.github/production-readiness.yml': stringify({ [place('config unknown key', 'plan')]: 1 }),
    });
    try {
      const runs = [
        await runAction({ inputs: { 'working-directory': repo.dir, checks: 'config' }, env: {} }),
        await runAction({ inputs: { 'working-directory': repo.dir, checks: place('input checks', 'config', { noNul: true }), 'config-file': 'none.yml' }, env: {} }),
        await runAction({ inputs: { 'working-directory': repo.dir, checks: 'config', 'env-file': place('input env-file', 'missing.env', { noNul: true }) }, env: {} }),
        await runAction({ inputs: { 'working-directory': repo.dir, checks: 'config', 'timeout-seconds': place('input timeout-seconds', '5', { noNul: true }) }, env: {} }),
      ];
      for (const run of runs) {
        assert.equal(run.exitCode, 2, 'a configuration error');
        assert.match(run.stdout, /^::error::configuration error: /m);
        assert.equal(run.outputs.ready, 'false');
        assert.deepEqual(unintendedCommands(run.stdout, MARKER_PATTERN), []);
        assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /);
        totals.runs++;
        totals.lines += runnerLines(run.stdout).length;
        totals.visibleLines += runnerLines(visibleLog(run.stdout)).length;
      }
    } finally {
      repo.cleanup();
    }
  });

  test('the command line in a workflow: the console report and its errors carry no command either', { timeout: 120_000 }, async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const name of APP_VARIABLES) env[name] = place(`cli ${name}`, sandbox.env[name] ?? 'x', { noNul: true });
    for (const argv of [
      ['--working-directory', sandbox.repoDir, '--checks', 'config,gate.no-db-push', '--ca-file', sandbox.caFile, '--resolve', sandbox.resolve.join('\n'), '--timeout-seconds', '10'],
      ['--working-directory', sandbox.repoDir, '--checks', place('cli --checks', 'config', { noNul: true })],
    ]) {
      let stdout = '';
      let stderr = '';
      const code = await cli({ argv, env, cwd: sandbox.repoDir, stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: (t: string) => (stderr += t) } });
      assert.ok(code === 1 || code === 2, `exit ${code}`);
      assert.deepEqual(parseWorkflowCommands(stdout), [], 'no command in the console report');
      assert.deepEqual(parseWorkflowCommands(stderr), [], 'no command in the errors');
      totals.lines += runnerLines(stdout).length + runnerLines(stderr).length;
      totals.visibleLines += runnerLines(stdout).length + runnerLines(stderr).length;
    }
  });

  // Last: it changes the sandbox's database and Stripe catalog.
  test('in database rows (migration names and logs, plan names) and Stripe object names', { timeout: 300_000 }, async () => {
    // migration_name is varchar(255): the payloads are spread over several rows.
    const failedNames = placeChunks('database _prisma_migrations failed migration_name', '20991231000000_hostile', 255, { noNul: true });
    const failedLogs = place('database _prisma_migrations logs', 'ERROR: relation exists', { noNul: true });
    const missingNames = placeChunks('database _prisma_migrations applied migration_name', '20991231000001_elsewhere', 255, { noNul: true });
    const serviceName = place('database "Service".name', 'Legacy', { noNul: true });
    const productName = place('Stripe product name', 'Scale', { noNul: true });
    const endpointUrl = place('Stripe webhook endpoint URL', `${sandbox.env.APP_URL}/api/webhooks/stripe-v2/`, { noNul: true });
    const db = await sandbox.postgres.adminClient(sandbox.database.database);
    try {
      const row = `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
                   VALUES ($1, $2, $3, $4, $5, NULL, now(), $6)`;
      for (const [i, name] of failedNames.entries()) await db.query(row, [`injection-failed-${i}`, 'f'.repeat(64), null, name, failedLogs, 0]);
      for (const [i, name] of missingNames.entries()) await db.query(row, [`injection-applied-${i}`, 'a'.repeat(64), new Date(), name, null, 1]);
      await db.query(`INSERT INTO "Service" (id, description, features, image, name, created) VALUES ('prod_InjectionLegacy1', 'stale', '{}', '', $1, now())`, [serviceName]);
      await db.query(`INSERT INTO "Service" (id, description, features, image, name, created) VALUES ('prod_InjectionScale01', 'scale', '{}', '', $1, now())`, [productName]);
    } finally {
      await db.end();
    }
    const template = sandbox.stripe.catalog.products.find((p) => p.name === 'Team')!;
    sandbox.stripe.catalog.products.push({ ...template, id: 'prod_InjectionScale01', name: productName, default_price: 'price_1InjectionScale00001' });
    const templatePrice = sandbox.stripe.catalog.prices.find((p) => p.product === template.id)!;
    // A price the database lacks: catalog-sync fails and names its product.
    sandbox.stripe.catalog.prices.push({ ...templatePrice, id: 'price_1InjectionScale00001', product: 'prod_InjectionScale01' });
    sandbox.stripe.webhookEndpoints.push({ ...sandbox.stripe.webhookEndpoints[0]!, id: 'we_1InjectionEndpoint', url: endpointUrl, status: 'disabled' });

    const run = await runAction({
      inputs: { ...sandbox.inputs, checks: 'gate.migrations,gate.migration-safety,stripe,smoke.billing-plans', 'timeout-seconds': '10' },
      env: sandbox.env,
    });
    const seen = checkRun(run, sandbox.secrets);
    const quoted = reachedOf(seen, 'database').concat(reachedOf(seen, 'Stripe'));
    for (const where of ['database _prisma_migrations failed migration_name', 'Stripe product name']) {
      assert.ok(quoted.includes(where), `the payload of ${where} was quoted in the log (quoted: ${quoted.join(', ')})`);
    }
  });
});

/** The proxy's answer: the sandbox's own, with a payload in every JSON string, HTML page, header and cookie. */
function injectingReply(payloads: { json: string; html: string; headers: string; cookies: string }) {
  const KEEP = new Set(['content-type', 'date', 'vary', 'etag', 'cache-control', 'last-modified']);
  return (_req: http.IncomingMessage, res: http.ServerResponse, upstream: { status: number; headers: http.IncomingHttpHeaders; body: Buffer }) => {
    const headers = passHeaders(upstream.headers);
    for (const [name, value] of Object.entries(headers)) {
      if (KEEP.has(name) || value === undefined) continue;
      if (name === 'set-cookie') headers[name] = (value as string[]).map((c) => c + payloads.cookies);
      else headers[name] = String(value) + payloads.headers;
    }
    let body = upstream.body.toString('utf8');
    const type = String(upstream.headers['content-type'] ?? '');
    if (/json/.test(type)) {
      try {
        body = JSON.stringify(appendToStrings(JSON.parse(body) as unknown, payloads.json));
      } catch {
        // Not JSON after all: sent as it came.
      }
    } else if (/html/.test(type)) {
      body = body.replace('</title>', `${escapeHtml(payloads.html)}</title>`).replace('</body>', `<p>${escapeHtml(payloads.html)}</p></body>`);
    }
    res.writeHead(upstream.status, headers).end(body);
  };
}

function appendToStrings(value: unknown, payload: string): unknown {
  if (typeof value === 'string') return value + payload;
  if (Array.isArray(value)) return value.map((v) => appendToStrings(v, payload));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, appendToStrings(v, payload)]));
  return value;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * dotenv with double-quoted values, so newlines travel as \n escapes (Node's parseEnv expands only
 * that one; a CR inside a value is dropped by it).
 */
function toDotenvEscaped(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => (/[\r\n]/.test(v) ? `${k}="${v.replace(/\n/g, '\\n')}"` : `${k}='${v}'`))
    .join('\n') + '\n';
}
