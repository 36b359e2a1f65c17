/**
 * The registry npm is configured for, read as npm reads it, and the credentials npm would send it.
 *
 * npm's order (highest first): `npm_config_*` environment variables (any case), the project's
 * `.npmrc` (the app's directory), the user's (`npm_config_userconfig`, else `~/.npmrc`; what
 * actions/setup-node writes with `registry-url`), then the global and built-in ones and npm's default.
 * The first three are read here; when none of them names a registry, npm itself is asked
 * (`npm config get registry`), so the global file and npm's own default are npm's answer, never a host
 * written in this code.
 *
 * Values take `${VAR}` from the environment (`${VAR?}`: empty when unset), as npm does. Credentials
 * are per registry, keyed by its "nerf dart" (`//host[:port]/path/:_authToken`, `:_auth`,
 * `:username` + `:_password`); every credential found is returned in `secrets`, so the run masks it
 * before anything is printed (settings.ts).
 *
 * `.npmrc` is a flat `key = value` file (npm reads it with the `ini` package, sections unused); a
 * twenty-line reader here keeps a dependency out for it.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { track } from '../util/activity.js';

export interface NpmConfig {
  /** The registry URL from the environment or an `.npmrc` (always ending in `/`); undefined when none names one. */
  registry?: string;
  /** Where `registry` came from: `npm_config_registry`, or the file. */
  registrySource?: string;
  /** Every key of the files and the environment, highest precedence first applied (values substituted). */
  values: ReadonlyMap<string, string>;
  /** The `.npmrc` files that were read. */
  files: string[];
  /** Credential values (tokens, passwords, base64 pairs, and their decoded forms): secrets of the run. */
  secrets: string[];
  /** A `${VAR}` with no such variable, or a file that could not be read. */
  problems: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the environment's, the project's and the user's npm configuration. Never throws. */
export async function readNpmConfig(cwd: string, env: Env): Promise<NpmConfig> {
  const problems: string[] = [];
  const envValues = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    const m = /^npm_config_(.+)$/i.exec(name);
    // npm reads npm_config_foo_bar as foo-bar (an auth key cannot be given this way).
    if (m && value !== undefined) envValues.set(m[1]!.toLowerCase().replace(/_/g, '-'), value);
  }
  const userconfig = envValues.get('userconfig') || join(env.HOME || homedir(), '.npmrc');
  const layers: Array<{ source: string; values: Map<string, string> }> = [{ source: 'npm_config_* environment variables', values: envValues }];
  const files: string[] = [];
  for (const file of [join(cwd, '.npmrc'), userconfig]) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push(`${file} could not be read (${code ?? 'error'})`);
      continue;
    }
    files.push(file);
    layers.push({ source: file, values: parseNpmrc(text, env, file, problems) });
  }
  const values = new Map<string, string>();
  for (const layer of [...layers].reverse()) for (const [k, v] of layer.values) values.set(k, v);
  const from = layers.find((l) => l.values.get('registry'));
  const secrets = new Set<string>();
  for (const [key, value] of values) {
    if (!/(?:^|:)(?:_authToken|_auth|_password)$/.test(key) || !value) continue;
    secrets.add(value);
    if (/_auth$|_password$/.test(key)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      if (decoded) secrets.add(decoded);
      // `_auth` is base64("user:password"): the password alone is a secret too.
      if (key.endsWith('_auth') && decoded.includes(':')) secrets.add(decoded.slice(decoded.indexOf(':') + 1));
    }
  }
  return {
    ...(from ? { registry: withSlash(from.values.get('registry')!), registrySource: from.source === layers[0]!.source ? 'npm_config_registry' : from.source } : {}),
    values,
    files,
    secrets: [...secrets],
    problems,
  };
}

/** `key = value` lines; `;`/`#` comments; quoted values unquoted; `${VAR}` substituted. */
export function parseNpmrc(text: string, env: Env, file = '.npmrc', problems: string[] = []): Map<string, string> {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) continue;
    const key = substitute(line.slice(0, eq).trim(), env, file, problems);
    let value = line.slice(eq + 1).trim();
    if (/^"(?:[^"\\]|\\.)*"$/.test(value)) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    } else if (/^'.*'$/.test(value)) value = value.slice(1, -1);
    values.set(key, substitute(value, env, file, problems));
  }
  return values;
}

function substitute(value: string, env: Env, file: string, problems: string[]): string {
  return value.replace(/(\\*)\$\{([^}?]+)(\?)?\}/g, (whole, slashes: string, name: string, optional?: string) => {
    // An even number of backslashes leaves the `$` unescaped.
    if (slashes.length % 2 === 1) return whole.slice(1);
    const v = env[name];
    if (v === undefined && !optional) problems.push(`${file}: \${${name}} is not set in the environment`);
    return `${slashes.slice(0, slashes.length / 2)}${v ?? ''}`;
  });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The registry of a package: its scope's (`@acme:registry`) when configured, else the default. */
export function registryFor(config: NpmConfig, registry: string, name: string): string {
  const scope = /^(@[^/]+)\//.exec(name)?.[1];
  const scoped = scope ? config.values.get(`${scope}:registry`) : undefined;
  return scoped ? withSlash(scoped) : registry;
}

/**
 * The `authorization` header npm sends a registry URL, from the most specific nerf dart that has a
 * credential (`//host/path/`, then shorter paths, then `//host/`).
 */
export function authorizationFor(config: NpmConfig, url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const segments = u.pathname.split('/').filter(Boolean);
  for (let n = segments.length; n >= 0; n--) {
    const nerf = `//${u.host}/${segments.slice(0, n).map((s) => `${s}/`).join('')}`;
    const token = config.values.get(`${nerf}:_authToken`);
    if (token) return `Bearer ${token}`;
    const auth = config.values.get(`${nerf}:_auth`);
    if (auth) return `Basic ${auth}`;
    const user = config.values.get(`${nerf}:username`);
    const password = config.values.get(`${nerf}:_password`);
    if (user && password) return `Basic ${Buffer.from(`${user}:${Buffer.from(password, 'base64').toString('utf8')}`).toString('base64')}`;
  }
  return undefined;
}

/**
 * The registry npm uses: the configured one, else npm's own answer (`npm config get registry`, run in
 * the app's directory with the commands' environment, bounded). Rejects when npm cannot say.
 */
export async function resolveRegistry(config: NpmConfig, cwd: string, env: Env, timeoutMs = 10_000): Promise<{ url: string; source: string }> {
  if (config.registry) return { url: config.registry, source: config.registrySource! };
  const answer = await track(
    'registry',
    'npm config get registry',
    new Promise<string>((resolve, reject) => {
      execFile(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['config', 'get', 'registry'], { cwd, env: { ...env }, timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
        if (error) reject(new Error(`npm config get registry failed: ${error.message.split('\n')[0]}`));
        else resolve(stdout.trim());
      });
    }),
  );
  if (!/^https?:\/\//.test(answer)) throw new Error(`npm config get registry answered "${answer.slice(0, 80)}", not a URL`);
  return { url: withSlash(answer), source: "npm's own configuration (global or default)" };
}
