/**
 * gate.build: the app builds (`build-command`, or by default the app's `build-ci` script, else its
 * `build` script, with its package manager), after install and migrate.
 *
 * The default is the app's own script, so the gate never runs it blindly: a build script that reaches
 * `prisma db push` would change the production database without migrations when the gate runs it with
 * DATABASE_URL, so it is not run, and the rule fails with the path (gate.no-db-push names it too).
 */
import { defineRule } from '../index.js';
import { notApplicable } from '../app.js';
import { traceDbPush } from '../../analysis/deploy-paths/shell.js';
import { runStep } from './commands.js';

export const build = defineRule({
  id: 'gate.build',
  async check(ctx) {
    const { settings } = ctx;
    if (settings.commandSources.build === 'app' && !settings.buildCommand) return notApplicable('build script', settings.app.build.why);
    if (settings.commandSources.build === 'app' && settings.buildCommand) {
      const pkg = await (await ctx.clients.repository()).packageJson();
      const pushes = traceDbPush(settings.buildCommand, pkg?.scripts ?? new Map());
      if (pushes.length > 0) {
        const path = pushes[0]!.hops.join(' → ');
        return {
          status: 'fail',
          summary: `not run: \`${settings.buildCommand}\` runs prisma db push (${path}), which would change the production database without a migration`,
          details: `The build command is the app's own ${settings.app.build.script} script (build-command: auto). gate.no-db-push reports the same path.`,
          fix: `Take \`prisma db push\` out of the ${settings.app.build.script} script (\`prisma generate && next build\`; migrations run with \`prisma migrate deploy\`), or give the gate a build-command that does not push.`,
          data: { command: settings.buildCommand, dbPush: path },
        };
      }
    }
    return runStep(ctx, 'build', ['gate.install', 'gate.migrate']);
  },
});
