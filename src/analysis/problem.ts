/**
 * What the analyses that judge several things at once return: a list of problems, each with its level,
 * what was seen and what to set instead. The security rules turn a list into an outcome
 * (src/rules/security/problems.ts).
 */
import type { Unreachable } from '../engine/types.js';

export interface Problem {
  level: 'fail' | 'warn';
  /** What was seen, with the values in backticks. */
  message: string;
  /** What to set instead. */
  fix: string;
  /** Set when the problem is that an outside component did not answer: nothing was judged here. */
  unreachable?: Unreachable;
}

/** A value as the report shows it: in backticks, with backticks inside it made harmless. */
export function code(value: string): string {
  return `\`${value.replace(/`/g, "'")}\``;
}
