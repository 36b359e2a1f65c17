/** gate.install: the app's dependencies install (`install-command`, default `npm ci`). */
import { defineRule } from '../index.js';
import { runStep } from './commands.js';

export const install = defineRule({
  id: 'gate.install',
  check: (ctx) => runStep(ctx, 'install', []),
});
