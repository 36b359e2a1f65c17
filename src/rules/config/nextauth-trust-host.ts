/** config.nextauth-trust-host: NextAuth builds its URLs from NEXTAUTH_URL, never from the request's Host header. */
import { defineRule } from '../index.js';
import { APP_FLAGS, flagState } from '../../target-app.js';
import { shown } from './flags.js';
import { variable } from '../app.js';

export const nextauthTrustHost = defineRule({
  id: 'config.nextauth-trust-host',
  async check({ settings }) {
    const value = settings.env.NEXTAUTH_TRUST_HOST;
    const authTrust = settings.env.AUTH_TRUST_HOST;
    const fix = 'Set NEXTAUTH_TRUST_HOST=false (and leave AUTH_TRUST_HOST unset) so NextAuth builds URLs from NEXTAUTH_URL, not from the request Host header.';
    // An app that does not read NEXTAUTH_TRUST_HOST (it is the guide's app's own flag): only what the
    // library reads by itself decides.
    if (settings.app.found && !settings.app.variables.flags.includes('NEXTAUTH_TRUST_HOST')) {
      const authUrl = variable(settings, 'authUrl');
      if (!flagState('AUTH_TRUST_HOST', authTrust).safe) {
        return { status: 'fail', summary: `AUTH_TRUST_HOST is ${shown(authTrust)}, which turns host trust on`, details: `With host trust on, ${APP_FLAGS.NEXTAUTH_TRUST_HOST.why}.`, fix: `Leave AUTH_TRUST_HOST unset and set ${authUrl?.name ?? 'NEXTAUTH_URL'} to the production origin.` };
      }
      const decides = settings.app.auth.family === 'authjs-v5' && authUrl?.value ? `; ${authUrl.name} is set, so Auth.js builds its URLs from it` : '';
      return { status: 'pass', summary: `AUTH_TRUST_HOST is ${shown(authTrust)} and the app sets no trustHost from a variable${decides}` };
    }
    if (!flagState('NEXTAUTH_TRUST_HOST', value).safe) {
      return {
        status: 'fail',
        summary: value === undefined ? 'NEXTAUTH_TRUST_HOST is unset, which the app treats as true' : `NEXTAUTH_TRUST_HOST is ${shown(value)}, not false`,
        details: `With trustHost on, ${APP_FLAGS.NEXTAUTH_TRUST_HOST.why}.`,
        fix,
      };
    }
    if (!flagState('AUTH_TRUST_HOST', authTrust).safe) {
      return { status: 'fail', summary: `NEXTAUTH_TRUST_HOST=false but AUTH_TRUST_HOST is ${shown(authTrust)}, which turns host trust back on`, fix };
    }
    return { status: 'pass', summary: 'NEXTAUTH_TRUST_HOST=false' };
  },
});
