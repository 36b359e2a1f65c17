/**
 * smoke.team-flow (opt-in: `smoke-account`): signed in as the smoke account, `POST /api/teams` creates
 * a uniquely named team (`prg-smoke-<timestamp>-<random>`), then `DELETE /api/teams/<slug>` deletes
 * it, and the account signs out. Cleanup is always tried, also when the creation's answer was lost
 * (a timeout, a 5xx): the team may exist anyway. Whatever is left in production is named.
 *
 * With FEATURE_TEAM_DELETION=false the app cannot delete teams: the delete is still tried (the
 * deployment's flag may differ from the gate's), and a team left behind is a warning that names it.
 */
import { randomBytes } from 'node:crypto';
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { describeAnswer, noTarget, parseJson, probeErrorText, requestTimeoutMs } from './app-probe.js';
import { newVisitor, smokeAccount } from './accounts.js';
import { SIGN_IN_FIX, stepsText } from './login-flow.js';
import type { AppVisitor } from './nextauth.js';

export const TEAMS_PATH = '/api/teams';

/** A name no real team has, that says who made it and when. */
export function smokeTeamName(now = Date.now()): string {
  return `prg-smoke-${now}-${randomBytes(3).toString('hex')}`;
}

type Created = 'yes' | 'no' | 'unknown';

interface DeleteResult {
  deleted: boolean;
  /** The team was not there (a creation that did not happen after all). */
  absent?: boolean;
  text: string;
}

export const teamFlow = defineRule({
  id: 'smoke.team-flow',
  async check(ctx): Promise<Outcome> {
    const account = smokeAccount(ctx.settings);
    if ('status' in account) return account;
    const login = ctx.results.get('smoke.login-flow');
    if (login?.status === 'fail') {
      return { status: 'skip', summary: `the smoke account cannot sign in (see smoke.login-flow: ${login.summary}), so no team was created` };
    }
    const visitor = newVisitor(ctx);
    if (!visitor) return noTarget(ctx.settings);
    const deletionOff = ctx.settings.env.FEATURE_TEAM_DELETION === 'false';
    const step = Math.min(requestTimeoutMs(ctx), 5000);
    const name = smokeTeamName();
    let slug = name;
    let created: Created = 'no';
    let problem: string | undefined;
    let signInFailure: string | undefined;
    let cleanup: DeleteResult | undefined;
    let signOutProblem: string | undefined;
    try {
      // Time is kept for the delete and the sign-out, whatever the steps before take.
      signInFailure = await visitor.signIn(account, 2 * step);
      if (!signInFailure) {
        ({ created, slug, problem } = await createTeam(visitor, name, 2 * step));
        if (created !== 'no') cleanup = await deleteTeam(visitor, slug, created, deletionOff, step);
      }
    } finally {
      signOutProblem = await visitor.signOut();
    }

    const details = stepsText(visitor);
    const data: Record<string, unknown> = { team: name, slug, created, deleted: cleanup?.deleted ?? false };
    const signOutNote = signOutProblem ? `; signing out failed: ${signOutProblem}` : '';
    if (signInFailure) {
      return { status: 'fail', summary: `${account.email} could not sign in: ${signInFailure}`, details, fix: SIGN_IN_FIX, data, ...(visitor.noAnswer ? { unreachable: { component: 'app' as const, cause: signInFailure } } : {}) };
    }
    const named = `team "${name}"${slug === name ? '' : ` (slug ${slug})`}`;
    const left = `${named} was left in production`;
    if (created === 'no') {
      return {
        status: 'fail',
        summary: `${problem}: no team was created${signOutNote}`,
        details,
        fix: `Read the deployment logs for POST ${TEAMS_PATH}; a signed-in user must be able to create a team.`,
        data,
      };
    }
    if (created === 'unknown') {
      const after = cleanup!.deleted
        ? `the team had been created anyway and was deleted`
        : cleanup!.absent
          ? 'no team was left'
          : `cleanup failed (${cleanup!.text}): ${left} if it was created; delete it by hand`;
      return {
        status: 'fail',
        summary: `${problem}; ${after}${signOutNote}`,
        details,
        fix: `Read the deployment logs for POST ${TEAMS_PATH}.`,
        data,
      };
    }
    if (!cleanup!.deleted) {
      if (deletionOff) {
        return {
          status: 'warn',
          summary: `created ${named}, but FEATURE_TEAM_DELETION=false, so the app cannot delete it: the team was left in production${signOutNote}`,
          details,
          fix: `Delete team ${slug} by hand (or in the database), or enable team deletion (FEATURE_TEAM_DELETION) so the gate can clean up after itself.`,
          data,
        };
      }
      return {
        status: 'fail',
        summary: `created ${named}, but cleanup failed (${cleanup!.text}): the team was left in production${signOutNote}`,
        details,
        fix: `Delete team ${slug} by hand, and read the deployment logs for DELETE ${TEAMS_PATH}/${slug}.`,
        data,
      };
    }
    const flagNote = deletionOff ? ' (although FEATURE_TEAM_DELETION=false in the gate\'s environment: the deployment\'s flag differs)' : '';
    if (signOutProblem) {
      return {
        status: 'warn',
        summary: `created ${named} and deleted it${flagNote}, but signing out failed: ${signOutProblem}`,
        details,
        fix: 'Check POST /api/auth/signout on the deployment.',
        data,
      };
    }
    return { status: 'pass', summary: `created ${named} and deleted it${flagNote}`, details, data };
  },
});

async function createTeam(visitor: AppVisitor, name: string, reserveMs: number): Promise<{ created: Created; slug: string; problem?: string }> {
  // The app's slug of a name made of lower-case letters, digits and dashes is the name itself.
  let slug = name;
  try {
    const response = await visitor.request(TEAMS_PATH, { method: 'POST', json: { name }, reserveMs });
    if (response.status >= 200 && response.status < 300) {
      const data = (parseJson(response.body) as { data?: { slug?: unknown } } | undefined)?.data;
      if (typeof data?.slug === 'string' && data.slug) slug = data.slug;
      visitor.note('POST', TEAMS_PATH, `${response.status}, created "${name}"${typeof data?.slug === 'string' ? ` (slug ${slug})` : `, no slug in the answer (assuming ${slug})`}`);
      return { created: 'yes', slug };
    }
    const toLogin = visitor.loginRedirectText(response);
    const why = toLogin ?? describeAnswer(response);
    visitor.note('POST', TEAMS_PATH, why);
    // A 5xx may come after the insert: the team may exist.
    return { created: response.status >= 500 ? 'unknown' : 'no', slug, problem: `POST ${TEAMS_PATH} ${toLogin ?? `answered ${why}`}` };
  } catch (error) {
    const text = probeErrorText(error);
    visitor.steps.push(text);
    return { created: 'unknown', slug, problem: text };
  }
}

async function deleteTeam(visitor: AppVisitor, slug: string, created: Created, deletionOff: boolean, reserveMs: number): Promise<DeleteResult> {
  const path = `${TEAMS_PATH}/${encodeURIComponent(slug)}`;
  try {
    const response = await visitor.request(path, { method: 'DELETE', reserveMs });
    if (response.status >= 200 && response.status < 300) {
      visitor.note('DELETE', path, `${response.status}, deleted`);
      return { deleted: true, text: 'deleted' };
    }
    const toLogin = visitor.loginRedirectText(response);
    if (!toLogin && response.status === 404 && created === 'unknown' && !deletionOff) {
      visitor.note('DELETE', path, `${describeAnswer(response)}: no such team, it was not created`);
      return { deleted: false, absent: true, text: 'no such team' };
    }
    let text = toLogin ?? `DELETE ${path} answered ${describeAnswer(response)}`;
    if (!toLogin && response.status === 404) {
      text += deletionOff
        ? ' (FEATURE_TEAM_DELETION=false: the app cannot delete teams)'
        : ': team deletion is switched off on the deployment (FEATURE_TEAM_DELETION=false?), or the team is gone';
    }
    visitor.note('DELETE', path, text);
    return { deleted: false, text };
  } catch (error) {
    const text = probeErrorText(error);
    visitor.steps.push(`cleanup: ${text}`);
    return { deleted: false, text };
  }
}
