// A client made by Supabase's client library (`createClient` from `@supabase/supabase-js`, `@supabase/ssr`, or a
// CDN/JSR URL of them) talks to PostgREST over HTTP: it has no `sql` tag, so ``client.sql`SET …` `` is never sent to
// the database (the call throws). A postgres.js client, or any other object, used the same way keeps its findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';

before(() => initAnalysis());

test('a .sql template on a Supabase client (npm, esm.sh URL, JSR, @supabase/ssr) is no SQL sent to the database', () => {
  for (const specifier of ['@supabase/supabase-js', 'https://esm.sh/@supabase/supabase-js@2.45.0', 'jsr:@supabase/supabase-js@2', 'npm:@supabase/supabase-js@^2']) {
    const text = [
      `import { createClient } from '${specifier}';`,
      'const api = createClient(process.env.URL!, process.env.KEY!);',
      'export async function remember(token: string) {',
      '  await api.sql`SET app.visit_token = ${token}`;',
      '  await api.sql`SELECT pg_advisory_lock(7)`;',
      '}',
    ].join('\n');
    assert.deepEqual(embeddedRules(text, '/nowhere/app/edge.ts'), [], specifier);
  }
  const ssr = [
    "import { createServerClient as makeClient } from '@supabase/ssr';",
    'export async function handler(cookies: any) {',
    '  const db = await makeClient(process.env.URL!, process.env.KEY!, { cookies });',
    "  await db.sql`SET search_path TO tenant_a`;",
    '}',
  ].join('\n');
  assert.deepEqual(embeddedRules(ssr, '/nowhere/app/route.ts'), []);
});

test('a .sql template on a postgres.js client, or on a client of another library, beside a Supabase client keeps its findings', () => {
  const text = [
    "import { createClient } from '@supabase/supabase-js';",
    "import { createClient as createStore } from './store';",
    "import postgres from 'postgres';",
    'const api = createClient(process.env.URL!, process.env.KEY!);',
    'const db = { sql: postgres(process.env.DATABASE_URL!, { prepare: false }) };',
    'const store = createStore();',
    'export async function remember(token: string) {',
    "  await api.from('visits').insert({ token });",
    '  await db.sql`SET search_path TO reports`;',
    '  await store.sql`SELECT pg_advisory_lock(7)`;',
    '}',
  ].join('\n');
  assert.deepEqual(embeddedRules(text, '/nowhere/app/edge.ts'), ['session-set', 'advisory-lock']);
});
