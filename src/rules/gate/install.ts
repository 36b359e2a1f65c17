/**
 * gate.install: the app's dependencies install: `install-command`, or by default (`auto`) the frozen
 * install of the lockfile's own package manager (`npm ci`, `pnpm install --frozen-lockfile`,
 * `yarn install --immutable` / `--frozen-lockfile` for Yarn 1, `bun install --frozen-lockfile`).
 */
import { defineRule } from '../index.js';
import { runStep } from './commands.js';

export const install = defineRule({
  id: 'gate.install',
  check: (ctx) => runStep(ctx, 'install', []),
});
