/**
 * gate.migrate: the pending migrations apply (`migrate-command`, default `npx prisma migrate deploy`).
 * Never run on pull-request events unless `migrate: true`: a PR check must not touch production.
 */
import type { Rule } from '../../engine/types.js';
import { RUNBOOK, runStep } from './commands.js';

const PR_EVENTS = ['pull_request', 'pull_request_target', 'merge_group'];

export const migrate: Rule = {
  // After the safety lint, so that `migration-safety.level: fail` can stop risky statements first.
  meta: { id: 'gate.migrate', section: 'gate', title: 'Migrations apply (prisma migrate deploy)', docs: RUNBOOK, kind: 'command', after: ['gate.install', 'gate.migration-safety'] },
  async check(ctx) {
    const { migrate: mode, eventName } = ctx.settings;
    if (mode === 'false') return { status: 'skip', summary: 'migrate is false: the migrate step is not run' };
    if (mode === 'auto' && eventName && PR_EVENTS.includes(eventName)) {
      return {
        status: 'skip',
        summary: `not run on ${eventName} events: a PR check must not migrate production (set migrate: true to override)`,
      };
    }
    return runStep(ctx, 'migrate', ['gate.install', 'gate.migration-safety']);
  },
};
