/**
 * gate.build: the app builds (`build-command`, or by default the app's `build-ci` script, else its
 * `build` script, with its package manager), after install and migrate, and its output passes the
 * release checklist's warning gates: no browser-baseline warning ("outdated dataset currency":
 * browserslist's caniuse-lite data or baseline-browser-mapping's data too old), and no warning that is
 * not in the triaged list of the config (`build.warnings.triaged`). Every warning, normalised
 * (src/analysis/build/warnings.ts), is listed in the JSON report (`data.warnings`), ready to be copied
 * into that list after triage.
 *
 * The default is the app's own script, so the gate never runs it blindly: a build script that reaches
 * `prisma db push` would change the production database without migrations when the gate runs it with
 * DATABASE_URL, so it is not run, and the rule fails with the path (gate.no-db-push names it too).
 */
import type { Finding, Outcome, RuleContext } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { notApplicable } from '../app.js';
import { traceDbPush } from '../../analysis/deploy-paths/shell.js';
import { fenced, runStep } from './commands.js';
import { BuildWarningCollector, findTriaged } from '../../analysis/build/warnings.js';

const RELEASE_CHECKLIST = 'docs/release-checklist.md';

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
    const collector = new BuildWarningCollector({ cwd: settings.workingDirectory });
    const outcome = await runStep(ctx, 'build', ['gate.install', 'gate.migrate'], { observe: (line) => collector.push(line) });
    if (outcome.data?.exitCode === undefined) return outcome; // not run (skipped, or stopped by an earlier step)
    return judgeWarnings(ctx, outcome, collector);
  },
});

/** One warning of the build as the JSON report lists it. */
export interface ReportedWarning {
  /** The normalised text: copy it into `build.warnings.triaged[].pattern`. */
  text: string;
  status: 'browser-baseline' | 'triaged' | 'new';
  count: number;
  /** The triage entry's reason, for a triaged warning. */
  reason?: string;
  /** The first line as printed. */
  example: string;
  file?: string;
  line?: number;
}

function judgeWarnings(ctx: RuleContext, outcome: Outcome, collector: BuildWarningCollector): Outcome {
  const settings = ctx.settings.config.build?.warnings;
  const triaged = settings?.triaged ?? [];
  const used = new Set<string>();
  const warnings: ReportedWarning[] = collector.warnings().map((w) => {
    const entry = w.kind === 'browser-baseline' ? undefined : findTriaged(w.text, triaged);
    if (entry) used.add(entry.pattern);
    return {
      text: w.text,
      status: w.kind === 'browser-baseline' ? 'browser-baseline' : entry ? 'triaged' : 'new',
      count: w.count,
      ...(entry ? { reason: entry.reason } : {}),
      example: w.example,
      ...(w.file ? { file: w.file, ...(w.line ? { line: w.line } : {}) } : {}),
    };
  });
  const data = { ...outcome.data, warnings, ...(collector.dropped ? { warningsNotListed: collector.dropped } : {}) };
  // A failed build is its own story: the warnings are only listed.
  if (outcome.status !== 'pass') return { ...outcome, data };

  const baseline = warnings.filter((w) => w.status === 'browser-baseline');
  const fresh = warnings.filter((w) => w.status === 'new');
  const stale = triaged.filter((t) => !used.has(t.pattern));
  const findings: Finding[] = fresh
    .filter((w) => w.file)
    .map((w) => ({ level: 'warning', message: `build warning not triaged: ${w.text}`, file: w.file!, ...(w.line ? { line: w.line } : {}) }));
  const listing = [
    `Build warnings (${warnings.length}): ${warnings.length ? '' : 'none.'}`,
    ...warnings.map((w) => `- ${w.status}${w.count > 1 ? ` (×${w.count})` : ''}: ${w.text}${w.reason ? ` — triaged: ${w.reason}` : ''}`),
    ...(collector.dropped ? [`- … and ${collector.dropped} more distinct warnings, not listed`] : []),
    ...(stale.length ? [`Triaged patterns that matched no warning of this build (remove them once the warning is gone for good): ${stale.map((t) => `\`${t.pattern}\``).join(', ')}`] : []),
  ].join('\n');

  if (baseline.length > 0) {
    const also = fresh.length ? `; and ${fresh.length} new warning${fresh.length > 1 ? 's' : ''} not triaged` : '';
    return {
      status: 'fail',
      summary: `${outcome.summary}, but its output has the browser-baseline warning (outdated dataset currency): ${baseline[0]!.example}${also}`,
      details: `${listing}${fresh.length ? `\n\n${triageSnippet(fresh)}` : ''}`,
      fix:
        'Update the browser data the build reads and commit the lockfile: `npx update-browserslist-db@latest` (caniuse-lite) and `npm install baseline-browser-mapping@latest` ' +
        `(or update browserslist and autoprefixer, which pull it), then build again (${RELEASE_CHECKLIST}: "Build and warning gates"). A triage entry does not silence this warning; a waiver of gate.build does.`,
      findings,
      data,
    };
  }
  if (fresh.length > 0) {
    const level = settings?.new ?? 'warn';
    const more = fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : '';
    return {
      status: level,
      summary: `${outcome.summary} with ${fresh.length} new warning${fresh.length > 1 ? 's' : ''} not in the triaged list: ${fresh[0]!.text}${more}`,
      details: `${listing}\n\n${triageSnippet(fresh)}`,
      fix:
        'Fix the warnings, or triage them: copy each `text` of the report\'s `data.warnings` (status "new") into `build.warnings.triaged` in the config with the reason it is acceptable ' +
        `(the details hold the entries to paste; docs/configuration.md, "Build warnings")${level === 'warn' ? '. Set `build.warnings.new: fail` to make new warnings block.' : '.'}`,
      findings,
      data,
    };
  }
  const triagedCount = warnings.filter((w) => w.status === 'triaged').length;
  return {
    ...outcome,
    summary: triagedCount ? `${outcome.summary} (${triagedCount} warning${triagedCount > 1 ? 's' : ''}, all triaged)` : outcome.summary,
    ...(warnings.length || stale.length ? { details: listing } : {}),
    data,
  };
}

/** The config entries for new warnings, to paste into the config file once each has its reason. */
function triageSnippet(fresh: readonly ReportedWarning[]): string {
  const lines = ['build:', '  warnings:', '    triaged:'];
  for (const w of fresh) lines.push(`      - pattern: ${JSON.stringify(w.text)}`, '        reason: # why this warning is acceptable (required)');
  return `To triage them, add to the config file (every entry needs its reason):\n\n${fenced(lines.join('\n'), 'yaml')}`;
}
