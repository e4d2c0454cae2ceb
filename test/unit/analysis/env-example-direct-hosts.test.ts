// A provider's direct host given as the documented example value of the variable a client connects with (ruling
// lab57b 1): the project folder's own `.env.example` naming a Neon host without `-pooler` for `DATABASE_URL` documents
// that URL as direct (directUrls.ts), as a name like `DIRECT_URL` does.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const LISTENER = [
  "require('dotenv').config();",
  "const { Client } = require('pg');",
  'const connectionString = process.env.DATABASE_URL;',
  'const client = new Client({ connectionString });',
  'async function main() {',
  '  await client.connect();',
  "  client.on('notification', (msg) => console.log(msg.payload));",
  "  await client.query('LISTEN orders');",
  '}',
  'main();',
].join('\n');

/** The listen findings of the listener in a project whose `.env.example` is `example` (none written when undefined). */
function listenFindings(name: string, example: string | undefined, t: Parameters<typeof scratchRepository>[1]): string[] {
  const repo = scratchRepository(name, t);
  repo.write('example/package.json', '{ "name": "pg-notify-example", "dependencies": { "pg": "^8.11.0", "dotenv": "^16.0.0" } }\n');
  if (example !== undefined) repo.write('example/.env.example', example);
  const file = repo.write('example/listen.js', LISTENER);
  return embeddedFindings(LISTENER, file).filter(([rule]) => rule === 'listen').map(([, at]) => at);
}

test('a Neon direct host as .env.example\'s value of the variable the client uses makes that URL direct: no listen finding', (t) => {
  assert.deepEqual(listenFindings('neon-direct', 'DATABASE_URL="postgresql://owner:secret@ep-quiet-sun-123456.us-east-1.aws.neon.tech/app?sslmode=require"\n', t), []);
  // The endpoint's name elided (`...`), as provider examples write it.
  assert.deepEqual(listenFindings('neon-elided', 'DATABASE_URL="postgresql://owner:...@...us-east-1.aws.neon.tech/app?sslmode=require"\n', t), []);
});

test('a pooler host, another variable\'s example, a placeholder or no .env.example keeps the listen finding', (t) => {
  const reported = ['LISTEN orders'];
  assert.deepEqual(listenFindings('neon-pooler', 'DATABASE_URL=postgresql://owner:pw@ep-quiet-sun-123456-pooler.us-east-1.aws.neon.tech/app\n', t), reported);
  assert.deepEqual(listenFindings('other-variable', 'DIRECT_DATABASE_URL=postgresql://owner:pw@ep-quiet-sun-123456.us-east-1.aws.neon.tech/app\n', t), reported);
  assert.deepEqual(listenFindings('placeholder', 'DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/app\n', t), reported);
  assert.deepEqual(listenFindings('no-example', undefined, t), reported);
  // One direct value beside a pooled one for the same variable: not documented as direct.
  assert.deepEqual(listenFindings('mixed', [
    'DATABASE_URL=postgresql://owner:pw@ep-quiet-sun-123456.us-east-1.aws.neon.tech/app',
    '# DATABASE_URL=postgresql://owner:pw@ep-quiet-sun-123456-pooler.us-east-1.aws.neon.tech/app',
    'DATABASE_URL=postgresql://owner:pw@ep-quiet-sun-123456-pooler.us-east-1.aws.neon.tech/app',
  ].join('\n'), t), reported);
});
