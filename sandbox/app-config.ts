/**
 * The app's reading of its environment (its `lib/env.ts`), with the real app's defaults: this is
 * where each flag gets the meaning the gate's rules assume (e.g. an unset NEXTAUTH_TRUST_HOST is
 * passed to NextAuth as trustHost: true; what NextAuth makes of it is ./app-auth.ts's).
 * The `authjs-pnpm` flavour (./flavours.ts) reads its own names, as Auth.js v5 and its env schema do.
 */
import type { Flavour } from './flavours.js';
import { compareVersions } from '../src/analysis/app/auth-library.js';

export interface AuthProviderInfo {
  /** NextAuth provider id. */
  id: string;
  name: string;
  type: 'oauth' | 'email' | 'credentials';
  /** Variables the app needs to boot with this provider. */
  requires?: [idVar: string, secretVar: string];
}

/** `AUTH_PROVIDERS` names → NextAuth providers. */
export const AUTH_PROVIDERS: Record<string, AuthProviderInfo> = {
  github: { id: 'github', name: 'GitHub', type: 'oauth', requires: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'] },
  google: { id: 'google', name: 'Google', type: 'oauth', requires: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'] },
  saml: { id: 'boxyhq-saml', name: 'BoxyHQ SAML', type: 'oauth' },
  email: { id: 'email', name: 'Email', type: 'email' },
  credentials: { id: 'credentials', name: 'credentials', type: 'credentials' },
  'idp-initiated': { id: 'boxyhq-idp', name: 'IdP Login', type: 'credentials' },
};

export const DEFAULT_AUTH_PROVIDERS = 'github,credentials';

export type TeamFeature = 'sso' | 'dsync' | 'auditLog' | 'webhook' | 'apiKey' | 'deletion' | 'payments';

const FEATURE_VARS: Record<TeamFeature, string> = {
  sso: 'FEATURE_TEAM_SSO',
  dsync: 'FEATURE_TEAM_DSYNC',
  auditLog: 'FEATURE_TEAM_AUDIT_LOG',
  webhook: 'FEATURE_TEAM_WEBHOOK',
  apiKey: 'FEATURE_TEAM_API_KEY',
  deletion: 'FEATURE_TEAM_DELETION',
  payments: 'FEATURE_TEAM_PAYMENTS',
};

/** The auth library the deployment runs (the fixture repository's lockfile pins it), and how the app configures it. */
export interface AuthSetup {
  /** `next-auth` version: 4.x (NextAuth v4) or 5.x (Auth.js v5). Default 4.24.13, as the real app pins. */
  version?: string;
  /**
   * Whether the app's NextAuth config passes `trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false'`
   * (the app as it is, under `@ts-ignore`); false for an Auth.js v5 config that passes none. Default true.
   */
  passesTrustHost?: boolean;
}

/** The variables NextAuth itself reads for host trust, exactly as set: `''` (set, empty) is not unset. */
export interface AuthEnv {
  NEXTAUTH_URL?: string;
  AUTH_URL?: string;
  AUTH_TRUST_HOST?: string;
  VERCEL?: string;
  CF_PAGES?: string;
  NODE_ENV?: string;
}

export const DEFAULT_NEXT_AUTH_VERSION = '4.24.13';

export interface AppConfig {
  flavour: Flavour;
  /** NextAuth v4 (`next-auth.*` cookies) or Auth.js v5 (`authjs.*` cookies, `"Bad request."` for an unknown action). */
  authFamily: 'next-auth-v4' | 'authjs-v5';
  /** The sign-in page the middleware sends signed-out visitors to. */
  loginPath: string;
  appUrl?: string;
  nextAuthUrl?: string;
  nextAuthSecret?: string;
  /** Enabled providers, in AUTH_PROVIDERS order. */
  providers: AuthProviderInfo[];
  auth: {
    version: string;
    /** The `trustHost` the app's config passes NextAuth; undefined when it passes none. */
    trustHostOption?: boolean;
    env: AuthEnv;
  };
  debug: boolean;
  hsts: boolean;
  cspStrict: boolean;
  coep: boolean;
  /** `NODE_ENV=development`: the dev build (adds 'unsafe-eval' to the CSP). */
  development: boolean;
  confirmEmail: boolean;
  stripe: { secretKey?: string; webhookSecret?: string; syncSecret?: string };
  oauth: Record<string, { clientId?: string; clientSecret?: string }>;
  /** Team features; each is on unless its FEATURE_TEAM_* variable is `false`. */
  features: Record<TeamFeature, boolean>;
}

/** The real app throws at boot for these; the sandbox then has no app listening. */
export class AppConfigError extends Error {
  override name = 'AppConfigError';
}

export function loadAppConfig(env: Record<string, string | undefined>, auth: AuthSetup = {}, flavour: Flavour = 'guide'): AppConfig {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  if (flavour === 'authjs-pnpm') return loadV5Config(value, authOf(env, auth, undefined));
  const names = (value('AUTH_PROVIDERS') ?? DEFAULT_AUTH_PROVIDERS).split(',').map((p) => p.trim()).filter(Boolean);
  const providers = names.map((n) => AUTH_PROVIDERS[n]).filter((p): p is AuthProviderInfo => p !== undefined);
  const oauth: AppConfig['oauth'] = {};
  for (const provider of providers) {
    if (!provider.requires) continue;
    const [idVar, secretVar] = provider.requires;
    const missing = [idVar, secretVar].filter((v) => !value(v));
    if (missing.length) {
      throw new AppConfigError(`Auth provider "${provider.id}" is enabled but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`);
    }
    oauth[provider.id] = { clientId: value(idVar), clientSecret: value(secretVar) };
  }
  const features = {} as Record<TeamFeature, boolean>;
  for (const [feature, name] of Object.entries(FEATURE_VARS) as [TeamFeature, string][]) {
    features[feature] = value(name) !== 'false';
  }
  return {
    flavour,
    // The installed version decides the cookie names and the answers (Auth.js v5 from 5.0.0 on).
    authFamily: compareVersions(auth.version ?? DEFAULT_NEXT_AUTH_VERSION, '5.0.0-0') >= 0 ? 'authjs-v5' : 'next-auth-v4',
    loginPath: '/auth/login',
    appUrl: value('APP_URL'),
    nextAuthUrl: value('NEXTAUTH_URL'),
    nextAuthSecret: value('NEXTAUTH_SECRET'),
    providers,
    // lib/auth.ts: `trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false'` (unset means true).
    auth: authOf(env, auth, auth.passesTrustHost === false ? undefined : value('NEXTAUTH_TRUST_HOST') !== 'false'),
    debug: value('NEXTAUTH_DEBUG') === 'true',
    hsts: value('ENABLE_HSTS') === 'true',
    cspStrict: value('ENABLE_CSP_STRICT') === 'true',
    coep: value('ENABLE_COEP') === 'true',
    development: value('NODE_ENV') === 'development',
    confirmEmail: value('CONFIRM_EMAIL') === 'true',
    stripe: {
      secretKey: value('STRIPE_SECRET_KEY'),
      webhookSecret: value('STRIPE_WEBHOOK_SECRET'),
      syncSecret: value('STRIPE_SYNC_SECRET'),
    },
    oauth,
    features,
  };
}

/**
 * The Auth.js v5 app's env schema (`env.mjs`, t3's createEnv) and `auth.ts`: GitHub as a bare
 * provider (Auth.js reads AUTH_GITHUB_ID/SECRET itself and the app refuses to start without them),
 * AUTH_URL (NEXTAUTH_URL is still honoured), its security headers fixed in next.config.js.
 */
/** The library, the `trustHost` the app passes (undefined: none) and the variables NextAuth reads itself. */
function authOf(env: Record<string, string | undefined>, auth: AuthSetup, trustHostOption: boolean | undefined): AppConfig['auth'] {
  return {
    version: auth.version ?? DEFAULT_NEXT_AUTH_VERSION,
    trustHostOption,
    // NextAuth reads these from process.env itself: an empty value is not an unset one to it.
    env: Object.fromEntries((['NEXTAUTH_URL', 'AUTH_URL', 'AUTH_TRUST_HOST', 'VERCEL', 'CF_PAGES', 'NODE_ENV'] as const).map((k) => [k, env[k]])),
  };
}

function loadV5Config(value: (name: string) => string | undefined, auth: AppConfig['auth']): AppConfig {
  const github = AUTH_PROVIDERS.github!;
  const [clientId, clientSecret] = [value('AUTH_GITHUB_ID'), value('AUTH_GITHUB_SECRET')];
  const missing = [['AUTH_GITHUB_ID', clientId], ['AUTH_GITHUB_SECRET', clientSecret]].filter(([, v]) => !v).map(([n]) => n);
  if (missing.length) throw new AppConfigError(`Invalid environment variables: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required`);
  const features = Object.fromEntries(Object.keys(FEATURE_VARS).map((f) => [f, true])) as Record<TeamFeature, boolean>;
  return {
    flavour: 'authjs-pnpm',
    authFamily: 'authjs-v5',
    loginPath: '/login',
    appUrl: value('NEXT_PUBLIC_APP_URL'),
    nextAuthUrl: value('AUTH_URL') ?? value('NEXTAUTH_URL'),
    nextAuthSecret: value('AUTH_SECRET') ?? value('NEXTAUTH_SECRET'),
    providers: [{ ...github, requires: ['AUTH_GITHUB_ID', 'AUTH_GITHUB_SECRET'] }],
    // auth.ts passes no trustHost: the installed Auth.js decides from AUTH_URL, AUTH_TRUST_HOST, … (./app-auth.ts).
    auth,
    debug: false,
    // next.config.js sends HSTS and the strict CSP on every route; no cross-origin isolation.
    hsts: true,
    cspStrict: true,
    coep: false,
    development: value('NODE_ENV') === 'development',
    confirmEmail: false,
    stripe: { secretKey: value('STRIPE_API_KEY'), webhookSecret: value('STRIPE_WEBHOOK_SECRET') },
    oauth: { github: { clientId, clientSecret } },
    features,
  };
}
