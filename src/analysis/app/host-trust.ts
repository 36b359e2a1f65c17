/**
 * Host trust: can a request that names another host (a forged `Host` or `X-Forwarded-Host`) make the
 * app build its URLs from that host (OAuth `redirect_uri`, `callbackUrl`, e-mail sign-in links,
 * `Location`)? Decided here exactly as the installed NextAuth decides it, one rule per version, each
 * following the library's own source (cited below, read at the tags named):
 *
 * - **next-auth 4 before 4.24.15** (`next-auth@4.24.13` `packages/next-auth/src/utils/detect-origin.ts:2-9`,
 *   called from `src/core/index.ts:73-76` and `:82-83` with `x-forwarded-host ?? host` and
 *   `x-forwarded-proto`): `if (process.env.VERCEL ?? process.env.AUTH_TRUST_HOST) return
 *   \`https://${forwardedHost}\``, else `NEXTAUTH_URL`. `??` stops at the first variable that is
 *   defined, even empty, and `if` then tests that string for being non-empty: `AUTH_TRUST_HOST=false`
 *   or `0` turns trust on, `AUTH_TRUST_HOST=` (empty) leaves it off, and a defined but empty `VERCEL`
 *   hides `AUTH_TRUST_HOST` altogether. With trust on, the forwarded host **replaces** `NEXTAUTH_URL`.
 *   There is no `trustHost` option: the string does not occur in the package, so the app's
 *   `trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false'` (passed under `@ts-ignore`) does nothing.
 * - **next-auth 4.24.15 and later** (`next-auth@4.24.15` `detect-origin.ts:6` then `:11-12`): a
 *   non-empty `NEXTAUTH_URL` wins first; trust (same test) only matters without it.
 * - **Auth.js v5** (`next-auth` 5.x on `@auth/core`): `config.trustHost ??= !!(AUTH_URL ??
 *   AUTH_TRUST_HOST ?? VERCEL ?? CF_PAGES ?? NODE_ENV !== "production")` (`@auth/core@0.37.2`
 *   `packages/core/src/lib/utils/env.ts:44-50`; `CF_PAGES` since 0.27.0, and before
 *   `next-auth@5.0.0-beta.6` next-auth's own chain `AUTH_URL ?? NEXTAUTH_URL ?? AUTH_TRUST_HOST ??
 *   VERCEL ?? NODE_ENV !== "production"`, `next-auth@5.0.0-beta.5` `packages/next-auth/src/lib/env.ts:8-14`).
 *   `??=` means a `trustHost` the app passes wins over every variable. With trust off, `assertConfig`
 *   returns `UntrustedHost` (`packages/core/src/lib/utils/assert.ts:96-98`) and `Auth()` answers every
 *   action but the HTML pages with 500 "There was a problem with the server configuration"
 *   (`packages/core/src/index.ts:111-130`). With trust on, next-auth replaces the request's origin by
 *   `AUTH_URL ?? NEXTAUTH_URL` when that is non-empty (`next-auth@5.0.0-beta.24`
 *   `packages/next-auth/src/lib/env.ts:7-13`, `reqWithEnvURL`); without it the origin is the
 *   request's, `X-Forwarded-Host ?? Host` (`@auth/core` `lib/utils/env.ts:94`, `createActionURL`).
 *   `@auth/core` without next-auth gets its request URL from another framework: the gate assumes no
 *   configured URL replaces it.
 *
 * `judgeHostTrust` answers for one version; `assessHostTrust` turns that into the gate's verdict
 * (shared by config.nextauth-trust-host, security.workflow-secrets and smoke.auth-providers, and by
 * the app model); `hostTrustOf` reads the installed library and the app's `trustHost` option from the
 * repository first. Pure but for `hostTrustOf` and `readTrustHostOption`, which read files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_FLAGS } from '../../target-app.js';
import { compareVersions, detectAuthLibrary, type AuthLibrary } from './auth-library.js';
import { readLockfile } from './lockfile.js';

/** The variables the libraries read for host trust and the origin. */
export const HOST_TRUST_VARIABLES = ['NEXTAUTH_URL', 'AUTH_URL', 'NEXTAUTH_TRUST_HOST', 'AUTH_TRUST_HOST', 'VERCEL', 'CF_PAGES', 'NODE_ENV'] as const;
export type HostTrustVariable = (typeof HOST_TRUST_VARIABLES)[number];
/** Their values as the deployment has them: `undefined` is unset, `''` is set but empty (the libraries tell them apart). */
export type HostTrustEnv = Readonly<Partial<Record<HostTrustVariable, string | undefined>>>;

/** The variables that turn trust on (not the URLs, not the app's own flag): what a platform or a person sets. */
export const TRUST_SWITCHES = ['AUTH_TRUST_HOST', 'VERCEL', 'CF_PAGES'] as const;

/** The `trustHost` option the app's auth config passes to NextAuth. */
export interface TrustHostOption {
  /** What it evaluates to with the run's variables. */
  value: boolean;
  /** As written (`process.env.NEXTAUTH_TRUST_HOST !== 'false'`). */
  expression: string;
  /** The variable it reads, when it reads one. */
  variable?: string;
  /** Where it was read (`lib/auth.ts:12`), or how it is known (`the app's documented reading`). */
  where: string;
}

/** The library's version rule that applies. */
export type HostTrustRule = 'next-auth-4' | 'next-auth-4.24.15' | 'authjs-5-early' | 'authjs-5';

export interface HostTrust {
  rule: HostTrustRule;
  /** The library as a person reads it: `next-auth 4.24.13`. */
  library: string;
  /** The library is in trusted-host mode: it would take the origin from the request's headers. */
  trustOn: boolean;
  /**
   * What turned trust on or left it off: the first variable of the library's `??` chain that is
   * defined (`variable`), the app's `trustHost` option (`option`), or the end of the chain (`default`:
   * nothing set; for v5 `NODE_ENV !== "production"`).
   */
  decidedBy: { kind: 'variable' | 'option' | 'default'; name: string; value?: string };
  /** The configured URL that builds the app's URLs whatever the request says, when one does. */
  urlFrom?: 'NEXTAUTH_URL' | 'AUTH_URL';
  /** A forged `X-Forwarded-Host` (else `Host`) becomes the origin of the URLs the app hands out. */
  reflects: boolean;
  /** Auth.js v5 with trust off: every `/api/auth/*` request is refused (UntrustedHost, 500). */
  refuses: boolean;
  /** Trust is on because the platform says it runs there: it also sets the forwarded host itself. */
  platform?: 'Vercel' | 'Cloudflare Pages';
  /** Whether this version reads NEXTAUTH_TRUST_HOST (through the app's `trustHost` option). */
  readsGuideFlag: boolean;
  /** Which variable decides and why, in a sentence (`next-auth 4.24.13 ignores NEXTAUTH_TRUST_HOST; …`). */
  reason: string;
  /** That the version does not read NEXTAUTH_TRUST_HOST, and why (undefined when it does). */
  ignoresGuideFlag?: string;
  /** The reason without that: what decides trust, and where the URLs come from. */
  decision: string;
  /** The library source this follows. */
  source: string;
}

/** The parts of the detected library the rules need (an app model may give them without a lockfile). */
export type HostTrustLibrary = Pick<AuthLibrary, 'family' | 'package' | 'version' | 'core'> & {
  /** How to name it when it stands for a family (`next-auth 4 before 4.24.15`); default `<package> <version>`. */
  label?: string;
};

const SOURCES: Record<HostTrustRule, string> = {
  'next-auth-4': 'next-auth@4.24.13 packages/next-auth/src/utils/detect-origin.ts:2-9, src/core/index.ts:82-83',
  'next-auth-4.24.15': 'next-auth@4.24.15 packages/next-auth/src/utils/detect-origin.ts:6-12',
  'authjs-5-early': 'next-auth@5.0.0-beta.5 packages/next-auth/src/lib/env.ts:8-14 and its reqWithEnvUrl',
  'authjs-5': '@auth/core packages/core/src/lib/utils/env.ts:44-50, lib/utils/assert.ts:96-98, index.ts:111-130; next-auth 5 packages/next-auth/src/lib/env.ts:7-13',
};

/** How the report shows a value: `"false"`, `unset`, or `set but empty`. */
export function shownValue(value: string | undefined): string {
  if (value === undefined) return 'unset';
  return value === '' ? 'set but empty' : `"${value}"`;
}

/** `a`, `a and b`, `a, b and c`. */
function list(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** JavaScript's `a ?? b ?? …` over variables: the first one that is defined, even empty. */
function firstDefined(env: HostTrustEnv, chain: readonly HostTrustVariable[]): HostTrustVariable | undefined {
  return chain.find((name) => env[name] !== undefined);
}

/** Which version rule applies to a library. */
export function hostTrustRule(library: HostTrustLibrary): HostTrustRule {
  if (library.family === 'next-auth-v4') return compareVersions(library.version, '4.24.15') >= 0 ? 'next-auth-4.24.15' : 'next-auth-4';
  if (library.package === 'next-auth' && compareVersions(library.version, '5.0.0-beta.6') < 0) return 'authjs-5-early';
  return 'authjs-5';
}

/**
 * The installed version's answer for these variables and the app's `trustHost` option (undefined:
 * the app passes none). Follows the library source cited in this module's header, line for line.
 */
/** `guideFlag` false: the app does not read NEXTAUTH_TRUST_HOST, so the reason does not speak of it. */
export function judgeHostTrust(library: HostTrustLibrary, env: HostTrustEnv, option?: TrustHostOption, guideFlag = true): HostTrust {
  const rule = hostTrustRule(library);
  const label = library.label ?? `${library.package} ${library.version}`;
  const source = SOURCES[rule];
  const nonEmpty = (name: HostTrustVariable) => !!env[name];
  const platformOf = (name: string): HostTrust['platform'] => (name === 'VERCEL' ? 'Vercel' : name === 'CF_PAGES' ? 'Cloudflare Pages' : undefined);

  if (rule === 'next-auth-4' || rule === 'next-auth-4.24.15') {
    const chain: HostTrustVariable[] = ['VERCEL', 'AUTH_TRUST_HOST'];
    const stop = firstDefined(env, chain);
    const trustOn = stop !== undefined && nonEmpty(stop);
    const decidedBy: HostTrust['decidedBy'] = stop ? { kind: 'variable', name: stop, value: env[stop] } : { kind: 'default', name: list(chain) };
    const urlWins = rule === 'next-auth-4.24.15' && nonEmpty('NEXTAUTH_URL');
    const reflects = trustOn && !urlWins;
    const ignores = `${label} ignores NEXTAUTH_TRUST_HOST (it has no trustHost option)`;
    let decided: string;
    if (!stop) decided = 'VERCEL and AUTH_TRUST_HOST are unset, so host trust is off';
    else if (!trustOn) decided = `${stop} is set but empty${stop === 'VERCEL' && env.AUTH_TRUST_HOST !== undefined ? ' (next-auth reads `VERCEL ?? AUTH_TRUST_HOST`, so AUTH_TRUST_HOST is not even read)' : ''}, so host trust is off`;
    else decided = `${stop}=${shownValue(env[stop])} is a non-empty value, so host trust is on`;
    let consequence: string;
    if (!trustOn) consequence = nonEmpty('NEXTAUTH_URL') ? 'and URLs come from NEXTAUTH_URL' : 'and URLs come from NEXTAUTH_URL, which is not set (next-auth then uses http://localhost:3000)';
    else if (urlWins) consequence = 'but NEXTAUTH_URL is set and wins (since next-auth 4.24.15), so URLs come from it';
    else if (rule === 'next-auth-4') consequence = 'and the forwarded host (X-Forwarded-Host, else Host) replaces NEXTAUTH_URL';
    else consequence = 'and NEXTAUTH_URL is not set, so the forwarded host (X-Forwarded-Host, else Host) builds the URLs';
    return {
      rule,
      library: label,
      trustOn,
      decidedBy,
      urlFrom: trustOn ? (urlWins ? 'NEXTAUTH_URL' : undefined) : nonEmpty('NEXTAUTH_URL') ? 'NEXTAUTH_URL' : undefined,
      reflects,
      refuses: false,
      platform: trustOn && stop ? platformOf(stop) : undefined,
      readsGuideFlag: false,
      reason: guideFlag ? `${ignores}; ${decided}, ${consequence}` : `${label}: ${decided}, ${consequence}`,
      ignoresGuideFlag: ignores,
      decision: `${decided}, ${consequence}`,
      source,
    };
  }

  // Auth.js v5.
  const early = rule === 'authjs-5-early';
  const withCfPages = early ? false : !(library.core && compareVersions(library.core.version, '0.27.0') < 0);
  const chain: HostTrustVariable[] = early ? ['AUTH_URL', 'NEXTAUTH_URL', 'AUTH_TRUST_HOST', 'VERCEL'] : ['AUTH_URL', 'AUTH_TRUST_HOST', 'VERCEL', ...(withCfPages ? (['CF_PAGES'] as const) : [])];
  let trustOn: boolean;
  let decidedBy: HostTrust['decidedBy'];
  let decided: string;
  if (option) {
    trustOn = option.value;
    decidedBy = { kind: 'option', name: 'trustHost', value: String(option.value) };
    const read = option.variable as HostTrustVariable | undefined;
    const reads = read && (HOST_TRUST_VARIABLES as readonly string[]).includes(read) ? ` with ${read}=${shownValue(env[read])}` : '';
    decided = `the app passes trustHost: ${option.value} (\`${option.expression}\`${reads}, ${option.where}), which Auth.js takes over every variable, so trust is ${option.value ? 'on' : 'off'}`;
  } else {
    const stop = firstDefined(env, chain);
    const nodeEnv = env.NODE_ENV;
    trustOn = stop !== undefined ? nonEmpty(stop) : nodeEnv !== 'production';
    decidedBy = stop ? { kind: 'variable', name: stop, value: env[stop] } : { kind: 'default', name: 'NODE_ENV', value: nodeEnv };
    const chainText = `${chain.join(' ?? ')} ?? NODE_ENV !== "production"`;
    if (stop) decided = `it reads \`${chainText}\`: ${stop}=${shownValue(env[stop])} is ${trustOn ? 'a non-empty value, so trust is on' : 'empty, so trust is off'}`;
    else decided = `it reads \`${chainText}\`: ${list(chain)} are unset and NODE_ENV is ${nodeEnv === undefined ? 'unset' : `"${nodeEnv}"`}, so trust is ${trustOn ? 'on' : 'off'}`;
  }
  const ignores = option ? undefined : `${label} does not read NEXTAUTH_TRUST_HOST (the app passes no trustHost option)`;
  // reqWithEnvURL: `AUTH_URL ?? NEXTAUTH_URL`, then `if (!url) return req`.
  const urlStop = library.package === 'next-auth' ? firstDefined(env, ['AUTH_URL', 'NEXTAUTH_URL']) : undefined;
  const urlFrom = urlStop && nonEmpty(urlStop) ? (urlStop as 'AUTH_URL' | 'NEXTAUTH_URL') : undefined;
  const refuses = !trustOn;
  const reflects = trustOn && !urlFrom;
  let consequence: string;
  if (refuses) consequence = 'and Auth.js refuses every /api/auth request (UntrustedHost, answered with 500)';
  else if (urlFrom) consequence = `and ${urlFrom} is set: next-auth replaces the request's origin with it, so URLs come from ${urlFrom}`;
  else if (library.package === 'next-auth') consequence = 'and neither AUTH_URL nor NEXTAUTH_URL is set (non-empty): the origin comes from X-Forwarded-Host, else Host';
  else consequence = 'and @auth/core takes the origin from the request its framework builds (X-Forwarded-Host, else Host)';
  return {
    rule,
    library: label,
    trustOn,
    decidedBy,
    urlFrom,
    reflects,
    refuses,
    platform: trustOn && decidedBy.kind === 'variable' ? platformOf(decidedBy.name) : undefined,
    readsGuideFlag: option?.variable === 'NEXTAUTH_TRUST_HOST',
    reason: `${ignores && guideFlag ? `${ignores}; ` : `${label}: `}${decided}, ${consequence}`,
    ignoresGuideFlag: ignores,
    decision: `${decided}, ${consequence}`,
    source,
  };
}

// --- the gate's verdict ---------------------------------------------------------------------------

export type HostTrustProblem = 'reflects' | 'refuses' | 'guide-flag';

export interface HostTrustAssessment {
  /**
   * `fail`: a forged host steers the app's URLs, Auth.js refuses every request, or NEXTAUTH_TRUST_HOST
   * has a value the guide forbids where the installed version ignores it; `notice`: trust is on
   * only because VERCEL / CF_PAGES say the platform sets the forwarded host (the live probe settles
   * it); `pass` otherwise.
   */
  verdict: 'pass' | 'notice' | 'fail';
  problem?: HostTrustProblem;
  /** Whether the installed library is known; when not, every candidate rule was judged. */
  known: boolean;
  /** The judgement the verdict rests on (the failing candidate when the library is unknown). */
  trust: HostTrust;
  /** One per candidate rule: the installed one, or the two families when the library is unknown. */
  candidates: HostTrust[];
  summary: string;
  fix?: string;
}

export interface AssessInput {
  /** The installed library; undefined when it could not be told (then every candidate is judged). */
  library?: HostTrustLibrary;
  env: HostTrustEnv;
  /** The `trustHost` the app passes; undefined: none. */
  option?: TrustHostOption;
  /** Why the library is unknown, for the summary (`no lockfile in the working directory`). */
  unknownBecause?: string;
  /**
   * Whether the app reads NEXTAUTH_TRUST_HOST (the guide's app's own flag, passed as `trustHost`);
   * default true. An app that does not read it is not held to the guide's value for it.
   */
  guideFlag?: boolean;
}

/** The libraries judged when the installed one is unknown: each family's least safe rule. */
const CANDIDATES: HostTrustLibrary[] = [
  { family: 'next-auth-v4', package: 'next-auth', version: '4.24.14', label: 'next-auth 4 before 4.24.15' },
  { family: 'authjs-v5', package: 'next-auth', version: '5.0.0-beta.25', label: 'Auth.js v5 (next-auth 5)' },
];

/** Whether the app's value of NEXTAUTH_TRUST_HOST is one the guide forbids (anything but "false"). */
export function guideForbids(value: string | undefined): boolean {
  return APP_FLAGS.NEXTAUTH_TRUST_HOST.on(value);
}

/** The gate's verdict on the deployment's host-trust settings, for the installed library. */
export function assessHostTrust(input: AssessInput): HostTrustAssessment {
  const { env, option } = input;
  const known = input.library !== undefined;
  const candidates = (input.library ? [input.library] : CANDIDATES).map((lib) => judgeHostTrust(lib, env, option, input.guideFlag !== false));
  const unknown = known ? '' : `the installed next-auth is unknown (${input.unknownBecause ?? 'no lockfile'}), so every version was judged: `;
  const flag = env.NEXTAUTH_TRUST_HOST;
  const flagText = `NEXTAUTH_TRUST_HOST is ${shownValue(flag)}${flag === undefined ? ' (the app passes it to NextAuth as trustHost: true)' : ''}`;

  const reflecting = candidates.find((t) => t.reflects && !t.platform);
  if (reflecting) {
    return {
      verdict: 'fail',
      problem: 'reflects',
      known,
      trust: reflecting,
      candidates,
      summary: `${unknown}${reflecting.reason}: a forged Host or X-Forwarded-Host makes the app hand out URLs of that host (OAuth redirect_uri, callbackUrl, e-mail sign-in links)`,
      fix: reflectFix(reflecting, env),
    };
  }
  const refusing = known ? candidates.find((t) => t.refuses) : undefined;
  if (refusing) {
    return {
      verdict: 'fail',
      problem: 'refuses',
      known,
      trust: refusing,
      candidates,
      summary: `${refusing.reason}: nobody can sign in`,
      fix:
        refusing.decidedBy.kind === 'option'
          ? `With Auth.js v5 the app's trustHost decides: set ${option?.variable ?? 'the option'} so that it passes trustHost: true${option?.variable === 'NEXTAUTH_TRUST_HOST' ? ' (NEXTAUTH_TRUST_HOST=true; the guide\'s false is for next-auth 4)' : ''}, and keep NEXTAUTH_URL (or AUTH_URL) on the production origin: next-auth 5 then builds every URL from it, so a forged host is not used.`
          : 'Set AUTH_URL to the production origin (Auth.js then trusts the host and builds every URL from AUTH_URL), or AUTH_TRUST_HOST=true with NEXTAUTH_URL set to it.',
    };
  }
  const ignoring = candidates.find((t) => !t.readsGuideFlag);
  if (input.guideFlag !== false && guideForbids(flag) && ignoring) {
    return {
      verdict: 'fail',
      problem: 'guide-flag',
      known,
      trust: ignoring,
      candidates,
      summary: `${unknown}${flagText}, a value the guide forbids; ${ignoring.ignoresGuideFlag ?? `${ignoring.library} does not read it`}: ${ignoring.decision}`,
      fix: 'Set NEXTAUTH_TRUST_HOST=false as the guide asks: the app passes it to NextAuth as trustHost, which Auth.js v5 honours.',
    };
  }
  const platform = candidates.find((t) => t.platform && t.reflects);
  if (platform) {
    return {
      verdict: 'notice',
      known,
      trust: platform,
      candidates,
      summary: `${unknown}${platform.reason}; ${platform.platform} sets X-Forwarded-Host itself, so this is safe there, and smoke.auth-providers' forged-host probe settles it (a self-hosted deployment with ${platform.decidedBy.name} set fails it)`,
    };
  }
  const trust = candidates[0]!;
  return {
    verdict: 'pass',
    known,
    trust,
    candidates,
    summary: known ? trust.reason : `${unknown}no version lets a forged host steer the app's URLs with these settings (${candidates.map((t) => t.reason).join('; ')})`,
  };
}

function reflectFix(trust: HostTrust, env: HostTrustEnv): string {
  const parts: string[] = [];
  if (trust.decidedBy.kind === 'variable' && (TRUST_SWITCHES as readonly string[]).includes(trust.decidedBy.name)) {
    const name = trust.decidedBy.name;
    parts.push(`Remove ${name} from the production environment (the library tests it for being non-empty: "false" and "0" turn host trust on too)`);
  }
  if (trust.rule === 'next-auth-4') parts.push('or upgrade next-auth to 4.24.15 or later, where NEXTAUTH_URL wins over a trusted host');
  if (trust.rule.startsWith('authjs-5') || !env.NEXTAUTH_URL) parts.push(`set ${trust.rule.startsWith('authjs-5') ? 'AUTH_URL (or NEXTAUTH_URL)' : 'NEXTAUTH_URL'} to the production origin`);
  return `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase());
}

/**
 * One committed value of a host-trust variable (a workflow's `env:`, a platform file), judged as if
 * the other host-trust settings were the guide's (NEXTAUTH_TRUST_HOST=false, no AUTH_TRUST_HOST,
 * VERCEL or CF_PAGES) and the URLs the run's: flagged when that value makes the verdict fail, by
 * itself (the guide's settings pass) or as the variable that decides.
 * config.nextauth-trust-host gives the same verdict for the same value (one module, one answer).
 */
export function judgeTrustValue(
  name: 'NEXTAUTH_TRUST_HOST' | (typeof TRUST_SWITCHES)[number],
  value: string,
  input: Omit<AssessInput, 'env'> & { env: HostTrustEnv },
): { unsafe: boolean; why: string } {
  const base: HostTrustEnv = { NEXTAUTH_URL: input.env.NEXTAUTH_URL, AUTH_URL: input.env.AUTH_URL, NODE_ENV: input.env.NODE_ENV, NEXTAUTH_TRUST_HOST: 'false' };
  const withValue = { ...base, [name]: value };
  const judged = assessHostTrust({ ...input, env: withValue, option: input.option && optionWith(input.option, withValue) });
  const baseline = assessHostTrust({ ...input, env: base, option: input.option && optionWith(input.option, base) });
  // The value's own fault: the verdict fails where the guide's settings pass, or it fails because of
  // this variable (the guide's flag; the switch or the app's option that decides trust).
  const decider = judged.trust.decidedBy;
  const own =
    judged.problem === 'guide-flag'
      ? name === 'NEXTAUTH_TRUST_HOST'
      : decider.name === name || (decider.kind === 'option' && input.option?.variable === name);
  const unsafe = judged.verdict === 'fail' && (baseline.verdict !== 'fail' || own);
  return { unsafe, why: judged.summary };
}

// --- reading the repository -----------------------------------------------------------------------

/** Where apps keep their NextAuth config (pages router, app router, Auth.js v5's `auth.ts`). */
export const AUTH_CONFIG_FILES = [
  'lib/auth.ts',
  'lib/auth.js',
  'lib/nextAuth.ts',
  'lib/nextAuth.js',
  'auth.ts',
  'auth.js',
  'auth.config.ts',
  'src/auth.ts',
  'src/lib/auth.ts',
  'src/lib/nextAuth.ts',
  'pages/api/auth/[...nextauth].ts',
  'pages/api/auth/[...nextauth].js',
  'src/pages/api/auth/[...nextauth].ts',
  'app/api/auth/[...nextauth]/route.ts',
  'src/app/api/auth/[...nextauth]/route.ts',
] as const;

/** The target app's documented reading (target-app.md): `trustHost: NEXTAUTH_TRUST_HOST !== 'false'`. */
export function documentedTrustHostOption(env: HostTrustEnv, where = "the app's documented reading (no NextAuth config file found)"): TrustHostOption {
  return {
    value: APP_FLAGS.NEXTAUTH_TRUST_HOST.on(env.NEXTAUTH_TRUST_HOST),
    expression: "process.env.NEXTAUTH_TRUST_HOST !== 'false'",
    variable: 'NEXTAUTH_TRUST_HOST',
    where,
  };
}

/**
 * The `trustHost` the app's NextAuth config passes, read from its source: `trustHost: true|false`,
 * `process.env.X !== 'v'` (`!=`, `===`, `==`) or `!!process.env.X`, evaluated with the run's
 * variables. An expression the gate cannot evaluate, or no config file at all, falls back to the
 * app's documented reading. Undefined when the config files found pass no `trustHost`.
 * (A light reading, not a parser: the app model can replace it with its own.)
 */
export async function readTrustHostOption(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
  documented = true,
  files: readonly string[] = AUTH_CONFIG_FILES,
): Promise<TrustHostOption | undefined> {
  let found = false;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(join(root, file), 'utf8');
    } catch {
      continue;
    }
    found = true;
    // Comments out (a commented-out option passes nothing), lengths kept so line numbers hold.
    const code = text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/[^\n]*/g, (m, lead: string | undefined) => (lead ?? '') + m.slice((lead ?? '').length).replace(/[^\n]/g, ' '));
    const match = /\btrustHost\s*:\s*([^,}\n]+)/.exec(code);
    if (!match) continue;
    const expression = match[1]!.trim();
    const line = code.slice(0, match.index).split('\n').length;
    const where = `${file}:${line}`;
    const evaluated = evaluate(expression, env);
    if (evaluated) return { ...evaluated, expression, where };
    return { ...documentedTrustHostOption(env, `${where}, \`${expression}\` read as the app's documented NEXTAUTH_TRUST_HOST !== 'false'`), expression };
  }
  // No config file found: the guide's app's documented reading, unless the app does not read its flag.
  return found || !documented ? undefined : documentedTrustHostOption(env);
}

/** The option evaluated again with other values of the variables (a committed value judged alone). */
export function optionWith(option: TrustHostOption, env: Readonly<Record<string, string | undefined>>): TrustHostOption {
  const evaluated = evaluate(option.expression, env);
  return evaluated ? { ...option, value: evaluated.value } : { ...option, value: APP_FLAGS.NEXTAUTH_TRUST_HOST.on(env.NEXTAUTH_TRUST_HOST) };
}

function evaluate(expression: string, env: Readonly<Record<string, string | undefined>>): { value: boolean; variable?: string } | undefined {
  if (expression === 'true' || expression === 'false') return { value: expression === 'true' };
  const compare = /^process\.env\.([A-Z0-9_]+)\s*(!==|!=|===|==)\s*(['"])(.*?)\3$/.exec(expression);
  if (compare) {
    const [, variable, op, , literal] = compare;
    const equal = env[variable!] === literal;
    return { value: op!.startsWith('!') ? !equal : equal, variable };
  }
  const truthy = /^(?:!!|Boolean\()process\.env\.([A-Z0-9_]+)\)?$/.exec(expression);
  if (truthy) return { value: !!env[truthy[1]!], variable: truthy[1] };
  return undefined;
}

export interface RepoHostTrust {
  library?: AuthLibrary;
  /** The lockfile read, and why it could not be, when it could not. */
  lockfile?: { file: string; error?: string };
  /** The app installs neither next-auth nor @auth/core (by its lockfile): host trust does not apply. */
  noAuthLibrary: boolean;
  option?: TrustHostOption;
  assessment: HostTrustAssessment;
}

/**
 * The repository's host trust: the installed library (node_modules, else the lockfile), the app's
 * `trustHost` option, and the verdict for `env` (the deployment's variables as the gate has them;
 * NODE_ENV defaults to `production`, which `next start` sets when it is unset).
 */
export async function hostTrustOf(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
  options: {
    /** Whether the app reads NEXTAUTH_TRUST_HOST (default true: the guide's app). */
    guideFlag?: boolean;
    /** The app's NextAuth config modules as the app model found them, read before the usual places. */
    configFiles?: readonly string[];
  } = {},
): Promise<RepoHostTrust> {
  const lock = await readLockfile(root);
  const library = await detectAuthLibrary(root, lock);
  const trustEnv: HostTrustEnv = { ...Object.fromEntries(HOST_TRUST_VARIABLES.map((name) => [name, env[name]])), NODE_ENV: env.NODE_ENV ?? 'production' };
  const files = options.configFiles?.length ? [...new Set([...options.configFiles, ...AUTH_CONFIG_FILES])] : AUTH_CONFIG_FILES;
  const option = await readTrustHostOption(root, env, options.guideFlag !== false, files);
  const unknownBecause = !lock ? 'no lockfile and no node_modules/next-auth in the working directory' : lock.error ? lock.error : undefined;
  return {
    library,
    lockfile: lock ? { file: lock.file, ...(lock.error ? { error: lock.error } : {}) } : undefined,
    noAuthLibrary: !library && !!lock && !lock.error,
    option,
    assessment: assessHostTrust({ library, env: trustEnv, option, unknownBecause, guideFlag: options.guideFlag }),
  };
}
