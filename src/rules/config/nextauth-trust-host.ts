/** config.nextauth-trust-host: NextAuth builds its URLs from NEXTAUTH_URL, never from the request's Host header. */
import { defineRule } from '../index.js';
import { APP_FLAGS, flagState } from '../../target-app.js';
import { shown } from './flags.js';

export const nextauthTrustHost = defineRule({
  id: 'config.nextauth-trust-host',
  async check({ settings }) {
    const value = settings.env.NEXTAUTH_TRUST_HOST;
    const authTrust = settings.env.AUTH_TRUST_HOST;
    const fix = 'Set NEXTAUTH_TRUST_HOST=false (and leave AUTH_TRUST_HOST unset) so NextAuth builds URLs from NEXTAUTH_URL, not from the request Host header.';
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
