/**
 * gate.no-db-push: `prisma db push` syncs the schema without migrations and may drop columns and data
 * to do it, so the guide forbids it in production. This rule follows every way the app gets deployed
 * (workflows, Dockerfiles, Procfile, platform configs, the gate's own commands, npm lifecycle scripts)
 * through the package.json scripts they run, and fails on each path that ends in `prisma db push`.
 * A script that only a developer runs by hand (the app's `setup:db`) is a notice.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Scalar } from 'yaml';
import type { Finding, Rule } from '../../engine/types.js';
import type { Settings } from '../../settings.js';
import { jsonKeyLines, jsonPath, readPackageScripts, traceDbPush, type DbPushPath, type Scripts } from './scripts.js';

/** Where a chain starts: a file and line, or (for a gate input) only a label. */
interface Place {
  file?: string;
  line?: number;
  label: string;
}

/** A command line production runs, to be traced for `prisma db push`. */
interface Entry {
  source: string;
  /** The place of the simple command at `offset` in `source`. */
  place(offset: number): Place;
  /** The package.json script `source` is the command of (a lifecycle script, traced from inside). */
  script?: string;
  /**
   * Lifecycle scripts and the gate's commands are entries of last resort: a path from one is reported
   * only when no earlier entry already led to the same script, so one db push is not reported twice.
   */
  secondary?: boolean;
  /** DATABASE_URL a workflow sets around the command, and the job's service container hosts. */
  databaseUrl?: string;
  ciHosts?: string[];
}

/**
 * Scripts npm and the platforms run without being asked: on every install (`npm ci` runs the install
 * and prepare scripts), on `npm run build` / `npm start` (what Vercel, Netlify, Heroku, Render and
 * Railway run by default), and the platform-specific build hooks that replace `build` there.
 */
const LIFECYCLE: ReadonlyArray<[script: string, why: string]> = [
  ['preinstall', 'npm runs it on every install and ci'],
  ['install', 'npm runs it on every install and ci'],
  ['postinstall', 'npm runs it on every install and ci'],
  ['prepare', 'npm runs it on every install and ci'],
  ['prebuild', 'npm runs it before build'],
  ['build', 'the platforms run it to build'],
  ['postbuild', 'npm runs it after build'],
  ['vercel-build', 'Vercel runs it instead of build'],
  ['heroku-postbuild', 'Heroku runs it instead of build'],
  ['prestart', 'npm runs it before start'],
  ['start', 'the platforms run it to start the app'],
];

const FIX = 'Use `prisma migrate deploy` in production; keep `db push` for local development (see docs/migration-operations-runbook.md).';

/** Directories never searched for Dockerfiles: dependencies, build output, VCS data. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.next', 'dist', 'build', 'out', 'coverage', '.turbo', '.vercel', 'vendor']);
const DOCKERFILE = /^(?:Dockerfile|Containerfile)(?:\..+)?$|\.(?:dockerfile|Dockerfile)$/;

export const noDbPush: Rule = {
  meta: { id: 'gate.no-db-push', section: 'gate', title: 'No prisma db push in production', docs: 'docs/migration-operations-runbook.md' },
  async check({ settings }) {
    const repo = new Repo(settings.workingDirectory);
    const notes: string[] = [];
    let scripts: Scripts = new Map();
    const pkgText = await repo.read('package.json');
    if (pkgText !== undefined) {
      try {
        scripts = readPackageScripts(pkgText.replace(/^\uFEFF/, ''));
      } catch (error) {
        notes.push(`package.json is not valid JSON (${(error as Error).message}); its scripts were not followed.`);
      }
    }

    const scanned: string[] = [];
    const entries: Entry[] = [];
    for (const collect of [workflowEntries, dockerfileEntries, procfileEntries, jsonPlatformEntries, tomlPlatformEntries, renderEntries]) {
      const found = await collect(repo, notes);
      scanned.push(...found.files);
      entries.push(...found.entries);
    }
    // Lifecycle scripts before the gate's commands: `npm ci` runs postinstall either way, and the
    // package.json line of postinstall is a better place to annotate than an input with no file.
    entries.push(...lifecycleEntries(scripts), ...gateCommandEntries(settings));

    // Trace every entry; a path is production unless it runs against a throwaway CI database.
    const production: Array<{ place: Place; path: DbPushPath }> = [];
    const ciOnly: Array<{ place: Place; path: DbPushPath; host: string }> = [];
    const reportedScripts = new Set<string>();
    for (const entry of entries) {
      for (const traced of traceDbPush(entry.source, scripts, entry.script ? [entry.script] : [])) {
        const path = { ...traced, script: traced.script ?? entry.script };
        if (entry.secondary && path.script && reportedScripts.has(path.script)) continue;
        const place = entry.place(path.offset);
        const host = ciDatabaseHost(path.env.DATABASE_URL ?? entry.databaseUrl, entry.ciHosts ?? []);
        if (host) ciOnly.push({ place, path, host });
        else {
          production.push({ place, path });
          if (path.script) reportedScripts.add(path.script);
        }
      }
    }

    const chain = (place: Place, path: DbPushPath) => [place.label, ...path.hops].join(' → ');
    const findings: Finding[] = [];
    const sites = new Set<string>();
    for (const { place, path } of production) {
      findings.push({ level: 'error', message: chain(place, path), ...at(place) });
      // The script that pushes gets its own annotation (once), unless the chain starts on its line.
      const script = path.script;
      if (script && !sites.has(script)) {
        sites.add(script);
        const line = scripts.get(script)!.line;
        if (place.file !== 'package.json' || place.line !== line) {
          findings.push({ level: 'error', message: `"${script}" runs prisma db push, and production reaches it: ${chain(place, path)}`, file: 'package.json', line });
        }
      }
    }
    for (const { place, path, host } of ciOnly) {
      findings.push({ level: 'notice', message: `${chain(place, path)}: runs against the CI database at ${host}, not production`, ...at(place) });
    }

    // Scripts that push by themselves (not through another script) and that nothing above reached.
    const reached = new Set([...production, ...ciOnly].map((u) => u.path.script));
    const devOnly = [...scripts]
      .filter(([name, def]) => !reached.has(name) && traceDbPush(def.command, new Map()).length > 0)
      .map(([name, def]) => ({ name, line: def.line }));
    for (const { name, line } of devOnly) {
      findings.push({
        level: 'notice',
        message: `"${name}" runs prisma db push; no workflow, Dockerfile, platform config, gate command or lifecycle script runs it, so it is taken as local development only`,
        file: 'package.json',
        line,
      });
    }

    const details = [
      `Scanned: ${[...scanned, ...(pkgText !== undefined ? [`package.json (${scripts.size} scripts)`] : [])].join(', ') || 'nothing (no deploy file found)'}; gate commands: ${[settings.installCommand, settings.migrateCommand, settings.buildCommand].filter(Boolean).join(' / ') || 'none'}.`,
      ...production.map(({ place, path }) => `- production: ${chain(place, path)}`),
      ...ciOnly.map(({ place, path, host }) => `- CI database (${host}): ${chain(place, path)}`),
      ...devOnly.map(({ name, line }) => `- dev only: package.json:${line} "${name}"`),
      ...notes.map((n) => `- note: ${n}`),
    ].join('\n');
    const data = { productionUses: production.length, ciUses: ciOnly.length, devOnlyScripts: devOnly.map((d) => d.name), scanned };

    if (production.length > 0) {
      const first = production[0]!;
      const more = production.length > 1 ? ` (and ${production.length - 1} more)` : '';
      return { status: 'fail', summary: `prisma db push runs in production: ${chain(first.place, first.path)}${more}`, details, fix: FIX, findings, data };
    }
    const quiet: string[] = [];
    if (devOnly.length > 0) quiet.push(`only in dev-only scripts: ${devOnly.map((d) => d.name).join(', ')}`);
    if (ciOnly.length > 0) quiet.push(`only against CI databases (${[...new Set(ciOnly.map((c) => c.host))].join(', ')})`);
    return {
      status: 'pass',
      summary: quiet.length > 0 ? `prisma db push appears ${quiet.join(' and ')}` : 'no prisma db push on any production path',
      details,
      findings,
      data,
    };
  },
};

const at = (place: Place) => (place.file ? { file: place.file, ...(place.line ? { line: place.line } : {}) } : {});

/** A CI-only database: a literal DATABASE_URL on this machine or on a service container of the job. */
function ciDatabaseHost(url: string | undefined, ciHosts: readonly string[]): string | undefined {
  if (!url || url.includes('${{')) return undefined;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return ['localhost', '127.0.0.1', '::1', '0.0.0.0'].includes(host) || ciHosts.includes(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

/** 1-based line of an offset. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** An entry for a command written at `start` of `file`, or one whose lines all map to `line`. */
function fileEntry(file: string, source: string, lineAt: (offset: number) => number, extra: Partial<Entry> = {}): Entry {
  return {
    source,
    place: (offset) => {
      const line = lineAt(offset);
      return { file, line, label: `${file}:${line}` };
    },
    ...extra,
  };
}

/** Exec-form arguments (`["npx", "prisma", "db", "push"]`) as one command line. */
function argvToCommand(argv: readonly unknown[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(String(a)) ? String(a) : `'${String(a).replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The app's repository: reads files relative to it, never throwing on a missing one. */
class Repo {
  constructor(readonly root: string) {}

  async read(file: string): Promise<string | undefined> {
    return readFile(join(this.root, file), 'utf8').catch(() => undefined);
  }

  async list(dir: string): Promise<Array<{ name: string; dir: boolean }>> {
    const entries = await readdir(join(this.root, dir), { withFileTypes: true }).catch(() => []);
    return entries.map((e) => ({ name: e.name, dir: e.isDirectory() })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Files under `dir` (relative, `/`-separated) whose name matches, down to `depth` levels. */
  async find(dir: string, name: RegExp, depth: number): Promise<string[]> {
    const found: string[] = [];
    for (const e of await this.list(dir)) {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (e.dir && depth > 0 && !SKIP_DIRS.has(e.name)) found.push(...(await this.find(path, name, depth - 1)));
      else if (!e.dir && name.test(e.name)) found.push(path);
    }
    return found;
  }
}

interface Collected {
  files: string[];
  entries: Entry[];
}

/** Parses YAML with line positions; a file that is not YAML becomes a note, not a crash. */
function parseYaml(file: string, text: string, notes: string[]): { doc: Document; lines: LineCounter } | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    notes.push(`${file}:${lines.linePos(doc.errors[0]!.pos[0]).line} is not valid YAML; not scanned.`);
    return undefined;
  }
  return { doc, lines };
}

/**
 * A YAML scalar as a command line, mapped back to its source lines. Block scalars (`run: |`) and
 * plain scalars are read from the source text itself, so each command keeps its exact line; folded
 * line breaks become spaces in place (same length). Quoted scalars use their value, on their first line.
 */
function scalarEntry(file: string, text: string, node: Scalar, extra: Partial<Entry> = {}): Entry | undefined {
  if (typeof node.value !== 'string' || !node.range) return undefined;
  const lineOf = lineIndex(text);
  const [start, end] = node.range;
  const fold = (raw: string) => raw.replace(/([^\n])\n(?=[ \t]*\S)/g, '$1 ');
  switch (node.type) {
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': {
      const body = text.indexOf('\n', start) + 1;
      const raw = text.slice(body, end);
      return fileEntry(file, node.type === 'BLOCK_FOLDED' ? fold(raw) : raw, (o) => lineOf(body + o), extra);
    }
    case 'PLAIN':
      return fileEntry(file, fold(text.slice(start, end)), (o) => lineOf(start + o), extra);
    default:
      return fileEntry(file, node.value, () => lineOf(start), extra);
  }
}

/** A YAML mapping of variables (`env:`) as plain values; an expression or anything else → {}. */
function envOf(node: unknown): Record<string, string> {
  return isMap(node) ? Object.fromEntries(node.items.map((p) => [String(isScalar(p.key) ? p.key.value : p.key), String(isScalar(p.value) ? p.value.value : '')])) : {};
}

/**
 * `run:` steps of workflows and of the repository's own composite actions. A step's DATABASE_URL
 * (step, job or workflow `env`) and the job's service containers tell a CI test database apart.
 */
async function workflowEntries(repo: Repo, notes: string[]): Promise<Collected> {
  const files = [
    ...(await repo.find('.github/workflows', /\.ya?ml$/, 0)),
    ...(await repo.find('.github/actions', /^action\.ya?ml$/, 3)),
  ];
  const entries: Entry[] = [];
  for (const file of files) {
    const text = (await repo.read(file)) ?? '';
    const parsed = parseYaml(file, text, notes);
    if (!parsed) continue;
    const { doc } = parsed;
    const jobs: Array<{ steps: unknown; env: Record<string, string>; ciHosts: string[] }> = [];
    const workflowEnv = envOf(doc.get('env', true));
    const jobMap = doc.get('jobs', true);
    if (isMap(jobMap)) {
      for (const job of jobMap.items) {
        if (!isMap(job.value)) continue;
        const services = job.value.get('services', true);
        jobs.push({
          steps: job.value.get('steps', true),
          env: { ...workflowEnv, ...envOf(job.value.get('env', true)) },
          ciHosts: isMap(services) ? services.items.map((s) => String(isScalar(s.key) ? s.key.value : s.key)) : [],
        });
      }
    }
    jobs.push({ steps: doc.getIn(['runs', 'steps'], true), env: workflowEnv, ciHosts: [] });
    for (const job of jobs) {
      if (!isSeq(job.steps)) continue;
      for (const step of job.steps.items) {
        if (!isMap(step)) continue;
        const run = step.get('run', true);
        const env = { ...job.env, ...envOf(step.get('env', true)) };
        const entry = isScalar(run) ? scalarEntry(file, text, run, { databaseUrl: env.DATABASE_URL, ciHosts: job.ciHosts }) : undefined;
        if (entry) entries.push(entry);
      }
    }
  }
  return { files, entries };
}

/**
 * RUN, CMD and ENTRYPOINT of every Dockerfile (also ONBUILD ones): shell form with `\` continuations,
 * exec form (JSON), and `RUN <<EOF` heredoc scripts. Docker drops full-line comments, also in the
 * middle of a continued instruction; they are blanked in place so offsets and lines stay exact.
 */
async function dockerfileEntries(repo: Repo): Promise<Collected> {
  const files = await repo.find('', DOCKERFILE, 3);
  const entries: Entry[] = [];
  for (const file of files) {
    const original = (await repo.read(file)) ?? '';
    const text = original.replace(/^[ \t]*#.*$/gm, (comment) => ' '.repeat(comment.length));
    const lineOf = lineIndex(text);
    const lines = text.split('\n');
    const lineStart: number[] = [0];
    for (const line of lines) lineStart.push(lineStart[lineStart.length - 1]! + line.length + 1);

    for (let k = 0; k < lines.length; k++) {
      const first = /^\s*(?:ONBUILD\s+)?(\w+)\s*/i.exec(lines[k]!);
      if (!first || lines[k]!.trim() === '') continue;
      // The instruction runs on while lines end in `\`; blank (or blanked comment) lines do not end it.
      let last = k;
      while (last + 1 < lines.length && (/\\\s*$/.test(lines[last]!) || (lines[last]!.trim() === '' && last > k))) last++;
      while (last > k && lines[last]!.trim() === '') last--;
      const bodyStart = lineStart[k]! + first[0].length;
      const bodyEnd = lineStart[last]! + lines[last]!.length;
      const instruction = first[1]!.toUpperCase();
      const body = text.slice(bodyStart, bodyEnd);

      // A heredoc (`RUN <<EOF`, `COPY <<EOF /file`) holds lines that are not instructions.
      const heredoc = /<<-?\s*(["']?)([A-Za-z_][\w-]*)\1/.exec(body);
      let bodyEndLine = last;
      if (heredoc) {
        let close = last + 1;
        while (close < lines.length && lines[close]!.trim() !== heredoc[2]) close++;
        // `RUN <<EOF` (or `RUN bash <<EOF`) runs the heredoc as the script; `RUN cat <<EOF > f` only writes it.
        const command = body.replace(heredoc[0], '').replace(/--\w[\w-]*=\S+/g, '').trim();
        if (instruction === 'RUN' && (command === '' || /^(?:\/bin\/|\/usr\/bin\/)?(?:ba|da|z)?sh\b/.test(command))) {
          const scriptStart = lineStart[last + 1] ?? text.length;
          const scriptEnd = lineStart[close] ?? text.length;
          entries.push(fileEntry(file, text.slice(scriptStart, scriptEnd), (o) => lineOf(scriptStart + o)));
        }
        bodyEndLine = close;
      }
      if (['RUN', 'CMD', 'ENTRYPOINT'].includes(instruction)) {
        const argv = execForm(body);
        // RUN flags (--mount=…, --network=…) are not part of the command; blank them in place.
        const shell = body.replace(/^(\s*--\w[\w-]*=\S+)+/, (flags) => ' '.repeat(flags.length));
        entries.push(
          argv
            ? fileEntry(file, argvToCommand(argv), () => k + 1)
            : fileEntry(file, shell, (o) => lineOf(bodyStart + o)),
        );
      }
      k = bodyEndLine;
    }
  }
  return { files, entries };
}

/** `["a", "b"]` exec form, or undefined for shell form. */
function execForm(body: string): string[] | undefined {
  const joined = body.replace(/\\\r?\n/g, ' ').trim();
  if (!joined.startsWith('[')) return undefined;
  try {
    const argv: unknown = JSON.parse(joined);
    return Array.isArray(argv) && argv.every((a) => typeof a === 'string') ? argv : undefined;
  } catch {
    return undefined;
  }
}

/** Procfile process types (`web:`, `release:`, …): each runs its command in production. */
async function procfileEntries(repo: Repo): Promise<Collected> {
  const text = await repo.read('Procfile');
  if (text === undefined) return { files: [], entries: [] };
  const entries: Entry[] = [];
  text.split('\n').forEach((line, k) => {
    const match = /^\s*[\w-]+\s*:/.exec(line);
    if (match && !line.trimStart().startsWith('#')) entries.push(fileEntry('Procfile', line.slice(match[0].length), () => k + 1));
  });
  return { files: ['Procfile'], entries };
}

/** Commands in the JSON platform configs, by key path; an array of strings is one command each. */
const JSON_COMMANDS: Record<string, Array<string[]>> = {
  'vercel.json': [['buildCommand'], ['installCommand']],
  'railway.json': [['build', 'buildCommand'], ['deploy', 'startCommand'], ['deploy', 'preDeployCommand']],
};

/** vercel.json, railway.json, and app.json's `scripts` (Heroku's postdeploy and friends). */
async function jsonPlatformEntries(repo: Repo, notes: string[]): Promise<Collected> {
  const files: string[] = [];
  const entries: Entry[] = [];
  for (const file of [...Object.keys(JSON_COMMANDS), 'app.json']) {
    const text = await repo.read(file);
    if (text === undefined) continue;
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    } catch (error) {
      notes.push(`${file} is not valid JSON (${(error as Error).message}); not scanned.`);
      continue;
    }
    files.push(file);
    const lines = jsonKeyLines(text);
    const keyPaths =
      file === 'app.json'
        ? Object.keys(isRecord(config.scripts) ? config.scripts : {}).map((name) => ['scripts', name])
        : JSON_COMMANDS[file]!;
    for (const keyPath of keyPaths) {
      let value: unknown = keyPath.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), config);
      if (isRecord(value)) value = value.command; // app.json: { "command": "…", "size": "…" }
      const commands = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
      commands.forEach((command, index) => {
        if (typeof command !== 'string') return;
        const line = lines.get(jsonPath(...keyPath, ...(Array.isArray(value) ? [index] : []))) ?? lines.get(jsonPath(...keyPath)) ?? 1;
        entries.push(fileEntry(file, command, () => line));
      });
    }
  }
  return { files, entries };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** render.yaml: every service's build, pre-deploy and start commands. */
async function renderEntries(repo: Repo, notes: string[]): Promise<Collected> {
  const files: string[] = [];
  const entries: Entry[] = [];
  for (const file of ['render.yaml', 'render.yml']) {
    const text = await repo.read(file);
    const parsed = text === undefined ? undefined : parseYaml(file, text, notes);
    if (!parsed || text === undefined) continue;
    files.push(file);
    for (const group of ['services', 'jobs']) {
      const services = parsed.doc.get(group, true);
      if (!isSeq(services)) continue;
      for (const service of services.items) {
        if (!isMap(service)) continue;
        for (const key of ['buildCommand', 'preDeployCommand', 'startCommand', 'dockerCommand']) {
          const node = service.get(key, true);
          const entry = isScalar(node) ? scalarEntry(file, text, node) : undefined;
          if (entry) entries.push(entry);
        }
      }
    }
  }
  return { files, entries };
}

/**
 * TOML platform configs, read line by line (no TOML dependency for three keys): netlify.toml's
 * `command` (not `[dev]`), fly.toml's `release_command`, `cmd` and `[processes]`, railway.toml's
 * build, pre-deploy and start commands. `argv` keys hold one command as an array of arguments.
 */
const TOML_COMMANDS: Record<string, (table: string, key: string) => 'command' | 'argv' | 'commands' | undefined> = {
  'netlify.toml': (table, key) => (key === 'command' && (table === 'build' || table.startsWith('context.')) ? 'command' : undefined),
  'fly.toml': (table, key) => (key === 'release_command' || table === 'processes' ? 'command' : key === 'cmd' ? 'argv' : undefined),
  'railway.toml': (_table, key) => (['buildCommand', 'startCommand', 'preDeployCommand'].includes(key) ? 'commands' : undefined),
};

async function tomlPlatformEntries(repo: Repo): Promise<Collected> {
  const files: string[] = [];
  const entries: Entry[] = [];
  for (const [file, wanted] of Object.entries(TOML_COMMANDS)) {
    const text = await repo.read(file);
    if (text === undefined) continue;
    files.push(file);
    for (const { table, key, value, line } of readTomlStrings(text)) {
      const kind = wanted(table, key);
      if (!kind) continue;
      const list = typeof value === 'string' ? [value] : value;
      const commands = kind === 'argv' && Array.isArray(value) ? [argvToCommand(value)] : list;
      for (const command of commands) entries.push(fileEntry(file, command, () => line));
    }
  }
  return { files, entries };
}

/** `key = "string"` and `key = ["strings"]` of a TOML text, with their table and 1-based line. */
export function readTomlStrings(text: string): Array<{ table: string; key: string; value: string | string[]; line: number }> {
  const found: Array<{ table: string; key: string; value: string | string[]; line: number }> = [];
  const lineOf = lineIndex(text);
  const unquote = (name: string) => name.trim().split('.').map((p) => p.trim().replace(/^["']|["']$/g, '')).join('.');
  const lineEnd = (from: number) => (text.indexOf('\n', from) === -1 ? text.length : text.indexOf('\n', from));
  let table = '';
  for (let i = 0; i < text.length; ) {
    const line = text.slice(i, lineEnd(i));
    const header = /^\s*\[\[?([^\]]+)\]\]?/.exec(line);
    const pair = /^\s*([A-Za-z0-9_\-."' ]+?)\s*=\s*/.exec(line);
    let end = i;
    if (header) table = unquote(header[1]!);
    else if (pair && !line.trimStart().startsWith('#')) {
      const dotted = unquote(pair[1]!).split('.');
      const read = readTomlValue(text, i + pair[0].length);
      if (read.value !== undefined) {
        found.push({ table: [table, ...dotted.slice(0, -1)].filter(Boolean).join('.'), key: dotted[dotted.length - 1]!, value: read.value, line: lineOf(i) });
      }
      // A multi-line string or array continues past this line; go on after its end.
      end = Math.max(i, read.end);
    }
    i = lineEnd(end) + 1;
  }
  return found;
}

/** A TOML string or array of strings at `i`; other values (numbers, tables) → undefined. */
function readTomlValue(text: string, i: number): { value: string | string[] | undefined; end: number } {
  while (text[i] === ' ' || text[i] === '\t') i++;
  for (const quote of ['"""', "'''"]) {
    if (text.startsWith(quote, i)) {
      const close = text.indexOf(quote, i + 3);
      const end = close === -1 ? text.length : close + 3;
      const raw = text.slice(i + 3, close === -1 ? text.length : close).replace(/^\r?\n/, '');
      return { value: quote === '"""' ? raw.replace(/\\\r?\n\s*/g, '') : raw, end };
    }
  }
  if (text[i] === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
    try {
      return { value: JSON.parse(text.slice(i, j + 1)) as string, end: j + 1 };
    } catch {
      return { value: text.slice(i + 1, j), end: j + 1 };
    }
  }
  if (text[i] === "'") {
    const close = text.indexOf("'", i + 1);
    return { value: text.slice(i + 1, close === -1 ? text.length : close), end: close === -1 ? text.length : close + 1 };
  }
  if (text[i] === '[') {
    const items: string[] = [];
    let j = i + 1;
    for (;;) {
      while (j < text.length && /[\s,]/.test(text[j]!)) j++;
      if (text[j] === '#') j = text.indexOf('\n', j) === -1 ? text.length : text.indexOf('\n', j);
      else if (j >= text.length || text[j] === ']') return { value: items, end: j + 1 };
      else {
        const item = readTomlValue(text, j);
        if (typeof item.value === 'string') items.push(item.value);
        j = item.end > j ? item.end : j + 1;
      }
    }
  }
  return { value: undefined, end: i };
}

/** The gate's own install, migrate and build commands run in this very job. */
function gateCommandEntries(settings: Settings): Entry[] {
  const inputs: Array<[string, string]> = [
    ['install-command', settings.installCommand],
    ['migrate-command', settings.migrateCommand],
    ['build-command', settings.buildCommand],
  ];
  return inputs
    .filter(([, command]) => command.trim() !== '')
    .map(([input, command]) => ({ source: command, secondary: true, place: () => ({ label: `${input} input` }) }));
}

/** Lifecycle scripts, traced from inside themselves, placed at their package.json line. */
function lifecycleEntries(scripts: Scripts): Entry[] {
  return LIFECYCLE.filter(([name]) => scripts.has(name)).map(([name, why]) => {
    const { command, line } = scripts.get(name)!;
    return {
      source: command,
      script: name,
      secondary: true,
      place: () => ({ file: 'package.json', line, label: `package.json:${line} "${name}" (${why})` }),
    };
  });
}
