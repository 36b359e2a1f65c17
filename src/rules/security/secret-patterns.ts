/**
 * What counts as a secret in a file: the values the run knows (and their usual encodings), the
 * shapes of live credentials, env-file entries that hold a secret, and what a placeholder looks like.
 * Shared by security.committed-secrets (files and history) and security.workflow-secrets (workflows
 * and platform configs). Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { maskValue } from '../../redact.js';
import { SECRET_VARIABLES, type Settings } from '../../settings.js';
import { isPlaceholder } from '../config/secrets.js';

/** Secrets shorter than this are not searched for: "password1" is everywhere, "true" more so. */
export const MIN_NEEDLE_LENGTH = 8;

/** Variables whose values are secrets in workflows and platform files, beyond SECRET_VARIABLES. */
export const SECRET_NAMES: readonly string[] = [...SECRET_VARIABLES, 'DATABASE_URL'];

/** A value the run knows, in one encoding, as the bytes to find. */
export interface Needle {
  bytes: Buffer;
  /** "the value of STRIPE_SECRET_KEY (base64-encoded)": never the value itself. */
  label: string;
  /** The secret's redacted form, as `maskValue` shows it. */
  masked: string;
  /** Identity of the secret (not of the encoding), for deduplication; a hash, never the value. */
  key: string;
}

const shortHash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16);

/**
 * Which variable a secret value belongs to, named without printing it: the app variables first,
 * then the DATABASE_URL password, then the github-token input.
 */
export function secretNames(settings: Pick<Settings, 'env' | 'githubToken'>): Map<string, string> {
  const names = new Map<string, string[]>();
  const add = (value: string | undefined, name: string) => {
    if (!value) return;
    const list = names.get(value) ?? [];
    if (!list.includes(name)) list.push(name);
    names.set(value, list);
  };
  for (const [name, value] of Object.entries(settings.env)) add(value, name);
  const password = urlPassword(settings.env.DATABASE_URL ?? '');
  if (password) {
    add(password.raw, 'the DATABASE_URL password');
    add(password.decoded, 'the DATABASE_URL password');
  }
  add(settings.githubToken, 'the github-token input');
  return new Map([...names].map(([value, list]) => [value, list.join(' / ')]));
}

/**
 * The needles for every secret the run knows (at least 8 characters, not a placeholder): the raw
 * value, URL-encoded (as in a connection string), and base64 / base64url. Base64 is searched at the
 * three byte alignments, keeping only the characters that depend on the secret alone, so the secret
 * is found inside a longer encoded string too (`user:password` in a Basic auth header or a Docker
 * `config.json`, a Kubernetes Secret).
 */
export function secretNeedles(settings: Pick<Settings, 'env' | 'githubToken' | 'secrets'>): Needle[] {
  const names = secretNames(settings);
  const needles: Needle[] = [];
  const seen = new Set<string>();
  // The DATABASE_URL password is known as written in the URL and decoded; the written form is the
  // decoded one's URL encoding, searched (and named) as such.
  const encodingOfAnother = (secret: string) => settings.secrets.some((s) => s !== secret && encodeURIComponent(s) === secret);
  for (const secret of settings.secrets) {
    if (secret.length < MIN_NEEDLE_LENGTH || isPlaceholderValue(secret) || encodingOfAnother(secret)) continue;
    const name = names.get(secret);
    const label = name ? (name.startsWith('the ') ? name : `the value of ${name}`) : 'a configured secret';
    const key = shortHash(secret);
    const masked = maskValue(secret);
    const add = (text: string, encoding?: string) => {
      if (text.length < MIN_NEEDLE_LENGTH || seen.has(text)) return;
      seen.add(text);
      needles.push({ bytes: Buffer.from(text, 'utf8'), label: encoding ? `${label} (${encoding})` : label, masked, key });
    };
    add(secret);
    const url = encodeURIComponent(secret);
    add(url, 'URL-encoded');
    add(url.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()), 'URL-encoded');
    for (const core of base64Cores(Buffer.from(secret, 'utf8'))) {
      add(core, 'base64-encoded');
      add(core.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url-encoded');
    }
  }
  return needles;
}

/**
 * The base64 characters that encode `bytes` whatever comes before or after them, for each of the
 * three alignments the bytes can have inside a longer encoded string.
 */
export function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64').replace(/=+$/, '');
    // Leading characters that mix in the unknown bytes before; a trailing one that mixes in those after.
    const lead = shift === 0 ? 0 : shift === 1 ? 2 : 3;
    const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1;
    cores.push(encoded.slice(lead, encoded.length - tail));
  }
  return cores;
}

/** Common non-values in templates, docs and CI jobs (beyond `isPlaceholder` of the config rules). */
const PLACEHOLDER_WORDS = new Set([
  'none', 'null', 'nil', 'undefined', 'empty', 'tbd', 'todo', 'fixme', 'n/a', 'na', 'redacted', 'hidden', 'pass', 'pwd',
  'dummy', 'fake', 'sample', 'testing', 'local', 'foo', 'bar', 'baz', 'foobar', 'abc', 'abc123', 'qwerty', 'admin', 'root',
  'true', 'false', 'yes', 'no', 'on', 'off',
]);

/** Known credential prefixes: `sk_live_xxxxxxxx` is a placeholder when its body is one. */
const CREDENTIAL_PREFIX = /^(?:(?:sk|rk|pk)_(?:live|test)_|whsec_|gh[pousr]_|github_pat_|GOCSPX-|AKIA|ASIA)/;

/**
 * True when a value is not a real secret: empty, a template word (`changeme`, `xxx`, `your_…_here`,
 * `<PASSWORD>`), a reference to something else (`$VAR`, `${VAR}`, `${{ secrets.X }}`, `{{ .Values.x }}`),
 * or a credential prefix followed by one of those (`sk_live_...`).
 */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  if (v === '') return true;
  const lower = v.toLowerCase();
  if (isPlaceholder(v) || PLACEHOLDER_WORDS.has(lower)) return true;
  if (/^your[\s_-]/.test(lower) || /[\s_-]here$/.test(lower) || /^my[_-]?(secret|password|token|key)/.test(lower)) return true;
  if (/<[^<>]*>/.test(v) || /\$\{\{.*\}\}/.test(v) || /\{\{.*\}\}/.test(v) || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v)) return true;
  if (/^(.)\1+$/.test(v) || /^[.…*•]+$|\.\.\.|…/.test(v)) return true;
  if (/(dummy|fake|placeholder|sample|redacted|insert[_-]?here|not[_-]?a[_-]?(real[_-]?)?(secret|key|token))/.test(lower)) return true;
  const body = v.replace(CREDENTIAL_PREFIX, '');
  return body !== v && (body === '' || /^(x+|X+|0+|\*+|\.+|…+)$/.test(body) || isPlaceholderValue(body));
}

/** The password part of a URL (`scheme://user:pass@host`), raw and percent-decoded, and its host. */
export function urlPassword(value: string): { raw: string; decoded: string; host: string; user: string } | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^\s:@/?#]*):([^\s@/?#]*)@(\[[^\]]*\]|[^\s/?#:]*)/i.exec(value.trim());
  if (!match || !match[2]) return undefined;
  let decoded = match[2];
  try {
    decoded = decodeURIComponent(match[2]);
  } catch {
    // not percent-encoded: keep it raw
  }
  return { raw: match[2], decoded, host: match[3]!.toLowerCase(), user: match[1]! };
}

/** Passwords that only local and CI databases use (docker's defaults, tutorials). */
const DEV_PASSWORDS = new Set(['postgres', 'password', 'pass', 'root', 'admin', 'prisma', 'test', 'secret', 'dev', 'local', 'docker', 'mysecretpassword', 'pg', 'user', 'app', 'ci']);

/**
 * A host that only a developer machine, a CI job or a container network reaches: loopback, the
 * docker host alias, or a single-label name (a service container such as `postgres` or `db`).
 */
export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '::1' || h === '0.0.0.0' || h === 'host.docker.internal' || /^[a-z0-9_-]+$/.test(h);
}

/** Hosts reserved for documentation (RFC 2606): `db.example.com`, `host.test`. */
export function isExampleHost(host: string): boolean {
  return /(?:^|\.)example(?:\.(?:com|org|net))?$|\.(?:test|invalid|example)$|^(?:host|hostname|your[-_].*)$/i.test(host);
}

/**
 * True when a URL's password is not a credential worth reporting: a placeholder anywhere, any
 * password on a documentation host, or a development password (`postgres`, `mypassword`) on a
 * local or container host. A strong password on localhost is still reported: it may be a tunnel.
 */
export function isPlaceholderPassword(password: { decoded: string; host: string }): boolean {
  if (isPlaceholderValue(password.decoded) || /^\$|%s$|^%\(/.test(password.decoded) || isExampleHost(password.host)) return true;
  // Prisma's and the tutorials' `johndoe:randompassword@localhost`.
  const lower = password.decoded.toLowerCase();
  return isLocalHost(password.host) && (DEV_PASSWORDS.has(lower) || /pass(?:word|wd)|secret/.test(lower));
}

/** Words that mark a value as made for tests or development (`sk_test_…`, `ci-dummy-secret`). */
const NON_PRODUCTION_WORDS = new Set(['test', 'testing', 'ci', 'dev', 'development', 'local', 'localhost', 'dummy', 'fake', 'example', 'sample', 'demo', 'placeholder', 'changeme', 'insecure', 'e2e']);

/**
 * A placeholder, or a value that says it is for tests or development: a Stripe test key, a
 * `ci-test-secret`. In a workflow such a value is a warning (the real secret does not reach the
 * step), not a leak.
 */
export function isNonProductionValue(value: string): boolean {
  return isPlaceholderValue(value) || value.toLowerCase().split(/[^a-z0-9]+/).some((word) => NON_PRODUCTION_WORDS.has(word));
}

/** `postgres://user:…ab12@host`: the URL with its password masked. */
export function maskUrlPassword(value: string): string {
  const password = urlPassword(value);
  if (!password) return value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value.trim())![0];
  return `${scheme}${password.user}:${maskValue(password.decoded)}@${password.host}`;
}

/** Names of variables that hold secrets in an env file (the app's, and the usual conventions). */
export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  if (SECRET_NAMES.includes(upper)) return true;
  if (upper.startsWith('NEXT_PUBLIC_') || /PUBLISHABLE|PUBLIC_KEY/.test(upper)) return false;
  return /SECRET|TOKEN|PASSW(?:OR)?D|PRIVATE|CREDENTIAL|(?:^|_)(?:API|ACCESS|SIGNING|ENCRYPTION|AUTH|MASTER|SERVICE_ACCOUNT)_?KEY(?:$|_)|(?:^|_)(?:PASS|PWD)(?:$|_)/.test(upper);
}

/** `.env`, `.env.production`, `.env.local` … (a tracked one must hold no secret). */
export function isEnvFileName(basename: string): boolean {
  return /^\.env(?:\..+)?$/.test(basename);
}

/** `.env.example`, `.env.sample`, `.env.template`: meant to be committed, with placeholders. */
export function isEnvTemplateName(basename: string): boolean {
  return /^\.env(?:\..+)?\.(?:example|sample|template|tpl|dist)$|^\.env\.(?:example|sample|template|tpl|dist)(?:\..+)?$/.test(basename);
}

/** How far a quoted dotenv value may run on (a PEM key is about 30 lines). */
const MAX_QUOTED_LINES = 100;

/** One `NAME=value` line of a dotenv file, with its 1-based line. */
export interface EnvAssignment {
  name: string;
  value: string;
  line: number;
}

/**
 * The assignments of a dotenv text: `NAME=value`, `export NAME=value`, quoted values (double quotes
 * may span lines, as dotenv allows for private keys), inline ` #` comments on unquoted values.
 */
export function parseEnvAssignments(text: string): EnvAssignment[] {
  const lines = text.split(/\r?\n/);
  const found: EnvAssignment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(lines[i]!);
    if (!match || lines[i]!.trimStart().startsWith('#')) continue;
    let raw = match[2]!;
    const line = i + 1;
    const quote = raw[0];
    let value: string;
    if (quote === '"' || quote === "'" || quote === '`') {
      let body = raw.slice(1);
      for (let more = 0; !body.includes(quote) && i + 1 < lines.length && more < MAX_QUOTED_LINES; more++) body += `\n${lines[++i]}`;
      value = body.includes(quote) ? body.slice(0, body.indexOf(quote)) : body;
    } else {
      raw = raw.replace(/\s+#.*$/, '');
      value = raw.trim();
    }
    found.push({ name: match[1]!, value, line });
  }
  return found;
}

/**
 * Whether an env-file entry holds a secret: a URL with a real password whatever its name, else a
 * secret-looking name with a value that is neither a placeholder nor a test or development value
 * (Next.js loads a committed `.env.test` / `.env.development` by design). Returns the redacted value
 * to show, or undefined.
 */
export function envSecretValue(name: string, value: string): string | undefined {
  const password = urlPassword(value);
  if (password) return isPlaceholderPassword(password) ? undefined : maskUrlPassword(value);
  if (/_URL$|_URI$|_DSN$/i.test(name)) return undefined;
  if (!isSecretName(name) || isNonProductionValue(value)) return undefined;
  return maskValue(value);
}

/** A live-credential shape: found from a literal anchor, confirmed by a regex at that place. */
export interface CredentialPattern {
  /** What the message calls it: "a Stripe live secret key". */
  label: string;
  /** Literal starts; the scanner finds these, then runs `regex` there. */
  anchors: string[];
  /** Sticky regex, run on the text from the anchor on (latin1: one character per byte). */
  regex: RegExp;
  /** Longest text the regex may need after the anchor. */
  window: number;
  /** The character before must not be a letter, digit or `_` (a token inside a longer word is not one). */
  boundary: boolean;
  /** The redacted value to show, or undefined when the match is a placeholder or an example. */
  accept(match: RegExpExecArray, rest: string): string | undefined;
}

const plain = (match: RegExpExecArray) => (isPlaceholderValue(match[0]) ? undefined : maskValue(match[0]));
const wordAfter = (match: RegExpExecArray, rest: string) => /[A-Za-z0-9_]/.test(rest[match[0].length] ?? '');

/** The live-credential shapes of the guide's stack (Stripe, GitHub, Google, AWS, keys, Postgres). */
export const CREDENTIAL_PATTERNS: readonly CredentialPattern[] = [
  {
    label: 'a Stripe live secret key',
    anchors: ['sk_live_', 'rk_live_'],
    regex: /[sr]k_live_[0-9A-Za-z]{16,247}/y,
    window: 256,
    boundary: true,
    accept: (m, rest) => (wordAfter(m, rest) ? undefined : plain(m)),
  },
  {
    label: 'a Stripe webhook signing secret',
    anchors: ['whsec_'],
    regex: /whsec_[0-9A-Za-z+/]{20,100}/y,
    window: 110,
    boundary: true,
    accept: plain,
  },
  {
    label: 'a GitHub token',
    anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    regex: /gh[pousr]_[0-9A-Za-z]{36,251}/y,
    window: 256,
    boundary: true,
    accept: (m, rest) => (wordAfter(m, rest) ? undefined : plain(m)),
  },
  {
    label: 'a GitHub fine-grained token',
    anchors: ['github_pat_'],
    regex: /github_pat_[0-9A-Za-z_]{40,244}/y,
    window: 256,
    boundary: true,
    accept: plain,
  },
  {
    label: 'a Google OAuth client secret',
    anchors: ['GOCSPX-'],
    regex: /GOCSPX-[0-9A-Za-z_-]{24,64}/y,
    window: 72,
    boundary: true,
    accept: plain,
  },
  {
    label: 'an AWS access key id',
    anchors: ['AKIA', 'ASIA'],
    regex: /(?:AKIA|ASIA)[0-9A-Z]{16}/y,
    window: 21,
    boundary: true,
    // AWS documents AKIAIOSFODNN7EXAMPLE; `isPlaceholderValue` knows "example".
    accept: (m, rest) => (/[A-Za-z0-9]/.test(rest[20] ?? '') ? undefined : plain(m)),
  },
  {
    label: 'a private key block',
    anchors: ['-----BEGIN '],
    regex: /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/y,
    window: 600,
    boundary: false,
    // A real block has base64 after the header (and maybe Proc-Type/DEK-Info lines, or `\n` escapes
    // in JSON); "-----BEGIN PRIVATE KEY-----\n...\n" in a README is not one.
    accept: (m, rest) =>
      /^(?:\s|\\[nr])*(?:[A-Za-z-]+: [^\n\\]*(?:\n|\\n))*(?:\s|\\[nr])*[A-Za-z0-9+/=]{40,}/.test(rest.slice(m[0].length))
        ? m[0]
        : undefined,
  },
  {
    label: 'a Postgres URL with a password',
    anchors: ['postgres://', 'postgresql://'],
    regex: /postgres(?:ql)?:\/\/[^\s:@/?#'"`]*:[^\s@/?#'"`]+@(?:\[[0-9a-fA-F:.]+\]|[^\s/?#:'"`,;]+)/y,
    window: 512,
    boundary: false,
    accept: (m) => {
      const password = urlPassword(m[0]);
      return password && !isPlaceholderPassword(password) ? maskUrlPassword(m[0]) : undefined;
    },
  },
];
