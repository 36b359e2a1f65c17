/**
 * The figures `npm run proof` prints in the README's "Guarantees" section come from the suites that
 * establish them: each suite appends what it injected, parsed, searched and found to the file named by
 * PRG_PROOF_FILE (JSON lines). Without that variable (a plain `npm test`) nothing is written.
 */
import { appendFileSync } from 'node:fs';

export type ProofRecord = { suite: string } & Record<string, number | string>;

export function recordProof(record: ProofRecord): void {
  const file = process.env.PRG_PROOF_FILE;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}
