/**
 * What the rules of the guide's production-safe flags share (config.enable-hsts, -csp-strict, -coep,
 * config.nextauth-trust-host, config.nextauth-debug): each flag is judged by what the app makes of its
 * value (src/target-app.ts).
 */
import type { Outcome } from '../../engine/types.js';
import type { AppEnv } from '../../settings.js';
import { APP_FLAGS, flagState, type AppFlagName } from '../../target-app.js';

export function shown(value: string | undefined): string {
  return value === undefined ? 'unset' : `"${value}"`;
}

/** A flag production needs on (ENABLE_*): passes only with the value the app reads as on. */
export function checkFlagOn(env: AppEnv, name: AppFlagName): Outcome {
  const flag = APP_FLAGS[name];
  const value = env[name];
  if (flagState(name, value).safe) return { status: 'pass', summary: `${name}=${value}` };
  return {
    status: flag.level,
    summary: `${name} is ${shown(value)}, not true: ${flag.why}`,
    fix: `Set ${name}=true in the production environment${flag.level === 'warn' ? ', or waive this rule with a reason if external assets are not compatible' : ''}.`,
  };
}
