/**
 * Which authentication library the app runs, in which version: NextAuth v4 (`next-auth` 4.x) or
 * Auth.js v5 (`next-auth` 5.x, a wrapper of `@auth/core`, or `@auth/core` through another framework
 * package). What the library does with host trust, its variable names and its cookie names follow
 * from this, so rules ask here instead of assuming the app's own library.
 */
import { installedVersion, type Lockfile } from './lockfile.js';

export interface AuthLibrary {
  /** `next-auth-v4`: NextAuth 4.x. `authjs-v5`: Auth.js (next-auth 5.x or @auth/core). */
  family: 'next-auth-v4' | 'authjs-v5';
  /** The package the app depends on (`next-auth`, or `@auth/core` when it has no next-auth). */
  package: string;
  version: string;
  /** Where the version was read (`node_modules/next-auth/package.json`, `package-lock.json`, …). */
  source: string;
  /** The `@auth/core` version next-auth 5 runs on, when known. */
  core?: { version: string; source: string };
}

/** The app's auth library; undefined when it depends on neither next-auth nor @auth/core. */
export async function detectAuthLibrary(root: string, lock?: Lockfile): Promise<AuthLibrary | undefined> {
  const nextAuth = await installedVersion(root, 'next-auth', lock);
  const core = await installedVersion(root, '@auth/core', lock);
  if (nextAuth) {
    const major = Number.parseInt(nextAuth.version, 10);
    if (major >= 5) return { family: 'authjs-v5', package: 'next-auth', ...nextAuth, ...(core ? { core } : {}) };
    return { family: 'next-auth-v4', package: 'next-auth', ...nextAuth };
  }
  if (core) return { family: 'authjs-v5', package: '@auth/core', ...core, core };
  return undefined;
}

/** Compares dotted versions numerically (`4.24.13` < `4.24.15`); a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.replace(/^v/, '').split('-', 2) as [string, string | undefined];
    return { parts: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre.localeCompare(y.pre, 'en', { numeric: true });
}
