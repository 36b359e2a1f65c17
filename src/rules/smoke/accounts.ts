/**
 * The opt-in flows' accounts: `smoke-account` and the accounts of `feature-gates` in the config file,
 * with their passwords from the variables named by `password-env` (registered as secrets by
 * settings.ts, never printed).
 */
import { isAbsolute, relative } from 'node:path';
import type { Outcome, RuleContext } from '../../engine/types.js';
import type { Settings } from '../../settings.js';
import { appOrigin, Budget, requestTimeoutMs } from './app-probe.js';
import { AppVisitor, type AccountCredentials } from './nextauth.js';

/** The config file as the user named it (relative to the repository when inside it). */
export function configFileName(settings: Settings): string {
  const rel = relative(settings.workingDirectory, settings.configFile);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : settings.configFile;
}

/** An account's credentials, or the reason it cannot be used (its password variable is unset). */
export function credentials(settings: Settings, account: { email: string; 'password-env': string }): AccountCredentials | string {
  const passwordEnv = account['password-env'];
  const password = settings.env[passwordEnv];
  if (!password) return `${passwordEnv} is not set, so ${account.email} cannot sign in`;
  return { email: account.email, passwordEnv, password };
}

/** The smoke account, or the skip that says why the opt-in flow does not run. */
export function smokeAccount(settings: Settings): AccountCredentials | Outcome {
  const account = settings.config['smoke-account'];
  if (!account) {
    return {
      status: 'skip',
      summary: `no smoke-account in the config (${configFileName(settings)}): this opt-in flow does not run`,
      fix: 'To run it, add `smoke-account: { email, password-env }` for an account kept for the gate, and give its password in that variable.',
    };
  }
  const creds = credentials(settings, account);
  if (typeof creds === 'string') {
    return {
      status: 'skip',
      summary: `${creds} (smoke-account.password-env)`,
      fix: `Give the smoke account's password in ${account['password-env']} (a secret in the workflow, or the env file).`,
    };
  }
  return creds;
}

/** A new signed-out visitor of the app, with the rule's time budget. Undefined when APP_URL is unusable. */
export function newVisitor(ctx: Pick<RuleContext, 'settings' | 'clients' | 'signal'>): AppVisitor | undefined {
  const origin = appOrigin(ctx.settings);
  if (!origin) return undefined;
  return new AppVisitor(ctx.clients.http(), origin, ctx.settings.app.paths.login ?? `${ctx.settings.app.paths.authBase}/signin`, new Budget(requestTimeoutMs(ctx)), ctx.signal);
}
