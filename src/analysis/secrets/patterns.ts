/**
 * What counts as a secret in a file: the values the run knows (in every form `secretForms` lists,
 * and pieces of them for values split across lines), env-file entries that hold a secret (and the
 * local defaults that do not), and what a placeholder or a generated value looks like. The vendors'
 * credential shapes are in credential-shapes.ts.
 * Shared by security.committed-secrets (files and history) and security.workflow-secrets (workflows
 * and platform configs). Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { maskValue } from '../../redact.js';
import { base64Forms, labelledSecretForms } from '../../secret-forms.js';
import type { Settings } from '../../settings.js';
import { SECRET_VARIABLES } from '../../target-app.js';
import { isPlaceholder } from './strength.js';

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
  /**
   * A piece of a longer form (its first or last 8 bytes): the form may be split across lines (string
   * concatenation, a shell `\` continuation, base64 wrapped at 76 columns). The scanner confirms a
   * piece by finding the whole form in the joined text around it.
   */
  piece?: { side: 'head' | 'tail'; form: Buffer };
}

/** Bytes of a piece needle: a form split in two leaves at least this much of it in one piece. */
export const PIECE_LENGTH = 8;

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
 * The needles for every secret the run knows (at least 8 characters, not a placeholder): every form
 * `secretForms` lists (raw, URL-encoded, base64 at each alignment, hex, JSON/JS-escaped), and for the
 * forms a file may split across lines (the raw value and its base64) their first and last 8 bytes as
 * pieces, confirmed by the scanner in the joined text.
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
    // Base64 may be wrapped: the pieces of its cores (at each alignment) find it split; the whole
    // encoding starts and ends like the first core, so its own pieces would only repeat them.
    const cores = new Set(base64Forms(Buffer.from(secret, 'utf8'), 'base64').slice(2));
    for (const { form, encoding } of labelledSecretForms(secret)) {
      if (form.length < MIN_NEEDLE_LENGTH || seen.has(form)) continue;
      seen.add(form);
      const bytes = Buffer.from(form, 'utf8');
      needles.push({ bytes, label: encoding ? `${label} (${encoding})` : label, masked, key });
      const splittable = encoding === undefined || (encoding === 'base64-encoded' && cores.has(form));
      if (splittable && bytes.length >= 2 * PIECE_LENGTH) {
        const split = `${label}${encoding ? ` (${encoding})` : ''}, split across lines`;
        for (const side of ['head', 'tail'] as const) {
          const piece = side === 'head' ? bytes.subarray(0, PIECE_LENGTH) : bytes.subarray(bytes.length - PIECE_LENGTH);
          needles.push({ bytes: Buffer.from(piece), label: split, masked, key, piece: { side, form: bytes } });
        }
      }
    }
  }
  return needles;
}

/**
 * The base64 characters that encode `bytes` whatever comes before or after them, for each of the
 * three alignments the bytes can have inside a longer encoded string.
 */
export function base64Cores(bytes: Buffer): string[] {
  return base64Forms(bytes, 'base64').slice(2);
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
const DEV_PASSWORDS = new Set(['postgres', 'password', 'pass', 'root', 'admin', 'prisma', 'test', 'secret', 'dev', 'local', 'docker', 'mysecretpassword', 'pg', 'user', 'app', 'ci', 'redis', 'mysql', 'mongo', 'mongodb', 'guest', 'rabbitmq', 'example', 'changeit', 'supabase', 'your-super-secret-and-long-postgres-password']);

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
  // Passwords made only of keyboard runs, in any case, as provider docs write them (Neon's `AbC123dEf`).
  if (/^(?:abc|def|ghi|xyz|123|456|789|qwerty|asdf)+$/.test(lower)) return true;
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

/**
 * Env files by name: `.env`, `.env.production`, `.env.local`, direnv's `.envrc`, and `*.env`
 * (`prod.env`, `deploy/web.env`). Files of other names are env files when their content says so
 * (`looksLikeEnvFile`).
 */
export function isEnvFileName(basename: string): boolean {
  return /^\.env(?:\..+)?$|^\.envrc$|^[^.][^/]*\.env$|^env\.(?:example|sample|template)$/.test(basename);
}

/** Templates meant to be committed: `.env.example`, `example.env`, `.env.sample.local`, `env.template`. */
export function isEnvTemplateName(basename: string): boolean {
  return /(?:^|\.)(?:example|examples|sample|template|tpl|dist|defaults?)(?:\.|$)/i.test(basename);
}

/** Env files Next.js loads in development and tests only, committed by design with their values. */
export function isDevelopmentEnvName(basename: string): boolean {
  return /^\.env\.(?:development|dev|test|testing|ci|e2e)(?:\.|$)/.test(basename);
}

/** Query parameters that carry a credential in a connection string or URL. */
const CREDENTIAL_PARAMS = /[?&](?:password|sslpassword|api_key|apikey|api-key|token|access_token|secret|auth_token)=([^&#\s]+)/i;

/**
 * A credential in a URL's query (`prisma+postgres://…/?api_key=…`, `postgresql://app@host/db?password=…`),
 * with the URL redacted; undefined when there is none, or it is a placeholder, or the host is local.
 */
export function urlQueryCredential(value: string): { masked: string; local: boolean } | undefined {
  const match = CREDENTIAL_PARAMS.exec(value);
  if (!match || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())) return undefined;
  let secret = match[1]!;
  try {
    secret = decodeURIComponent(secret);
  } catch {
    // not percent-encoded
  }
  if (isPlaceholderValue(secret) || /^\$/.test(secret) || secret.length < 8) return undefined;
  const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#\s]*@)?(\[[^\]]*\]|[^/?#:\s]*)/i.exec(value.trim())?.[1] ?? '';
  if (isExampleHost(host)) return undefined;
  // Every credential in the URL is masked, not only the one that made it a finding.
  const masked = value
    .trim()
    .replace(new RegExp(CREDENTIAL_PARAMS.source, 'gi'), (whole: string, v: string) => whole.replace(v, maskValue(safeDecode(v))))
    .replace(/(:\/\/[^:@/?#\s]*:)[^@/?#\s]+@/, '$1***@');
  return { masked: masked.length > 120 ? `${masked.slice(0, 117)}…` : masked, local: isLocalHost(host) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Values a template or a local setup uses by convention, that no production system should accept:
 * the docker images' documented passwords, and word-made defaults that name what they stand for
 * (`jackson-secret`, `dev-webhook-secret`, `local_password`).
 */
export function isConventionalDefault(value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (DEV_PASSWORDS.has(lower)) return true;
  const words = lower.split(/[-_.:]+/).filter(Boolean);
  if (words.length < 2 || !words.every((w) => /^[a-z]+\d{0,4}$/.test(w))) return false;
  return words.some((w) => /^(?:secret|secrets|password|passwd|pass|pwd|key|token|dev|local|localhost|default|example|demo|test|testing|insecure|changeme)\d{0,4}$/.test(w));
}

/** How an env-file entry is judged by the scan. */
export type EnvVerdict =
  /** A secret committed: a finding. */
  | { kind: 'secret'; masked: string }
  /** A random-looking value in a template: information (no environment should use it). */
  | { kind: 'sample'; masked: string }
  /** A local or documented default (docker-compose value, loopback URL): information. */
  | { kind: 'default'; why: string };

/**
 * Whether an env-file entry holds a secret. A URL is judged by the credential in it (password or
 * query key) whatever the variable's name, so `DATABASE_URL` is judged like any other; other values
 * by a secret-looking name with a real value. Local defaults (the repository's docker-compose values,
 * the images' documented passwords, loopback hosts) are information, not secrets; so are test values
 * (Next.js loads a committed `.env.test` / `.env.development` by design). In a template
 * (`.env.example`) a random-looking value is information too: it is meant to be public, and
 * config.nextauth-secret fails a deployment that uses it.
 */
export function judgeEnvEntry(
  name: string,
  value: string,
  file: { template: boolean; localDefaults?: ReadonlySet<string> },
): EnvVerdict | undefined {
  const v = value.trim();
  if (v === '' || isPlaceholderValue(v) || /^\$[({]/.test(v)) return undefined;
  const password = urlPassword(v);
  if (password) {
    if (isPlaceholderValue(password.decoded) || /^\$|%s$|^%\(/.test(password.decoded) || isExampleHost(password.host)) return undefined;
    if (isLocalHost(password.host) && (isPlaceholderPassword(password) || isConventionalDefault(password.decoded) || file.localDefaults?.has(password.decoded) || file.template)) {
      return { kind: 'default', why: `${name} points at a local database (${password.host})` };
    }
    return { kind: 'secret', masked: maskUrlPassword(v) };
  }
  const query = urlQueryCredential(v);
  if (query) return query.local ? { kind: 'default', why: `${name} points at a local server` } : { kind: 'secret', masked: query.masked };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || !isSecretName(name)) return undefined;
  if (file.localDefaults?.has(v)) return { kind: 'default', why: `${name} is the repository's docker-compose value` };
  if (isConventionalDefault(v)) return { kind: 'default', why: `${name} is a conventional local default` };
  if (isNonProductionValue(v)) return undefined;
  if (file.template) return looksRandom(v) ? { kind: 'sample', masked: maskValue(v) } : { kind: 'default', why: `${name} is a template value` };
  return { kind: 'secret', masked: maskValue(v) };
}

/**
 * A value a format says is base64 (a Kubernetes Secret's `data`, a Docker `auth`, `.npmrc` `_auth`),
 * decoded to text: strict standard base64 (blanks allowed, as YAML folds it), and text that is valid
 * UTF-8 without control characters other than line breaks and tabs; undefined otherwise.
 */
export function decodeBase64Text(value: string): string | undefined {
  const bytes = decodeBase64(value);
  if (!bytes) return undefined;
  const text = bytes.toString('utf8');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return undefined;
  }
  return text;
}

/** Strict standard base64 (padding required, blanks ignored) as bytes; undefined when `value` is not base64. */
export function decodeBase64(value: string): Buffer | undefined {
  const compact = value.replace(/\s+/g, '');
  if (compact.length < 4 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** Shannon entropy of a string, in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Whether a token body looks generated rather than typed: long enough, no long runs or sequences,
 * no template words, and the character spread of random text. The spread a random body reaches
 * depends on the alphabet it is drawn from: 16 random hex characters fall under 3 bits per character
 * one time in seven, 16 of base32 (an AWS key id) one time in 260, so the bar is set per alphabet
 * where fewer than 1 in 10,000 random bodies of 16 characters fall below it (measured by sampling;
 * a seeded test keeps it so), and still far above a typed pattern (`deadbeefdeadbeef`: 2.2 bits).
 */
export function looksRandom(body: string, minLength = 16): boolean {
  if (body.length < minLength) return false;
  if (/(.)\1{5}/.test(body) || /x{4}|X{4}|\*{3}|\.{3}|…/.test(body)) return false;
  if (/example|sample|dummy|placeholder|your|redacted|changeme|fake|test(?:ing)?key|password|secret/i.test(body)) return false;
  // The same unit over and over (`deadbeefdeadbeef`, `abcabcabc…`): typed, whatever its spread.
  if (/^(.{1,12}?)\1+$/.test(body)) return false;
  let sequential = 0;
  for (let i = 1; i < body.length; i++) if (body.charCodeAt(i) - body.charCodeAt(i - 1) === 1) sequential++;
  if (sequential > body.length / 3) return false;
  return entropy(body) >= Math.min(entropyBar(body), Math.log2(body.length) - 1);
}

/** Bits per character that random text of `body`'s alphabet (hex; one case and digits; mixed) exceeds. */
function entropyBar(body: string): number {
  if (/^[0-9a-f]+$/.test(body) || /^[0-9A-F]+$/.test(body)) return 2.25;
  if (/^[A-Z0-9]+$/.test(body) || /^[a-z0-9]+$/.test(body)) return 2.7;
  return 3;
}
