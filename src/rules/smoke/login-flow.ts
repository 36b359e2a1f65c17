/**
 * smoke.login-flow (opt-in: `smoke-account` in the config): the smoke account signs in with the
 * credentials provider as the login page does (CSRF token, credentials callback, session), and
 * `/api/auth/session` shows the account. It then signs out, so no session is left behind.
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { noTarget, requestTimeoutMs } from './app-probe.js';
import { newVisitor, smokeAccount } from './accounts.js';
import type { AppVisitor } from './nextauth.js';
import { SIGN_IN_COOKIES } from '../handoffs.js';

export const SIGN_IN_FIX =
  'Check that the account exists in production with that password (sign in once by hand), that the credentials provider is enabled (AUTH_PROVIDERS), ' +
  'and that NEXTAUTH_URL is the production origin (the session cookie is Secure and set for that host).';

export function stepsText(visitor: AppVisitor): string {
  return visitor.steps.map((s) => `- ${s}`).join('\n');
}

export const loginFlow = defineRule({
  id: 'smoke.login-flow',
  async check(ctx): Promise<Outcome> {
    const account = smokeAccount(ctx.settings);
    if ('status' in account) return account;
    const visitor = newVisitor(ctx);
    if (!visitor) return noTarget(ctx.settings);
    let failure: string | undefined;
    let signOutProblem: string | undefined;
    try {
      // Leave time to sign out whatever happens.
      failure = await visitor.signIn(account, Math.min(requestTimeoutMs(ctx), 5000));
    } finally {
      signOutProblem = await visitor.signOut();
    }
    const data = { email: account.email, cookies: visitor.jar.names(), sessionCookies: visitor.signInCookies };
    ctx.shared.set(SIGN_IN_COOKIES, visitor.signInCookies);
    if (failure) {
      return {
        status: 'fail',
        summary: `${account.email} could not sign in: ${failure}`,
        details: `${stepsText(visitor)}${signOutProblem ? `\nCleanup: ${signOutProblem}` : ''}`,
        fix: SIGN_IN_FIX,
        data,
        // The app did not answer: the sign-in could not be tried (the run's `unreachable` input decides).
        ...(visitor.noAnswer ? { unreachable: { component: 'app' as const, cause: failure } } : {}),
      };
    }
    const landing = visitor.landing;
    if (landing && landing.origin !== visitor.origin.origin) {
      // The session works, but NextAuth builds this URL from NEXTAUTH_URL: users land elsewhere.
      return {
        status: 'fail',
        summary: `${account.email} signed in, but NextAuth sends the signed-in user to ${landing.origin}, not ${visitor.origin.origin}: the deployment's NEXTAUTH_URL is not the production origin`,
        details: `${stepsText(visitor)}${signOutProblem ? `\nCleanup: ${signOutProblem}` : ''}`,
        fix: `Set NEXTAUTH_URL=${visitor.origin.origin} in the production environment and redeploy.`,
        data,
      };
    }
    if (signOutProblem) {
      return {
        status: 'warn',
        summary: `${account.email} signed in and /api/auth/session shows the account, but signing out failed: ${signOutProblem}; the session stays valid until it expires`,
        details: stepsText(visitor),
        fix: 'Check POST /api/auth/signout on the deployment (CSRF cookie, NextAuth version).',
        data,
      };
    }
    return {
      status: 'pass',
      summary: `${account.email} signed in with credentials; /api/auth/session shows the account; signed out`,
      details: stepsText(visitor),
      data,
    };
  },
});
