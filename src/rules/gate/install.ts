/** gate.install: the app's dependencies install (`install-command`, default `npm ci`). */
import type { Rule } from '../../engine/types.js';
import { runStep } from './commands.js';

export const install: Rule = {
  meta: { id: 'gate.install', section: 'gate', title: 'Dependencies install (npm ci)', kind: 'command' },
  check: (ctx) => runStep(ctx, 'install', []),
};
