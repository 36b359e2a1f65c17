/**
 * The action's entry with one more rule, whose promise never settles and which waits on nothing (no
 * timer, no socket): the event loop would empty while the run still awaits it. Run by
 * faults-commands.test.ts the way a runner runs the action (`node --import tsx` this file).
 */
import type { AnyRule, Rule } from '../../src/engine/types.js';
import { run } from '../../src/main.js';
import { RULES } from '../../src/rules/index.js';

const neverSettles: Rule = {
  meta: { id: 'smoke.never-settles', section: 'smoke', title: 'A rule that never settles' },
  check: () => new Promise(() => undefined),
};
(RULES as AnyRule[]).push(neverSettles);
await run();
