/** gate.build: the app builds (`build-command`, default `npm run build-ci`), after install and migrate. */
import { defineRule } from '../index.js';
import { runStep } from './commands.js';

export const build = defineRule({
  id: 'gate.build',
  check: (ctx) => runStep(ctx, 'build', ['gate.install', 'gate.migrate']),
});
