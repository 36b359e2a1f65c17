/** config.enable-hsts: ENABLE_HSTS=true, which turns HSTS on. */
import { defineRule } from '../index.js';
import { checkFlagOn } from './flags.js';

export const enableHsts = defineRule({
  id: 'config.enable-hsts',
  check: async ({ settings }) => checkFlagOn(settings, 'ENABLE_HSTS'),
});
