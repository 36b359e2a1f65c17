/**
 * The comparison of a change with its base, as Semgrep's baseline, Differential ShellCheck and code
 * scanning do it: two sets of findings, matched by identity (engine/identity.ts), not by line.
 *
 * A head finding is matched with the base's in tiers, the strictest first:
 *  1. same path (renames followed), subject, snippet and ordinal: the finding, maybe shifted;
 *  2. same subject and snippet in any file: moved or copied (several head findings may match one);
 *  3. same path and subject with other lines: the same subject, edited.
 * A secret's subject includes its per-run match, so the same secret anywhere on the base is existing.
 * A match at a higher level than on the base is `updated`; no match is `new`; a base finding nothing
 * matched is `fixed`.
 *
 * Pure: the caller gives the parts and the renames.
 */
import type { IdentityParts } from './identity.js';
import type { Finding, FindingStatus } from './types.js';

export interface Item {
  parts: IdentityParts;
  level: Finding['level'];
}

const LOUDNESS: Record<Finding['level'], number> = { notice: 0, warning: 1, error: 2 };

export interface MatchResult {
  /** The status of each head item, in order. */
  status: FindingStatus[];
  /** Indexes of the base items that nothing on the head matched. */
  fixed: number[];
}

/**
 * Matches `head` with `base`. `renames` maps a base path to its head path (paths as the findings
 * give them).
 */
export function matchFindings(head: readonly Item[], base: readonly Item[], renames: ReadonlyMap<string, string>): MatchResult {
  const path = (item: Item) => renames.get(item.parts.path) ?? item.parts.path;
  const tiers: Array<(item: Item, p: string) => string> = [
    (i, p) => [i.parts.rule, p, i.parts.subject, i.parts.secret, i.parts.snippet, i.parts.ordinal].join('\u0000'),
    (i) => [i.parts.rule, i.parts.subject, i.parts.secret, i.parts.snippet].join('\u0000'),
    (i, p) => [i.parts.rule, p, i.parts.subject, i.parts.secret].join('\u0000'),
  ];
  const indexes = tiers.map((tier) => {
    const map = new Map<string, number[]>();
    base.forEach((item, i) => {
      const key = tier(item, path(item));
      const list = map.get(key);
      if (list) list.push(i);
      else map.set(key, [i]);
    });
    return map;
  });
  const used = new Uint8Array(base.length);
  const status = head.map((item): FindingStatus => {
    for (const [t, tier] of tiers.entries()) {
      const candidates = indexes[t]!.get(tier(item, item.parts.path));
      if (!candidates) continue;
      // An unused candidate first; tier 1 matches one to one, the others may match a used one
      // (a copy of a finding is not a new finding).
      const pick = candidates.find((i) => !used[i]) ?? (t === 0 ? undefined : candidates[0]);
      if (pick === undefined) continue;
      used[pick] = 1;
      return LOUDNESS[item.level] > LOUDNESS[base[pick]!.level] ? 'updated' : 'existing';
    }
    return 'new';
  });
  const fixed: number[] = [];
  used.forEach((u, i) => {
    if (!u) fixed.push(i);
  });
  return { status, fixed };
}
