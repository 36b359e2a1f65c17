/**
 * security.backups: a backup policy with a tested restore, attested in the config (operations.backups).
 * No probe can prove a backup: the rule records what the team attests, never "verified".
 */
import { defineRule } from '../index.js';

const DAY_MS = 86_400_000;

export const backups = defineRule({
  id: 'security.backups',
  async check({ settings }) {
    const attested = settings.config.operations?.backups;
    const example = 'operations:\n  backups:\n    last-restore-test: 2026-10-12\n    evidence: https://wiki.example.com/restore-test-2026-10\n    max-age-days: 90';
    if (!attested) {
      return {
        status: 'fail',
        summary: 'no backup policy is attested: the config has no operations.backups',
        details: 'The gate cannot see backups; it records what the team attests. Add to the config file:\n\n```yaml\n' + example + '\n```',
        fix: 'Test a restore of the production backup, write down the evidence, and attest it in the config file (operations.backups).',
      };
    }
    const tested = new Date(`${attested['last-restore-test']}T00:00:00Z`);
    const age = Math.floor((Date.now() - tested.getTime()) / DAY_MS);
    const limit = attested['max-age-days'];
    const data = { lastRestoreTest: attested['last-restore-test'], ageDays: age, maxAgeDays: limit, evidence: attested.evidence };
    if (age < 0) {
      return { status: 'fail', summary: `the attested restore test is dated in the future (${attested['last-restore-test']})`, fix: 'Fix operations.backups.last-restore-test: the date the restore test happened.', data };
    }
    if (age > limit) {
      return {
        status: 'fail',
        summary: `the attested restore test is ${age} days old (${attested['last-restore-test']}), older than max-age-days ${limit}`,
        fix: 'Run a restore test again (restore the latest backup into a scratch database and check it), then update operations.backups.',
        data,
      };
    }
    return {
      status: 'pass',
      summary: `attested: restore tested on ${attested['last-restore-test']} (${age} days ago, within ${limit}); evidence: ${attested.evidence}`,
      details: 'Attested by the team in the config file. The gate has not verified the backup itself.',
      data,
    };
  },
});
