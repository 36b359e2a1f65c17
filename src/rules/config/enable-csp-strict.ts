/** config.enable-csp-strict: ENABLE_CSP_STRICT=true, which turns the strict CSP ('strict-dynamic', upgrade-insecure-requests) on. */
import { defineRule } from '../index.js';
import { checkFlagOn } from './flags.js';

export const enableCspStrict = defineRule({
  id: 'config.enable-csp-strict',
  check: async ({ settings }) => checkFlagOn(settings, 'ENABLE_CSP_STRICT'),
});
