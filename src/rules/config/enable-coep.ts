/** config.enable-coep: ENABLE_COEP=true, which turns cross-origin isolation on (warns only: the guide allows it off for incompatible external assets). */
import { defineRule } from '../index.js';
import { checkFlagOn } from './flags.js';

export const enableCoep = defineRule({
  id: 'config.enable-coep',
  check: async ({ settings }) => checkFlagOn(settings, 'ENABLE_COEP'),
});
