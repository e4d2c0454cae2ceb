// The report of `poolsafe run`: the hazards the pooler saw while the command ran, grouped by rule and
// statement with a count per kind, as text, JSON or SARIF 2.1.0 (for code-scanning UIs).
import type { HazardInfo } from '../extension/pooler/admin';
import { getRule } from '../server/analysis/index';
import { PROJECT_URI, ruleHelpUri } from './format';

export type HazardKind = HazardInfo['kind'];
export const HAZARD_KINDS: readonly HazardKind[] = ['origin', 'landed', 'error'];
export type ReportFormat = 'text' | 'json' | 'sarif';

export interface HazardGroup {
  rule: string;
  statement: string;
  counts: Record<HazardKind, number>;
  /** The detail of the group's first hazard (what state, or which error). */
  detail: string;
  firstSeen: number;
  applicationNames: string[];
}

/** One group per (rule, statement), in order of first appearance. */
export function groupHazards(hazards: readonly HazardInfo[]): HazardGroup[] {
  const groups = new Map<string, HazardGroup>();
  for (const hazard of hazards) {
    const key = `${hazard.rule}\u0000${hazard.statement}`;
    let group = groups.get(key);
    if (!group) {
      group = { rule: hazard.rule, statement: hazard.statement, counts: { origin: 0, landed: 0, error: 0 }, detail: hazard.detail, firstSeen: hazard.time, applicationNames: [] };
      groups.set(key, group);
    }
    group.counts[hazard.kind]++;
    if (hazard.applicationName && !group.applicationNames.includes(hazard.applicationName)) group.applicationNames.push(hazard.applicationName);
  }
  return [...groups.values()];
}

export interface CommandResult {
  command: string[];
  exitCode: number;
}

export function formatHazardReport(groups: HazardGroup[], format: ReportFormat, result: CommandResult): string {
  if (format === 'json') return `${JSON.stringify({ command: result.command, exitCode: result.exitCode, totals: totals(groups), hazards: groups })}\n`;
  if (format === 'sarif') return `${JSON.stringify(sarif(groups), null, 2)}\n`;
  return text(groups);
}

function totals(groups: HazardGroup[]): Record<HazardKind, number> {
  const sum: Record<HazardKind, number> = { origin: 0, landed: 0, error: 0 };
  for (const group of groups) for (const kind of HAZARD_KINDS) sum[kind] += group.counts[kind];
  return sum;
}

function countsText(counts: Record<HazardKind, number>): string {
  return HAZARD_KINDS.filter((k) => counts[k] > 0).map((k) => `${k} ×${counts[k]}`).join(', ');
}

function text(groups: HazardGroup[]): string {
  if (groups.length === 0) return 'poolsafe run: no hazards: no session state crossed transactions\n';
  const sum = totals(groups);
  const all = sum.origin + sum.landed + sum.error;
  const lines = [`poolsafe run: ${all} hazard${all === 1 ? '' : 's'} (${countsText(sum)}) in ${groups.length} group${groups.length === 1 ? '' : 's'}`];
  const byRule = new Map<string, HazardGroup[]>();
  for (const group of groups) byRule.set(group.rule, [...(byRule.get(group.rule) ?? []), group]);
  for (const [rule, ruleGroups] of byRule) {
    lines.push('', `${rule}: ${getRule(rule)?.title ?? ''}`.trimEnd());
    for (const group of ruleGroups) {
      lines.push(`  ${countsText(group.counts)}  ${oneLine(group.statement)}`);
      if (group.detail) lines.push(`      ${group.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function oneLine(statement: string): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  // A named statement prepared from an empty query string still holds session state; say so.
  if (flat === '') return '(empty query string)';
  return flat.length > 160 ? `${flat.slice(0, 157)}…` : flat;
}

/** A result per group; hazards are seen at run time, so a result names a statement, not a file line. */
function sarif(groups: HazardGroup[]): object {
  const ruleIds = [...new Set(groups.map((g) => g.rule))];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'PoolSafe run',
          informationUri: PROJECT_URI,
          rules: ruleIds.map((id) => ({ id, name: id, shortDescription: { text: getRule(id)?.title ?? id }, helpUri: ruleHelpUri(id) })),
        },
      },
      results: groups.map((group) => ({
        ruleId: group.rule,
        level: group.counts.origin + group.counts.error > 0 ? 'error' : 'warning',
        message: { text: `${countsText(group.counts)}: ${oneLine(group.statement)}${group.detail ? ` — ${group.detail}` : ''}` },
        partialFingerprints: { poolsafeStatement: `${group.rule}:${oneLine(group.statement)}` },
        properties: { counts: group.counts, statement: group.statement, applicationNames: group.applicationNames },
      })),
    }],
  };
}
