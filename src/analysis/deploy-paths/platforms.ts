/**
 * The hosting platforms' deploy configs: vercel.json, railway.json and app.json (JSON), netlify.toml,
 * fly.toml and railway.toml (TOML, read with a real parser: inline tables, arrays and multi-line
 * strings are values like any other), render.yaml. Each command they run is an entry at its line.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Repository } from '../../probes/repository.js';
import { argvToCommand, fileEntry, scalarEntry, type Collected, type Entry } from './entries.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Commands in the JSON platform configs, by key path; an array of strings is one command each. */
const JSON_COMMANDS: Record<string, Array<string[]>> = {
  'vercel.json': [['buildCommand'], ['installCommand']],
  'railway.json': [['build', 'buildCommand'], ['deploy', 'startCommand'], ['deploy', 'preDeployCommand']],
};

/** vercel.json, railway.json, and app.json's `scripts` (Heroku's postdeploy and friends). */
export async function jsonPlatformEntries(repo: Repository, notes: string[]): Promise<Collected> {
  const files: string[] = [];
  const entries: Entry[] = [];
  for (const file of [...Object.keys(JSON_COMMANDS), 'app.json']) {
    const json = await repo.json(file);
    if (json === undefined) continue;
    if (json.error !== undefined) {
      notes.push(`${file} is not valid JSON (${json.error}); not scanned.`);
      continue;
    }
    files.push(file);
    const config = isRecord(json.value) ? json.value : {};
    const keyPaths = file === 'app.json' ? Object.keys(isRecord(config.scripts) ? config.scripts : {}).map((name) => ['scripts', name]) : JSON_COMMANDS[file]!;
    for (const keyPath of keyPaths) {
      let value: unknown = keyPath.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), config);
      if (isRecord(value)) value = value.command; // app.json: { "command": "…", "size": "…" }
      const commands = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
      commands.forEach((command, index) => {
        if (typeof command !== 'string') return;
        const line = json.lineOf(...keyPath, ...(Array.isArray(value) ? [index] : [])) ?? json.lineOf(...keyPath) ?? 1;
        entries.push(fileEntry(file, command, () => line));
      });
    }
  }
  return { files, entries };
}

/** render.yaml: every service's build, pre-deploy and start commands. */
export async function renderEntries(repo: Repository, notes: string[]): Promise<Collected> {
  const files: string[] = [];
  const entries: Entry[] = [];
  for (const file of ['render.yaml', 'render.yml']) {
    const yaml = await repo.yaml(file);
    if (yaml === undefined) continue;
    if (!yaml.doc) {
      notes.push(`${file}:${yaml.error!.line} is not valid YAML; not scanned.`);
      continue;
    }
    files.push(file);
    for (const group of ['services', 'jobs']) {
      const services = yaml.doc.get(group, true);
      if (!isSeq(services)) continue;
      for (const service of services.items) {
        if (!isMap(service)) continue;
        for (const key of ['buildCommand', 'preDeployCommand', 'startCommand', 'dockerCommand']) {
          const node = service.get(key, true);
          const entry = isScalar(node) ? scalarEntry(file, yaml.text, node) : undefined;
          if (entry) entries.push(entry);
        }
      }
    }
  }
  return { files, entries };
}

/**
 * Which keys of the TOML configs hold commands: netlify.toml's `build.command` and
 * `context.<name>.command` (not `[dev]`: only `netlify dev` runs it), fly.toml's `release_command`,
 * `cmd` (one command as an array of arguments) and the `processes` table (also inline:
 * `processes = { app = "…" }`), railway.toml's build, pre-deploy and start commands (a string, or an
 * array of commands).
 */
type TomlKind = 'command' | 'argv';
const TOML_COMMANDS: Record<string, (path: ReadonlyArray<string | number>) => TomlKind | undefined> = {
  'netlify.toml': (path) => (path.at(-1) === 'command' && ((path.length === 2 && path[0] === 'build') || (path.length === 3 && path[0] === 'context')) ? 'command' : undefined),
  'fly.toml': (path) => (path.at(-1) === 'release_command' || (path.length === 2 && path[0] === 'processes') ? 'command' : path.at(-1) === 'cmd' ? 'argv' : undefined),
  'railway.toml': (path) => (['buildCommand', 'startCommand', 'preDeployCommand'].includes(String(path.at(-1))) ? 'command' : undefined),
};

/** Every value of a parsed TOML document that is not a table, with its key path (arrays of tables by index). */
function* tomlLeaves(node: unknown, path: Array<string | number> = []): Generator<{ path: Array<string | number>; value: unknown }> {
  if (isRecord(node)) for (const [key, value] of Object.entries(node)) yield* tomlLeaves(value, [...path, key]);
  else if (Array.isArray(node) && node.some(isRecord)) for (const [index, value] of node.entries()) yield* tomlLeaves(value, [...path, index]);
  else yield { path, value: node };
}

export async function tomlPlatformEntries(repo: Repository, notes: string[]): Promise<Collected> {
  const files: string[] = [];
  const entries: Entry[] = [];
  for (const [file, kindOf] of Object.entries(TOML_COMMANDS)) {
    const toml = await repo.toml(file);
    if (toml === undefined) continue;
    if (!toml.value) {
      notes.push(`${file}${toml.error!.line ? `:${toml.error!.line}` : ''} is not valid TOML (${toml.error!.message}); not scanned.`);
      continue;
    }
    files.push(file);
    for (const { path, value } of tomlLeaves(toml.value)) {
      const kind = kindOf(path);
      if (!kind) continue;
      if (typeof value === 'string') entries.push(fileEntry(file, value, () => toml.lineOf(path)));
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        // An argv array is one command; any other array holds one command per element.
        if (kind === 'argv') entries.push(fileEntry(file, argvToCommand(value), () => toml.lineOf(path)));
        else value.forEach((command: string, index) => entries.push(fileEntry(file, command, () => toml.lineOf([...path, index]))));
      }
    }
  }
  return { files, entries };
}
