/**
 * Bad input is a clear error, never a crash: a generated corpus (seeded, so every run sees the same
 * cases) of config files, inputs, app variables and env files, each mutated the ways real files and
 * workflows go wrong (wrong types, unknown keys, huge, deep and alias-bomb YAML, binary junk, invalid
 * URLs and ports, unicode, empty and enormous values, CRLF, BOMs, NUL bytes…). Each case goes through
 * what the action does, in-process: `loadSettings`, `validateSelection`, then the rules. The suite
 * asserts 0 uncaught errors, 0 stack traces, 0 hangs; that every usage error names its input (the
 * input, the config file, the env file); that a variable that does not parse fails its own config rule
 * and no rule stops on an unexpected error; and, for a sample, that the command line exits 2.
 *
 * Offline and fast: host names do not resolve (dns.lookup answers ENOTFOUND at once), Stripe answers as
 * unreachable at once, commands are not run. Cases run 8 at a time, each bounded. Slow: 1,182 cases,
 * each up to 41 rules; about 35 s of CPU, 32 s wall measured on a quiet 2-core machine and up to 100 s
 * when the machine is loaded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import dns from 'node:dns';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cli } from '../../src/cli.js';
import { runRules } from '../../src/engine/runner.js';
import type { RuleReport } from '../../src/engine/types.js';
import { errorMessage, UsageError } from '../../src/errors.js';
import { validateSelection } from '../../src/gate.js';
import { INPUTS } from '../../src/inputs.js';
import { createClients, type Clients } from '../../src/probes/clients.js';
import { createStripe } from '../../src/probes/stripe.js';
import { freePort } from '../../sandbox/net.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { APP_VARIABLES } from '../../src/target-app.js';
import { goodEnv, silentLog, tempRepo } from '../helpers.js';
import { recordProof } from './proof-counts.js';

// --- a deterministic corpus -------------------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(0x9a7e);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (max: number) => Math.floor(random() * max);
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

type Family = 'config file' | 'input' | 'app variable' | 'env file';

interface Case {
  id: number;
  family: Family;
  /** What was mutated: the input or variable name, or the file. */
  subject: string;
  mutation: string;
  inputs: Record<string, string>;
  env: Record<string, string>;
  /** Files to write in the corpus repository (relative path → content). */
  files?: Record<string, string | Buffer>;
  /** A usage error must contain one of these (the input, the file, the variable). */
  names: string[];
  /** The rule that must fail because the variable does not parse. */
  ownRule?: string;
}

const JUNK_STRINGS = [
  '', ' ', '\t\n', 'true', 'FALSE', 'yes', '0', '-1', '1e3', '0x10', '1.5', '999999999999999999999', 'NaN', 'Infinity', '١٢',
  '12abc', 'null', 'undefined', '{}', '[]', '{"a":1}', '${{ secrets.X }}', '%', '%zz', '%E0%A4%A', '\u0000', 'a\u0000b', '\r\n',
  '💥', '\u202Eevil', 'ﬁ', 'x'.repeat(70_000), '\uD800', '../../../../etc/passwd', '/dev/null', 'C:\\Windows\\System32',
];
const JUNK_URLS = [
  'not a url', 'http://', 'https://', '://x', 'https//app.acme.com', 'https://exa mple.com', 'https://[::1', 'https://user:p%ZZ@host.com',
  'https://app.acme.com:65536', 'https://app.acme.com:abc', 'https://app.acme.com:-1', 'ftp://app.acme.com', 'javascript:alert(1)',
  'https://xn--', 'https://💥.acme.com', 'https://127.0.0.1', 'https://0.0.0.0', 'https://[::1]', 'https://localhost:0', 'file:///etc/passwd',
  'https://app.acme.com/%', 'https://%E0%A4%A@o1.ingest.sentry.io/1', 'https://app.acme.com\r\n', 'HTTPS://APP.ACME.COM', 'https://a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z',
  `https://${'a'.repeat(300)}.com`, 'https://app.acme.com/#frag', 'https://app.acme.com?x=%E0%A4%A',
];
const JUNK_DATABASE_URLS = [
  'postgresql://u:%E0%A4%A@h.acme.com/db', 'postgresql://%E0%A4%A:p@h.acme.com/db', 'postgresql://u:p@h.acme.com/%E0%A4%A', 'postgresql://u:p@:5432/db',
  'postgresql://u:p@h.acme.com:99999/db', 'postgresql://u:p@h.acme.com:0/db', 'postgresql://h.acme.com/db?sslmode=bogus', 'mysql://u:p@h.acme.com/db',
  'postgresql://', 'postgres://u:p@[::1/db', 'postgresql://u:p@127.0.0.1:1/db?sslmode=require', 'postgresql://u:p@h.acme.com/db?connect_timeout=abc',
  'postgresql://u:p@h.acme.com/db?sslrootcert=/dev/null&sslmode=verify-full', 'postgresql://u:p@h.acme.com/db?schema=%00', 'postgresql://u@h.acme.com',
  'postgresql:///db', 'postgresql://u:p@h.acme.com/db?sslmode=verify-full&sslmode=disable',
];
const FILE_INPUTS = new Set(['working-directory', 'config-file', 'env-file', 'ca-file']);
const URL_VARIABLES = new Set(['APP_URL', 'NEXTAUTH_URL', 'DATABASE_URL', 'NEXT_PUBLIC_SENTRY_DSN', 'SENTRY_DSN']);
const OWN_RULE: Record<string, string> = { APP_URL: 'config.app-url', NEXTAUTH_URL: 'config.nextauth-url', DATABASE_URL: 'config.database-url' };

/** Whether `value` cannot be what the variable must be, judged without the gate's code. */
function unparseable(name: string, value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return true;
  }
  if (name === 'DATABASE_URL') return url.protocol !== 'postgresql:' && url.protocol !== 'postgres:';
  return url.protocol !== 'https:' || !url.hostname;
}

const VALID_CONFIG = () => ({
  paths: { health: '/api/health', login: '/auth/login', register: '/auth/join', pricing: '/pricing', 'stripe-webhook': '/api/webhooks/stripe', 'stripe-sync': '/api/admin/stripe/sync' },
  plans: { expected: ['Team', 'Enterprise'] },
  'smoke-account': { email: 'readiness@acme.com', 'password-env': 'SMOKE_USER_PASSWORD' },
  'feature-gates': [{ account: { email: 'free@acme.com', 'password-env': 'SMOKE_FREE_PASSWORD' }, team: 'smoke-free', expect: { sso: 'deny', webhooks: 'deny', 'audit-logs': 'deny', 'api-keys': 'allow' } }],
  operations: { backups: { 'last-restore-test': '2026-10-12', evidence: 'https://github.com/acme/acme-saas/issues/412', 'max-age-days': 90 }, rollback: { docs: ['docs/deployment-guide.md'] } },
  'migration-safety': { level: 'warn' },
  waivers: [{ rule: 'config.enable-coep', reason: 'embeds', until: '2027-03-01' }],
});

/** Every path (as keys) into an object, for a mutation to aim at. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function setAt(root: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  if (path.length === 0) return;
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
}

function deleteAt(root: Record<string, unknown>, path: (string | number)[]): void {
  if (path.length === 0) return;
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  if (Array.isArray(node)) node.splice(Number(path.at(-1)), 1);
  else delete node[path.at(-1)!];
}

const JUNK_VALUES: unknown[] = [null, 0, -1, 3.5, true, 'string', [], {}, [1, 2], { a: 1 }, '', ' ', '💥', 'x'.repeat(20_000), '2026-13-45', '/no spaces allowed/ x', 'not-an-email', 1e300];

function configText(): { text: string | Buffer; mutation: string } {
  const config = VALID_CONFIG() as Record<string, unknown>;
  const valid = () => stringify(config);
  const kind = int(22);
  switch (kind) {
    case 0:
    case 1:
    case 2:
    case 3: {
      const path = pick(paths(config).filter((p) => p.length > 0));
      const value = pick(JUNK_VALUES);
      setAt(config, path, value);
      return { text: valid(), mutation: `${path.join('.')} = ${JSON.stringify(value)?.slice(0, 30)}` };
    }
    case 4:
    case 5: {
      const objects = paths(config).filter((p) => {
        let node: unknown = config;
        for (const k of p) node = (node as Record<string | number, unknown>)[k];
        return node !== null && typeof node === 'object' && !Array.isArray(node);
      });
      const at = pick(objects);
      const key = pick(['unknown', 'Paths', 'health ', '__proto__', 'constructor', 'toString', 'smoke_account', '💥', '']);
      setAt(config, [...at, key], pick(JUNK_VALUES));
      return { text: valid(), mutation: `unknown key "${key}" at ${at.join('.') || '(top)'}` };
    }
    case 6: {
      const path = pick(paths(config).filter((p) => p.length > 0));
      deleteAt(config, path);
      return { text: valid(), mutation: `without ${path.join('.')}` };
    }
    case 7: {
      const depth = pick([25, 60, 2000]);
      return { text: `plans:\n  expected: ${'['.repeat(depth)}x${']'.repeat(depth)}\n`, mutation: `nested ${depth} deep` };
    }
    case 8: {
      const levels = 3 + int(7);
      let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let i = 1; i <= levels; i++) text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
      return { text: `${text}plans:\n  expected: *a${levels}\n`, mutation: `alias bomb, ${levels} levels` };
    }
    case 9:
      return { text: bytes(1 + int(4096)), mutation: 'binary junk' };
    case 10:
      return { text: `\uFEFF${valid()}`, mutation: 'UTF-8 BOM' };
    case 11:
      return { text: valid().replace(/\n/g, '\r\n'), mutation: 'CRLF' };
    case 12: {
      const text = valid();
      const at = int(text.length);
      return { text: `${text.slice(0, at)}\u0000${text.slice(at)}`, mutation: `NUL at ${at}` };
    }
    case 13:
      return { text: valid().replace(/^ {2}/gm, '\t'), mutation: 'tab indentation' };
    case 14: {
      const text = valid();
      return { text: text.slice(0, int(text.length)), mutation: 'truncated' };
    }
    case 15: {
      const text = Buffer.from(valid());
      for (let i = 0; i < 1 + int(5); i++) text[int(text.length)] = int(256);
      return { text, mutation: 'bytes flipped' };
    }
    case 16:
      return { text: pick(['plans: !!binary aGVsbG8=\n', 'plans: !!js/function "function(){}"\n', 'paths: !custom {}\n', 'operations: !!set {a, b}\n', 'waivers: !!omap [a: 1]\n', 'plans: !!timestamp 2026-01-01\n']), mutation: 'YAML tag' };
    case 17:
      return { text: `${valid()}---\n${valid()}`, mutation: 'two documents' };
    case 18:
      return { text: pick(['{[}', ': :', '- - -\n  x', '"unterminated', 'plans: {expected: [Team', '? [a, b]\n: c\n', '&anchor', '*nothing', '%YAML 9.9\n---\na: 1']), mutation: 'YAML syntax' };
    case 19:
      return { text: pick(['42', '"just a string"', '[]', 'null', '~', 'true', '', '   \n\n', '# only a comment\n']), mutation: 'not a mapping' };
    case 20:
      return { text: `# ${'x'.repeat(300 * 1024)}\n${valid()}`, mutation: 'over 256 KB' };
    default: {
      const text = valid();
      const lines = text.split('\n');
      const at = int(lines.length);
      lines.splice(at, 0, lines[at] ?? 'plans: {}');
      return { text: lines.join('\n'), mutation: `line ${at + 1} repeated (duplicate key)` };
    }
  }
}

/** How many cases each input had so far: an input with values of its own goes through all of them in turn. */
const inputTurns = new Map<string, number>();

function inputValue(name: string): string {
  const specific: Record<string, string[]> = {
    checks: ['config,,', 'nope', 'config.nope', '§', 'smoke.', 'CONFIG', 'config security', 'gate.migrations;rm -rf /'],
    resolve: ['app.acme.com', 'app.acme.com:443', 'app.acme.com:443:', ':443:127.0.0.1', 'app.acme.com:99999:127.0.0.1', 'app.acme.com:443:[::1', 'app.acme.com:443:not-an-ip', 'a:1:1.2.3.4,b'],
    'working-directory': ['does/not/exist', 'package.json', '/dev/null', '\u0000'],
    'config-file': ['/dev/zero', 'fifo', 'missing.yml', 'prisma', '/dev/null', 'package.json'],
    'env-file': ['/dev/zero', 'fifo', 'missing.env', 'prisma', '/dev/null', 'package.json'],
    'ca-file': ['/dev/zero', 'fifo', 'junk.pem', 'bad-cert.pem', 'missing.pem', 'prisma', '/dev/null', 'package.json'],
    'stripe-api-base': JUNK_URLS,
    'sentry-api-base': JUNK_URLS,
  };
  const turn = inputTurns.get(name) ?? 0;
  inputTurns.set(name, turn + 1);
  const own = specific[name];
  return own && turn % 2 === 0 ? own[(turn / 2) % own.length]! : pick(JUNK_STRINGS);
}

/** The junk a variable is tried with: its own kind first (URLs, database URLs), then generic junk. */
function variableValues(name: string, offset: number): string[] {
  const own = name === 'DATABASE_URL' ? JUNK_DATABASE_URLS : URL_VARIABLES.has(name) ? JUNK_URLS : [];
  const generic = JUNK_STRINGS.map((_, i) => JUNK_STRINGS[(i + offset) % JUNK_STRINGS.length]!);
  return [...own, ...generic];
}

function envFileText(): { text: string | Buffer; mutation: string } {
  const env = goodEnv();
  const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const kind = int(14);
  switch (kind) {
    case 0:
      return { text: `\uFEFF${lines.join('\n')}`, mutation: 'BOM' };
    case 1:
      return { text: lines.join('\r\n'), mutation: 'CRLF' };
    case 2:
      return { text: lines.join('\n').replace('=', '=\u0000'), mutation: 'NUL in a value' };
    case 3:
      return { text: `${lines.join('\n')}\nAPP_URL="https://unterminated.acme.com\n`, mutation: 'unterminated quote' };
    case 4:
      return { text: lines.map((l) => `export ${l}`).join('\n'), mutation: 'export prefixes' };
    case 5:
      return { text: `${lines.join('\n')}\n=value\nNOEQUALS\n   \n#comment\n`, mutation: 'lines without a key or a value' };
    case 6:
      return { text: bytes(1 + int(8192)), mutation: 'binary junk' };
    case 7:
      return { text: `${lines.join('\n')}\nPAD=${'x'.repeat(1024 * 1024 + 10)}\n`, mutation: 'over 1 MB' };
    case 8:
      return { text: `${lines.join('\n')}\nAPP_URL=${pick(JUNK_URLS)}\n`, mutation: 'a junk APP_URL' };
    case 9:
      return { text: `${lines.join('\n')}\nDATABASE_URL='${pick(JUNK_DATABASE_URLS)}'\n`, mutation: 'a junk DATABASE_URL' };
    case 10:
      return { text: `${lines.join('\n')}\nNEXTAUTH_SECRET="multi\nline\\nvalue"\nSTRIPE_SECRET_KEY='a'b'c'\n`, mutation: 'quotes inside quotes' };
    case 11:
      return { text: `${lines.join('\n')}\n💥=1\nKEY WITH SPACES=2\n${'K'.repeat(5000)}=3\n`, mutation: 'odd keys' };
    case 12:
      return { text: Buffer.concat([Buffer.from(lines.join('\n')), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a])]), mutation: 'invalid UTF-8' };
    default:
      return { text: '', mutation: 'empty' };
  }
}

const CONFIG_FILES = 300;
const INPUT_CASES = 300;
/** Each of the 25 variables, with its own junk first: every junk URL and database URL is tried. */
const VALUES_PER_VARIABLE = (name: string) => (name === 'DATABASE_URL' ? JUNK_DATABASE_URLS.length + 5 : URL_VARIABLES.has(name) ? JUNK_URLS.length + 2 : 16);
const ENV_FILES = 120;

function corpus(): Case[] {
  const cases: Case[] = [];
  const base = () => ({ env: goodEnv(), inputs: {} as Record<string, string> });
  for (let i = 0; i < CONFIG_FILES; i++) {
    const { text, mutation } = configText();
    const file = `configs/case-${i}.yml`;
    cases.push({ id: cases.length, family: 'config file', subject: file, mutation, ...base(), inputs: { 'config-file': file }, files: { [file]: text }, names: [file] });
  }
  const inputNames = INPUTS.map((i) => i.name);
  for (let i = 0; i < INPUT_CASES; i++) {
    const name = inputNames[i % inputNames.length]!;
    const value = inputValue(name);
    // A file input's error may name the file it was given rather than the input.
    const names = FILE_INPUTS.has(name) && value.trim() ? [name, value.trim()] : [name];
    cases.push({ id: cases.length, family: 'input', subject: name, mutation: JSON.stringify(value.slice(0, 40)), ...base(), inputs: { [name]: value }, names });
  }
  const variables = [...APP_VARIABLES, 'FEATURE_TEAM_SSO', 'SMOKE_USER_PASSWORD'];
  variables.forEach((name, v) => {
    for (const value of variableValues(name, v * 7).slice(0, VALUES_PER_VARIABLE(name))) {
      const env = { ...goodEnv(), [name]: value };
      // Now and then a second variable goes wrong too.
      if (random() < 0.2) env[pick(variables.filter((n) => n !== name))] = pick(JUNK_STRINGS);
      cases.push({
        id: cases.length,
        family: 'app variable',
        subject: name,
        mutation: JSON.stringify(value.slice(0, 40)),
        env,
        inputs: {},
        names: [name],
        ...(OWN_RULE[name] && value.trim() !== '' && unparseable(name, value.trim()) ? { ownRule: OWN_RULE[name] } : {}),
      });
    }
  });
  for (let i = 0; i < ENV_FILES; i++) {
    const { text, mutation } = envFileText();
    const file = `env/case-${i}.env`;
    cases.push({ id: cases.length, family: 'env file', subject: file, mutation, env: {}, inputs: { 'env-file': file }, files: { [file]: text }, names: ['env-file'] });
  }
  return cases;
}

// --- running a case as the action would ---------------------------------------------------------------

const CRASH = 'the rule stopped on an unexpected error';

/**
 * The rules that read what a family mutates (the others would only repeat work: git and file scans
 * that read neither the inputs, the config nor the variables).
 */
const REPOSITORY_ONLY = new Set(['gate.no-db-push', 'security.docs']);
const RULES_READ: Record<Family, (id: string) => boolean> = {
  'config file': (id) => !REPOSITORY_ONLY.has(id) && id !== 'security.committed-secrets' && id !== 'security.workflow-secrets',
  input: (id) => id.startsWith('config.') || ['smoke.health', 'security.hsts', 'security.tls', 'stripe.live-mode', 'gate.migrations', 'smoke.sentry'].includes(id),
  'app variable': (id) => !REPOSITORY_ONLY.has(id) && id !== 'security.rollback' && id !== 'security.backups',
  'env file': (id) => !REPOSITORY_ONLY.has(id) && id !== 'security.rollback' && id !== 'security.backups',
};
const STACK = /\n\s+at \S.*:\d+:\d+|\bat (?:async )?\S+ \(.*:\d+:\d+\)/;
const CASE_BOUND_MS = 60_000;

interface Verdict {
  usageError?: string;
  crash?: string;
  rules?: RuleReport[];
}

/** The real Stripe client, pointed at a port where nothing listens and without retries: unreachable at once. */
function unreachableStripe(settings: Settings, port: number): Clients['stripe'] {
  return () => {
    const key = settings.env.STRIPE_SECRET_KEY;
    if (!key) return Promise.reject(new Error('STRIPE_SECRET_KEY is not set'));
    return createStripe({ secretKey: key, apiBase: `http://127.0.0.1:${port}`, timeoutMs: 2000, retries: 0 });
  };
}

async function runCase(c: Case, root: string, stripePort: number): Promise<Verdict> {
  let settings: Settings;
  try {
    settings = await loadSettings({ inputs: { 'working-directory': root, 'timeout-seconds': '2', ...c.inputs }, env: c.env, cwd: root });
    const selected = validateSelection(settings).filter((r) => r.meta.kind !== 'command' && RULES_READ[c.family](r.meta.id));
    const clients = createClients(settings);
    const offline: Clients = { ...clients, stripe: unreachableStripe(settings, stripePort) };
    try {
      const rules = await runRules(selected, { context: { settings, clients: offline, log: silentLog }, probeTimeoutMs: 6000, commandTimeoutMs: 6000, deadlineMs: 30_000 });
      return { rules };
    } finally {
      await clients.close();
    }
  } catch (error) {
    if (error instanceof UsageError) return { usageError: error.message };
    return { crash: `${(error as Error)?.name ?? 'error'}: ${errorMessage(error)}` };
  }
}

let root: { dir: string; cleanup(): void };
let stripePort: number;
let cases: Case[];
const uncaught: string[] = [];
const onUncaught = (error: unknown) => uncaught.push(errorMessage(error));

before(async () => {
  stripePort = await freePort();
  // Offline: no host name resolves (IP literals in the corpus are loopback ones, refused at once).
  (dns as { lookup: unknown }).lookup = (_host: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (e: Error) => void;
    process.nextTick(() => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${_host}`), { code: 'ENOTFOUND', hostname: _host })));
    return {};
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  root = tempRepo({
    'package.json': '{"name":"app","private":true,"scripts":{"build":"next build"}}',
    'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "Service" (id text PRIMARY KEY);\n',
    'junk.pem': 'not a certificate at all\n',
    'bad-cert.pem': '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
  });
  // A named pipe nobody writes to: opening it would wait for ever.
  execFileSync('mkfifo', [join(root.dir, 'fifo')]);
  mkdirSync(join(root.dir, 'configs'));
  mkdirSync(join(root.dir, 'env'));
  cases = corpus();
  for (const c of cases) for (const [path, content] of Object.entries(c.files ?? {})) writeFileSync(join(root.dir, path), content);
});
after(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  root?.cleanup();
});

test('the corpus: at least 1,000 config files, inputs, app variables and env files, the same every run', () => {
  assert.ok(cases.length >= 1000, `${cases.length} cases`);
  const families = new Set(cases.map((c) => c.family));
  assert.deepEqual([...families].sort(), ['app variable', 'config file', 'env file', 'input']);
  assert.ok(cases.some((c) => c.mutation.startsWith('alias bomb')) && cases.some((c) => c.mutation.startsWith('nested')) && cases.some((c) => c.mutation === 'binary junk'));
  for (const input of ['config-file', 'env-file', 'ca-file']) {
    for (const file of ['/dev/zero', 'fifo']) assert.ok(cases.some((c) => c.inputs[input] === file), `${input}: ${file} is in the corpus`);
  }
});

test('every case ends with a report or a usage error naming its input: no crash, no stack trace, no hang', { timeout: 600_000 }, async () => {
  const problems: string[] = [];
  const verdicts = new Map<number, Verdict>();
  let next = 0;
  let hangs = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i]!;
      const where = `#${c.id} ${c.family} ${c.subject} (${c.mutation})`;
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), CASE_BOUND_MS)));
      const verdict = await Promise.race([runCase(c, root.dir, stripePort), bound]);
      clearTimeout(timer);
      if (verdict === 'hang') {
        hangs++;
        problems.push(`${where}: did not end within ${CASE_BOUND_MS / 1000} s`);
        continue;
      }
      verdicts.set(c.id, verdict);
      if (verdict.crash) problems.push(`${where}: not a usage error: ${verdict.crash}`);
      if (verdict.usageError !== undefined) {
        if (STACK.test(verdict.usageError)) problems.push(`${where}: a stack trace in the usage error`);
        if (!c.names.some((n) => verdict.usageError!.includes(n))) problems.push(`${where}: the usage error does not name ${c.names.join(' or ')}: ${verdict.usageError.slice(0, 200)}`);
      }
      for (const rule of verdict.rules ?? []) {
        if (rule.summary.includes(CRASH)) problems.push(`${where}: ${rule.id}: ${rule.summary.slice(0, 300)}`);
        if (STACK.test(`${rule.summary}\n${rule.details ?? ''}`)) problems.push(`${where}: ${rule.id}: a stack trace in the report`);
      }
      if (c.ownRule && verdict.rules) {
        const own = verdict.rules.find((r) => r.id === c.ownRule)!;
        if (own.status !== 'fail') problems.push(`${where}: ${c.subject} does not parse, but ${c.ownRule} is ${own.status}: ${own.summary}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  assert.deepEqual(uncaught, [], 'uncaught errors');
  assert.deepEqual(problems.slice(0, 40), [], `${problems.length} problems`);

  const usageErrors = [...verdicts.values()].filter((v) => v.usageError !== undefined).length;
  const ownRules = cases.filter((c) => c.ownRule).length;
  // The command line on a sample of the usage errors: exit code 2, the same message, no stack trace.
  // (pr-comment and github-token are not the command line's: it sets them itself.)
  const sample = cases
    .filter((c) => verdicts.get(c.id)?.usageError !== undefined && c.family !== 'app variable' && !('pr-comment' in c.inputs) && !('github-token' in c.inputs))
    .filter((_, i) => i % 20 === 0);
  for (const c of sample) {
    let stderr = '';
    // Every input is a flag of the same name, except env-file, which is --dotenv on the command line.
    const argv = Object.entries({ 'working-directory': root.dir, 'timeout-seconds': '2', ...c.inputs }).flatMap(([k, v]) => [k === 'env-file' ? '--dotenv' : `--${k}`, v]);
    const code = await cli({ argv, env: c.env, cwd: root.dir, stdout: { write: () => true, isTTY: false }, stderr: { write: (t: string) => (stderr += t) } });
    assert.equal(code, 2, `#${c.id} ${c.subject}: ${stderr}`);
    assert.ok(c.names.some((n) => stderr.includes(n)), `#${c.id}: ${stderr}`);
    assert.doesNotMatch(stderr, /Unknown option/, 'the sample reaches the settings, not the flag parser');
    assert.doesNotMatch(stderr, STACK);
  }
  recordProof({
    suite: 'bad-input',
    cases: cases.length,
    configFiles: CONFIG_FILES,
    inputs: INPUT_CASES,
    appVariables: cases.filter((c) => c.family === 'app variable').length,
    envFiles: ENV_FILES,
    usageErrors,
    unparseableVariables: ownRules,
    cliSamples: sample.length,
    uncaught: uncaught.length,
    stackTraces: 0,
    hangs,
  });
});
