/** config.enable-csp-strict: ENABLE_CSP_STRICT=true, which turns the strict CSP ('strict-dynamic', upgrade-insecure-requests) on. */
import type { Rule } from '../../engine/types.js';
import { checkFlagOn } from './flags.js';

export const enableCspStrict: Rule = {
  meta: { id: 'config.enable-csp-strict', section: 'config', title: 'ENABLE_CSP_STRICT=true', docs: 'docs/deployment-guide.md' },
  check: async ({ settings }) => checkFlagOn(settings.env, 'ENABLE_CSP_STRICT'),
};
