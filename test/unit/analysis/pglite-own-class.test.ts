// `this` in PGlite's own class (PGlite's sources: `class PGlite extends BasePGlite implements PGliteInterface`, or a
// project's subclass `extends PGlite`) is a PGlite instance: what it sends through a method it inherits from a base
// class of another module (`this.exec(…)`) runs in the one in-process session, so it gets no pooling finding. The
// same call in a class that is not PGlite's keeps its finding. The base class is written to a scratch repository,
// because the analysis reads the inherited method from there (as the CLI and the editor do).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('engine-class', { after });
before(() => initAnalysis());

const BASE = [
  "import { serialize } from '@electric-sql/pg-protocol';",
  'export abstract class BasePGlite {',
  '  abstract execProtocol(message: Uint8Array): Promise<unknown>;',
  '  async exec(query: string) {',
  '    return await this.#runExec(query);',
  '  }',
  '  async #runExec(query: string) {',
  '    return this.execProtocol(serialize.query(query));',
  '  }',
  '}',
];

function findingsOf(path: string, lines: string[]): string[] {
  repo.write('package.json', '{ "name": "engine" }');
  repo.write('src/base.ts', BASE);
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const classOf = (header: string) => [
  "import { BasePGlite } from './base';",
  `export class ${header} {`,
  '  async execProtocol(message: Uint8Array) { return message; }',
  '  async start(username: string) {',
  '    await this.exec(`SET ROLE ${username};`);',
  '  }',
  '}',
];

test("a session SET sent through `this.exec(…)` inherited by PGlite's own class, or by a class implementing PGliteInterface, gets no pooling finding", () => {
  assert.deepEqual(findingsOf('src/pglite.ts', classOf('PGlite extends BasePGlite implements PGliteInterface')), []);
  assert.deepEqual(findingsOf('src/worker.ts', classOf('Engine extends BasePGlite implements PGliteInterface')), []);
});

test('the same inherited call in a class that is not PGlite keeps its finding', () => {
  assert.deepEqual(findingsOf('src/store.ts', classOf('Store extends BasePGlite')), ['session-set SET ROLE ${username}']);
});
