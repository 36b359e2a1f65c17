/**
 * The variables the app reads and the role each plays, from its own source:
 *
 * - `process.env.X` (and `process.env['X']`, `const { X } = process.env`) in any module;
 * - the keys of an env schema: `createEnv({ server: { X: z… } })` of `@t3-oss/env-nextjs`, or a zod
 *   object parsed from `process.env` (`z.object({ X: z.string() }).parse(process.env)`);
 * - `env("X")` in `prisma/schema.prisma` (the datasource URL);
 * - what the auth library reads by itself: NextAuth v4 `NEXTAUTH_URL`, `NEXTAUTH_SECRET`; Auth.js v5
 *   `AUTH_SECRET`, `AUTH_URL`, and `AUTH_<PROVIDER>_ID`/`_SECRET` for a provider given no client.
 *
 * A role is found from how the variable is used where that is written plainly (`secret: env.X` in the
 * auth options, `new Stripe(env.X)`, `constructEvent(body, sig, env.X)`, `GitHub({ clientId: env.X })`),
 * else from the names apps of this stack use (`STRIPE_API_KEY`, `NEXT_PUBLIC_APP_URL`, …). The config
 * file names a role's variable when both miss (`app.variables`).
 */
import { sourceFile, withoutComments, type SourceFile } from './sources.js';

export type VariableRole =
  | 'appUrl'
  | 'authUrl'
  | 'authSecret'
  | 'databaseUrl'
  | 'stripeSecretKey'
  | 'stripeWebhookSecret'
  | 'stripeSyncSecret'
  | 'sentryDsn'
  | 'authProviders'
  | 'authDebug';

export const VARIABLE_ROLES: readonly VariableRole[] = [
  'appUrl', 'authUrl', 'authSecret', 'databaseUrl', 'stripeSecretKey', 'stripeWebhookSecret', 'stripeSyncSecret', 'sentryDsn', 'authProviders', 'authDebug',
];

/** Where a variable is read first. */
export interface VariableUse {
  file: string;
  line: number;
}

/** A role's variable: the name the app reads, and other names its library also takes for it. */
export interface RoleVariable {
  name: string;
  /** Also honoured, in order (Auth.js v5 takes NEXTAUTH_URL when AUTH_URL is unset). */
  aliases: string[];
  /** How the role was found: `code` (written plainly), `library` (the auth library reads it), `name`, `config`, `default`. */
  how: 'code' | 'library' | 'name' | 'config' | 'default';
  where?: VariableUse;
}

export interface OAuthProvider {
  /** The provider id as NextAuth names it (`github`, `google`). */
  id: string;
  clientId?: RoleVariable;
  clientSecret?: RoleVariable;
}

export type AuthFamily = 'next-auth-v4' | 'authjs-v5';

/** What the auth configuration says, as far as it is written plainly. */
export interface AuthConfigFacts {
  /** The module(s) with NextAuth's options (`lib/auth.ts`, `auth.ts`, `pages/api/auth/[...nextauth].ts`). */
  files: string[];
  /** Provider ids imported from `next-auth/providers/*` or `@auth/core/providers/*`. */
  providers: string[];
  /** `pages: { signIn: "/login" }`. */
  signInPage?: string;
  secretVariable?: VariableUse & { name: string };
  debugVariable?: VariableUse & { name: string };
  /** Per provider id: the variables passed as clientId / clientSecret, or `library` when the call passes none (v5 reads AUTH_<ID>_ID). */
  clients: Record<string, { clientId?: VariableUse & { name: string }; clientSecret?: VariableUse & { name: string }; none?: boolean }>;
}

const NAME = /[A-Z][A-Z0-9_]*[A-Z0-9]/;
const ENV_DOT = /\bprocess\.env\.([A-Z][A-Z0-9_]*[A-Z0-9])\b/g;
const ENV_INDEX = /\bprocess\.env\[\s*(['"`])([A-Z][A-Z0-9_]*[A-Z0-9])\1\s*\]/g;
const ENV_DESTRUCTURE = /\{([^{}]{1,2000})\}\s*=\s*process\.env\b/g;
const SCHEMA_KEY = /(?:^|[\s{,])([A-Z][A-Z0-9_]*[A-Z0-9])\s*:\s*z\s*\./gm;

/** Every variable a module reads (code, not comments), with its first line. */
export function variablesIn(file: SourceFile): Map<string, VariableUse> {
  const text = withoutComments(file.text);
  const code = withoutComments(file.text, true);
  const found = new Map<string, VariableUse>();
  const add = (name: string, offset: number) => {
    if (!found.has(name)) found.set(name, { file: file.file, line: file.lineAt(offset) });
  };
  for (const m of code.matchAll(ENV_DOT)) add(m[1]!, m.index);
  for (const m of text.matchAll(ENV_INDEX)) if (code.slice(m.index, m.index + 11) === 'process.env') add(m[2]!, m.index);
  for (const m of text.matchAll(ENV_DESTRUCTURE)) {
    for (const part of m[1]!.split(',')) {
      const name = /^\s*([A-Z][A-Z0-9_]*[A-Z0-9])\b/.exec(part)?.[1];
      if (name) add(name, m.index);
    }
  }
  // An env schema: t3's createEnv, or a zod object parsed from process.env.
  if (/\bcreateEnv\s*\(/.test(text) || (/\bz\.object\s*\(/.test(text) && /\bprocess\.env\b/.test(text))) {
    for (const m of text.matchAll(SCHEMA_KEY)) add(m[1]!, m.index + m[0].indexOf(m[1]!));
  }
  return found;
}

/** The variables of `env("X")` in a Prisma schema, and the datasource URL's. */
export function prismaVariables(file: SourceFile): { all: Map<string, VariableUse>; url?: string } {
  const all = new Map<string, VariableUse>();
  let url: string | undefined;
  const text = file.text.replace(/\/\/[^\n]*/g, (c) => ' '.repeat(c.length));
  for (const m of text.matchAll(/\b(url|directUrl|shadowDatabaseUrl)\s*=\s*env\(\s*"([^"]+)"\s*\)/g)) {
    if (!all.has(m[2]!)) all.set(m[2]!, { file: file.file, line: file.lineAt(m.index) });
    if (m[1] === 'url') url ??= m[2];
  }
  return { all, url };
}

/** `env.X`, `process.env.X`, `config.X`, `X` as written in an argument: the variable name, if it is one. */
function argumentVariable(arg: string): string | undefined {
  const trimmed = arg.trim().replace(/[!]+$/, '').replace(/\s+as\s+\w+$/, '').replace(/\?\?.*$/s, '').trim();
  const m = /^(?:process\.env\.|(?:[A-Za-z_$][\w$]*\.)+)?([A-Z][A-Z0-9_]*[A-Z0-9])$/.exec(trimmed) ?? /^`\$\{(?:process\.env\.|(?:[A-Za-z_$][\w$]*\.)+)?([A-Z][A-Z0-9_]*[A-Z0-9])\}`$/.exec(trimmed);
  return m?.[1];
}

/** The text of the balanced `(…)` or `{…}` that opens at `open`, without the brackets (bounded). */
function balanced(text: string, open: number, max = 4000): string | undefined {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const close = pairs[text[open]!];
  if (!close) return undefined;
  let depth = 0;
  for (let i = open; i < Math.min(text.length, open + max); i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c === text[open]) depth++;
    else if (c === close && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

/** The value of `key: …` at the top level of an object literal's text (up to the next top-level comma). */
function propertyValue(objectText: string, key: string): { value: string; offset: number } | undefined {
  const re = new RegExp(`(?:^|[\\s,{])${key}\\s*:`, 'g');
  for (const m of objectText.matchAll(re)) {
    let depth = 0;
    const start = m.index + m[0].length;
    for (let i = start; i < objectText.length; i++) {
      const c = objectText[i]!;
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) {
        if (depth === 0) return { value: objectText.slice(start, i), offset: start };
        depth--;
      } else if (c === ',' && depth === 0) return { value: objectText.slice(start, i), offset: start };
    }
    return { value: objectText.slice(start), offset: start };
  }
  return undefined;
}

// A provider is a module's default export (`import GitHub from "next-auth/providers/github"`); a named or
// type-only import (`import { EmailConfig } from "next-auth/providers/email"`) configures no provider.
const PROVIDER_IMPORT = /import\s+(?!type\s)(?:(\w+)|\*\s+as\s+(\w+))\s+from\s+['"](?:next-auth|@auth\/core)\/providers\/([a-z0-9-]+)['"]/g;

/** What the modules that configure NextAuth/Auth.js say plainly: providers, their clients, secret, pages. */
export function authConfigFacts(files: readonly SourceFile[]): AuthConfigFacts {
  const facts: AuthConfigFacts = { files: [], providers: [], clients: {} };
  for (const file of files) {
    const text = withoutComments(file.text);
    const imports = [...text.matchAll(PROVIDER_IMPORT)];
    const configures = imports.length > 0 || /\bNextAuth\s*\(/.test(text) || /\bNextAuthOptions\b|\bNextAuthConfig\b|\bAuthOptions\b/.test(text);
    if (!configures) continue;
    facts.files.push(file.file);
    const use = (name: string, offset: number) => ({ name, file: file.file, line: file.lineAt(offset) });
    for (const m of imports) {
      const id = m[3]!;
      if (!facts.providers.includes(id)) facts.providers.push(id);
      const ident = m[1] ?? m[2];
      if (!ident) continue;
      const client = (facts.clients[id] ??= {});
      for (const call of text.matchAll(new RegExp(`\\b${ident}(?:\\.default)?\\s*(\\()?`, 'g'))) {
        if (call.index === m.index + m[0].indexOf(ident)) continue; // the import itself
        if (!call[1]) {
          // `providers: [GitHub]`: no options at all, the library reads AUTH_GITHUB_ID/SECRET.
          if (/^\s*[,\]]/.test(text.slice(call.index + call[0].length))) client.none = true;
          continue;
        }
        const args = balanced(text, call.index + call[0].length - 1) ?? '';
        if (!args.trim()) {
          client.none = true;
          continue;
        }
        const at = call.index + call[0].length;
        const id2 = propertyValue(args, 'clientId');
        const secret = propertyValue(args, 'clientSecret');
        const idName = id2 && argumentVariable(id2.value);
        const secretName = secret && argumentVariable(secret.value);
        if (idName) client.clientId ??= use(idName, at + id2!.offset);
        if (secretName) client.clientSecret ??= use(secretName, at + secret!.offset);
        if (!id2 && !secret) client.none = true;
      }
    }
    const secret = /(?:^|[\s,{])secret\s*:\s*([^,\n}]+)/m.exec(text);
    const secretName = secret && argumentVariable(secret[1]!);
    if (secretName) facts.secretVariable ??= use(secretName, secret!.index);
    const debug = /(?:^|[\s,{])debug\s*:\s*(?:process\.env\.|(?:\w+\.)+)([A-Z][A-Z0-9_]*[A-Z0-9])\b/m.exec(text);
    if (debug) facts.debugVariable ??= use(debug[1]!, debug.index);
    const pages = /(?:^|[\s,{])pages\s*:\s*\{/m.exec(text);
    if (pages) {
      const body = balanced(text, pages.index + pages[0].length - 1) ?? '';
      const signIn = /signIn\s*:\s*(['"`])(\/[^'"`]*)\1/.exec(body);
      if (signIn) facts.signInPage ??= signIn[2];
    }
  }
  return facts;
}

/** A hint from code: `new Stripe(env.X)`, `constructEvent(body, signature, env.X)`. */
export function stripeHints(files: readonly SourceFile[]): { secretKey?: VariableUse & { name: string }; webhookSecret?: VariableUse & { name: string } } {
  const hints: ReturnType<typeof stripeHints> = {};
  for (const file of files) {
    const text = withoutComments(file.text);
    for (const m of text.matchAll(/\bnew\s+Stripe\s*\(/g)) {
      const args = balanced(text, m.index + m[0].length - 1) ?? '';
      const first = args.split(',')[0] ?? '';
      const name = argumentVariable(first);
      if (name && !hints.secretKey) hints.secretKey = { name, file: file.file, line: file.lineAt(m.index) };
    }
    for (const m of text.matchAll(/\bconstructEvent(?:Async)?\s*\(/g)) {
      const args = balanced(text, m.index + m[0].length - 1) ?? '';
      const parts = splitTopLevel(args);
      const name = parts[2] && argumentVariable(parts[2]);
      if (name && !hints.webhookSecret) hints.webhookSecret = { name, file: file.file, line: file.lineAt(m.index) };
    }
  }
  return hints;
}

/** Splits an argument list at its top-level commas. */
export function splitTopLevel(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(args.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(args.slice(start));
  return parts;
}

/** Names apps of this stack give each role, most common first. */
const ROLE_NAMES: Partial<Record<VariableRole, readonly string[]>> = {
  appUrl: ['APP_URL', 'NEXT_PUBLIC_APP_URL', 'NEXT_PUBLIC_BASE_URL', 'BASE_URL', 'NEXT_PUBLIC_SITE_URL', 'SITE_URL', 'NEXT_PUBLIC_WEBAPP_URL', 'WEBAPP_URL', 'NEXT_PUBLIC_URL', 'PUBLIC_URL'],
  stripeSecretKey: ['STRIPE_SECRET_KEY', 'STRIPE_API_KEY', 'STRIPE_SECRET', 'STRIPE_PRIVATE_KEY', 'STRIPE_KEY'],
  stripeWebhookSecret: ['STRIPE_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_SIGNING_SECRET', 'STRIPE_SIGNING_SECRET', 'STRIPE_ENDPOINT_SECRET', 'STRIPE_WEBHOOK_KEY'],
  stripeSyncSecret: ['STRIPE_SYNC_SECRET'],
  authProviders: ['AUTH_PROVIDERS'],
  authDebug: ['NEXTAUTH_DEBUG', 'AUTH_DEBUG'],
};

/** A variable name looks like it holds a secret (masked, and never to be committed). */
export function secretLikeName(name: string): boolean {
  // Public values, and switches named after what they switch (FEATURE_TEAM_API_KEY=true).
  if (/^(?:NEXT_PUBLIC_|FEATURE_|ENABLE_|DISABLE_)|_(?:ENABLED|DISABLED)$/.test(name)) return false;
  return /(?:^|_)(?:SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|ACCESS_KEY|SIGNING_KEY|ENCRYPTION_KEY)(?:$|_)/.test(name) || /_SECRET_KEY$|_SECRET$/.test(name);
}

export interface RoleInputs {
  read: ReadonlyMap<string, VariableUse>;
  family?: AuthFamily;
  auth: AuthConfigFacts;
  stripe: ReturnType<typeof stripeHints>;
  prismaUrl?: string;
  /** The app depends on Stripe and Sentry (so their key/DSN roles exist even when unread by name). */
  usesStripe: boolean;
  usesSentry: boolean;
}

/** Each role's variable, or none when the app has no such variable. */
export function inferRoles(input: RoleInputs): Partial<Record<VariableRole, RoleVariable>> {
  const { read, family, auth, stripe } = input;
  const roles: Partial<Record<VariableRole, RoleVariable>> = {};
  const byName = (role: VariableRole): RoleVariable | undefined => {
    const name = ROLE_NAMES[role]?.find((n) => read.has(n));
    return name ? { name, aliases: [], how: 'name', where: read.get(name) } : undefined;
  };
  const fromCode = (hint: (VariableUse & { name: string }) | undefined): RoleVariable | undefined =>
    hint ? { name: hint.name, aliases: [], how: 'code', where: { file: hint.file, line: hint.line } } : undefined;

  const v5 = family === 'authjs-v5';
  const appUrl = byName('appUrl');
  if (appUrl) roles.appUrl = appUrl;
  // The auth library reads its URL itself, whatever the app's code says.
  roles.authUrl = v5
    ? { name: 'AUTH_URL', aliases: ['NEXTAUTH_URL'], how: 'library', where: read.get('AUTH_URL') ?? read.get('NEXTAUTH_URL') }
    : { name: 'NEXTAUTH_URL', aliases: [], how: 'library', where: read.get('NEXTAUTH_URL') };
  roles.authSecret =
    fromCode(auth.secretVariable) ??
    (v5
      ? { name: 'AUTH_SECRET', aliases: ['NEXTAUTH_SECRET'], how: 'library', where: read.get('AUTH_SECRET') ?? read.get('NEXTAUTH_SECRET') }
      : { name: 'NEXTAUTH_SECRET', aliases: [], how: 'library', where: read.get('NEXTAUTH_SECRET') });
  roles.databaseUrl = input.prismaUrl
    ? { name: input.prismaUrl, aliases: [], how: 'code', where: read.get(input.prismaUrl) }
    : read.has('DATABASE_URL')
      ? { name: 'DATABASE_URL', aliases: [], how: 'name', where: read.get('DATABASE_URL') }
      : undefined;
  const stripeKey = fromCode(stripe.secretKey) ?? byName('stripeSecretKey');
  if (stripeKey) roles.stripeSecretKey = stripeKey;
  else if (input.usesStripe) roles.stripeSecretKey = { name: 'STRIPE_SECRET_KEY', aliases: [], how: 'default' };
  const webhookSecret = fromCode(stripe.webhookSecret) ?? byName('stripeWebhookSecret');
  if (webhookSecret) roles.stripeWebhookSecret = webhookSecret;
  for (const role of ['stripeSyncSecret', 'authProviders'] as const) {
    const found = byName(role);
    if (found) roles[role] = found;
  }
  const debug = fromCode(auth.debugVariable) ?? byName('authDebug');
  if (debug) roles.authDebug = debug;
  const dsn = ['NEXT_PUBLIC_SENTRY_DSN', 'SENTRY_DSN'].filter((n) => read.has(n));
  if (dsn.length > 0) roles.sentryDsn = { name: dsn[0]!, aliases: dsn.slice(1), how: 'name', where: read.get(dsn[0]!) };
  else if (input.usesSentry) roles.sentryDsn = { name: 'NEXT_PUBLIC_SENTRY_DSN', aliases: ['SENTRY_DSN'], how: 'default' };
  return roles;
}

/** The OAuth providers the gate checks (GitHub, Google) that the app configures, with their client variables. */
export function oauthProviders(input: RoleInputs, ids: readonly string[]): OAuthProvider[] {
  const { read, family, auth } = input;
  const v5 = family === 'authjs-v5';
  return ids.map((id) => {
    const upper = id.toUpperCase().replace(/-/g, '_');
    const client = auth.clients[id] ?? {};
    const pick = (explicit: (VariableUse & { name: string }) | undefined, suffix: 'ID' | 'SECRET'): RoleVariable => {
      const library = `AUTH_${upper}_${suffix}`;
      if (explicit) return { name: explicit.name, aliases: [], how: 'code', where: { file: explicit.file, line: explicit.line } };
      if (v5 && client.none) return { name: library, aliases: [], how: 'library', where: read.get(library) };
      const names = suffix === 'ID'
        ? [library, `${upper}_CLIENT_ID`, `${upper}_ID`, `${upper}_OAUTH_CLIENT_ID`, `${upper}_APP_CLIENT_ID`]
        : [library, `${upper}_CLIENT_SECRET`, `${upper}_SECRET`, `${upper}_OAUTH_CLIENT_SECRET`, `${upper}_APP_CLIENT_SECRET`];
      const name = names.find((n) => read.has(n));
      if (name) return { name, aliases: [], how: 'name', where: read.get(name) };
      return v5 ? { name: library, aliases: [], how: 'library' } : { name: `${upper}_CLIENT_${suffix}`, aliases: [], how: 'default' };
    };
    return { id, clientId: pick(client.clientId, 'ID'), clientSecret: pick(client.clientSecret, 'SECRET') };
  });
}

/** `.env.example`-style templates: the names a new developer is told to set. */
export function templateNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Z][A-Z0-9_]*[A-Z0-9])\s*=/.exec(line);
    if (m && !names.includes(m[1]!)) names.push(m[1]!);
  }
  return names;
}

export { sourceFile, NAME };
