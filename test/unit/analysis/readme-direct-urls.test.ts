// A project's README that documents a connection variable as one that cannot be a pooler (`- DATABASE_URL: … Cannot be
// a connection pooler.`: a sync engine replicates from it) makes that URL direct for the project's clients
// (directUrls.ts), as a documented direct `.env.example` value does. A README that names the variable beside a pooler
// otherwise, one that says so of another variable, a statement in the middle of a sentence about something else, or no
// README, keeps the finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const CLIENT = [
  "import postgres from 'postgres';",
  'const url = process.env.DATABASE_URL;',
  "if (!url) throw new Error('DATABASE_URL is not set');",
  'export const sql = postgres(url);',
  'export async function cardsOf(board: string) {',
  '  return sql`SELECT * FROM cards WHERE board = ${board}`;',
  '}',
].join('\n');

/** The protocol-prepared-statement findings of the client in a project whose README is `readme` (none when undefined). */
function preparedFindings(name: string, readme: string[] | undefined, t: Parameters<typeof scratchRepository>[1]): string[] {
  const repo = scratchRepository(name, t);
  repo.write('board/package.json', '{ "name": "board", "dependencies": { "postgres": "^3.4.0" } }\n');
  if (readme !== undefined) repo.write('board/README.md', readme);
  const file = repo.write('board/src/db.ts', CLIENT);
  return embeddedFindings(CLIENT, file).filter(([rule]) => rule === 'protocol-prepared-statement').map(([, at]) => at);
}

const setup = (line: string): string[] => ['# Board', '', '## Setup', '', 'Copy .env.example to .env and fill in:', '', line, '- SYNC_URL: the sync server.'];

test('a README line opening with the variable that says it cannot be a pooler makes the URL direct: not flagged', (t) => {
  assert.deepEqual(preparedFindings('list-item', setup('- DATABASE_URL: Your Postgres connection string. Cannot be a connection pooler.'), t), []);
  assert.deepEqual(preparedFindings('table-row', setup('| `DATABASE_URL` | must not use a pooled connection (logical replication) |'), t), []);
});

test('another variable, a line that allows a pooler, a contradicting line, or no README keep the finding', (t) => {
  const reported = ['postgres'];
  assert.deepEqual(preparedFindings('no-readme', undefined, t), reported);
  assert.deepEqual(preparedFindings('other-variable', setup('- REPLICA_URL: Cannot be a connection pooler.'), t), reported);
  assert.deepEqual(preparedFindings('allows', setup('- DATABASE_URL: Your Postgres connection string. Can be a connection pooler.'), t), reported);
  assert.deepEqual(preparedFindings('contradicted', [...setup('- DATABASE_URL: Cannot be a connection pooler.'),
    'In production point DATABASE_URL at the PgBouncer pooler on port 6543.'], t), reported);
  // Not at the line's opening: a sentence about something else.
  assert.deepEqual(preparedFindings('mid-sentence', setup('The replication slot, unlike DATABASE_URL, cannot be a connection pooler.'), t), reported);
});
