/**
 * SARIF 2.1.0's own JSON Schema (the final one, rtm.5, as Microsoft's sarif-js-sdk publishes it in
 * @microsoft/jest-sarif), so a test fails on a log that GitHub code scanning would refuse to upload.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';

const require = createRequire(import.meta.url);
let validate: Ajv.ValidateFunction | undefined;

/** Asserts that `text` is a SARIF log valid against the 2.1.0 schema, naming every violation. */
export function assertValidSarif(text: string): void {
  if (!validate) {
    const ajv = new Ajv({ schemaId: 'auto', allErrors: true });
    ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
    validate = ajv.compile(JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));
  }
  const log: unknown = JSON.parse(text);
  const valid = validate(log);
  assert.ok(valid, `not a valid SARIF 2.1.0 log:\n${(validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`).join('\n')}`);
}
