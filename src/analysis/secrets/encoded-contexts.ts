/**
 * Where a format says a value is encoded, the value is decoded before it is judged: a Kubernetes
 * `Secret` holds its `data:` in base64 (`kubectl create secret … -o yaml` writes it so), a Docker
 * config (`docker login`) holds `auths.<registry>.auth` as base64 of `user:password`, a
 * `kubernetes.io/dockerconfigjson` Secret holds a whole Docker config in base64, and kustomize's
 * `secretGenerator` holds `KEY=value` literals. Helm charts embed all of these in templates and
 * values. This module finds those values with their lines; the scanner then puts each through every
 * credential shape and the run's own values (scanner.ts `judgeValue`).
 *
 * Files are read with the `yaml` package (JSON is YAML, so `config.json` and `-o json` manifests are
 * read the same way, with positions). A Helm template's actions (`{{ … }}`) are blanked first, so the
 * YAML around them is read; a value that was an action is a placeholder and not judged.
 */
import { isMap, isScalar, isSeq, type Node, parseAllDocuments } from 'yaml';
import { lineOfOffset, lineStarts } from '../../util/lines.js';
import { decodeBase64, decodeBase64Text } from './patterns.js';

/** Files larger than this are not read as manifests (a manifest or a Docker config is small). */
export const MAX_STRUCTURED_BYTES = 1024 * 1024;

/** A value found where a format keeps credentials, to be judged by the scanner. */
export interface ContextValue {
  /** 1-based line of the value as written (the encoded one). */
  line: number;
  /** The value, decoded. */
  value: string;
  /** The decoded bytes, when they are not text (a DER key in a Secret). */
  bytes?: Buffer;
  /** What holds it: "the Kubernetes Secret app-secrets", "the Docker config". */
  container: string;
  /** The field, and how it was encoded: "data.STRIPE_SECRET_KEY, base64". */
  field: string;
  /** An entry name, judged as an env entry when no shape or known value matches (`NEXTAUTH_SECRET`). */
  name?: string;
  /** The value is a credential by the format's definition (a registry password): what to call it. */
  credential?: string;
  /** The host the credential is for: a documentation host is not judged; on a local one a conventional default is not. */
  host?: string;
  /** Shown before the masked value (`deploybot:`): the user name, which is not secret. */
  shownPrefix?: string;
}

/** Anchors that make a file worth reading as a manifest or a Docker config (the scanner's pass finds them). */
export const MANIFEST_ANCHORS: readonly string[] = [
  'kind: Secret',
  'kind: "Secret"',
  "kind: 'Secret'",
  '"kind": "Secret"',
  '"kind":"Secret"',
  'dockerconfigjson',
  'dockerConfigJson',
  '.dockercfg',
  '"auths"',
  'auths:',
  'secretGenerator',
];

/** How deep encoded values are followed (a Secret holding a Docker config holding an `auth`). */
const MAX_DEPTH = 3;

/** A node of a parsed document, with the line of each value: the same walk for YAML nodes and for decoded JSON. */
interface Tree {
  line: number;
  /** The string value of a scalar. */
  text?: string;
  /** Entries of a map, in order. */
  entries?: Array<[string, Tree]>;
  /** Items of a sequence. */
  items?: Tree[];
}

function fromYaml(node: Node | null | undefined, lineOf: (offset: number) => number): Tree | undefined {
  if (!node) return undefined;
  const line = lineOf(node.range?.[0] ?? 0);
  if (isScalar(node)) return { line, text: typeof node.value === 'string' ? node.value : node.value === null ? undefined : String(node.value) };
  if (isMap(node)) {
    const entries: Array<[string, Tree]> = [];
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const value = fromYaml(pair.value as Node | null, lineOf);
      if (key !== undefined && value) entries.push([key, value]);
    }
    return { line, entries };
  }
  if (isSeq(node)) return { line, items: node.items.map((item) => fromYaml(item as Node, lineOf)).filter((t): t is Tree => t !== undefined) };
  return undefined;
}

/** Decoded JSON as a tree whose every value is at `line` (the line of the encoded text it came from). */
function fromJson(value: unknown, line: number): Tree | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { line, text: String(value) };
  if (Array.isArray(value)) return { line, items: value.map((v) => fromJson(v, line)).filter((t): t is Tree => t !== undefined) };
  if (value && typeof value === 'object') {
    return { line, entries: Object.entries(value).flatMap(([k, v]) => (fromJson(v, line) ? [[k, fromJson(v, line)!] as [string, Tree]] : [])) };
  }
  return undefined;
}

const get = (tree: Tree | undefined, key: string) => tree?.entries?.find(([k]) => k === key)?.[1];

/** JSON text parsed as a tree at `line`, or undefined. */
function jsonTree(text: string, line: number): Tree | undefined {
  try {
    return fromJson(JSON.parse(text), line);
  } catch {
    return undefined;
  }
}

/**
 * A Helm template's text with its actions blanked, offsets kept: a line that is only an action
 * (`{{- if … }}`, `{{ toYaml … | nindent 2 }}`) becomes blank, an action inside a line becomes
 * underscores (a placeholder to every check).
 */
function blankTemplateActions(text: string): string {
  return text
    .replace(/^[ \t]*\{\{[^\n]*?\}\}[ \t]*$/gm, (line) => ' '.repeat(line.length))
    .replace(/\{\{[^\n]*?\}\}/g, (action) => '_'.repeat(action.length));
}

/**
 * Values a manifest, a Docker config, a kustomization or a Helm values file holds in encoded or
 * credential places, with their lines. `text` is the whole file.
 */
export function manifestValues(text: string): ContextValue[] {
  if (text.length > MAX_STRUCTURED_BYTES) return [];
  const source = text.includes('{{') ? blankTemplateActions(text) : text;
  // The yaml package's offsets are characters of the text.
  const starts = lineStarts(source);
  const lineOf = (offset: number) => lineOfOffset(starts, offset);
  const out: ContextValue[] = [];
  let documents;
  try {
    documents = parseAllDocuments(source, { uniqueKeys: false, strict: false, stringKeys: false });
  } catch {
    return [];
  }
  if (!Array.isArray(documents)) return [];
  for (const document of documents) {
    if (document.errors.length > 0) continue;
    const tree = fromYaml(document.contents as Node | null, lineOf);
    if (tree) walk(tree, out, 0);
  }
  return out;
}

/** Every map of the tree: a Secret, a Docker config's `auths`, an embedded Docker config, a secretGenerator. */
function walk(tree: Tree, out: ContextValue[], depth: number): void {
  if (tree.entries) {
    const kind = get(tree, 'kind')?.text;
    if (kind === 'Secret') secretValues(tree, out, depth);
    for (const [key, value] of tree.entries) {
      if (key === 'auths' && value.entries) dockerAuths(value, 'the Docker config', '', out);
      else if (/^\.?docker(?:config)?json$|^\.dockercfg$/i.test(key) && value.text !== undefined && kind !== 'Secret') {
        embeddedDockerConfig(value.text, value.line, 'the Docker config', `${key} → `, out, depth);
      } else if (key === 'secretGenerator' && value.items) secretGenerator(value.items, out, depth);
      if (kind === 'Secret' && (key === 'data' || key === 'stringData')) continue;
      walk(value, out, depth);
    }
  }
  for (const item of tree.items ?? []) walk(item, out, depth);
}

/** A Docker config given as a string: base64 of the JSON (a Secret's `.dockerconfigjson`), or the JSON itself. */
function embeddedDockerConfig(value: string, line: number, container: string, via: string, out: ContextValue[], depth: number): void {
  if (depth >= MAX_DEPTH) return;
  const plain = value.trim().startsWith('{');
  const decoded = plain ? value : decodeBase64Text(value);
  const tree = decoded ? jsonTree(decoded, line) : undefined;
  if (!tree) return;
  // The legacy `.dockercfg` is the `auths` map itself.
  const auths = get(tree, 'auths') ?? (get(tree, 'auths') === undefined && tree.entries?.every(([, v]) => v.entries) ? tree : undefined);
  if (auths?.entries) dockerAuths(auths, container, `${via}${plain ? '' : 'base64 → '}`, out);
}

/** `auths` of a Docker config: per registry, `auth` (base64 `user:password`), `password`, `identitytoken`, `registrytoken`. */
function dockerAuths(auths: Tree, container: string, via: string, out: ContextValue[]): void {
  for (const [registry, entry] of auths.entries ?? []) {
    const host = registryHost(registry);
    const username = get(entry, 'username')?.text;
    const auth = get(entry, 'auth');
    if (auth?.text) {
      const decoded = decodeBase64Text(auth.text);
      const colon = decoded?.indexOf(':') ?? -1;
      if (decoded && colon > 0) {
        const user = decoded.slice(0, colon);
        out.push({ line: auth.line, value: decoded.slice(colon + 1), container, field: `${via}auths["${registry}"].auth, base64 user:password`, credential: 'a container registry password', host, shownPrefix: `${user}:` });
      }
    }
    const password = get(entry, 'password');
    if (password?.text) out.push({ line: password.line, value: password.text, container, field: `${via}auths["${registry}"].password`, credential: 'a container registry password', host, shownPrefix: username ? `${username}:` : undefined });
    for (const field of ['identitytoken', 'registrytoken']) {
      const token = get(entry, field);
      if (token?.text) out.push({ line: token.line, value: token.text, container, field: `${via}auths["${registry}"].${field}`, credential: 'a container registry token', host });
    }
  }
}

/** The host of a Docker config's registry key (`https://index.docker.io/v1/`, `ghcr.io`, `127.0.0.1:5000`). */
function registryHost(registry: string): string {
  return registry.replace(/^[a-z]+:\/\//i, '').split('/')[0]!.replace(/:\d+$/, '').toLowerCase();
}

/** A Secret's `data` (base64) and `stringData` (plain), each entry judged by its name too. */
function secretValues(secret: Tree, out: ContextValue[], depth: number): void {
  const written = get(get(secret, 'metadata'), 'name')?.text;
  // A name that was a template action (blanked) is not shown.
  const name = written && !/^_+$/.test(written) ? written : undefined;
  const container = `the Kubernetes Secret${name ? ` ${name}` : ''}`;
  for (const section of ['data', 'stringData'] as const) {
    for (const [key, value] of get(secret, section)?.entries ?? []) {
      if (value.text === undefined || value.text.trim() === '') continue;
      const base64 = section === 'data';
      const member = /^[A-Za-z_][\w-]*$/.test(key) ? `${section}.${key}` : `${section}["${key}"]`;
      const field = `${member}${base64 ? ', base64' : ''}`;
      if (/^\.docker(?:configjson|cfg)$/.test(key)) {
        embeddedDockerConfig(value.text, value.line, container, `${member} → `, out, depth + 1);
        continue;
      }
      let text: string | undefined = value.text;
      if (base64) {
        const bytes = decodeBase64(value.text);
        if (!bytes) continue; // a placeholder (`<base64>`), a template: nothing encoded
        text = decodeBase64Text(value.text);
        if (text === undefined) {
          out.push({ line: value.line, value: '', bytes, container, field, name: key });
          continue;
        }
      }
      if (/^\s*\{[\s\S]*"auths"/.test(text)) embeddedDockerConfig(text, value.line, container, `${field} → `, out, depth + 1);
      out.push({ line: value.line, value: text, container, field, name: key });
    }
  }
}

/** kustomize `secretGenerator` entries: `literals` are `KEY=value` (a `.dockerconfigjson` literal is a Docker config). */
function secretGenerator(items: Tree[], out: ContextValue[], depth: number): void {
  for (const item of items) {
    const name = get(item, 'name')?.text;
    const container = `the kustomize secretGenerator${name ? ` ${name}` : ''}`;
    for (const literal of get(item, 'literals')?.items ?? []) {
      const text = literal.text;
      const eq = text?.indexOf('=') ?? -1;
      if (!text || eq <= 0) continue;
      const key = text.slice(0, eq);
      const value = text.slice(eq + 1);
      if (/^\.docker(?:configjson|cfg)$/.test(key)) embeddedDockerConfig(value, literal.line, container, `literals ${key} → `, out, depth + 1);
      else out.push({ line: literal.line, value, container, field: `literals ${key}`, name: key });
    }
  }
}
