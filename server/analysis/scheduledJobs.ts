// Routines a SQL file registers with TimescaleDB's job scheduler (`add_job('schema.proc', interval, …)`)
// run in the scheduler's own background-worker session, never on a connection the application's pool
// hands out: session state their bodies create stays in that worker. Their bodies' findings are dropped
// when the file holds no other call of the routine (a `CALL` or a call from SQL would run it in the
// caller's session; callers in other files are flagged at the call through the state-function index).

/** `add_job('name', …)` / `add_job(proc => 'name', …)` with the routine named in a string literal. */
const ADD_JOB = /\badd_job\s*\(\s*(?:proc\s*=>\s*)?'([\w$.]+|"[^"]+"(?:\."[^"]+")?)'(?:::regproc)?\s*,/gi;

/** The lower-case names (qualified as written, and bare) of routines the file registers as jobs and calls nowhere else. */
export function scheduledJobRoutines(text: string): Set<string> | undefined {
  if (!/add_job/i.test(text)) return undefined;
  const names = new Set<string>();
  for (const match of text.matchAll(ADD_JOB)) {
    const written = match[1].replace(/"/g, '').toLowerCase();
    if (!calledElsewhere(text, written)) names.add(written);
  }
  return names.size > 0 ? names : undefined;
}

/** Whether the routine is called in the text other than where it is named as a routine (`CREATE/GRANT/DROP … PROCEDURE [IF EXISTS] name(`) or registered. */
function calledElsewhere(text: string, qualified: string): boolean {
  const bare = qualified.slice(qualified.lastIndexOf('.') + 1);
  const call = new RegExp(String.raw`(?<![\w$."])(?:"?[\w$]+"?\s*\.\s*)?"?${bare.replace(/\$/g, '\\$')}"?\s*\(`, 'gi');
  for (const match of text.matchAll(call)) {
    const before = text.slice(Math.max(0, match.index! - 40), match.index!);
    if (!/\b(?:function|procedure|routine|exists)\s+$/i.test(before)) return true;
  }
  return false;
}

/** Whether a routine of this name (lower case, qualified as written or bare) is one of the file's job routines. */
export function isScheduledJob(routine: string, jobs: Set<string>): boolean {
  if (jobs.has(routine)) return true;
  const bare = routine.slice(routine.lastIndexOf('.') + 1);
  // A registration without schema matches a definition with one, and the other way round.
  return [...jobs].some((job) => job === bare || job.slice(job.lastIndexOf('.') + 1) === routine);
}
