// Lint: the recommended rules of ESLint and typescript-eslint, on sources, tests, sandbox and scripts,
// and the import boundaries that keep the layers pointing one way (see README "Layout").
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The rule files, from the registry's `load()` lines (`import('./<section>/<name>.js')`): a new rule
// is covered by the boundaries as soon as it is registered.
const SECTIONS = ['config', 'gate', 'smoke', 'security', 'stripe'];
const registry = readFileSync(new URL('./src/rules/index.ts', import.meta.url), 'utf8');
const ruleFiles = Object.fromEntries(SECTIONS.map((section) => [section, [...registry.matchAll(new RegExp(`import\\('\\./${section}/([a-z0-9-]+)\\.js'\\)`, 'g'))].map((m) => m[1])]));
const ruleFilesOf = (sections) => sections.filter((s) => ruleFiles[s].length > 0).map((s) => `${s}/(?:${ruleFiles[s].join('|')})`).join('|');

const restrict = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['dist/**', '.build/**', 'node_modules/**', 'schema/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly', AbortController: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Probes are the shared I/O: they know nothing of rules, outcomes or reports.
  {
    files: ['src/probes/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([{ regex: '^\\.\\./(?:engine|rules|report)(?:/|$)', message: 'src/probes/ knows nothing of the engine, the rules or the reports: return facts, and let a rule (src/rules/) decide what they mean.' }]),
    },
  },
  // The analyses (parsers, scanners, predictors) return facts and judgements: a rule turns them into an
  // outcome, so they import no rule, report or engine code.
  {
    files: ['src/analysis/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([
        { regex: '^(?:\\.\\./)+(?:rules|report)(?:/|$)', message: 'src/analysis/ returns facts and judgements: a rule (src/rules/) decides what they mean for the outcome.' },
        { regex: '^(?:\\.\\./)+engine(?:/|$)', allowTypeImports: true, message: 'src/analysis/ may use the engine\'s types only.' },
      ]),
    },
  },
  // The engine runs rules it is given: it imports neither the rules nor the probes (their types only).
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([
        { regex: '^\\.\\./(?:rules|probes)(?:/|$)', allowTypeImports: true, message: 'src/engine/ runs the rules it is given: import types only from src/rules/ and src/probes/.' },
      ]),
    },
  },
  // A rule file never imports a rule file of another section: what sections share lives in a section's
  // helper module or a rules-level module (src/rules/*.ts).
  ...SECTIONS.map((section) => ({
    files: [`src/rules/${section}/**/*.ts`],
    rules: {
      'no-restricted-imports': restrict([
        {
          regex: `^(?:\\.\\./)+(?:${ruleFilesOf(SECTIONS.filter((s) => s !== section))})\\.js$`,
          message: `A ${section} rule must not import another section's rule file: move what they share to a helper module (src/rules/<section>/… or src/rules/*.ts).`,
        },
      ]),
    },
  })),
  // The registry loads rule files with import(), so a run loads only the rules it selected: nothing
  // outside a section imports a rule file statically.
  {
    files: ['src/*.ts', 'src/rules/*.ts', 'src/report/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { regex: `^(?:\\./|\\.\\./)(?:rules/)?(?:${ruleFilesOf(SECTIONS)})\\.js$`, message: 'Rule files are loaded by the registry (src/rules/index.ts, load()), so that a run imports only the rules it selected.' },
      ]),
    },
  },
);
