// A session unlock (pg_advisory_unlock) is a finding because the session lock it releases was probably
// taken on another server connection. Code that only ever takes its keys with the transaction-level
// family (pg_advisory_xact_lock, pg_try_advisory_xact_lock…) sometimes still calls pg_advisory_unlock
// for them "to be safe": it releases nothing (PostgreSQL warns that no such session lock is held) and
// leaves no state behind. So an unlock is no finding when the same file takes that very key (the call's
// arguments as written) with a transaction-level lock and calls no session lock function anywhere.
import type { DocumentText, Finding } from './types';
import { argumentsText } from './detect';

const SESSION_LOCK = /\bpg_(?:try_)?advisory_lock(?:_shared)?\b/i;
const TRANSACTION_LOCK = /\bpg_(?:try_)?advisory_xact_lock(?:_shared)?\s*(?=\()/gi;
const UNLOCK = /^pg_advisory_unlock(?:_shared)?$/i;

/** The keys (argument lists as written) the text takes with transaction-level advisory locks. */
function transactionLockKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const match of text.matchAll(TRANSACTION_LOCK)) {
    const key = argumentsText(text, match.index! + match[0].length);
    if (key) keys.add(key);
  }
  return keys;
}

/** The findings without the unlocks of keys the file only takes with transaction-level locks. */
export function withoutUnlocksOfTransactionKeys(document: DocumentText, findings: Finding[]): Finding[] {
  if (!findings.some((f) => f.rule === 'advisory-lock')) return findings;
  const text = document.toString(); // joined only for the rare file with an advisory-lock finding
  if (!/advisory_xact_lock/i.test(text) || SESSION_LOCK.test(text)) return findings;
  const keys = transactionLockKeys(text);
  return findings.filter((finding) => {
    if (finding.rule !== 'advisory-lock' || !UNLOCK.test(text.slice(finding.start, finding.end))) return true;
    const key = argumentsText(text, finding.end);
    return !(key && keys.has(key));
  });
}
