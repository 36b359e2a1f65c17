/** config.nextauth-debug: NextAuth's debug logging (tokens, profile data) is off. */
import { defineRule } from '../index.js';
import { APP_FLAGS, flagState } from '../../target-app.js';
import { shown } from './flags.js';
import { notApplicable, variable } from '../app.js';

export const nextauthDebug = defineRule({
  id: 'config.nextauth-debug',
  async check({ settings }) {
    const debug = variable(settings, 'authDebug');
    if (!debug) return notApplicable('debug variable', `its auth configuration${settings.app.auth.config.files.length ? ` (${settings.app.auth.config.files.join(', ')})` : ''} sets debug from no variable`);
    const name = debug.name;
    const value = debug.value;
    if (flagState('NEXTAUTH_DEBUG', value).safe) {
      // Only "true" turns debug on in the app; say so when the value looks like it meant otherwise.
      const note = value === undefined || value === 'false' ? '' : ', which the app reads as off (it turns debug on only for "true")';
      return { status: 'pass', summary: `${name} is ${shown(value)}${note}` };
    }
    return {
      status: 'fail',
      summary: `${name} is ${shown(value)}: ${APP_FLAGS.NEXTAUTH_DEBUG.why}`,
      fix: `Set ${name}=false or remove it from the production environment.`,
    };
  },
});
