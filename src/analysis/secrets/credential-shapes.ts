/**
 * The shapes of live credentials of the stack (Stripe, GitHub, Sentry, Vercel, the database) and its
 * neighbours (Slack, OpenAI, Anthropic, SendGrid, Postmark, Resend, Mailgun, Twilio, AWS, Google
 * Cloud, Azure, npm, Supabase), each from its vendor's documented token format. A shape is found by a
 * literal anchor (the scanner's byte search), then confirmed by a regex at that place and by what the
 * format itself guarantees: a checksum where the vendor has one (GitHub `ghp_`, npm `npm_`, Vercel
 * `vcp_`: CRC32 of the body in base62), a structure otherwise (a Sentry token's JSON payload, a JWT's
 * header and expiry, OpenAI's `T3BlbkFJ` marker, a PEM body's base64). Placeholders, documentation
 * examples and test-mode keys of the same shapes are not findings.
 */
import { createPrivateKey } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { maskValue } from '../../redact.js';
import { SECRET_VARIABLES } from '../../target-app.js';
import {
  decodeBase64Text,
  isConventionalDefault,
  isExampleHost,
  isLocalHost,
  isNonProductionValue,
  isPlaceholderPassword,
  isPlaceholderValue,
  looksRandom,
  maskUrlPassword,
  urlPassword,
  urlQueryCredential,
} from './patterns.js';
import { judgeArmoredKey, judgePuttyKey, MAX_KEY_TEXT } from './private-keys.js';

/**
 * What a confirmed shape reports: the redacted value, and a more precise label when the place tells
 * one; `secret` when the identity of the thing is not the regex's match (a private key: its body);
 * `protected` for a credential behind a passphrase or a hash (an encrypted key, an htpasswd hash):
 * a warning, not a failure.
 */
export type Accepted = string | { masked: string; label?: string; secret?: string; protected?: boolean } | undefined;

/** Lazily read text around a candidate (for shapes whose meaning depends on the surroundings). */
export interface ShapeContext {
  /** Up to `n` characters before the start of the regex. */
  before(n: number): string;
  /** Up to `n` characters from the start of the regex, as written (a private key's whole armor). */
  after(n: number): string;
}

/** A live-credential shape: found from a literal anchor, confirmed by a regex at that place. */
export interface CredentialPattern {
  /** Stable id, used in allowlists and in the report's data. */
  id: string;
  /** What the message calls it: "a Stripe live secret key". */
  label: string;
  /** Literal bytes (at least 4); the scanner finds these, then runs `regex` there. */
  anchors: string[];
  /** Where the regex starts, relative to the anchor: positive before it, negative after (an anchor with leading context). */
  back: number;
  /** Sticky regex, run on the text from its start (latin1: one character per byte). `d` flag: group 1, when present, is the secret. */
  regex: RegExp;
  /** Longest text the regex may need from its start. */
  window: number;
  /** The character before the start must not be a letter, digit or `_`, unless an escape (`%22`, `\n`, `\u0022`) ends there. */
  boundary: boolean;
  /** The redacted value to show, or undefined when the match is a placeholder, an example or not live. */
  accept(match: RegExpExecArray, text: string, context: ShapeContext): Accepted;
  /** Ids of gitleaks' default rules for the same credential (a `.gitleaks.toml` that disables or tunes them applies here too). */
  gitleaks: string[];
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** CRC32 of `body` in base62, zero-padded to 6 characters: the checksum of GitHub, npm and Vercel tokens. */
export function base62Checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  do {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(6, '0');
}

/** A token whose last 6 characters are the base62 CRC32 of the `bodyStart`.. part before them. */
const checksummed = (token: string, bodyStart: number) => token.length > bodyStart + 6 && base62Checksum(token.slice(bodyStart, -6)) === token.slice(-6);

const masked = (value: string): Accepted => (isPlaceholderValue(value) ? undefined : maskValue(value));
const wordAfter = (m: RegExpExecArray, text: string) => /[A-Za-z0-9_]/.test(text[m[0].length] ?? '');
/** Anchors with one byte of leading context, for prefixes shorter than 4 bytes (`SG.`): the byte before a token. */
const led = (prefix: string) => ['"', "'", '`', '=', ' ', ':', '(', ',', '\n', '\t', '>', '[', '2', 'D', 'n', 't'].map((c) => c + prefix);

/** base64url → text, or undefined. */
function base64Json(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The flat JSON object around a place: from the last `{` before it to the first `}` after it, parsed (a JWK). */
function enclosingObject(before: string, after: string): Record<string, unknown> | undefined {
  const open = before.lastIndexOf('{');
  const close = after.indexOf('}');
  if (open === -1 || close === -1) return undefined;
  try {
    const value: unknown = JSON.parse(before.slice(open) + after.slice(0, close + 1));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The password of `user:password`, or undefined. */
const passwordOf = (ident: string | undefined) => (ident?.includes(':') ? ident.slice(ident.indexOf(':') + 1) : undefined);

/** A signed JWT that is a live credential: a real header, a payload, not expired, not a public role or the jwt.io example. */
function liveJwt(token: string): boolean {
  const [head, payload, signature] = token.split('.');
  const header = base64Json(head ?? '');
  const claims = base64Json(payload ?? '');
  if (!header || !claims || typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none' || !signature || signature.length < 16) return false;
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return false;
  // Supabase's anon key is public by design (NEXT_PUBLIC_SUPABASE_ANON_KEY); jwt.io's example is an example.
  if (claims.role === 'anon' || (claims.sub === '1234567890' && claims.name === 'John Doe')) return false;
  return looksRandom(signature, 16);
}

/** Keyword anchors in the three usual cases. */
const cased = (word: string) => [word.toLowerCase(), word.toUpperCase(), word[0]!.toUpperCase() + word.slice(1).toLowerCase()];

/** Names of the app's secrets (and the usual JWT ones) as keyword anchors for `NAME = "literal"` in code and config. */
const HARDCODED_NAMES = [...SECRET_VARIABLES, 'JWT_SECRET', 'JWT_SIGNING_KEY', 'jwtSecret', 'JWT_PRIVATE_KEY', 'SESSION_SECRET', 'COOKIE_SECRET', 'ENCRYPTION_KEY'];

export const CREDENTIAL_PATTERNS: readonly CredentialPattern[] = [
  {
    id: 'stripe-live-key',
    label: 'a Stripe live secret key',
    anchors: ['sk_live_', 'rk_live_'],
    back: 0,
    regex: /[sr]k_live_[0-9A-Za-z]{20,247}/dy,
    window: 256,
    boundary: true,
    accept: (m, t) => (wordAfter(m, t) || !looksRandom(m[0].slice(8), 20) ? undefined : masked(m[0])),
    gitleaks: ['stripe-access-token'],
  },
  {
    id: 'stripe-webhook-secret',
    label: 'a Stripe webhook signing secret',
    anchors: ['whsec_'],
    back: 0,
    regex: /whsec_[0-9A-Za-z+/]{24,100}/dy,
    window: 110,
    boundary: true,
    accept: (m, t) => (wordAfter(m, t) || !looksRandom(m[0].slice(6), 24) ? undefined : masked(m[0])),
    gitleaks: ['stripe-access-token'],
  },
  {
    id: 'github-token',
    label: 'a GitHub token',
    anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    back: 0,
    // 30 random base62 characters and a 6-character checksum (GitHub's documented format).
    regex: /gh[pousr]_[0-9A-Za-z]{36,251}/dy,
    window: 256,
    boundary: true,
    accept: (m, t) => (wordAfter(m, t) || !checksummed(m[0], 4) ? undefined : masked(m[0])),
    gitleaks: ['github-pat', 'github-oauth', 'github-app-token', 'github-refresh-token'],
  },
  {
    id: 'github-fine-grained-token',
    label: 'a GitHub fine-grained token',
    anchors: ['github_pat_'],
    back: 0,
    // 22 characters of id, `_`, 59 of secret. GitHub publishes no checksum for this format (the
    // classic CRC32 does not hold on published samples), so the body must look generated.
    regex: /github_pat_([0-9A-Za-z]{22})_([0-9A-Za-z]{59})/dy,
    window: 100,
    boundary: true,
    accept: (m, t) => (wordAfter(m, t) || !looksRandom(m[2]!, 40) ? undefined : masked(m[0])),
    gitleaks: ['github-fine-grained-pat'],
  },
  {
    id: 'sentry-org-token',
    label: 'a Sentry organization auth token',
    anchors: ['sntrys_'],
    back: 0,
    // `sntrys_` + base64 of a JSON payload ({"iat":…,"url":…,"org":…}) + `_` + 43 characters of secret.
    regex: /sntrys_([A-Za-z0-9+/=]{20,600})_([A-Za-z0-9+/]{43})/dy,
    window: 700,
    boundary: true,
    accept: (m) => {
      const payload = base64Json(m[1]!.replace(/=+$/, ''));
      return payload && typeof payload.iat === 'number' && looksRandom(m[2]!, 30) ? `sntrys_…${m[0].slice(-4)}` : undefined;
    },
    gitleaks: ['sentry-org-token'],
  },
  {
    id: 'sentry-user-token',
    label: 'a Sentry user auth token',
    anchors: ['sntryu_'],
    back: 0,
    regex: /sntryu_[0-9a-f]{64}/dy,
    window: 80,
    boundary: true,
    accept: (m, t) => (wordAfter(m, t) || !looksRandom(m[0].slice(7), 40) ? undefined : masked(m[0])),
    gitleaks: ['sentry-user-token'],
  },
  {
    id: 'vercel-token',
    label: 'a Vercel token',
    anchors: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
    back: 0,
    // Prefix, 50 characters of body and the base62 CRC32 of the body (Vercel's 2026 formats).
    regex: /vc[pciark]_[A-Za-z0-9_-]{50}[A-Za-z0-9]{6}/dy,
    window: 64,
    boundary: true,
    accept: (m, t) => (/[A-Za-z0-9_-]/.test(t[m[0].length] ?? '') || !checksummed(m[0], 4) ? undefined : masked(m[0])),
    gitleaks: ['vercel-token'],
  },
  {
    id: 'npm-token',
    label: 'an npm access token',
    anchors: ['npm_'],
    back: 0,
    // 30 random base62 characters and a CRC32 checksum, as GitHub's tokens.
    regex: /npm_[0-9A-Za-z]{36}/dy,
    window: 48,
    boundary: true,
    accept: (m, t) => (wordAfter(m, t) || !checksummed(m[0], 4) ? undefined : masked(m[0])),
    gitleaks: ['npm-access-token'],
  },
  {
    id: 'npmrc-auth',
    label: 'an npm registry credential (.npmrc)',
    anchors: ['_authToken=', '_authToken =', ':_auth=', ':_password='],
    back: 0,
    regex: /(?:_authToken\s*=\s*|:_auth=|:_password=)["']?([^\s"'$]{8,})/dy,
    window: 300,
    boundary: false,
    accept: (m) => {
      const value = m[1]!;
      // `npm_` tokens are judged (with their checksum) by the npm shape; this is the rest: legacy UUID tokens.
      if (m[0].startsWith('_authToken')) return value.startsWith('npm_') || !looksRandom(value, 16) ? undefined : maskValue(value);
      // `_auth` is base64 of `user:password`, `_password` base64 of the password (npm's documented .npmrc keys).
      const decoded = decodeBase64Text(value);
      const password = m[0].startsWith(':_auth=') ? passwordOf(decoded) : decoded;
      return password && password.length >= 6 && !isPlaceholderValue(password) && !/^\$\{?\w+\}?$/.test(password) ? maskValue(password) : undefined;
    },
    gitleaks: ['npm-access-token'],
  },
  {
    id: 'yarnrc-auth',
    label: 'an npm registry credential (.yarnrc.yml)',
    // Yarn Berry's `npmAuthToken` and `npmAuthIdent` (`user:password`, plain or base64), top-level or under `npmRegistries`/`npmScopes`.
    anchors: ['npmAuthToken', 'npmAuthIdent'],
    back: 0,
    regex: /npmAuth(?:Token|Ident)["']?\s*:\s*["']?([^\s"'#]{8,})/dy,
    window: 300,
    boundary: true,
    accept: (m) => {
      const value = m[1]!;
      if (value.startsWith('$') || isPlaceholderValue(value)) return undefined;
      if (m[0].startsWith('npmAuthToken')) return value.startsWith('npm_') || !looksRandom(value, 16) ? undefined : maskValue(value);
      const password = passwordOf(value.includes(':') ? value : decodeBase64Text(value));
      return password && password.length >= 6 && !isPlaceholderValue(password) ? maskValue(password) : undefined;
    },
    gitleaks: [],
  },
  {
    id: 'slack-token',
    label: 'a Slack token',
    anchors: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxo-', 'xoxr-', 'xoxs-', 'xoxe-', 'xoxe.', 'xapp-'],
    back: 0,
    regex: /(?:xox[bpaors]-(?:[0-9]{8,14}-){1,3}[A-Za-z0-9]{24,64}|xoxe(?:\.xox[bp])?-1-[A-Za-z0-9]{100,200}|xapp-1-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64})/dy,
    window: 300,
    boundary: true,
    accept: (m, t) => (wordAfter(m, t) || !looksRandom(m[0].replace(/^.*-/, ''), 20) ? undefined : masked(m[0])),
    gitleaks: ['slack-bot-token', 'slack-user-token', 'slack-app-token', 'slack-config-access-token', 'slack-config-refresh-token', 'slack-legacy-token'],
  },
  {
    id: 'slack-webhook',
    label: 'a Slack webhook URL',
    anchors: ['hooks.slack.com/'],
    back: 0,
    regex: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(T[A-Z0-9]{8,12})\/([A-Z0-9]{8,12}(?:\/[0-9]{6,})?)\/([A-Za-z0-9]{20,48})/dy,
    window: 200,
    boundary: false,
    // Slack's documentation uses T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX.
    accept: (m) => (looksRandom(m[3]!, 20) && !/^T0+$/.test(m[1]!) ? `https://hooks.slack.com/…/${maskValue(m[3]!)}` : undefined),
    gitleaks: ['slack-webhook-url'],
  },
  {
    id: 'openai-key',
    label: 'an OpenAI API key',
    anchors: ['sk-proj-', 'sk-svcacct-', 'sk-admin-'],
    back: 0,
    // Every OpenAI key carries `T3BlbkFJ` ("OpenAI" in base64) in its middle.
    regex: /sk-(?:proj|svcacct|admin)-([A-Za-z0-9_-]{20,250}T3BlbkFJ[A-Za-z0-9_-]{20,250})/dy,
    window: 600,
    boundary: true,
    accept: (m, t) => (/[A-Za-z0-9_-]/.test(t[m[0].length] ?? '') || !looksRandom(m[1]!.replace('T3BlbkFJ', ''), 30) ? undefined : masked(m[0])),
    gitleaks: ['openai-api-key'],
  },
  {
    id: 'openai-legacy-key',
    label: 'an OpenAI API key',
    // `sk-` + 20 + `T3BlbkFJ` + 20: found from the marker, the regex starting 23 bytes before it.
    anchors: ['T3BlbkFJ'],
    back: 23,
    regex: /sk-([A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})/dy,
    window: 56,
    boundary: true,
    accept: (m, t) => (wordAfter(m, t) || !looksRandom(m[1]!.replace('T3BlbkFJ', ''), 30) ? undefined : masked(m[0])),
    gitleaks: ['openai-api-key'],
  },
  {
    id: 'anthropic-key',
    label: 'an Anthropic API key',
    anchors: ['sk-ant-'],
    back: 0,
    regex: /sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,100}AA/dy,
    window: 130,
    boundary: true,
    accept: (m, t) => (/[A-Za-z0-9_-]/.test(t[m[0].length] ?? '') || !looksRandom(m[0].slice(14, -2), 40) ? undefined : masked(m[0])),
    gitleaks: ['anthropic-api-key', 'anthropic-admin-api-key'],
  },
  {
    id: 'sendgrid-key',
    label: 'a SendGrid API key',
    // `SG.` is 3 bytes: found with the byte before it.
    anchors: led('SG.'),
    back: -1,
    regex: /SG\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})/dy,
    window: 72,
    boundary: true,
    accept: (m, t) => (/[A-Za-z0-9_-]/.test(t[m[0].length] ?? '') || !looksRandom(m[2]!, 30) ? undefined : `SG.…${m[0].slice(-4)}`),
    gitleaks: ['sendgrid-api-token'],
  },
  {
    id: 'resend-key',
    label: 'a Resend API key',
    // `re_` is too short and too common (`re_match`) to search for alone: the name next to the key finds it.
    anchors: [...cased('resend'), 'RESEND_'],
    back: 0,
    regex: /resend[\s\S]{0,100}?(?<![A-Za-z0-9_])(re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24})(?![A-Za-z0-9_])/dy,
    window: 200,
    boundary: false,
    accept: (m) => (looksRandom(m[1]!.slice(12), 24) && /[A-Z]/.test(m[1]!) && /[a-z]/.test(m[1]!) ? masked(m[1]!) : undefined),
    gitleaks: [],
  },
  {
    id: 'postmark-token',
    label: 'a Postmark server or account token',
    anchors: [...cased('postmark'), 'POSTMARK_'],
    back: 0,
    // Postmark tokens are UUIDs: only the name next to one says it is Postmark's.
    regex: /postmark[\w.-]{0,40}?["'\]]?\s*(?:[:=(,]|=>)\s*(?:new\s+\w+\()?\s*["'`]?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/diy,
    window: 160,
    boundary: false,
    accept: (m) => (looksRandom(m[1]!.replace(/-/g, ''), 24) ? maskValue(m[1]!) : undefined),
    gitleaks: [],
  },
  {
    id: 'mailgun-key',
    label: 'a Mailgun API key',
    // As gitleaks does, only next to the name: `key-` alone is everywhere in code.
    anchors: cased('mailgun'),
    back: 0,
    regex: /mailgun[\s\S]{0,120}?["'`:=\s](?:api:)?(key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})\b/diy,
    window: 200,
    boundary: true,
    accept: (m) => (looksRandom(m[1]!.replace(/^key-/, '').replace(/-/g, ''), 24) ? maskValue(m[1]!) : undefined),
    gitleaks: ['mailgun-private-api-token', 'mailgun-signing-key'],
  },
  {
    id: 'twilio-credential',
    label: 'a Twilio API key or auth token',
    anchors: cased('twilio'),
    back: 0,
    // An API key SID (`SK` + 32 hex) or the auth token (32 hex) next to the name: `twilio(sid, token)`,
    // `TWILIO_AUTH_TOKEN = "…"`, `{ twilio: { authToken: "…" } }`.
    regex: /twilio[\s\S]{0,80}?(?:\b(SK[0-9a-f]{32})\b|(?:token|secret|auth|AC[0-9a-f]{32})["'`]?\s*(?:[:=,]|=>)\s*["'`]([0-9a-f]{32})["'`])/diy,
    window: 200,
    boundary: false,
    accept: (m) => {
      const secret = m[1] ?? m[2]!;
      return looksRandom(secret.replace(/^SK/, ''), 24) ? maskValue(secret) : undefined;
    },
    gitleaks: ['twilio-api-key'],
  },
  {
    id: 'aws-access-key-id',
    label: 'an AWS access key id',
    anchors: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    back: 0,
    regex: /(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/dy,
    window: 21,
    boundary: true,
    // AWS documents AKIAIOSFODNN7EXAMPLE; `isPlaceholderValue` knows "example".
    accept: (m, t) => (/[A-Za-z0-9]/.test(t[20] ?? '') || !looksRandom(m[0].slice(4), 16) ? undefined : masked(m[0])),
    gitleaks: ['aws-access-token'],
  },
  {
    id: 'aws-secret-access-key',
    label: 'an AWS secret access key',
    // Next to its key id (within a few lines), or named: `aws_secret_access_key = …`, `SecretAccessKey: …`.
    anchors: ['AKIA', 'ASIA', 'aws_secret_access_key', 'AWS_SECRET_ACCESS_KEY', 'SecretAccessKey', 'secretAccessKey', 'aws_secret_key', 'AWS_SECRET_KEY'],
    back: 0,
    regex: /(?:(?:AKIA|ASIA)[A-Z2-7]{16}[\s\S]{1,400}?|(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey|secretAccessKey|aws_secret_key|AWS_SECRET_KEY)["'`]?\s*(?:[:=,]|=>)\s*["'`]?)(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dy,
    window: 480,
    boundary: true,
    accept: (m) => {
      const secret = m[1]!;
      return looksRandom(secret, 40) && /[A-Z]/.test(secret) && /[a-z]/.test(secret) && /[0-9]/.test(secret) ? maskValue(secret) : undefined;
    },
    gitleaks: ['aws-access-token'],
  },
  {
    id: 'google-oauth-client-secret',
    label: 'a Google OAuth client secret',
    anchors: ['GOCSPX-'],
    back: 0,
    regex: /GOCSPX-[0-9A-Za-z_-]{24,64}/dy,
    window: 72,
    boundary: true,
    accept: (m) => (looksRandom(m[0].slice(7), 20) ? masked(m[0]) : undefined),
    gitleaks: ['gcp-api-key'],
  },
  {
    id: 'google-api-key',
    label: 'a Google API key',
    anchors: ['AIza'],
    back: 0,
    regex: /AIza[0-9A-Za-z_-]{35}/dy,
    window: 40,
    boundary: true,
    // A Firebase web config or a NEXT_PUBLIC_ variable is shipped to browsers by design.
    accept: (m, t, context) => {
      const around = context.before(300) + t.slice(0, 300);
      if (/NEXT_PUBLIC_|authDomain|firebaseapp\.com|firebaseConfig/.test(around) || !looksRandom(m[0].slice(4), 24)) return undefined;
      return masked(m[0]);
    },
    gitleaks: ['gcp-api-key'],
  },
  {
    id: 'azure-storage-key',
    label: 'an Azure storage or service bus key',
    anchors: ['AccountKey=', 'SharedAccessKey=', 'AccountKey%3D', 'SharedAccessKey%3D'],
    back: 0,
    regex: /(?:AccountKey(?:=|%3D)([A-Za-z0-9+/]{86}==)|SharedAccessKey(?:=|%3D)([A-Za-z0-9+/]{42,44}=))/dy,
    window: 110,
    boundary: false,
    accept: (m) => {
      const secret = m[1] ?? m[2]!;
      return looksRandom(secret, 40) ? maskValue(secret) : undefined;
    },
    gitleaks: ['azure-storage-account-key'],
  },
  {
    id: 'azure-ad-client-secret',
    label: 'an Azure AD client secret',
    // `xxx` + digit + `Q~` + 31–34 characters: found from the digit, `Q~` and the byte after.
    anchors: [...'0123456789'].flatMap((d) => [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-'].map((c) => `${d}Q~${c}`)),
    back: 3,
    regex: /[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}/dy,
    window: 42,
    boundary: true,
    accept: (m, t) => (/[A-Za-z0-9_~.-]/.test(t[m[0].length] ?? '') || !looksRandom(m[0].replace('Q~', ''), 30) ? undefined : maskValue(m[0])),
    gitleaks: ['azure-ad-client-secret'],
  },
  {
    id: 'supabase-secret-key',
    label: 'a Supabase secret key',
    anchors: ['sb_secret_'],
    back: 0,
    regex: /sb_secret_[A-Za-z0-9_-]{20,80}/dy,
    window: 96,
    boundary: true,
    accept: (m) => (looksRandom(m[0].slice(10), 20) ? masked(m[0]) : undefined),
    gitleaks: [],
  },
  {
    id: 'jwt',
    label: 'a signed JWT (a bearer credential that has not expired)',
    // The header of every JWT: `{"alg"`, `{"typ"`, `{"kid"` in base64url.
    anchors: ['eyJhbGci', 'eyJ0eXAi', 'eyJraWQi'],
    back: 0,
    regex: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}/dy,
    window: 4096,
    boundary: true,
    accept: (m, t, context) => {
      if (wordAfter(m, t) || !liveJwt(m[0])) return undefined;
      const role = base64Json(m[0].split('.')[1]!)?.role;
      const publicName = /NEXT_PUBLIC_\w*\s*[:=]\s*["'`]?$/.test(context.before(80));
      return publicName && role !== 'service_role' ? undefined : { masked: `eyJ…${m[0].slice(-4)}`, label: role === 'service_role' ? 'a Supabase service_role key (a signed JWT)' : undefined };
    },
    gitleaks: ['jwt'],
  },
  {
    id: 'hardcoded-app-secret',
    label: 'a hard-coded secret of the app',
    // `NEXTAUTH_SECRET: "…"`, `jwtSecret = '…'`, `process.env.JWT_SECRET ?? "…"`: a literal where the app reads a secret.
    anchors: HARDCODED_NAMES,
    back: 0,
    regex: new RegExp(`(?:${HARDCODED_NAMES.join('|')})["'\`\\]]?\\s*(?:[:=]|\\?\\?|\\|\\||,)\\s*["'\`]([^"'\`\\s]{16,200})["'\`]`, 'dy'),
    window: 260,
    boundary: true,
    accept: (m) => {
      const value = m[1]!;
      if (isNonProductionValue(value) || isConventionalDefault(value) || !looksRandom(value, 16)) return undefined;
      return maskValue(value);
    },
    gitleaks: ['generic-api-key'],
  },
  {
    id: 'private-key',
    label: 'a private key',
    anchors: ['-----BEGIN', 'PuTTY-User-Key-File-', 'AGE-SECRET-KEY-1'],
    back: 0,
    regex: /-----BEGIN[ +](?:[A-Z0-9]+[ +]){0,3}PRIVATE[ +]KEY(?:[ +]BLOCK)?-----|PuTTY-User-Key-File-[23]: |AGE-SECRET-KEY-1[0-9A-Z]{58}/dy,
    window: 120,
    boundary: false,
    // What is a key is decided by its decoded structure (private-keys.ts): an OpenSSH key without a
    // cipher, a PKCS#1/PKCS#8/SEC1 DER, an unprotected OpenPGP secret, a PuTTY key without
    // encryption. Encrypted keys are warnings; a header with a truncated or example body is nothing.
    accept: (m, _t, context) => {
      if (m[0].startsWith('AGE-')) return looksRandom(m[0].slice(16), 40) ? masked(m[0]) : undefined;
      const key = m[0].startsWith('PuTTY') ? judgePuttyKey(context.after(MAX_KEY_TEXT)) : judgeArmoredKey(context.after(MAX_KEY_TEXT));
      if (!key) return undefined;
      const header = m[0].startsWith('PuTTY') ? m[0].trim() : m[0].replace(/\+/g, ' ');
      const before = context.before(3000);
      const serviceAccount = !key.protected && /"private_key"\s*:\s*"$/.test(before) && /"type"\s*:\s*"service_account"/.test(before + context.after(MAX_KEY_TEXT));
      return { masked: header, label: serviceAccount ? `a Google Cloud service-account key (${/\(([^)]*)\)$/.exec(key.label)?.[1] ?? 'private key'})` : key.label, secret: key.block, protected: key.protected };
    },
    gitleaks: ['private-key', 'gcp-service-account', 'pkcs8-private-key', 'putty-private-key', 'age-secret-key'],
  },
  {
    id: 'jwk-private-key',
    label: 'a private key (JWK)',
    // A JSON Web Key with its private member `d` (RFC 7517/7518/8037), as `export({ format: 'jwk' })` and JWKS files hold it.
    anchors: ['"kty"'],
    back: 0,
    regex: /"kty"\s*:\s*"(RSA|EC|OKP)"/dy,
    window: 40,
    boundary: false,
    accept: (m, _t, context) => {
      const jwk = enclosingObject(context.before(4096), context.after(16 * 1024));
      if (!jwk || typeof jwk.d !== 'string' || isPlaceholderValue(jwk.d)) return undefined;
      try {
        // Node's JWK import checks every member the key type needs (an example with `d: "..."` fails).
        const key = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
        const curve = typeof jwk.crv === 'string' ? `, ${jwk.crv}` : '';
        return { masked: `"kty": "${m[1]}", "d": "${maskValue(jwk.d)}"`, label: `a private key (JWK, ${key.asymmetricKeyType?.toUpperCase() === 'RSA' ? 'RSA' : m[1]}${curve})`, secret: jwk.d };
      } catch {
        return undefined;
      }
    },
    gitleaks: [],
  },
  {
    id: 'password-hash',
    label: 'a password hash',
    // `user:hash` lines of an htpasswd file (bcrypt, Apache's apr1 MD5, `{SHA}`) or of a crypt(3)
    // shadow-style file (SHA-256/512 crypt): crackable offline, so a warning.
    anchors: [':$2y$', ':$2a$', ':$2b$', ':$apr1$', ':{SHA}', ':$5$', ':$6$'],
    back: 0,
    regex: /:(\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|\$apr1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}|\{SHA\}[A-Za-z0-9+/]{27}=|\$[56]\$(?:rounds=\d{1,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,86})(?![./A-Za-z0-9$])/dy,
    window: 140,
    boundary: false,
    accept: (m, _t, context) => {
      // The user name alone before it: at the start of a line (indented in a YAML block), of a string, or of a `key: value`.
      const user = /(?:^|[\n\r"'`]|:[ \t])[ \t]*([A-Za-z0-9._@+-]{1,64})$/.exec(context.before(80))?.[1];
      if (!user) return undefined;
      const hash = m[1]!;
      const scheme = /^(\$2[aby]\$\d\d\$|\$apr1\$|\{SHA\}|\$[56]\$)/.exec(hash)![1]!;
      const kind = scheme.startsWith('$2') ? 'bcrypt' : scheme === '$apr1$' ? 'Apache MD5' : scheme === '{SHA}' ? 'SHA-1' : `SHA-${scheme === '$5$' ? 256 : 512} crypt`;
      return { masked: `${user}:${scheme}…${hash.slice(-4)}`, label: `a password hash (${kind}, htpasswd-style \`user:hash\`)`, protected: true };
    },
    gitleaks: [],
  },
  {
    id: 'database-url',
    label: 'a database URL with a password',
    anchors: ['postgres://', 'postgresql://', 'prisma+postgres://', 'prisma://', 'mysql://', 'mongodb://', 'mongodb+srv://', 'redis://', 'rediss://', 'amqp://', 'amqps://', 'postgres%3A%2F%2F', 'postgresql%3A%2F%2F'],
    back: 0,
    // The password in the user part, or a key in the query (`?password=`, Prisma Accelerate's `?api_key=`).
    regex: /(?:prisma\+postgres|prisma|postgres(?:ql)?|mysql|mongodb(?:\+srv)?|rediss?|amqps?):\/\/[^\s'"`<>]{3,1000}/dy,
    window: 1024,
    boundary: false,
    accept: (m) => {
      const url = m[0].replace(/[),;\]}.]+$/, '');
      const password = urlPassword(url);
      if (password && !isPlaceholderPassword(password) && !isExampleHost(password.host) && !/^\$|^%s$|^\{/.test(password.decoded)) {
        if (isLocalHost(password.host) && isConventionalDefault(password.decoded)) return undefined;
        return maskUrlPassword(url);
      }
      const query = urlQueryCredential(url);
      return query && !query.local ? query.masked : undefined;
    },
    gitleaks: [],
  },
];
