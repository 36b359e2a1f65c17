/**
 * What the rules of the guide's production-safe flags share (config.enable-hsts, -csp-strict, -coep,
 * config.nextauth-trust-host, config.nextauth-debug): each flag is judged by what the app makes of its
 * value (src/target-app.ts).
 */
import type { Outcome } from '../../engine/types.js';
import type { Settings } from '../../settings.js';
import { notApplicable } from '../app.js';

/** What each flag turns on, for the not-applicable text. */
const FLAG_SUBJECT: Partial<Record<AppFlagName, string>> = { ENABLE_HSTS: 'HSTS header (security.hsts)', ENABLE_CSP_STRICT: 'CSP (security.csp)', ENABLE_COEP: 'cross-origin isolation (security.coep)' };
import { APP_FLAGS, flagState, type AppFlagName } from '../../target-app.js';

export function shown(value: string | undefined): string {
  return value === undefined ? 'unset' : `"${value}"`;
}

/** A flag production needs on (ENABLE_*): passes only with the value the app reads as on; not applicable when the app has no such flag. */
export function checkFlagOn(settings: Pick<Settings, 'env' | 'app'>, name: AppFlagName): Outcome {
  if (!settings.app.variables.flags.includes(name)) {
    return notApplicable(`${name} flag`, `its ${FLAG_SUBJECT[name] ?? 'behaviour'} is fixed in its code; the live rules judge what it serves`);
  }
  const flag = APP_FLAGS[name];
  const value = settings.env[name];
  if (flagState(name, value).safe) return { status: 'pass', summary: `${name}=${value}` };
  return {
    status: flag.level,
    summary: `${name} is ${shown(value)}, not true: ${flag.why}`,
    fix: `Set ${name}=true in the production environment${flag.level === 'warn' ? ', or waive this rule with a reason if external assets are not compatible' : ''}.`,
  };
}
