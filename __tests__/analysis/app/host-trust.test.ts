/**
 * Host trust as each installed version decides it (src/analysis/app/host-trust.ts), case by case
 * from the libraries' source (the lines are cited in the module), then the whole grid of variable
 * values against the sandbox's emulation of the libraries (sandbox/app-auth.ts, written from the
 * same source apart from the gate): one answer for every version and value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import {
  assessHostTrust,
  hostTrustOf,
  judgeHostTrust,
  readTrustHostOption,
  type HostTrustEnv,
  type HostTrustLibrary,
  type TrustHostOption,
} from '../../../src/analysis/app/host-trust.js';
import { authUrl } from '../../../sandbox/app-auth.js';
import { loadAppConfig } from '../../../sandbox/app-config.js';
import type { RequestContext } from '../../../sandbox/app-http.js';

const URL_ = 'https://app.acme-saas.com';
const v4 = (version: string): HostTrustLibrary => ({ family: 'next-auth-v4', package: 'next-auth', version });
const v5 = (version = '5.0.0-beta.25', core?: string): HostTrustLibrary => ({ family: 'authjs-v5', package: 'next-auth', version, ...(core ? { core: { version: core, source: 'package-lock.json' } } : {}) });
/** The app's own `trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false'`. */
const appOption = (env: HostTrustEnv): TrustHostOption => ({ value: env.NEXTAUTH_TRUST_HOST !== 'false', expression: "process.env.NEXTAUTH_TRUST_HOST !== 'false'", variable: 'NEXTAUTH_TRUST_HOST', where: 'lib/auth.ts:9' });
const prod = (env: HostTrustEnv): HostTrustEnv => ({ NEXTAUTH_URL: URL_, NODE_ENV: 'production', ...env });

test('next-auth 4.24.13: NEXTAUTH_TRUST_HOST is ignored; AUTH_TRUST_HOST and VERCEL turn trust on when non-empty, and the forwarded host replaces NEXTAUTH_URL', () => {
  // detect-origin.ts@4.24.13:4 `if (process.env.VERCEL ?? process.env.AUTH_TRUST_HOST)`.
  const lib = v4('4.24.13');
  for (const flag of ['false', 'true', undefined]) {
    const t = judgeHostTrust(lib, prod({ NEXTAUTH_TRUST_HOST: flag }));
    assert.equal(t.trustOn, false, `NEXTAUTH_TRUST_HOST=${flag}`);
    assert.equal(t.reflects, false);
    assert.equal(t.urlFrom, 'NEXTAUTH_URL');
  }
  for (const value of ['false', '0', 'true', 'no']) {
    const t = judgeHostTrust(lib, prod({ NEXTAUTH_TRUST_HOST: 'false', AUTH_TRUST_HOST: value }));
    assert.equal(t.trustOn, true, `AUTH_TRUST_HOST=${value}`);
    assert.equal(t.reflects, true, 'NEXTAUTH_URL does not win before 4.24.15');
    assert.deepEqual(t.decidedBy, { kind: 'variable', name: 'AUTH_TRUST_HOST', value });
  }
  const empty = judgeHostTrust(lib, prod({ AUTH_TRUST_HOST: '' }));
  assert.equal(empty.trustOn, false, 'an empty AUTH_TRUST_HOST is falsy');
  // `??` stops at a defined VERCEL, even empty: AUTH_TRUST_HOST is never read then.
  const hidden = judgeHostTrust(lib, prod({ VERCEL: '', AUTH_TRUST_HOST: 'true' }));
  assert.equal(hidden.trustOn, false);
  assert.equal(hidden.decidedBy.name, 'VERCEL');
  assert.match(hidden.reason, /AUTH_TRUST_HOST is not even read/);
  const vercel = judgeHostTrust(lib, prod({ VERCEL: '1' }));
  assert.equal(vercel.platform, 'Vercel');
  assert.equal(vercel.reflects, true);
  assert.equal(judgeHostTrust(lib, prod({ CF_PAGES: '1' })).trustOn, false, 'next-auth 4 does not read CF_PAGES');
});

test('next-auth 4.24.15: a non-empty NEXTAUTH_URL wins over a trusted host; without it the forwarded host builds the URLs', () => {
  // detect-origin.ts@4.24.15:6 `if (process.env.NEXTAUTH_URL) return process.env.NEXTAUTH_URL`, then :11.
  const lib = v4('4.24.15');
  const withUrl = judgeHostTrust(lib, prod({ AUTH_TRUST_HOST: 'true' }));
  assert.deepEqual([withUrl.trustOn, withUrl.reflects, withUrl.urlFrom], [true, false, 'NEXTAUTH_URL']);
  assert.match(withUrl.reason, /NEXTAUTH_URL is set and wins \(since next-auth 4\.24\.15\)/);
  const noUrl = judgeHostTrust(lib, { AUTH_TRUST_HOST: 'true', NEXTAUTH_URL: undefined });
  assert.equal(noUrl.reflects, true);
  assert.equal(judgeHostTrust(lib, { AUTH_TRUST_HOST: 'true', NEXTAUTH_URL: '' }).reflects, true, 'an empty NEXTAUTH_URL does not win');
  assert.equal(judgeHostTrust(v4('4.24.14'), prod({ AUTH_TRUST_HOST: 'true' })).reflects, true, '4.24.14 still has the old rule');
});

test('Auth.js v5: AUTH_URL ?? AUTH_TRUST_HOST ?? VERCEL ?? CF_PAGES ?? NODE_ENV !== "production", by non-emptiness; trust off refuses every request; AUTH_URL ?? NEXTAUTH_URL wins', () => {
  // @auth/core lib/utils/env.ts:44-50; lib/utils/assert.ts:96-98; next-auth lib/env.ts:7-13.
  const lib = v5();
  const none = judgeHostTrust(lib, prod({}));
  assert.deepEqual([none.trustOn, none.refuses, none.reflects], [false, true, false]);
  assert.deepEqual(none.decidedBy, { kind: 'default', name: 'NODE_ENV', value: 'production' });
  assert.equal(judgeHostTrust(lib, { NEXTAUTH_URL: URL_ }).trustOn, true, 'NODE_ENV unset is not "production"');
  const authUrl = judgeHostTrust(lib, prod({ AUTH_URL: URL_ }));
  assert.deepEqual([authUrl.trustOn, authUrl.urlFrom, authUrl.reflects], [true, 'AUTH_URL', false]);
  const falsy = judgeHostTrust(lib, prod({ AUTH_TRUST_HOST: 'false' }));
  assert.deepEqual([falsy.trustOn, falsy.urlFrom, falsy.reflects], [true, 'NEXTAUTH_URL', false], '"false" is non-empty; NEXTAUTH_URL still builds the URLs');
  const bare = judgeHostTrust(lib, { AUTH_TRUST_HOST: 'true', NODE_ENV: 'production' });
  assert.equal(bare.reflects, true, 'no configured URL: X-Forwarded-Host ?? Host');
  const emptyUrl = judgeHostTrust(lib, prod({ AUTH_URL: '', AUTH_TRUST_HOST: 'true' }));
  assert.equal(emptyUrl.refuses, true, 'an empty AUTH_URL stops the chain');
  const pages = judgeHostTrust(lib, prod({ CF_PAGES: '1' }));
  assert.deepEqual([pages.platform, pages.reflects], ['Cloudflare Pages', false], 'trust by the platform, but NEXTAUTH_URL wins');
  assert.equal(assessHostTrust({ library: lib, env: prod({ NEXTAUTH_TRUST_HOST: 'false', CF_PAGES: '1' }) }).verdict, 'pass', 'nothing for the live probe to settle');
  assert.equal(judgeHostTrust(v5('5.0.0-beta.25', '0.26.3'), prod({ CF_PAGES: '1' })).refuses, true, 'CF_PAGES is read from @auth/core 0.27.0');
  assert.equal(judgeHostTrust(v5('5.0.0-beta.25', '0.37.2'), prod({ CF_PAGES: '1' })).trustOn, true);
  // next-auth 5.0.0-beta.5 lib/env.ts:8-14: NEXTAUTH_URL is in the chain.
  assert.equal(judgeHostTrust(v5('5.0.0-beta.5'), prod({})).trustOn, true);
  assert.equal(judgeHostTrust(v5('5.0.0-beta.5'), { NODE_ENV: 'production' }).refuses, true);
});

test('Auth.js v5 takes a trustHost the app passes over every variable (`??=`); next-auth 4 has no such option', () => {
  const off = prod({ NEXTAUTH_TRUST_HOST: 'false', AUTH_URL: URL_, AUTH_TRUST_HOST: 'true' });
  const refused = judgeHostTrust(v5(), off, appOption(off));
  assert.deepEqual([refused.trustOn, refused.refuses, refused.decidedBy.kind], [false, true, 'option']);
  assert.equal(refused.readsGuideFlag, true);
  const on = prod({ NEXTAUTH_TRUST_HOST: 'true' });
  const trusted = judgeHostTrust(v5(), on, appOption(on));
  assert.deepEqual([trusted.trustOn, trusted.reflects, trusted.urlFrom], [true, false, 'NEXTAUTH_URL']);
  const old = judgeHostTrust(v4('4.24.13'), on, appOption(on));
  assert.equal(old.trustOn, false, 'next-auth 4 does not read the option');
  assert.equal(old.readsGuideFlag, false);
});

test('the verdict: the issue\'s table on next-auth 4.24.13, each with the variable that decides today', () => {
  const lib = v4('4.24.13');
  const verdict = (env: HostTrustEnv) => assessHostTrust({ library: lib, env: prod(env), option: appOption(prod(env)) });
  const guide = verdict({ NEXTAUTH_TRUST_HOST: 'false' });
  assert.equal(guide.verdict, 'pass');
  for (const flag of ['true', undefined]) {
    const r = verdict({ NEXTAUTH_TRUST_HOST: flag });
    assert.deepEqual([r.verdict, r.problem], ['fail', 'guide-flag'], `NEXTAUTH_TRUST_HOST=${flag}`);
    assert.match(r.summary, /a value the guide forbids; next-auth 4\.24\.13 ignores NEXTAUTH_TRUST_HOST \(it has no trustHost option\): VERCEL and AUTH_TRUST_HOST are unset, so host trust is off/);
    assert.doesNotMatch(r.summary, /steer|forged/, 'no untrue reason');
  }
  for (const value of ['false', '0', 'true']) {
    const r = verdict({ NEXTAUTH_TRUST_HOST: 'false', AUTH_TRUST_HOST: value });
    assert.deepEqual([r.verdict, r.problem], ['fail', 'reflects'], `AUTH_TRUST_HOST=${value}`);
    assert.match(r.summary, new RegExp(`^next-auth 4\\.24\\.13 ignores NEXTAUTH_TRUST_HOST \\(it has no trustHost option\\); AUTH_TRUST_HOST="${value}" is a non-empty value, so host trust is on`));
    assert.match(r.fix!, /Remove AUTH_TRUST_HOST .*upgrade next-auth to 4\.24\.15/);
  }
  const vercel = verdict({ NEXTAUTH_TRUST_HOST: 'false', VERCEL: '1' });
  assert.equal(vercel.verdict, 'notice', 'on Vercel the platform sets the forwarded host: never a failure by itself');
  assert.match(vercel.summary, /smoke\.auth-providers' forged-host probe settles it/);
  assert.equal(verdict({ NEXTAUTH_TRUST_HOST: 'false', AUTH_TRUST_HOST: '' }).verdict, 'pass');
});

test('the verdict on 4.24.15 and v5: a trusted host that cannot steer passes; Auth.js refusing every request fails with the cause', () => {
  assert.equal(assessHostTrust({ library: v4('4.24.15'), env: prod({ NEXTAUTH_TRUST_HOST: 'false', AUTH_TRUST_HOST: 'true' }) }).verdict, 'pass');
  const untrusted = assessHostTrust({ library: v5(), env: prod({ NEXTAUTH_TRUST_HOST: 'false' }) });
  assert.deepEqual([untrusted.verdict, untrusted.problem], ['fail', 'refuses']);
  assert.match(untrusted.summary, /UntrustedHost, answered with 500\): nobody can sign in$/);
  assert.match(untrusted.fix!, /Set AUTH_URL to the production origin/);
  const withUrl = assessHostTrust({ library: v5(), env: prod({ NEXTAUTH_TRUST_HOST: 'false', AUTH_URL: URL_ }) });
  assert.equal(withUrl.verdict, 'pass');
  assert.match(withUrl.summary, /URLs come from AUTH_URL/);
  const optionOff = prod({ NEXTAUTH_TRUST_HOST: 'false', AUTH_URL: URL_ });
  const byOption = assessHostTrust({ library: v5(), env: optionOff, option: appOption(optionOff) });
  assert.equal(byOption.problem, 'refuses', "the app's trustHost: false wins over AUTH_URL");
  assert.match(byOption.fix!, /NEXTAUTH_TRUST_HOST=true; the guide's false is for next-auth 4/);
  assert.equal(assessHostTrust({ library: v5(), env: prod({ NEXTAUTH_TRUST_HOST: 'true', AUTH_URL: URL_ }) }).problem, 'guide-flag', 'not read without the option: the guide\'s value still holds');
});

test("an app that does not read NEXTAUTH_TRUST_HOST (the app model says so) is not held to the guide's value, and the verdict does not name it", () => {
  for (const [library, env] of [
    [v4('4.22.1'), prod({})],
    [v5(), prod({ AUTH_URL: URL_ })],
  ] as const) {
    assert.equal(assessHostTrust({ library, env }).problem, 'guide-flag', `${library.version}: an app that reads the flag is held to it`);
    const r = assessHostTrust({ library, env, guideFlag: false });
    assert.equal(r.verdict, 'pass', `${library.version}: ${r.summary}`);
    assert.doesNotMatch(r.summary, /NEXTAUTH_TRUST_HOST/, library.version);
  }
  // What the library reads by itself still decides.
  assert.equal(assessHostTrust({ library: v4('4.22.1'), env: prod({ AUTH_TRUST_HOST: 'true' }), guideFlag: false }).problem, 'reflects');
});

test('an unknown installed version: every family judged, a reflection under any of them fails, and the summary says the version is unknown', () => {
  const safe = assessHostTrust({ env: prod({ NEXTAUTH_TRUST_HOST: 'false' }), unknownBecause: 'no lockfile' });
  assert.equal(safe.verdict, 'pass');
  assert.equal(safe.known, false);
  assert.match(safe.summary, /^the installed next-auth is unknown \(no lockfile\), so every version was judged: no version lets a forged host steer/);
  const unsafe = assessHostTrust({ env: prod({ NEXTAUTH_TRUST_HOST: 'false', AUTH_TRUST_HOST: 'true' }), unknownBecause: 'no lockfile' });
  assert.deepEqual([unsafe.verdict, unsafe.trust.rule], ['fail', 'next-auth-4']);
});

test("the app's NextAuth config where the app model found it is read (a place outside the usual list), and an app that does not read the guide's flag gets no documented reading", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'prg-trust-'));
  try {
    await mkdir(join(dir, 'src/server'), { recursive: true });
    await writeFile(join(dir, 'src/server/auth.ts'), 'export const { handlers, auth } = NextAuth({\n  trustHost: true,\n  providers: [],\n});\n');
    const env = { NODE_ENV: 'production' };
    const found = await hostTrustOf(dir, env, { configFiles: ['src/server/auth.ts'] });
    assert.deepEqual([found.option?.value, found.option?.where], [true, 'src/server/auth.ts:2']);
    const usual = await hostTrustOf(dir, env);
    assert.match(usual.option?.where ?? '', /documented reading \(no NextAuth config file found\)/, 'without the model the file is not found');
    assert.equal((await hostTrustOf(dir, env, { guideFlag: false })).option, undefined, 'no guide flag read: no documented trustHost either');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the app's trustHost option is read from its NextAuth config and evaluated; a commented one is none; no config file is the app's documented reading", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'prg-trust-'));
  try {
    assert.deepEqual(await readTrustHostOption(dir, { NEXTAUTH_TRUST_HOST: 'false' }), {
      value: false,
      expression: "process.env.NEXTAUTH_TRUST_HOST !== 'false'",
      variable: 'NEXTAUTH_TRUST_HOST',
      where: "the app's documented reading (no NextAuth config file found)",
    });
    await mkdir(join(dir, 'lib'));
    const file = (body: string) => writeFile(join(dir, 'lib/auth.ts'), `import type { NextAuthOptions } from 'next-auth';\n\nexport const authOptions: NextAuthOptions = {\n${body}\n  providers: [],\n};\n`);
    await file("  // @ts-ignore\n  trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false',");
    const read = await readTrustHostOption(dir, {});
    assert.deepEqual([read?.value, read?.variable, read?.where], [true, 'NEXTAUTH_TRUST_HOST', 'lib/auth.ts:5']);
    await file('  trustHost: process.env.AUTH_TRUST === "1",');
    assert.deepEqual([(await readTrustHostOption(dir, { AUTH_TRUST: '1' }))?.value, (await readTrustHostOption(dir, {}))?.value], [true, false]);
    await file('  trustHost: true,');
    assert.equal((await readTrustHostOption(dir, {}))?.value, true);
    await file('  // trustHost: true,\n  /* trustHost: false, */');
    assert.equal(await readTrustHostOption(dir, {}), undefined, 'commented out: no option');
    await file('  trustHost: env.nextAuth.trustHost,');
    const opaque = await readTrustHostOption(dir, { NEXTAUTH_TRUST_HOST: 'false' });
    assert.equal(opaque?.value, false);
    assert.match(opaque?.where ?? '', /lib\/auth\.ts:4, `env\.nextAuth\.trustHost` read as the app's documented/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A request to the sandbox app's NextAuth, with these headers, for its emulation (authUrl). */
function sandboxAnswer(version: string, env: Record<string, string | undefined>, passesTrustHost: boolean): { reflects: boolean; refuses: boolean } {
  const config = loadAppConfig({ AUTH_PROVIDERS: 'credentials', ...env }, { version, passesTrustHost });
  const forged = 'prg-0123456789ab.invalid';
  const ctx = { req: { headers: { host: 'app.acme-saas.com', 'x-forwarded-host': forged } } as unknown as IncomingMessage, config } as RequestContext;
  const answer = authUrl(ctx);
  return 'untrusted' in answer ? { reflects: false, refuses: true } : { reflects: answer.origin.includes(forged), refuses: false };
}

test('the engine and the sandbox\'s emulation of each library agree on every combination of values', () => {
  const values = [undefined, '', 'false', 'true'];
  let compared = 0;
  for (const version of ['4.24.13', '4.24.15', '5.0.0-beta.5', '5.0.0-beta.25']) {
    const library = version.startsWith('5') ? v5(version) : v4(version);
    for (const passesTrustHost of version.startsWith('5') ? [false, true] : [true]) {
      for (const nextauthUrl of [URL_, undefined]) {
        for (const authTrust of values) {
          for (const vercel of values) {
            for (const authUrlValue of [undefined, '', URL_]) {
              for (const flag of ['false', undefined]) {
                const env = { NEXTAUTH_URL: nextauthUrl, AUTH_TRUST_HOST: authTrust, VERCEL: vercel, AUTH_URL: authUrlValue, NEXTAUTH_TRUST_HOST: flag, NODE_ENV: 'production' };
                const t = judgeHostTrust(library, env, passesTrustHost ? appOption(env) : undefined);
                const s = sandboxAnswer(version, env, passesTrustHost);
                const label = `${version} ${passesTrustHost ? 'with' : 'without'} trustHost, ${JSON.stringify(env)}`;
                assert.equal(t.reflects, s.reflects, `reflects: ${label}`);
                assert.equal(t.refuses, s.refuses, `refuses: ${label}`);
                compared++;
              }
            }
          }
        }
      }
    }
  }
  assert.ok(compared > 1000, `${compared} combinations`);
});
