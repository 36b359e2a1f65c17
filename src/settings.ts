/**
 * Everything the gate is told, in one typed, validated object: the action's inputs (or the CLI's
 * flags, which carry the same names), the app's variables from the environment and the env file, the
 * config file, and the app model read from the repository (which variables the app reads, and so
 * which the gate reads and masks). Pure apart from reading those files; never touches `process.env`
 * or `core`.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
// A namespace import so the bundler tree-shakes zod (see config.ts).
import * as z from 'zod';
import { assertReadableFile, type Config, loadConfig } from './config.js';
import { parseEnvText } from './env-file.js';
import { UsageError } from './errors.js';
import { INPUTS, type RawInputs } from './inputs.js';
import { readNpmConfig } from './probes/npm-config.js';
import { APP_VARIABLES } from './target-app.js';
import type { AppModel } from './analysis/app/model.js';
import { roleValue, wantedNames } from './analysis/app/roles.js';

export type AppEnv = Readonly<Record<string, string | undefined>>;

export interface ResolveEntry {
  host: string;
  port: number;
  address: string;
}

export interface Settings {
  /** The tokens of `checks` (sections or rule ids); the engine checks them against the registry. */
  checks: string[];
  /** Absolute path of the app's repository. */
  workingDirectory: string;
  envFile?: string;
  /** Absolute path of the config file and whether it existed. */
  configFile: string;
  config: Config;
  /**
   * The app as its repository shows it (src/analysis/app/model.ts), with the config file's `app` and
   * `paths` applied: its variables and their roles, routes, package manager, Stripe events, …
   */
  app: AppModel;
  /** The install, migrate and build commands to run ('' skips a step), resolved from `auto` by the app model. */
  installCommand: string;
  migrateCommand: string;
  /** `rehearsal-database-url`: a copy of production the migrate command is rehearsed on (a secret). */
  rehearsalDatabaseUrl?: string;
  buildCommand: string;
  /** Whether install and build are the user's own (`input`) or what the app model chose for `auto` (`app`). */
  commandSources: { install: 'input' | 'app'; build: 'input' | 'app' };
  migrate: 'auto' | 'true' | 'false';
  stripeSync: 'check' | 'if-missing';
  scanHistory: boolean;
  resolve: ResolveEntry[];
  caFile?: string;
  /** PEM text of `ca-file`, read once. */
  ca?: string;
  minCertDays: number;
  timeoutSeconds: number;
  /** Bound of each gate command (install, migrate, build), in milliseconds. */
  commandTimeoutMs: number;
  /** What a needed check that could not run reports: `fail` (default) or `warn`. */
  unreachable: 'fail' | 'warn';
  failOn: 'fail' | 'warn';
  /** `new-findings-only` as given; src/baseline.ts resolves `auto` for the event. */
  newFindingsOnly: 'auto' | 'true' | 'false';
  /** `baseline-ref`: a branch, tag or commit to compare with. */
  baselineRef?: string;
  baselineUnavailable: 'full' | 'warn';
  environmentOnPr: 'report' | 'block';
  /** `sarif-category`: the SARIF run's automationDetails.id (without its trailing `/`). */
  sarifCategory?: string;
  reportPath?: string;
  sarifPath?: string;
  githubToken?: string;
  prComment: boolean;
  stripeApiBase?: string;
  sentryApiBase: string;
  /** The app's variables (those the app model names, FEATURE_TEAM_*, and the smoke accounts' password variables). */
  env: AppEnv;
  /**
   * The environment the gate's commands run in: the process environment with the app's variables
   * (also those that came from the env file) laid over it.
   */
  commandEnv: Readonly<Record<string, string>>;
  /** The event that triggered the workflow (`GITHUB_EVENT_NAME`), when running in Actions. */
  eventName?: string;
  /** The event's payload file (`GITHUB_EVENT_PATH`): the pull request's or merge group's base. */
  eventPath?: string;
  /** Names this run in what the gate sends (the Sentry test event's tag): the workflow run, else a time. */
  runId: string;
  /** Every secret value the run knows, for masking and for the committed-secrets scan. */
  secrets: string[];
}

export interface LoadSettingsOptions {
  inputs: RawInputs;
  /** The process environment (the app's variables are read from it). */
  env: Readonly<Record<string, string | undefined>>;
  /** Base directory for relative paths (the workspace in Actions, the cwd on the CLI). */
  cwd: string;
}

const bool = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => v === 'true' || v === 'false', { message: `${name} must be true or false` })
    .transform((v) => v === 'true');

const positiveInt = (name: string, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n > 0 && n <= max, { message: `${name} must be between 1 and ${max}` });

/** The inputs' schema, built on first use (not when the module loads). */
let inputSchemaCache: ReturnType<typeof buildInputSchema> | undefined;
const inputSchema = () => (inputSchemaCache ??= buildInputSchema());

function buildInputSchema() {
  return z.object({
    checks: z.string(),
    'working-directory': z.string().trim().min(1, 'working-directory must not be empty'),
    'env-file': z.string().trim(),
    'config-file': z.string().trim(),
    'install-command': z.string().trim(),
    'migrate-command': z.string().trim(),
    'rehearsal-database-url': z
      .string()
      .trim()
      .refine((v) => v === '' || isPostgresUrl(v), 'rehearsal-database-url must be a postgresql:// URL of a copy of the production database (a restored backup, a branch, a staging clone)'),
    'build-command': z.string().trim(),
    migrate: z.enum(['auto', 'true', 'false'], { message: 'migrate must be auto, true or false' }),
    'stripe-sync': z.enum(['check', 'if-missing'], { message: 'stripe-sync must be check or if-missing' }),
    'scan-history': bool('scan-history'),
    resolve: z.string(),
    'ca-file': z.string().trim(),
    'min-cert-days': positiveInt('min-cert-days', 3650),
    'timeout-seconds': positiveInt('timeout-seconds', 600),
    'command-timeout-minutes': z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/, 'command-timeout-minutes must be a number of minutes, like 30 or 2.5')
      .transform(Number)
      .refine((n) => n > 0 && n <= 360, { message: 'command-timeout-minutes must be more than 0 and at most 360' }),
    unreachable: z.enum(['fail', 'warn'], { message: 'unreachable must be fail or warn' }),
    'fail-on': z.enum(['fail', 'warn'], { message: 'fail-on must be fail or warn' }),
    'new-findings-only': z.enum(['auto', 'true', 'false'], { message: 'new-findings-only must be auto, true or false' }),
    'baseline-ref': z
      .string()
      .trim()
      // A ref git accepts and that cannot be read as an option: no leading `-`, no space, no `..`.
      .refine((v) => v === '' || (/^[^\s~^:?*[\\]+$/.test(v) && !v.startsWith('-') && !v.includes('..') && !v.endsWith('.lock')), {
        message: 'baseline-ref must be a branch, tag or commit id (like main, v1.6.0 or a SHA)',
      }),
    'baseline-unavailable': z.enum(['full', 'warn'], { message: 'baseline-unavailable must be full or warn' }),
    'environment-on-pr': z.enum(['report', 'block'], { message: 'environment-on-pr must be report or block' }),
    'report-path': z.string().trim(),
    'sarif-path': z.string().trim(),
    'sarif-category': z
      .string()
      .trim()
      .refine((v) => /^[\w.\-/:@+]*$/.test(v), 'sarif-category may hold letters, digits and . - _ / : @ + only'),
    'github-token': z.string().trim(),
    'pr-comment': bool('pr-comment'),
    'stripe-api-base': z.string().trim().refine((v) => v === '' || isHttpUrl(v), 'stripe-api-base must be an http(s) URL'),
    'sentry-api-base': z.string().trim().refine(isHttpUrl, 'sentry-api-base must be an http(s) URL'),
    'github-client-id': z.string().trim(),
    'github-client-secret': z.string().trim(),
  });
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgresql:' || url.protocol === 'postgres:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Parses `resolve` lines (`host:port:address`, IPv6 addresses in brackets), like curl's --resolve. */
export function parseResolve(text: string): ResolveEntry[] {
  const entries: ResolveEntry[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([^:\s]+):(\d{1,5}):(\[[0-9a-fA-F:.]+\]|[0-9.]+)$/.exec(line);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new UsageError(
        `resolve: "${line}" is not host:port:address (for example app.acme.com:443:203.0.113.10); fix the resolve input`,
      );
    }
    entries.push({ host: match[1]!.toLowerCase(), port, address: match[3]!.replace(/^\[|\]$/g, '') });
  }
  return entries;
}

/**
 * The names of the app's variables to read: those the app model names (the guide's own names too,
 * so a user who gives APP_URL for the gate is heard), feature flags, smoke passwords.
 */
function wantedVariable(name: string, config: Config, wanted: ReadonlySet<string>): boolean {
  if (wanted.has(name) || (APP_VARIABLES as readonly string[]).includes(name) || name.startsWith('FEATURE_TEAM_')) return true;
  return passwordVariables(config).includes(name);
}

/** The variables that hold the smoke accounts' passwords (`password-env`): secrets of the run. */
export function passwordVariables(config: Config): string[] {
  const names = new Set<string>();
  if (config['smoke-account']) names.add(config['smoke-account']['password-env']);
  for (const gate of config['feature-gates'] ?? []) names.add(gate.account['password-env']);
  return [...names];
}

/**
 * The report files a run writes, from the raw inputs alone: the entries check them before anything
 * else (src/output-files.ts), and write the report of a configuration error to them.
 */
export function outputPaths(inputs: RawInputs, env: LoadSettingsOptions['env'], cwd: string): { reportPath?: string; sarifPath?: string } {
  const report = inputs['report-path']?.trim() || (env.RUNNER_TEMP ? join(env.RUNNER_TEMP, 'production-readiness.json') : '');
  const sarif = inputs['sarif-path']?.trim() ?? '';
  return { reportPath: report ? resolvePath(cwd, report) : undefined, sarifPath: sarif ? resolvePath(cwd, sarif) : undefined };
}

export async function loadSettings({ inputs, env, cwd }: LoadSettingsOptions): Promise<Settings> {
  const withDefaults: Record<string, string> = {};
  for (const spec of INPUTS) {
    const given = inputs[spec.name];
    withDefaults[spec.name] = given === undefined ? spec.default : given;
  }
  const unknown = Object.keys(inputs).filter((k) => !INPUTS.some((i) => i.name === k));
  if (unknown.length > 0) {
    throw new UsageError(`unknown input "${unknown[0]}"; the inputs are: ${INPUTS.map((i) => i.name).join(', ')}`);
  }
  const parsed = inputSchema().safeParse(withDefaults);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'input');
    const message = issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
    throw new UsageError(`${message} (got "${shortValue(withDefaults[name] ?? '', name)}")`);
  }
  const i = parsed.data;

  const workingDirectory = resolvePath(cwd, i['working-directory']);
  await assertDirectory(workingDirectory, 'working-directory', i['working-directory']);

  const configDefault = INPUTS.find((s) => s.name === 'config-file')!.default;
  const configPath = resolvePath(workingDirectory, i['config-file'] || configDefault);
  const config = await loadConfig(
    configPath,
    displayPath(workingDirectory, configPath),
    i['config-file'] !== '' && i['config-file'] !== configDefault,
  );

  // Loaded on demand: the repository read is a chunk of its own, not part of every entry bundle.
  const { readAppModel } = await import('./analysis/app/model.js');
  const app = await readAppModel(workingDirectory, { ...config.app, paths: config.paths });
  const wanted = wantedNames(app);

  let fileEnv: Record<string, string> = {};
  let envFile: string | undefined;
  if (i['env-file']) {
    envFile = resolvePath(cwd, i['env-file']);
    fileEnv = await readEnvFile(envFile, i['env-file']);
  }
  const appEnv: Record<string, string | undefined> = {};
  for (const source of [fileEnv, env]) {
    for (const [name, value] of Object.entries(source)) {
      // The environment wins over the file, but an empty variable (an unset secret in a workflow)
      // does not hide the file's value.
      if (value !== undefined && value !== '' && wantedVariable(name, config, wanted)) appEnv[name] = value;
    }
  }
  // GitHub refuses secrets named GITHUB_*: the inputs carry the app's GitHub client, under its own names.
  const github = app.auth.oauth.find((p) => p.id === 'github');
  if (i['github-client-id']) appEnv[github?.clientId?.name ?? 'GITHUB_CLIENT_ID'] = i['github-client-id'];
  if (i['github-client-secret']) appEnv[github?.clientSecret?.name ?? 'GITHUB_CLIENT_SECRET'] = i['github-client-secret'];

  let ca: string | undefined;
  let caFile: string | undefined;
  if (i['ca-file']) {
    caFile = resolvePath(cwd, i['ca-file']);
    ca = await assertReadableFile(caFile, MAX_CA_BYTES)
      .then(() => readFile(caFile!, 'utf8'))
      .catch((error: NodeJS.ErrnoException) => {
        const why = error.code === 'EFBIG' ? `over ${MAX_CA_BYTES / 1024 / 1024} MB` : error.code === 'ENOTREG' ? 'not a regular file' : (error.code ?? error.message);
        throw new UsageError(`ca-file: cannot read ${i['ca-file']} (${why}); give a PEM file path`);
      });
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(`ca-file: ${i['ca-file']} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    }
  }

  const githubToken = i['github-token'] && !i['github-token'].startsWith('${{') ? i['github-token'] : undefined;
  const { reportPath, sarifPath } = outputPaths(inputs, env, cwd);

  const settings: Settings = {
    checks: i.checks
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
    workingDirectory,
    envFile,
    configFile: configPath,
    config,
    app,
    installCommand: i['install-command'] === AUTO ? app.install.command : i['install-command'],
    migrateCommand: i['migrate-command'],
    rehearsalDatabaseUrl: i['rehearsal-database-url'] || undefined,
    buildCommand: i['build-command'] === AUTO ? (app.build.command ?? '') : i['build-command'],
    commandSources: { install: i['install-command'] === AUTO ? 'app' : 'input', build: i['build-command'] === AUTO ? 'app' : 'input' },
    migrate: i.migrate,
    stripeSync: i['stripe-sync'],
    scanHistory: i['scan-history'],
    resolve: parseResolve(i.resolve),
    caFile,
    ca,
    minCertDays: i['min-cert-days'],
    timeoutSeconds: i['timeout-seconds'],
    commandTimeoutMs: Math.round(i['command-timeout-minutes'] * 60_000),
    unreachable: i.unreachable,
    failOn: i['fail-on'],
    newFindingsOnly: i['new-findings-only'],
    baselineRef: i['baseline-ref'] || undefined,
    baselineUnavailable: i['baseline-unavailable'],
    environmentOnPr: i['environment-on-pr'],
    sarifCategory: i['sarif-category'].replace(/\/+$/, '') || undefined,
    reportPath,
    sarifPath,
    githubToken,
    prComment: i['pr-comment'],
    stripeApiBase: i['stripe-api-base'] || undefined,
    sentryApiBase: i['sentry-api-base'],
    env: appEnv,
    commandEnv: commandEnvironment(env, appEnv),
    eventName: env.GITHUB_EVENT_NAME || undefined,
    eventPath: env.GITHUB_EVENT_PATH || undefined,
    runId: env.GITHUB_RUN_ID ? `${env.GITHUB_REPOSITORY ?? 'run'}#${env.GITHUB_RUN_ID}` : `local-${new Date().toISOString()}`,
    secrets: [],
  };
  // Registry credentials in the npm configuration (the app's and the user's .npmrc): security.dependencies
  // sends them to the registry, and nothing may print them.
  const npm = await readNpmConfig(workingDirectory, settings.commandEnv);
  settings.secrets = [...new Set([...collectSecrets(settings), ...npm.secrets])];
  return settings;
}

function commandEnvironment(env: LoadSettingsOptions['env'], appEnv: AppEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith('INPUT_')) out[k] = v;
  for (const [k, v] of Object.entries(appEnv)) if (v !== undefined) out[k] = v;
  return out;
}

/** `install-command` / `build-command` value that lets the app model choose (the default). */
export const AUTO = 'auto';

/** Every secret value the run knows: secret app variables, the database password, tokens, passwords. */
export function collectSecrets(settings: Pick<Settings, 'env' | 'config' | 'githubToken' | 'app' | 'rehearsalDatabaseUrl'>): string[] {
  const values = new Set<string>();
  const add = (v: string | undefined) => {
    if (v) values.add(v);
  };
  // A switch's value (`true`) is no secret, whatever its variable is called: masking it would hide every "true".
  for (const name of settings.app.variables.secrets) if (!/^(?:true|false|yes|no|on|off|[01])$/i.test(settings.env[name] ?? '')) add(settings.env[name]);
  for (const name of passwordVariables(settings.config)) add(settings.env[name]);
  add(settings.githubToken);
  for (const databaseUrl of [roleValue(settings.app, 'databaseUrl', settings.env)?.value ?? settings.env.DATABASE_URL, settings.rehearsalDatabaseUrl]) {
    if (!databaseUrl) continue;
    try {
      const password = new URL(databaseUrl).password;
      if (password) {
        add(password);
        add(decodeURIComponent(password));
      }
    } catch {
      // An unparsable URL is reported by config.database-url; mask it whole so nothing of it leaks.
      add(databaseUrl);
    }
  }
  return [...values];
}

/** A dotenv file of the app's variables is a few KB; a CA bundle a few hundred KB. */
const MAX_ENV_FILE_BYTES = 1024 * 1024;
const MAX_CA_BYTES = 4 * 1024 * 1024;

async function readEnvFile(path: string, given: string): Promise<Record<string, string>> {
  let text: string;
  try {
    await assertReadableFile(path, MAX_ENV_FILE_BYTES);
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EFBIG') {
      throw new UsageError(`env-file: ${given} has more than 1 MB; a dotenv file of the app's variables is at most 1 MB. Is env-file pointing at the right file?`);
    }
    throw new UsageError(`env-file: cannot read ${given} (${code === 'ENOTREG' ? 'not a regular file' : (code ?? 'error')}); give the path of a dotenv file`);
  }
  try {
    return parseEnvText(text);
  } catch (error) {
    throw new UsageError(`env-file: ${given} is not a dotenv file (${(error as Error).message})`);
  }
}

async function assertDirectory(path: string, input: string, given: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UsageError(`${input}: ${given} is not a directory; point it at the app's repository root`);
  }
}

function displayPath(root: string, path: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function shortValue(value: string, name: string): string {
  if (INPUTS.find((i) => i.name === name)?.secret) return '***';
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
