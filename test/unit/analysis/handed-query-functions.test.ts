// A query function the enclosing function was handed (`apply(executeQuery: QueryExecutor, …)`) sends on its caller's
// client: the callers here hand it `runner.query.bind(runner)` after `startTransaction()`. It is read as a client
// parameter is — its transaction unknown, so a `set_config(…, true)` through it is silent — while a query function the
// code takes from elsewhere (imported, global) still sends alone, outside any transaction.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string): string[] => embeddedFindings(text, 'src/database/rls-session.service.ts').map(([rule]) => rule);

const service = (apply: string) => `import { DataSource } from 'typeorm';
import { runQuery } from './pool';
type QueryExecutor = (query: string, parameters?: unknown[]) => Promise<unknown>;
export class RlsSessionService {
  constructor(private readonly dataSource: DataSource) {}
  async withLabContext<T>(labId: string, execute: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const executeQuery = runner.query.bind(runner) as QueryExecutor;
    await this.applyContext(executeQuery, labId);
    const result = await execute();
    await runner.commitTransaction();
    return result;
  }
${apply}
}
`;

test("set_config(…, true) through a query function the method was handed: its callers' transaction, silent", () => {
  const apply = `  async applyContext(executeQuery: QueryExecutor, labId: string | null): Promise<void> {
    if (labId) {
      await executeQuery(\`SELECT set_config('app.current_lab_id', $1, true)\`, [labId]);
      return;
    }
    await executeQuery(\`SELECT set_config('app.current_lab_id', $1, true)\`, ['']);
  }`;
  assert.deepEqual(found(service(apply)), []);
  // A session-wide set_config through it is reported all the same: it outlives whatever transaction the caller has.
  assert.deepEqual(found(service(apply.replace(', true)', ', false)'))), ['session-set']);
});

test('the same statement through a query function the code imports runs alone: reported', () => {
  const apply = `  async applyContext(executeQuery: QueryExecutor, labId: string): Promise<void> {
    await runQuery(\`SELECT set_config('app.current_lab_id', $1, true)\`, [labId]);
  }`;
  assert.deepEqual(found(service(apply)), ['set-local-outside-transaction']);
});

// A wrapper that patches a QueryRunner hands the runner's own bound `query` to a private helper under a name no query
// runner would have (`passOn`): the helper's call is a send on that runner all the same.
const patcher = (helper: string, handed = 'passOn') => `import { DataSource, QueryRunner } from 'typeorm';
export class ScopedRunnerPatcher {
  constructor(private readonly dataSource: DataSource) {}
  private patch(runner: QueryRunner): void {
    const passOn = runner.query.bind(runner);
    runner.query = async (text: string, values?: unknown[]) => {
      await this.applyScope(${handed});
      return passOn(text, values);
    };
  }
${helper}
}
`;

const applyScope = `  private async applyScope(passOn: (text: string, values?: unknown[]) => Promise<unknown>): Promise<void> {
    await passOn(\`SELECT set_config('app.region', $1, false)\`, [currentRegion()]);
  }`;

test("a private helper handed a runner's bound query method under another name sends its session set_config on it: reported", () => {
  assert.deepEqual(found(patcher(applyScope)), ['session-set']);
  // Handed on again by the helper to another private helper: followed.
  const forwarded = `  private async applyScope(passOn: (text: string) => Promise<unknown>): Promise<void> {
    await this.writeScope(passOn);
  }
  private async writeScope(send: (text: string) => Promise<unknown>): Promise<void> {
    await send("SELECT set_config('app.region', 'eu', false)");
  }`;
  assert.deepEqual(found(patcher(forwarded)), ['session-set']);
});

test('a helper handed anything but a bound query method, or one others may call, is not read as sending', () => {
  // A logger, not a query method, bound and handed.
  assert.deepEqual(found(patcher(applyScope, 'console.log.bind(console)')), [], 'logger');
  // A public method: another module may call it with any function.
  assert.deepEqual(found(patcher(applyScope.replace('private async', 'async'))), [], 'public');
  // The method also handed somewhere whole: its other callers are not in sight.
  assert.deepEqual(found(patcher(`${applyScope}\n  register(hooks: unknown[]): void { hooks.push(this.applyScope); }`)), [], 'handed');
});
