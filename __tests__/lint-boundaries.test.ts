/**
 * The import boundaries of eslint.config.js (`npm run lint`) refuse what they should: a probe that
 * imports the engine, the engine importing a rule (a type is fine), a rule file importing another
 * section's rule file, an entry importing a rule file statically. Each case is linted as the file it
 * pretends to be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath });
  return result!.messages.filter((m) => /no-restricted-imports/.test(m.ruleId ?? '')).map((m) => m.message);
}

test('the layers point one way: each boundary refuses its import and lets the allowed one through', async () => {
  const cases: Array<[file: string, code: string, refused: boolean]> = [
    ['src/probes/fake.ts', "import { x } from '../engine/runner.js';", true],
    ['src/probes/fake.ts', "import { x } from '../rules/live.js';", true],
    ['src/probes/fake.ts', "import { x } from './http.js';", false],
    ['src/engine/fake.ts', "import { x } from '../rules/index.js';", true],
    ['src/engine/fake.ts', "import { x } from '../probes/clients.js';", true],
    ['src/engine/fake.ts', "import type { x } from '../probes/clients.js';", false],
    ['src/rules/smoke/fake.ts', "import { x } from '../security/cookies.js';", true],
    ['src/rules/smoke/fake.ts', "import { x } from '../config/oauth-github.js';", true],
    ['src/rules/smoke/fake.ts', "import { x } from '../../analysis/headers/csp.js';", false],
    ['src/analysis/secrets/fake.ts', "import { x } from '../../rules/config/secrets.js';", true],
    ['src/analysis/headers/fake.ts', "import { x } from '../../report/index.js';", true],
    ['src/analysis/migrations/fake.ts', "import { x } from '../../engine/runner.js';", true],
    ['src/analysis/migrations/fake.ts', "import type { x } from '../../engine/types.js';", false],
    ['src/analysis/migrations/fake.ts', "import { x } from '../../probes/db.js';", false],
    ['src/rules/smoke/fake.ts', "import { x } from './login-flow.js';", false],
    ['src/rules/gate/fake.ts', "import { x } from '../security/workflow-secrets.js';", true],
    ['src/main.ts', "import { x } from './rules/config/app-url.js';", true],
    ['src/rules/live.ts', "import { x } from './security/tls.js';", true],
    ['src/main.ts', "import { x } from './rules/index.js';", false],
  ];
  for (const [file, code, refused] of cases) {
    const errors = await boundaryErrors(file, code);
    assert.equal(errors.length > 0, refused, `${file}: ${code} → ${errors.join('; ') || 'allowed'}`);
  }
});
