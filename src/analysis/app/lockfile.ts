/**
 * What the app installs, read from the lockfile its package manager wrote: every package with its
 * version and whether production installs it (`npm ci --omit=dev`, `pnpm install --prod`, …). Rules
 * that judge a library by the version the app really runs (NextAuth's host trust, known advisories,
 * the browser-baseline chain) ask this module, never the range in package.json.
 *
 * Formats, each read as its package manager writes it (see __tests__/fixtures/lockfiles/):
 * - npm `package-lock.json` / `npm-shrinkwrap.json`: lockfileVersion 2 and 3 (`packages`, keyed by
 *   install path, with npm's own `dev` flag) and 1 (the nested `dependencies` tree);
 * - pnpm `pnpm-lock.yaml`: 9.0 (`importers` + `snapshots`), 6.0 and 5.x (`/name@version` or
 *   `/name/version` keys with a `dev` flag);
 * - Yarn `yarn.lock`: classic (v1, its own block format) and Berry (YAML with `__metadata`);
 * - Bun's text `bun.lock` (JSON with trailing commas); the binary `bun.lockb` is not read.
 * Where the format carries no dev flag (pnpm 9, Yarn, Bun), "production" is what the package.json's
 * `dependencies` and `optionalDependencies` reach through the locked dependency graph, as the package
 * manager's production install would.
 *
 * Pure but for `readLockfile`/`installedVersion`, which read files; the YAML parser loads on first use
 * (pnpm and Yarn Berry only).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface LockedPackage {
  name: string;
  version: string;
  /** Installed only for development: a production install (`--omit=dev`, `--prod`) leaves it out. */
  dev: boolean;
  /**
   * Set when the copy does not come from a registry: a folder linked or copied (`file:`, a
   * workspace) or a git checkout. Its name may be a registry package's; its code is not. (Formats that
   * write such a copy's version as `file:…`/`link:…`/`workspace:…` give no semver version instead.)
   */
  origin?: 'link' | 'file' | 'git';
}

export interface Lockfile {
  manager: PackageManager;
  /** The lockfile's name, relative to the app's root. */
  file: string;
  /** The format as the file states it (`3`, `9.0`, `yarn-v1`, `berry-10`, `bun-1`). */
  format: string;
  /** Every locked copy of every package (a name can be locked at several versions). */
  packages: LockedPackage[];
  /** Why the file could not be read; `packages` is then empty. */
  error?: string;
}

/** The package.json fields that decide what a production install takes. */
export interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  packageManager?: string;
}

/** Lockfile names in the order a package manager would be guessed from them (npm's own files first). */
export const LOCKFILES: ReadonlyArray<{ file: string; manager: PackageManager }> = [
  { file: 'package-lock.json', manager: 'npm' },
  { file: 'npm-shrinkwrap.json', manager: 'npm' },
  { file: 'pnpm-lock.yaml', manager: 'pnpm' },
  { file: 'yarn.lock', manager: 'yarn' },
  { file: 'bun.lock', manager: 'bun' },
  { file: 'bun.lockb', manager: 'bun' },
];

/** The versions of `name` the lockfile holds (production copies first), without duplicates. */
export function versionsOf(lock: Lockfile, name: string, options: { production?: boolean } = {}): string[] {
  const copies = lock.packages.filter((p) => p.name === name && (!options.production || !p.dev));
  return [...new Set([...copies.filter((p) => !p.dev), ...copies.filter((p) => p.dev)].map((p) => p.version))];
}

/**
 * The app's lockfile: the one of the package manager package.json names (`packageManager`, as
 * Corepack reads it), else the first present in `LOCKFILES` order. Undefined when there is none.
 */
export async function readLockfile(root: string, manifest?: Manifest): Promise<Lockfile | undefined> {
  const pkg = manifest ?? (await readManifest(root));
  const declared = /^(npm|pnpm|yarn|bun)@/.exec(pkg?.packageManager ?? '')?.[1] as PackageManager | undefined;
  const candidates = declared ? [...LOCKFILES.filter((l) => l.manager === declared), ...LOCKFILES.filter((l) => l.manager !== declared)] : LOCKFILES;
  for (const { file, manager } of candidates) {
    let text: string;
    try {
      if (file === 'bun.lockb') {
        await readFile(join(root, file));
        return { manager, file, format: 'bun-binary', packages: [], error: 'bun.lockb is a binary lockfile; run `bun install --save-text-lockfile` to write bun.lock, which the gate reads' };
      }
      text = await readFile(join(root, file), 'utf8');
    } catch {
      continue;
    }
    return parseLockfile(file, text, pkg ?? {});
  }
  return undefined;
}

/** package.json's dependency fields; undefined when it is missing or not JSON. */
export async function readManifest(root: string): Promise<Manifest | undefined> {
  try {
    const value = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The version of a top-level package the app runs: `node_modules/<name>/package.json` when the
 * dependencies are installed (what Node loads), else the lockfile's production copy.
 */
export async function installedVersion(root: string, name: string, lock?: Lockfile): Promise<{ version: string; source: string } | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') return { version: pkg.version, source: `node_modules/${name}/package.json` };
  } catch {
    // Not installed here: the lockfile says what an install would take.
  }
  const lockfile = lock ?? (await readLockfile(root));
  if (!lockfile) return undefined;
  const version = topLevelVersion(lockfile, name);
  return version ? { version, source: lockfile.file } : undefined;
}

/** The version a top-level `require(name)` resolves to, as far as the lockfile tells it. */
function topLevelVersion(lock: Lockfile, name: string): string | undefined {
  return (lock as LockfileWithTop).topLevel?.get(name) ?? versionsOf(lock, name, { production: true })[0] ?? versionsOf(lock, name)[0];
}

/** Internal: the copy each lockfile format installs at the top (node_modules/<name>) when it says so. */
type LockfileWithTop = Lockfile & { topLevel?: Map<string, string> };

/** Reads a lockfile's text; never throws (a broken file is returned with its `error`). */
export async function parseLockfile(file: string, text: string, manifest: Manifest): Promise<Lockfile> {
  const manager = LOCKFILES.find((l) => l.file === file)?.manager ?? 'npm';
  try {
    if (manager === 'npm') return parseNpm(file, text);
    if (manager === 'pnpm') return parsePnpm(file, (await parseYaml(text)) as PnpmLock);
    if (manager === 'yarn') return text.includes('\n__metadata:') || text.startsWith('__metadata:') ? parseBerry(file, (await parseYaml(text)) as BerryLock, manifest) : parseYarnClassic(file, text, manifest);
    return parseBun(file, text, manifest);
  } catch (error) {
    return { manager, file, format: 'unknown', packages: [], error: `${file} could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

// --- npm ----------------------------------------------------------------------------------------

interface NpmEntry {
  name?: string;
  version?: string;
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  dependencies?: Record<string, NpmEntry>;
}

function parseNpm(file: string, text: string): Lockfile {
  const lock = JSON.parse(text) as { lockfileVersion?: number; packages?: Record<string, NpmEntry>; dependencies?: Record<string, NpmEntry> };
  const packages: LockedPackage[] = [];
  const topLevel = new Map<string, string>();
  if (lock.packages) {
    for (const [path, entry] of Object.entries(lock.packages)) {
      const at = path.lastIndexOf('node_modules/');
      if (at < 0) continue; // the root and workspace folders: not installed packages
      const keyName = path.slice(at + 'node_modules/'.length);
      // A link (a workspace or `file:` folder) carries its version at the folder it points to.
      const target = entry.link && entry.resolved ? lock.packages[entry.resolved] : entry;
      const version = target?.version;
      if (!version) continue;
      // `devOptional` is dev for one dependent and optional for a production one: production keeps it.
      const pkg: LockedPackage = { name: entry.name ?? target?.name ?? keyName, version, dev: entry.dev === true };
      const origin = entry.link ? 'link' : originOf(entry.resolved);
      if (origin) pkg.origin = origin;
      packages.push(pkg);
      if (at === 0) topLevel.set(keyName, version);
    }
  } else if (lock.dependencies) {
    // lockfileVersion 1: the nested tree of npm 6.
    const walk = (deps: Record<string, NpmEntry>, top: boolean) => {
      for (const [name, entry] of Object.entries(deps)) {
        if (entry.version) {
          const version = entry.version.startsWith('npm:') ? entry.version.slice(entry.version.lastIndexOf('@') + 1) : entry.version;
          packages.push({ name, version, dev: entry.dev === true });
          if (top) topLevel.set(name, version);
        }
        if (entry.dependencies) walk(entry.dependencies, false);
      }
    };
    walk(lock.dependencies, true);
  }
  const result: LockfileWithTop = { manager: 'npm', file, format: String(lock.lockfileVersion ?? 'unknown'), packages, topLevel };
  return result;
}

/** npm's `resolved` of a copy that is not a registry tarball (registry copies have an http(s) URL, or none with omit-lockfile-registry-resolved). */
function originOf(resolved: string | undefined): LockedPackage['origin'] {
  if (!resolved || /^https?:/.test(resolved)) return undefined;
  return /^(?:git\+|git:|github:|gitlab:|bitbucket:)/.test(resolved) ? 'git' : 'file';
}

// --- the dependency graph, for formats without a dev flag ----------------------------------------

/** A locked package and the keys of the packages it depends on. */
interface GraphNode {
  name: string;
  version: string;
  deps: string[];
}

/** Marks as production what the roots reach; everything else is dev. */
function fromGraph(nodes: Map<string, GraphNode>, productionRoots: Iterable<string>): LockedPackage[] {
  const production = new Set<string>();
  const stack = [...productionRoots];
  while (stack.length) {
    const key = stack.pop()!;
    if (production.has(key) || !nodes.has(key)) continue;
    production.add(key);
    stack.push(...nodes.get(key)!.deps);
  }
  return [...nodes].map(([key, n]) => ({ name: n.name, version: n.version, dev: !production.has(key) }));
}

function productionNames(manifest: Manifest): Array<[string, string]> {
  return [...Object.entries(manifest.dependencies ?? {}), ...Object.entries(manifest.optionalDependencies ?? {})];
}

/** `@scope/name@range` → [`@scope/name`, `range`]. */
function splitSpec(spec: string): [string, string] {
  const at = spec.indexOf('@', 1);
  return at < 0 ? [spec, ''] : [spec.slice(0, at), spec.slice(at + 1)];
}

/** The YAML parser, loaded on first use (pnpm and Yarn Berry lockfiles only). */
async function parseYaml(text: string): Promise<unknown> {
  const { parse } = await import('yaml');
  return parse(text, { maxAliasCount: -1, uniqueKeys: false });
}

// --- pnpm ---------------------------------------------------------------------------------------

type PnpmDeps = Record<string, string | { specifier?: string; version?: string }>;
interface PnpmImporter {
  dependencies?: PnpmDeps;
  optionalDependencies?: PnpmDeps;
  devDependencies?: PnpmDeps;
}
interface PnpmPackage {
  dev?: boolean;
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** `4.24.13(next@14.2.35(…))(react@…)` or `4.24.13_hash` → `4.24.13`. */
function pnpmBareVersion(version: string): string {
  return version.replace(/\(.*$/s, '').replace(/_.*$/, '');
}

/** A pnpm package key (`/name@1.0.0(…)`, `name@1.0.0`, `/name/1.0.0_hash`) → name and version. */
function pnpmKey(key: string, format: number): { name: string; version: string } | undefined {
  const k = key.startsWith('/') ? key.slice(1) : key;
  if (format >= 6) {
    const [name, rest] = splitSpec(k.replace(/\(.*$/s, ''));
    return rest ? { name, version: pnpmBareVersion(rest) } : undefined;
  }
  const slash = k.startsWith('@') ? k.indexOf('/', k.indexOf('/') + 1) : k.indexOf('/');
  return slash < 0 ? undefined : { name: k.slice(0, slash), version: pnpmBareVersion(k.slice(slash + 1)) };
}

type PnpmLock = {
  lockfileVersion?: string | number;
  importers?: Record<string, PnpmImporter>;
  packages?: Record<string, PnpmPackage>;
  snapshots?: Record<string, PnpmPackage>;
} & PnpmImporter;

function parsePnpm(file: string, lock: PnpmLock): Lockfile {
  const format = Number.parseFloat(String(lock.lockfileVersion ?? '0'));
  const root: PnpmImporter = lock.importers?.['.'] ?? lock;
  const versionOf = (v: PnpmDeps[string]) => (typeof v === 'string' ? v : (v.version ?? ''));
  const topLevel = new Map<string, string>();
  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies'] as const) {
    for (const [name, v] of Object.entries(root[field] ?? {})) {
      const version = versionOf(v);
      if (!version.startsWith('link:') && !version.startsWith('file:')) topLevel.set(name, pnpmBareVersion(version));
    }
  }
  if (format < 9) {
    const packages: LockedPackage[] = [];
    for (const [key, entry] of Object.entries(lock.packages ?? {})) {
      const id = pnpmKey(key, format);
      const name = entry.name ?? id?.name;
      const version = entry.version ?? id?.version;
      if (name && version) packages.push({ name, version, dev: entry.dev === true });
    }
    const result: LockfileWithTop = { manager: 'pnpm', file, format: String(lock.lockfileVersion), packages, topLevel };
    return result;
  }
  // 9.0: no dev flag; production is what the importers' production dependencies reach in `snapshots`.
  const nodes = new Map<string, GraphNode>();
  const snapshots = lock.snapshots ?? {};
  for (const [key, entry] of Object.entries(snapshots)) {
    const id = pnpmKey(key, format);
    if (!id) continue;
    // A dependency is `name: 1.2.3(peers…)`, or `alias: realname@1.2.3` for an npm alias.
    const deps = Object.entries({ ...entry.dependencies, ...entry.optionalDependencies }).map(([n, v]) => (/^\d/.test(v) ? `${n}@${v}` : v));
    nodes.set(key, { name: id.name, version: id.version, deps });
  }
  // Packages without a snapshot (no dependencies of their own in some versions) still count.
  const snapshotted = new Set(Object.keys(snapshots).map((key) => key.replace(/\(.*$/s, '')));
  for (const key of Object.keys(lock.packages ?? {})) {
    if (snapshotted.has(key)) continue;
    const id = pnpmKey(key, format);
    if (id) nodes.set(key, { ...id, deps: [] });
  }
  const roots: string[] = [];
  for (const deps of Object.values(lock.importers ?? { '.': root })) {
    for (const field of ['dependencies', 'optionalDependencies'] as const) {
      for (const [name, v] of Object.entries(deps[field] ?? {})) roots.push(`${name}@${versionOf(v)}`);
    }
  }
  const result: LockfileWithTop = { manager: 'pnpm', file, format: String(lock.lockfileVersion), packages: fromGraph(nodes, roots), topLevel };
  return result;
}

// --- Yarn ---------------------------------------------------------------------------------------

/** Yarn classic's own format: `"a@^1", a@^1.2:` headers, then indented `version "1.2.3"` and `dependencies:`. */
function parseYarnClassic(file: string, text: string, manifest: Manifest): Lockfile {
  const nodes = new Map<string, GraphNode>();
  const byDescriptor = new Map<string, string>();
  let current: { key: string; node: GraphNode; inDeps: boolean } | undefined;
  const unquote = (s: string) => s.trim().replace(/^"(.*)"$/, '$1');
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim() || raw.startsWith('#')) continue;
    if (!raw.startsWith(' ')) {
      const descriptors = raw.replace(/:\s*$/, '').split(',').map(unquote).filter(Boolean);
      const [name] = splitSpec(descriptors[0] ?? '');
      current = { key: descriptors[0] ?? raw, node: { name, version: '', deps: [] }, inDeps: false };
      nodes.set(current.key, current.node);
      for (const d of descriptors) byDescriptor.set(d, current.key);
      continue;
    }
    if (!current) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (indent === 2) {
      current.inDeps = line === 'dependencies:' || line === 'optionalDependencies:';
      const version = /^version\s+"?([^"\s]+)"?$/.exec(line);
      if (version) current.node.version = version[1]!;
    } else if (indent >= 4 && current.inDeps) {
      const m = /^("?)(.+?)\1\s+"?([^"]*)"?$/.exec(line);
      if (m) current.node.deps.push(`${m[2]}@${m[3]}`);
    }
  }
  for (const node of nodes.values()) node.deps = node.deps.map((d) => byDescriptor.get(d) ?? d);
  const roots = productionNames(manifest).map(([n, range]) => byDescriptor.get(`${n}@${range}`) ?? `${n}@${range}`);
  const topLevel = new Map<string, string>();
  for (const [n, range] of [...productionNames(manifest), ...Object.entries(manifest.devDependencies ?? {})]) {
    const key = byDescriptor.get(`${n}@${range}`);
    if (key) topLevel.set(n, nodes.get(key)!.version);
  }
  for (const [key, node] of nodes) if (!node.version) nodes.delete(key);
  const result: LockfileWithTop = { manager: 'yarn', file, format: 'yarn-v1', packages: fromGraph(nodes, roots), topLevel };
  return result;
}

/** Yarn Berry: YAML whose keys are comma-joined descriptors (`"next@npm:^14, next@npm:14.2.3"`). */
interface BerryEntry {
  version?: string | number;
  resolution?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
type BerryLock = Record<string, BerryEntry>;

function parseBerry(file: string, lock: BerryLock, manifest: Manifest): Lockfile {
  const nodes = new Map<string, GraphNode>();
  const byDescriptor = new Map<string, string>();
  const roots: string[] = [];
  for (const [key, entry] of Object.entries(lock)) {
    if (key === '__metadata' || !entry || typeof entry !== 'object') continue;
    const descriptors = key.split(',').map((d) => d.trim());
    const [name] = splitSpec(descriptors[0]!);
    const deps = Object.entries({ ...entry.dependencies, ...entry.optionalDependencies }).map(([n, range]) => `${n}@${range}`);
    if (descriptors.some((d) => /@workspace:\.?$/.test(d))) {
      // The root workspace: its dependencies include dev ones, so production roots come from package.json.
      continue;
    }
    nodes.set(key, { name, version: String(entry.version ?? ''), deps });
    for (const d of descriptors) byDescriptor.set(d, key);
  }
  const descriptorOf = (n: string, range: string) => (/^[a-z]+:/.test(range) ? `${n}@${range}` : `${n}@npm:${range}`);
  for (const node of nodes.values()) node.deps = node.deps.map((d) => byDescriptor.get(d) ?? d);
  for (const [n, range] of productionNames(manifest)) roots.push(byDescriptor.get(descriptorOf(n, range)) ?? '');
  const topLevel = new Map<string, string>();
  for (const [n, range] of [...productionNames(manifest), ...Object.entries(manifest.devDependencies ?? {})]) {
    const key = byDescriptor.get(descriptorOf(n, range));
    if (key) topLevel.set(n, nodes.get(key)!.version);
  }
  const result: LockfileWithTop = { manager: 'yarn', file, format: `berry-${lock.__metadata?.version ?? 'unknown'}`, packages: fromGraph(nodes, roots), topLevel };
  return result;
}

// --- Bun ----------------------------------------------------------------------------------------

/**
 * Bun's text lockfile: JSON with trailing commas. `packages` is keyed by install path (`next-auth`,
 * `next-auth/cookie` for a copy nested under next-auth), each `[ "name@version", registry, info, hash ]`.
 */
function parseBun(file: string, text: string, manifest: Manifest): Lockfile {
  const lock = JSON.parse(stripTrailingCommas(text)) as {
    lockfileVersion?: number;
    workspaces?: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
    packages?: Record<string, [string, ...unknown[]]>;
  };
  const nodes = new Map<string, GraphNode>();
  const entries = lock.packages ?? {};
  for (const [path, value] of Object.entries(entries)) {
    if (!Array.isArray(value) || typeof value[0] !== 'string') continue;
    const [name, version] = splitSpec(value[0]);
    if (!version || version.startsWith('workspace:')) continue;
    const info = (value.find((v, i) => i > 0 && v && typeof v === 'object' && !Array.isArray(v)) ?? {}) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    // Node's resolution: a dependency is looked up under the dependent's path, then each parent's, then at the top.
    const deps = Object.keys({ ...info.dependencies, ...info.optionalDependencies }).map((dep) => {
      const parts = path.split('/');
      for (let i = parts.length; i >= 0; i--) {
        // Scoped names take two segments: only cut at boundaries that leave whole names.
        const prefix = parts.slice(0, i).join('/');
        const candidate = prefix ? `${prefix}/${dep}` : dep;
        if (entries[candidate]) return candidate;
      }
      return dep;
    });
    nodes.set(path, { name, version, deps });
  }
  const workspace = lock.workspaces?.[''] ?? {};
  const roots = Object.keys({ ...workspace.dependencies, ...workspace.optionalDependencies, ...Object.fromEntries(productionNames(manifest)) });
  const topLevel = new Map<string, string>();
  for (const [path, node] of nodes) if (!path.includes('/') || (path.startsWith('@') && path.split('/').length === 2)) topLevel.set(node.name, node.version);
  const result: LockfileWithTop = { manager: 'bun', file, format: `bun-${lock.lockfileVersion ?? 'unknown'}`, packages: fromGraph(nodes, roots), topLevel };
  return result;
}

/** Removes the trailing commas Bun writes before `}` and `]`, outside strings. */
function stripTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += c;
  }
  return out;
}

