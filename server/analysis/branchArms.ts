// Path ids of codeBranches.ts that are arms of a choice taken on every run (an `if` with an `else`, `?:`, a
// `switch` with a `default`), and whether undo statements written on such arms run on every run. Kept apart from
// codeBranches.ts so that the context pass (context.ts) reads ids without loading the TypeScript parser.

/** Ids hold (choice × ARM_SPACE + arms) × ARM_SPACE + arm; a path of no choice has arms 0. */
export const ARM_SPACE = 256;

export function armId(choice: number, arm: number, arms: number): number {
  return (choice * ARM_SPACE + arms) * ARM_SPACE + arm;
}

/** The ids of every arm of the choice path `id` is an arm of; undefined for a path that is no arm. */
function armsBeside(id: number): number[] | undefined {
  const arms = Math.floor(id / ARM_SPACE) % ARM_SPACE;
  if (arms === 0) return undefined;
  const first = id - (id % ARM_SPACE);
  return Array.from({ length: arms }, (_, arm) => first + arm);
}

/**
 * Whether code on these paths runs on every run of the code around them: each path lists the arms it takes
 * below that code, outermost first (an empty one runs always). Covered when, for some choice, every arm holds
 * a path that is covered below it (`if (a) undo(); else if (b) undo(); else undo();`).
 */
export function coveredByArms(paths: readonly (readonly number[])[]): boolean {
  if (paths.some((path) => path.length === 0)) return true;
  const tried = new Set<number>();
  for (const [first] of paths) {
    const arms = armsBeside(first);
    if (!arms || tried.has(arms[0])) continue;
    tried.add(arms[0]);
    if (arms.every((arm) => coveredByArms(paths.filter((path) => path[0] === arm).map((path) => path.slice(1))))) return true;
  }
  return false;
}
