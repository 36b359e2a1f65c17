/**
 * gate.migrate: the pending migrations apply (`migrate-command`, default `npx prisma migrate deploy`).
 * Never run on pull-request events unless `migrate: true`: a PR check must not touch production.
 */
import { defineRule } from '../index.js';
import { runStep } from './commands.js';

const PR_EVENTS = ['pull_request', 'pull_request_target', 'merge_group'];

export const migrate = defineRule({
  id: 'gate.migrate',
  async check(ctx) {
    const { migrate: mode, eventName } = ctx.settings;
    if (mode === 'false') return { status: 'skip', summary: 'migrate is false: the migrate step is not run' };
    if (mode === 'auto' && eventName && PR_EVENTS.includes(eventName)) {
      return {
        status: 'skip',
        summary: `not run on ${eventName} events: a PR check must not migrate production (set migrate: true to override)`,
      };
    }
    return runStep(ctx, 'migrate', ['gate.install', 'gate.migration-safety', 'gate.migration-dialect']);
  },
});
