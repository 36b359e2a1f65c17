/**
 * Credentials in their vendors' formats, generated at random when a test runs: never real, and never
 * written in this repository as a literal that looks live (GitHub push protection, and anyone reading
 * the tests, would take it for a leak). Each generator builds its value from parts.
 */
import { createHmac, generateKeyPairSync, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { base62Checksum } from '../../../src/analysis/secrets/credential-shapes.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const from = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
/** Random characters of an alphabet, with every class of it present (so a generated value never looks typed). */
export const alnum = (n: number) => from(ALNUM, n - 3) + from('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1) + from('abcdefghijklmnopqrstuvwxyz', 1) + from('0123456789', 1);
export const hex = (n: number) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
const urlsafe = (n: number) => from(`${ALNUM}_-`, n - 2) + from('0123456789', 1) + from('abcdef', 1);
const digits = (n: number) => from('123456789', 1) + from('0123456789', n - 1);
const join = (sep: string, ...parts: string[]) => parts.join(sep);

export const gen = {
  stripeLive: () => join('_', 'sk', 'live', `51${alnum(97)}`),
  stripeRestricted: () => join('_', 'rk', 'live', `51${alnum(97)}`),
  stripeWebhook: () => join('_', 'whsec', alnum(32)),
  github: (prefix: 'ghp' | 'gho' | 'ghu' | 'ghs' | 'ghr' = 'ghp') => {
    const body = alnum(30);
    return join('_', prefix, body + base62Checksum(body));
  },
  githubPat: () => join('_', 'github', 'pat', `11${alnum(20)}`, alnum(59)),
  sentryOrg: () => {
    const payload = Buffer.from(JSON.stringify({ iat: Math.floor(Date.now() / 1000), url: 'https://sentry.io', region_url: 'https://us.sentry.io', org: 'acme' })).toString('base64').replace(/=+$/, '');
    return join('_', 'sntrys', payload, alnum(43));
  },
  sentryUser: () => join('_', 'sntryu', hex(64)),
  slackBot: () => join('-', 'xoxb', digits(12), digits(13), alnum(24)),
  slackUser: () => join('-', 'xoxp', digits(12), digits(12), digits(13), hex(32)),
  slackWebhook: () => `https://hooks.slack.com/services/T${from('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/B${from('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/${alnum(24)}`,
  openaiProject: () => join('-', 'sk', 'proj', `${urlsafe(74)}${'T3Blbk'}FJ${urlsafe(74)}`),
  openaiLegacy: () => join('-', 'sk', `${alnum(20)}T3Blbk${'FJ'}${alnum(20)}`),
  anthropic: () => join('-', 'sk', 'ant', 'api03', `${urlsafe(93)}AA`),
  sendgrid: () => join('.', 'SG', urlsafe(22), urlsafe(43)),
  resend: () => join('_', 're', alnum(8), alnum(24)),
  uuid: () => randomUUID(),
  mailgun: () => join('-', 'key', hex(32)),
  mailgunNew: () => join('-', hex(32), hex(8), hex(8)),
  twilioKeySid: () => `SK${hex(32)}`,
  twilioToken: () => hex(32),
  twilioAccountSid: () => `AC${hex(32)}`,
  awsKeyId: () => `AKIA${from('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 15)}Q`,
  awsSecret: () => `${alnum(18)}/${alnum(10)}+${alnum(10)}`,
  googleApiKey: () => `AIza${urlsafe(35)}`,
  googleOAuth: () => join('-', 'GOCSPX', urlsafe(28)),
  azureStorageKey: () => randomBytes(64).toString('base64'),
  azureAdSecret: () => `${alnum(3)}${randomInt(10)}Q~${from(`${ALNUM}_~.-`, 30)}${alnum(4)}`,
  npm: () => {
    const body = alnum(30);
    return join('_', 'npm', body + base62Checksum(body));
  },
  vercel: (prefix: 'vcp' | 'vci' | 'vca' | 'vcr' | 'vck' = 'vcp') => {
    const body = urlsafe(50);
    return join('_', prefix, body + base62Checksum(body));
  },
  supabaseSecret: () => join('_', 'sb', 'secret', urlsafe(32)),
  /** A JWT signed with HS256, expiring in a year (or with the given claims). */
  jwt: (claims: Record<string, unknown> = {}) => {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = part({ alg: 'HS256', typ: 'JWT' });
    const body = part({ sub: randomUUID(), iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 365 * 86400, ...claims });
    return `${head}.${body}.${createHmac('sha256', randomBytes(32)).update(`${head}.${body}`).digest('base64url')}`;
  },
  dbPassword: () => alnum(24),
  /** A real private key (PEM: PKCS#1 for RSA, SEC1 for EC, PKCS#8 for Ed25519), generated on the spot. Keys of the other tools: key-material.ts. */
  pem: (type: 'rsa' | 'ec' | 'ed25519' = 'ec') => {
    const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 1024 }) : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    return privateKey.export({ type: type === 'rsa' ? 'pkcs1' : type === 'ec' ? 'sec1' : 'pkcs8', format: 'pem' }).toString();
  },
};

/** A base64 text wrapped at 76 columns, as `base64` prints by default. */
export const wrap76 = (text: string) => text.replace(/.{76}/g, '$&\n');

/** `text` as UTF-16LE with a byte-order mark, as Windows tools write it. */
export const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
