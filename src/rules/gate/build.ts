/** gate.build: the app builds (`build-command`, default `npm run build-ci`), after install and migrate. */
import type { Rule } from '../../engine/types.js';
import { runStep } from './commands.js';

export const build: Rule = {
  meta: { id: 'gate.build', section: 'gate', title: 'The app builds (npm run build-ci)', kind: 'command', after: ['gate.install', 'gate.migrate'] },
  check: (ctx) => runStep(ctx, 'build', ['gate.install', 'gate.migrate']),
};
