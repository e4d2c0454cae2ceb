import type { RuleId, RuleInfo } from '../types';
import { sessionSet } from './session-set';
import { setLocalOutsideTransaction } from './set-local-outside-transaction';
import { preparedStatement } from './prepared-statement';
import { protocolPreparedStatement } from './protocol-prepared-statement';
import { tempTable } from './temp-table';
import { currval } from './currval';
import { advisoryLock } from './advisory-lock';
import { listen } from './listen';
import { cursorWithHold } from './cursor-with-hold';
import { load } from './load';
import { sessionExtension } from './session-extension';
import { statementModeTransaction } from './statement-mode-transaction';
import { syntaxError } from './syntax-error';
import { readAfterWrite } from './read-after-write';
import { writeInRead } from './write-in-read';

export const RULES: readonly RuleInfo[] = [
  sessionSet, setLocalOutsideTransaction, preparedStatement, protocolPreparedStatement, tempTable, currval,
  advisoryLock, listen, cursorWithHold, load, sessionExtension, statementModeTransaction, syntaxError,
  readAfterWrite, writeInRead,
];

const RULES_BY_ID = new Map<string, RuleInfo>(RULES.map((rule) => [rule.id, rule]));

export function getRule(id: string): RuleInfo | undefined {
  return RULES_BY_ID.get(id);
}

export function isRuleId(id: string): id is RuleId {
  return getRule(id) !== undefined;
}
