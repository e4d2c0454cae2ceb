// A project that names its pooled URL `DATABASE_CONNECTION_POOL_URL` keeps `DATABASE_URL` beside it for sessions of
// its own: "connection pool" names the pool as "pool" alone does (`DATABASE_POOL_URL`), so the plain name is the direct
// sibling (docs/rules/listen.md, the project's own pair). And a runner's pool made from the options a private method of
// the same class returns (`new Pool(this.poolOptions())`) is judged by the URL those options hold.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initAnalysis } from '../../../server/analysis/index';
import { hasPooledSibling } from '../../../server/analysis/urlNames';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

test('DATABASE_CONNECTION_POOL_URL is the pooled sibling of DATABASE_URL; another prefix, or a name that already says pool, is not', () => {
  assert.equal(hasPooledSibling('DATABASE_URL', "get('DATABASE_CONNECTION_POOL_URL')"), true);
  assert.equal(hasPooledSibling('databaseUrl', 'const databaseConnectionPoolUrl = 1'), true);
  assert.equal(hasPooledSibling('DATABASE_URL', "get('DATABASE_READ_CONNECTION_POOL_URL')"), false);
  assert.equal(hasPooledSibling('DATABASE_CONNECTION_URL', "get('DATABASE_CONNECTION_POOL_URL')"), true);
  assert.equal(hasPooledSibling('DATABASE_POOL_URL', "get('DATABASE_CONNECTION_POOL_URL')"), false);
});

/** A service whose config names both URLs (or only DATABASE_URL), and a graphile-worker runner in a class. */
function workerProject(t: Cleanup, configNames: string[], poolOptions: string): string {
  const repo = scratchRepository('connection-pool-sibling', t);
  repo.writeAll({
    'package.json': '{ "name": "api", "dependencies": { "graphile-worker": "^0.13.0", "pg": "^8.7.0" } }\n',
    'src/config/config.service.ts': [
      'export class ConfigService {',
      '  get<T>(name: string): T { return process.env[name] as unknown as T; }',
      `  names(): string[] { return [${configNames.map((name) => `'${name}'`).join(', ')}]; }`,
      '}',
      '',
    ],
    'src/jobs/runner.ts': [
      "import { run, Runner } from 'graphile-worker';",
      "import { Pool, PoolConfig } from 'pg';",
      "import { ConfigService } from '../config/config.service';",
      'export class JobRunner {',
      '  private runner?: Runner;',
      '  constructor(private readonly config: ConfigService) {}',
      '  async start(): Promise<void> {',
      '    this.runner = await run({ pgPool: new Pool(this.poolOptions()), taskList: {} });',
      '  }',
      `  ${poolOptions}`,
      '}',
      '',
    ],
  });
  return repo.path('src', 'jobs', 'runner.ts');
}

const lint = (file: string) => embeddedFindings(readFileSync(file, 'utf8'), file).map(([rule]) => rule);

const PRIVATE_OPTIONS = "private poolOptions(): PoolConfig { return { connectionString: this.config.get<string>('DATABASE_URL'), max: 4 }; }";

test("graphile-worker's LISTEN on a pool of DATABASE_URL, in a project that names DATABASE_CONNECTION_POOL_URL beside it, is not reported", (t) => {
  assert.deepEqual(lint(workerProject(t, ['DATABASE_CONNECTION_POOL_URL', 'DATABASE_URL'], PRIVATE_OPTIONS)), []);
});

test('the LISTEN is still reported without a pooled sibling, on the pooled name itself, or from options a public method returns', (t) => {
  assert.deepEqual(lint(workerProject(t, ['DATABASE_URL'], PRIVATE_OPTIONS)), ['listen']);
  const pooled = "private poolOptions(): PoolConfig { return { connectionString: this.config.get<string>('DATABASE_CONNECTION_POOL_URL') }; }";
  assert.deepEqual(lint(workerProject(t, ['DATABASE_CONNECTION_POOL_URL', 'DATABASE_URL'], pooled)), ['listen']);
  const overridable = PRIVATE_OPTIONS.replace('private ', '');
  assert.deepEqual(lint(workerProject(t, ['DATABASE_CONNECTION_POOL_URL', 'DATABASE_URL'], overridable)), ['listen']);
});
