/** config.enable-hsts: ENABLE_HSTS=true, which turns HSTS on. */
import type { Rule } from '../../engine/types.js';
import { checkFlagOn } from './flags.js';

export const enableHsts: Rule = {
  meta: { id: 'config.enable-hsts', section: 'config', title: 'ENABLE_HSTS=true', docs: 'docs/deployment-guide.md' },
  check: async ({ settings }) => checkFlagOn(settings.env, 'ENABLE_HSTS'),
};
