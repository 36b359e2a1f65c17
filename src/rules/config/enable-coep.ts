/** config.enable-coep: ENABLE_COEP=true, which turns cross-origin isolation on (warns only: the guide allows it off for incompatible external assets). */
import type { Rule } from '../../engine/types.js';
import { checkFlagOn } from './flags.js';

export const enableCoep: Rule = {
  meta: { id: 'config.enable-coep', section: 'config', title: 'ENABLE_COEP=true', docs: 'docs/deployment-guide.md' },
  check: async ({ settings }) => checkFlagOn(settings.env, 'ENABLE_COEP'),
};
