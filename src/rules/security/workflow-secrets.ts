/**
 * security.workflow-secrets: the workflows and the hosting platforms' config files give the app's
 * secret variables only from the secret store (`${{ secrets.X }}`, `${{ vars.X }}`, a platform's
 * secret reference), never as literals, and set none of the guide's §1 flags to an unsafe value.
 *
 * What is read:
 * - `.github/workflows/*.yml|yaml` and the repository's composite actions (`.github/actions/**\/action.yml`),
 *   of the working directory or, in a monorepo app directory, of the repository's top:
 *   `env:` at workflow, job, container, service and step level, `secrets:` passed to a reusable
 *   workflow, `with:` inputs of this action (`github-token`, `github-client-secret`), and
 *   `NAME=value` assignments in `run:` scripts (also `echo "NAME=value" >> $GITHUB_ENV`);
 * - `vercel.json` (`env`, `build.env`; `@name` references Vercel secrets), `app.json` (Heroku `env`,
 *   a string or `{ "value" }`; `generator: secret` is fine), `render.yaml` (`envVars` of services and
 *   env groups: `value` is a literal, `sync: false` / `generateValue` / `fromDatabase` are not),
 *   `fly.toml` (`[env]`), `netlify.toml` (`[build.environment]`, `[context.*.environment]`).
 *
 * A literal secret is an error; an empty value, a placeholder or a test value (`sk_test_…`) is a
 * warning (the step does not get the real secret); a DATABASE_URL on a local or service-container
 * host is a CI database and fine. Values are shown redacted.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Finding, Outcome } from '../../engine/types.js';
import { createHash } from 'node:crypto';
import { defineRule } from '../index.js';
import { secretMatch } from '../../engine/identity.js';
import { INPUTS } from '../../inputs.js';
import { maskValue } from '../../redact.js';
import { passwordVariables } from '../../settings.js';
import { APP_FLAGS, flagState, isAppFlag } from '../../target-app.js';
import { hostTrustOf, judgeTrustValue, type AssessInput } from '../../analysis/app/host-trust.js';
import { hostTrustOptions } from '../app.js';
import type { Repository, YamlFile } from '../../probes/repository.js';
import { CREDENTIAL_PATTERNS } from '../../analysis/secrets/credential-shapes.js';
import { isLocalHost, isNonProductionValue, maskUrlPassword, SECRET_NAMES, urlPassword } from '../../analysis/secrets/patterns.js';
import { SecretMatcher } from '../../analysis/secrets/scanner.js';


/** This action's inputs that carry secrets. */
const SECRET_INPUTS = new Set(INPUTS.filter((i) => i.secret).map((i) => i.name));
/** A step that runs this action: the published one, or `./` (the action testing itself). */
const THIS_ACTION = /(?:^|\/)production-readiness-gate(?:[@/]|$)|^\.\/?$/i;

/** One variable given a value somewhere: the literal text, or undefined when it is not a scalar. */
interface EnvEntry {
  file: string;
  line: number;
  name: string;
  value: string | undefined;
  /** "job \"deploy\" env", "vercel.json env". */
  where: string;
  /** A platform's own secret reference (Vercel `@name`, render `sync: false`): never a literal. */
  reference?: boolean;
  /** Set in a job that only tests (see `testOnlyJob`): test values are what it should have. */
  testJob?: boolean;
}

interface Collected {
  files: string[];
  entries: EnvEntry[];
  notes: Finding[];
}

export const workflowSecrets = defineRule({
  id: 'security.workflow-secrets',
  async check({ settings, clients }): Promise<Outcome> {
    const repo = await clients.repository();
    const workflows = await repo.workflows();
    const collected: Collected = { files: [], entries: [], notes: [] };
    for (const workflow of workflows) collectWorkflow(workflow, collected);
    const workflowCount = collected.files.length;
    const workflowEntries = collected.entries.length;
    for (const collect of [collectVercel, collectAppJson, collectRender, collectToml]) await collect(repo, collected);
    const platformFiles = collected.files.slice(workflowCount);

    if (workflows.length === 0 && platformFiles.length === 0) {
      return { status: 'skip', summary: 'no workflow (.github/workflows) and no platform config (vercel.json, app.json, render.yaml, fly.toml, netlify.toml) in the repository' };
    }

    const dbName = settings.app.variables.roles.databaseUrl?.name;
    const secretNames = new Set([...SECRET_NAMES, ...settings.app.variables.secrets, ...(dbName ? [dbName] : []), 'GITHUB_TOKEN', ...passwordVariables(settings.config)]);
    const judged: Judged[] = collected.notes.map((finding) => ({ finding, short: finding.message.split(' (')[0]! }));
    const seen = new Set<string>();
    // Host-trust values are judged as the installed NextAuth reads them (read only when one is set).
    const trust = collected.entries.some((e) => TRUST_VARIABLES.has(e.name))
      ? await hostTrustOf(settings.workingDirectory, settings.env, hostTrustOptions(settings)).then((t) => ({
          library: t.library,
          option: t.option,
          guideFlag: hostTrustOptions(settings).guideFlag,
          env: { NEXTAUTH_URL: settings.env.NEXTAUTH_URL, AUTH_URL: settings.env.AUTH_URL, NODE_ENV: 'production' },
        }))
      : undefined;
    for (const entry of collected.entries) {
      const result = judge(entry, secretNames, settings.secrets, trust);
      const id = `${entry.file}:${entry.line}:${entry.name}`;
      if (result && !seen.has(id)) {
        seen.add(id);
        judged.push(result);
      }
    }
    judged.sort((a, b) => (a.finding.file ?? '').localeCompare(b.finding.file ?? '') || (a.finding.line ?? 0) - (b.finding.line ?? 0));
    const findings = judged.map((j) => j.finding);

    const checked = `${workflowCount} workflow file${workflowCount === 1 ? '' : 's'}${platformFiles.length ? ` and ${platformFiles.join(', ')}` : ''}, ${collected.entries.length} env entries checked`;
    const details = [
      `Read: ${collected.files.join(', ') || 'nothing'} (${workflowEntries} entries in workflows, ${collected.entries.length - workflowEntries} in platform files).`,
      `Secret variables: ${[...secretNames].join(', ')}; flags: ${[...Object.keys(APP_FLAGS), 'AUTH_TRUST_HOST'].join(', ')}.`,
      ...findings.map((f) => `- \`${f.file}:${f.line}\` ${f.level === 'error' ? 'error' : 'warning'}: ${f.message}`),
    ].join('\n');
    const data = { workflowFiles: workflowCount, platformFiles, envEntries: collected.entries.length };
    const errors = findings.filter((f) => f.level === 'error');
    const warnings = findings.filter((f) => f.level === 'warning');
    if (findings.length === 0) {
      return { status: 'pass', summary: `${checked}: secrets come from the secret store, no unsafe flag`, details, data };
    }
    const first = (judged.find((j) => j.finding.level === 'error') ?? judged[0])!;
    const counts = [
      errors.length && `${errors.length} error${errors.length === 1 ? '' : 's'}`,
      warnings.length && `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`,
    ].filter(Boolean);
    return {
      status: errors.length > 0 ? 'fail' : 'warn',
      summary: `${first.short} at ${first.finding.file}:${first.finding.line}${findings.length > 1 ? ` (${counts.join(', ')} in all)` : ''}`,
      details,
      fix:
        'Store each secret in GitHub Actions secrets (Settings → Secrets and variables → Actions) or in the platform\'s secret settings and reference it (`STRIPE_SECRET_KEY: ${{ secrets.STRIPE_SECRET_KEY }}`); rotate any secret that was committed as a literal (see security.committed-secrets). Set the §1 flags to their production values (ENABLE_HSTS/ENABLE_CSP_STRICT/ENABLE_COEP=true, NEXTAUTH_TRUST_HOST=false, NEXTAUTH_DEBUG=false, AUTH_TRUST_HOST unset).',
      findings,
      data,
    };
  },
});

/** A finding and its short form for the summary line. */
interface Judged {
  finding: Finding;
  short: string;
}

/**
 * Where the secret should come from: `${{ secrets.NAME }}`; GitHub refuses secret names starting
 * with GITHUB_, so those are suggested as GH_…, and the token is the run's own.
 */
function storeReference(name: string): string {
  if (name === 'GITHUB_TOKEN') return '`${{ github.token }}`';
  return `\`\${{ secrets.${name.replace(/^GITHUB_/, 'GH_')} }}\``;
}

/** Live credential shapes in a literal (a value is small: one scan with no needles). */
const shapeMatcher = new SecretMatcher([], CREDENTIAL_PATTERNS);
const liveShape = (value: string) => shapeMatcher.find(Buffer.from(value, 'latin1')).find((hit) => hit.kind === 'credential')?.label;

/** The host-trust variables a committed value is judged for (src/analysis/app/host-trust.ts). */
const TRUST_VARIABLES = new Set(['NEXTAUTH_TRUST_HOST', 'AUTH_TRUST_HOST']);

/** The finding for one entry, or undefined when it is fine. */
function judge(entry: EnvEntry, secretNames: ReadonlySet<string>, runSecrets: readonly string[], trust?: AssessInput): Judged | undefined {
  const { value, name } = entry;
  if (value === undefined || entry.reference) return undefined;
  // The identity across commits (engine/identity.ts): the variable and where it is set, and for a
  // value that may be a real secret a keyed hash of it (a new literal is a new finding; the line that
  // holds it is never hashed).
  const make = (level: Finding['level'], short: string, why: string): Judged => ({
    finding: {
      level,
      message: `${short} in ${entry.where}: ${why}`,
      file: entry.file,
      line: entry.line,
      key: `${entry.where}:${name}`,
      ...(level === 'error' && !isAppFlag(name) ? { secretMatch: secretMatch(createHash('sha256').update(value).digest('hex')) } : {}),
    },
    short,
  });
  if (trust && (name === 'NEXTAUTH_TRUST_HOST' || name === 'AUTH_TRUST_HOST')) {
    // The same verdict config.nextauth-trust-host gives this value, for the installed version.
    if (value.includes('${{')) return undefined;
    const verdict = judgeTrustValue(name, value, trust);
    if (!verdict.unsafe) return undefined;
    return make('error', `${name} is "${value}"`, `${verdict.why}; ${name === 'AUTH_TRUST_HOST' ? 'remove it' : 'set it to false'}`);
  }
  if (isAppFlag(name)) {
    // Judged as the app reads the value (src/target-app.ts), like the config.* rules judge it.
    if (value.includes('${{') || flagState(name, value).safe) return undefined;
    const flag = APP_FLAGS[name];
    return make(flag.level === 'fail' ? 'error' : 'warning', `${name} is "${value}"`, `${flag.why}; set it to ${flag.safeValue}`);
  }
  if (entry.testJob) return judgeTestJob(entry, value, runSecrets, make);
  const use = `take it from ${storeReference(name)}`;
  // A URL's password is judged whatever the variable's name (REDIS_URL, DIRECT_URL …).
  const password = urlPassword(value);
  if (password) {
    if (password.raw.includes('$')) return undefined;
    if (isLocalHost(password.host)) return undefined; // a CI database (service container, localhost)
    if (isNonProductionValue(password.decoded)) {
      return secretNames.has(name) ? make('warning', `${name} has a placeholder password (${maskUrlPassword(value)})`, `the real database URL does not reach it; ${use}`) : undefined;
    }
    return make('error', `${name} is a literal URL with a password (${maskUrlPassword(value)})`, `everyone who can read the repository has it; ${use}`);
  }
  if (!secretNames.has(name) || value.includes('${{')) return undefined;
  if (/_URL$/.test(name)) return undefined; // a URL without a password holds no secret
  if (value.trim() === '') return make('warning', `${name} is empty`, `the step runs without the secret; ${use}`);
  if (isNonProductionValue(value)) {
    return make('warning', `${name} is a placeholder or test value (${maskValue(value)})`, `the real secret does not reach it; ${use}`);
  }
  return make('error', `${name} is a literal (${maskValue(value)})`, `everyone who can read the repository has it; ${use}`);
}

/**
 * In a job that only tests, test values are right (an empty or made-up NEXTAUTH_SECRET, a Stripe
 * test key, a service-container database): no finding. What is wrong there is a real credential:
 * a live shape, a value of one of the run's secrets, a database URL with a password on a real host.
 * The advice is a test value, never the production secret.
 */
function judgeTestJob(entry: EnvEntry, value: string, runSecrets: readonly string[], make: (level: Finding['level'], short: string, why: string) => Judged): Judged | undefined {
  const { name } = entry;
  if (value.includes('${{') || value.trim() === '') return undefined;
  const advice = 'a test job needs test values only: a Stripe test key (sk_test_…), a value generated in the job (`openssl rand -base64 32`), a service-container database; rotate the committed one and never give a test job the production secret';
  const password = urlPassword(value);
  if (password) {
    if (password.raw.includes('$') || isLocalHost(password.host) || isNonProductionValue(password.decoded)) return undefined;
    return make('error', `${name} is a literal URL with a password (${maskUrlPassword(value)}) in a test job`, `a test job must not reach a real database; ${advice}`);
  }
  const known = runSecrets.some((secret) => secret.length >= 8 && value.includes(secret));
  const shape = liveShape(value);
  if (!known && !shape) return undefined;
  return make('error', `${name} is a literal ${known ? "with the value of one of the run's secrets" : `(${shape})`} (${maskValue(value)}) in a test job`, `everyone who can read the repository has it; ${advice}`);
}

const DEPLOY_ACTION = /deploy|vercel|netlify|superfly|heroku|render|railway|amplify|wrangler|cloudflare\/pages|azure\/webapps|aws-actions\/(?:amazon-ecs|aws-cloudformation)|google-github-actions\/(?:deploy|auth)|docker\/(?:build-push|login)-action|ssh-action|release|publish/i;
const DEPLOY_RUN = /\b(?:vercel|netlify|flyctl|fly\s+deploy|railway\s+up|heroku|wrangler|serverless|sst\s+deploy|kubectl|helm|terraform\s+apply|docker\s+push|gh\s+release|npm\s+publish|sync-stripe|stripe\/sync|deploy)\b/i;
const TEST_RUN = /\b(?:test|tests|jest|vitest|mocha|ava|playwright|cypress|e2e|lint|eslint|typecheck|tsc|check)\b/i;
const TEST_ENVIRONMENT = /^(?:test|testing|ci|e2e|qa|dev|development|local|review|preview)\b/i;

/**
 * A job that only tests: it runs tests (or is named for them), deploys nothing (no deploy action or
 * command, no publish, not this gate) and has no environment other than a test one. `prisma migrate
 * deploy` counts as a deploy only when the job's database is not a local one.
 */
function testOnlyJob(doc: Document, id: string, job: unknown, localDatabase: boolean): boolean {
  if (!isMap(job) || job.get('uses', true) !== undefined) return false;
  const environment = resolved(doc, job.get('environment', true));
  const environmentName = isMap(environment) ? scalarText(environment.get('name', true)) : scalarText(environment);
  if (environmentName && !TEST_ENVIRONMENT.test(environmentName)) return false;
  const steps = resolved(doc, job.get('steps', true));
  let tests = TEST_RUN.test(id) || TEST_RUN.test(scalarText(job.get('name', true)) ?? '');
  for (const item of isSeq(steps) ? steps.items : []) {
    const step = resolved(doc, item);
    if (!isMap(step)) continue;
    const uses = scalarText(step.get('uses', true)) ?? '';
    if (uses && (DEPLOY_ACTION.test(uses) || THIS_ACTION.test(uses))) return false;
    let run = scalarText(step.get('run', true)) ?? '';
    if (localDatabase) run = run.replace(/migrate[ :]deploy/g, 'migrate');
    if (DEPLOY_RUN.test(run)) return false;
    if (TEST_RUN.test(run) || TEST_RUN.test(scalarText(step.get('name', true)) ?? '')) tests = true;
  }
  return tests;
}

/** A node with aliases (`*anchor`) resolved. */
function resolved(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** A scalar as the runner sees it: YAML booleans and numbers as their text, null as ''. */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** The pairs of a mapping, following `<<: *anchor` merges. */
function pairsOf(doc: Document, node: unknown): Pair[] {
  const map = resolved(doc, node);
  if (!isMap(map)) return [];
  const out: Pair[] = [];
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (key === '<<') {
      const merged = resolved(doc, pair.value);
      for (const source of isSeq(merged) ? merged.items : [merged]) out.push(...pairsOf(doc, source));
    } else out.push(pair);
  }
  return out;
}

function keyName(pair: Pair): string {
  return String(isScalar(pair.key) ? pair.key.value : pair.key);
}

/** `NAME=value` in shell (also `export NAME=value` and inside `echo "NAME=value" >> $GITHUB_ENV`). */
const ASSIGNMENT = /(?:^|[\s;&|("'])(?:export\s+)?([A-Z_][A-Z0-9_]*)=("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s;&|)"'`]*)/g;

/** A file that does not parse is a warning on its line: its secrets were not checked. */
function notParsed(out: Collected, file: string, format: string, error: { line?: number; message: string }): void {
  out.notes.push({ level: 'warning', message: `${file} is not valid ${format} (${error.message}); its secrets were not checked`, file, line: error.line ?? 1, key: `not-parsed:${format}` });
}

function collectWorkflow(workflow: YamlFile, out: Collected): void {
  const { file, text, lineOf, lineAt } = workflow;
  out.files.push(file);
  if (!workflow.doc) return notParsed(out, file, 'YAML', workflow.error!);
  const doc = workflow.doc;

  const envMap = (node: unknown, where: string) => {
    for (const pair of pairsOf(doc, node)) {
      out.entries.push({ file, line: lineOf(pair), name: keyName(pair), value: scalarText(resolved(doc, pair.value)), where });
    }
  };
  const runScript = (node: unknown, where: string) => {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
    const [start, end] = node.range;
    const source = text.slice(start, end);
    for (const match of source.matchAll(ASSIGNMENT)) {
      const raw = match[2]!;
      if (raw === '' || raw.includes('$')) continue; // unset, or expanded from the environment / a secret
      const value = /^["']/.test(raw) ? raw.slice(1, -1) : raw;
      const offset = start + match.index! + match[0].indexOf(match[1]!);
      out.entries.push({ file, line: lineAt(offset), name: match[1]!, value, where: `the run: script of ${where}` });
    }
  };
  const steps = (node: unknown, job: string) => {
    const list = resolved(doc, node);
    if (!isSeq(list)) return;
    list.items.forEach((item, index) => {
      const step = resolved(doc, item);
      if (!isMap(step)) return;
      const label = scalarText(step.get('name', true)) || scalarText(step.get('id', true)) || scalarText(step.get('uses', true)) || `#${index + 1}`;
      const where = `step "${label}" of ${job}`;
      envMap(step.get('env', true), `the env of ${where}`);
      runScript(step.get('run', true), where);
      const uses = scalarText(step.get('uses', true));
      if (uses && THIS_ACTION.test(uses)) {
        for (const pair of pairsOf(doc, step.get('with', true))) {
          const input = keyName(pair);
          if (!SECRET_INPUTS.has(input)) continue;
          // Judged as the variable the input stands for.
          const name = input === 'github-client-secret' ? 'GITHUB_CLIENT_SECRET' : 'GITHUB_TOKEN';
          out.entries.push({ file, line: lineOf(pair), name, value: scalarText(resolved(doc, pair.value)), where: `the \`${input}\` input of ${where}` });
        }
      }
    });
  };

  const workflowStart = out.entries.length;
  envMap(doc.get('env', true), 'the workflow env');
  const workflowEnd = out.entries.length;
  const localDatabase = (node: unknown) => {
    const url = pairsOf(doc, node).find((p) => keyName(p) === 'DATABASE_URL');
    const password = url ? urlPassword(scalarText(resolved(doc, url.value)) ?? '') : undefined;
    return url === undefined || (password !== undefined && isLocalHost(password.host));
  };
  let allTestJobs = true;
  let jobs = 0;
  for (const jobPair of pairsOf(doc, doc.get('jobs', true))) {
    const id = keyName(jobPair);
    const job = resolved(doc, jobPair.value);
    if (!isMap(job)) continue;
    jobs++;
    const testJob = testOnlyJob(doc, id, job, localDatabase(job.get('env', true)) && localDatabase(doc.get('env', true)));
    allTestJobs &&= testJob;
    const jobStart = out.entries.length;
    collectJob(id, job);
    if (testJob) for (const entry of out.entries.slice(jobStart)) entry.testJob = true;
  }
  // The workflow's env reaches every job: it is a test job's only when every job only tests.
  if (jobs > 0 && allTestJobs) for (const entry of out.entries.slice(workflowStart, workflowEnd)) entry.testJob = true;
  // A composite action's steps.
  const runs = resolved(doc, doc.get('runs', true));
  if (isMap(runs)) steps(runs.get('steps', true), 'the composite action');

  function collectJob(id: string, job: YAMLMap) {
    const label = `job "${id}"`;
    envMap(job.get('env', true), `the env of ${label}`);
    const container = resolved(doc, job.get('container', true));
    if (isMap(container)) envMap(container.get('env', true), `the container env of ${label}`);
    for (const service of pairsOf(doc, job.get('services', true))) {
      const s = resolved(doc, service.value);
      if (isMap(s)) envMap(s.get('env', true), `the env of service "${keyName(service)}" of ${label}`);
    }
    // A reusable workflow call: the secrets it passes.
    const secrets = job.get('secrets', true);
    if (isMap(resolved(doc, secrets))) envMap(secrets, `the secrets passed by ${label}`);
    steps(job.get('steps', true), label);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** vercel.json `env` and `build.env`: a value starting with `@` references a Vercel secret. */
async function collectVercel(repo: Repository, out: Collected): Promise<void> {
  const file = 'vercel.json';
  const config = await readJson(repo, file, out);
  if (!config) return;
  for (const path of [['env'], ['build', 'env']]) {
    const env = path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), config.value);
    if (!isRecord(env)) continue;
    for (const [name, value] of Object.entries(env)) {
      const text = typeof value === 'string' ? value : undefined;
      out.entries.push({ file, line: config.lineOf(...path, name) ?? 1, name, value: text, where: `${file} ${path.join('.')}`, reference: text?.startsWith('@') });
    }
  }
}

/** Heroku app.json `env`: `"NAME": "value"` or `{ "value": …, "generator": "secret" }`. */
async function collectAppJson(repo: Repository, out: Collected): Promise<void> {
  const file = 'app.json';
  const config = await readJson(repo, file, out);
  if (!config || !isRecord(config.value.env)) return;
  for (const [name, spec] of Object.entries(config.value.env)) {
    const value = typeof spec === 'string' ? spec : isRecord(spec) && typeof spec.value === 'string' ? spec.value : undefined;
    const line = config.lineOf('env', name, 'value') ?? config.lineOf('env', name) ?? 1;
    out.entries.push({ file, line, name, value, where: `${file} env` });
  }
}

async function readJson(repo: Repository, file: string, out: Collected): Promise<{ value: Record<string, unknown>; lineOf: (...path: string[]) => number | undefined } | undefined> {
  const json = await repo.json(file);
  if (json === undefined) return undefined;
  out.files.push(file);
  if (json.error !== undefined) {
    out.notes.push({ level: 'warning', message: `${file} is not valid JSON (${json.error}); its env was not checked`, file, line: 1, key: 'not-parsed:JSON' });
    return undefined;
  }
  return isRecord(json.value) ? { value: json.value, lineOf: json.lineOf } : undefined;
}

/** render.yaml `envVars` of services and env groups: only `value` is a literal. */
async function collectRender(repo: Repository, out: Collected): Promise<void> {
  for (const file of ['render.yaml', 'render.yml']) {
    const yaml = await repo.yaml(file);
    if (yaml === undefined) continue;
    out.files.push(file);
    const { doc, lineOf } = yaml;
    if (!doc) {
      notParsed(out, file, 'YAML', yaml.error!);
      continue;
    }
    for (const group of ['services', 'envVarGroups']) {
      const list = resolved(doc, doc.get(group, true));
      if (!isSeq(list)) continue;
      for (const item of list.items) {
        const owner = resolved(doc, item);
        if (!isMap(owner)) continue;
        const ownerName = scalarText(owner.get('name', true)) ?? group;
        const vars = resolved(doc, owner.get('envVars', true));
        if (!isSeq(vars)) continue;
        for (const v of vars.items) {
          const entry = resolved(doc, v);
          if (!isMap(entry)) continue;
          const name = scalarText(entry.get('key', true));
          if (!name) continue;
          const valueNode = entry.get('value', true) as Node | undefined;
          out.entries.push({
            file,
            line: lineOf(valueNode ?? (entry.items[0] as Pair | undefined)),
            name,
            value: valueNode === undefined ? undefined : scalarText(resolved(doc, valueNode)),
            where: `${file} envVars of "${ownerName}"`,
          });
        }
      }
    }
  }
}

/** TOML env tables: fly.toml `[env]`, netlify.toml `[build.environment]` and `[context.*.environment]`. */
const TOML_ENV: Record<string, (table: ReadonlyArray<string | number>) => boolean> = {
  'fly.toml': (table) => table.length === 1 && table[0] === 'env',
  'netlify.toml': (table) => (table.length === 2 && table[0] === 'build' && table[1] === 'environment') || (table.length === 3 && table[0] === 'context' && table[2] === 'environment'),
};

/** A TOML value as the platform puts it in the environment: strings as they are, booleans and numbers as their text. */
function tomlText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

async function collectToml(repo: Repository, out: Collected): Promise<void> {
  for (const [file, wanted] of Object.entries(TOML_ENV)) {
    const toml = await repo.toml(file);
    if (toml === undefined) continue;
    out.files.push(file);
    if (!toml.value) {
      notParsed(out, file, 'TOML', toml.error!);
      continue;
    }
    const entries: EnvEntry[] = [];
    const walk = (node: unknown, path: Array<string | number>) => {
      if (!isRecord(node)) return;
      if (wanted(path)) {
        for (const [name, value] of Object.entries(node)) {
          entries.push({ file, line: toml.lineOf([...path, name]), name, value: tomlText(value), where: `${file} [${path.join('.')}]` });
        }
        return;
      }
      for (const [key, value] of Object.entries(node)) walk(value, [...path, key]);
    };
    walk(toml.value, []);
    out.entries.push(...entries.sort((a, b) => a.line - b.line));
  }
}
