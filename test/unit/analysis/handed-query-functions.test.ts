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
