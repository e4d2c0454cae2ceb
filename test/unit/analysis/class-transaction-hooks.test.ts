// A hook handed to a project class in its constructor's options (`new Engine({ db, beforeQuery })`) that the class keeps
// in a private field, hands on to another class's constructor, and in the end calls with the transaction handle inside a
// driver's transaction callback (`db.transaction(async (tx) => { await hook(tx, ctx); … })`): a `SET LOCAL` the hook
// sends on its first parameter lasts until that transaction ends. A class that also calls the hook outside any
// transaction, or lets the field out of the class, keeps the finding; a plain SET in the hook still outlives the
// transaction. The classes are written to a scratch repository, where the analysis reads them (as the CLI does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('class-transaction-hooks', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

/** The runner calls its hook on the handle inside the driver's transaction; `outside` adds a call on the database itself. */
const runner = (outside: boolean) => [
  'type Hook = (tx: any, ctx: unknown) => Promise<void>;',
  'export class Runner {',
  '  private hook?: Hook;',
  '  constructor(private db: any, hook?: Hook) {',
  '    this.hook = hook;',
  '  }',
  '  async run(ctx: unknown, work: () => Promise<unknown>) {',
  '    if (!this.hook) return work();',
  '    const hook = this.hook;',
  ...(outside ? ['    await hook(this.db, ctx);'] : []),
  '    return this.db.transaction(async (tx: any) => {',
  '      await hook(tx, ctx);',
  '      return work();',
  '    });',
  '  }',
  '}',
];

/** The engine keeps the option in a private field and hands it to each runner it makes. */
const ENGINE = [
  "import { Runner } from './runner';",
  'export class Engine {',
  '  private beforeQuery?: (tx: any, ctx: unknown) => Promise<void>;',
  '  private db: any;',
  '  constructor(options?: { db?: any; beforeQuery?: (tx: any, ctx: unknown) => Promise<void> }) {',
  '    this.db = options?.db;',
  '    this.beforeQuery = options?.beforeQuery;',
  '  }',
  '  execute(ctx: unknown) {',
  '    return new Runner(this.db, this.beforeQuery).run(ctx, async () => 1);',
  '  }',
  '}',
];

/** An engine that also hands its hook to whoever asks for it. */
const LEAKING_ENGINE = [...ENGINE.slice(0, -1), '  get hook() { return this.beforeQuery; }', '}'];

const caller = (statement: string) => [
  "import { sql } from 'drizzle-orm';",
  "import { it } from 'vitest';",
  "import { Engine } from '../src/engine';",
  'declare const db: any;',
  "it('scopes the tenant', async () => {",
  '  const beforeQuery = async (tx: any, ctx: any) => {',
  `    await tx.execute(sql.raw(\`${statement}\`));`,
  '  };',
  '  const engine = new Engine({ db, beforeQuery });',
  '  await engine.execute({ tenant: 1 });',
  '});',
];

function writeProject(engine: string[], outside: boolean): void {
  repo.write('package.json', '{ "name": "app", "dependencies": { "drizzle-orm": "^0.40.0", "pg": "^8.0.0" } }');
  repo.write('src/engine.ts', engine);
  repo.write('src/runner.ts', runner(outside));
}

test('a SET LOCAL in a hook a project class keeps and calls with the handle inside db.transaction is inside the transaction', () => {
  writeProject(ENGINE, false);
  assert.deepEqual(findingsOf('tests/hook.test.ts', caller("SET LOCAL app.tenant = '1'")), []);
});

test('a SET LOCAL in a hook the class also calls outside its transaction, or lets out of the class, is reported', () => {
  writeProject(ENGINE, true);
  assert.deepEqual(findingsOf('tests/outside.test.ts', caller("SET LOCAL app.tenant = '1'")),
    ["set-local-outside-transaction SET LOCAL app.tenant = '1'"]);
  writeProject(LEAKING_ENGINE, false);
  assert.deepEqual(findingsOf('tests/leak.test.ts', caller("SET LOCAL app.tenant = '1'")),
    ["set-local-outside-transaction SET LOCAL app.tenant = '1'"]);
});

test('a plain SET in a hook run inside the transaction still outlives it', () => {
  writeProject(ENGINE, false);
  assert.deepEqual(findingsOf('tests/plain.test.ts', caller('SET ROLE reader')), ['session-set SET ROLE reader']);
});
