/** security.docs: the documents the guide relies on exist in the app's repository. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineRule } from '../index.js';

/** The documents the guide links (its "Related Documents" and the playbook it names first). */
export const GUIDE_DOCS = [
  'docs/deployment-guide.md',
  'docs/billing-integration-guide.md',
  'docs/migration-operations-runbook.md',
  'docs/release-checklist.md',
  'docs/environment-commands-playbook.md',
];

export const docs = defineRule({
  id: 'security.docs',
  async check({ settings }) {
    const missing: string[] = [];
    await Promise.all(
      GUIDE_DOCS.map(async (doc) => {
        const text = await readFile(join(settings.workingDirectory, doc), 'utf8').catch(() => undefined);
        if (!text?.trim()) missing.push(doc);
      }),
    );
    missing.sort((a, b) => GUIDE_DOCS.indexOf(a) - GUIDE_DOCS.indexOf(b));
    if (missing.length === 0) return { status: 'pass', summary: `all ${GUIDE_DOCS.length} documents the guide relies on exist` };
    return {
      status: 'warn',
      summary: `${missing.length} of the guide's documents ${missing.length > 1 ? 'are' : 'is'} missing or empty: ${missing.join(', ')}`,
      findings: missing.map((doc) => ({ level: 'warning' as const, message: `${doc} is missing or empty: the production-readiness guide links it.`, key: `missing:${doc}` })),
      fix: 'Write the missing documents (or restore them): the people on call follow them when a release goes wrong.',
    };
  },
});
