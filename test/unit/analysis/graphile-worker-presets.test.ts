// graphile-worker's configuration preset (graphileWorkerPresets.ts): the `graphile.config.*` file its CLI
// (`npx graphile-worker`) loads, whose `worker` options say where the runner connects and LISTENs for new jobs and
// whether it sends its queries as named prepared statements. Read only in a package that depends on graphile-worker.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchGitRepository, scratchRepository, type ScratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const WORKER_PACKAGE = '{ "name": "jobs", "dependencies": { "graphile-worker": "^0.16.6", "pg": "^8.11.0" } }\n';
const OTHER_PACKAGE = '{ "name": "site", "dependencies": { "postgraphile": "^5.0.0", "pg": "^8.11.0" } }\n';

/** A worker preset's text with these lines inside its `worker` options, exported the ES module way. */
const esPreset = (options: readonly string[]) => [
  'const preset = {',
  '  worker: {',
  ...options.map((line) => `    ${line},`),
  "    schema: 'graphile_worker',",
  '    concurrentJobs: 2,',
  '  },',
  '};',
  'export default preset;',
].join('\n');

const ON_APP_URL = ['connectionString: process.env.DATABASE_URL', 'maxPoolSize: 10', 'preparedStatements: true'];

/** The [rule, text] findings of the config file `name` of a package whose manifest is `manifest`. */
function configFindings(repo: ScratchRepository, manifest: string, name: string, text: string): [string, string][] {
  repo.write('package.json', manifest);
  return embeddedFindings(text, repo.write(name, text));
}

test('graphile-worker preset: the runner LISTENs on its connectionString and prepares named statements where preparedStatements is true', (t) => {
  const repo = scratchRepository('worker-preset', t);
  assert.deepEqual(configFindings(repo, WORKER_PACKAGE, 'graphile.config.js', esPreset(ON_APP_URL)), [
    ['listen', 'connectionString: process.env.DATABASE_URL'],
    ['protocol-prepared-statement', 'preparedStatements: true'],
  ]);
  // CommonJS, the options object written in place, TypeScript's typed preset.
  const commonJs = "module.exports = {\n  worker: { connectionString: process.env.DATABASE_URL, preparedStatements: true },\n};\n";
  assert.deepEqual(configFindings(repo, WORKER_PACKAGE, 'graphile.config.cjs', commonJs).map(([rule]) => rule), ['listen', 'protocol-prepared-statement']);
  const typed = [
    "import type {} from 'graphile-config';",
    "import type {} from 'graphile-worker';",
    'const preset: GraphileConfig.Preset = {',
    '  worker: { connectionString: process.env.DATABASE_URL, preparedStatements: true },',
    '};',
    'export default preset;',
  ].join('\n');
  assert.deepEqual(configFindings(repo, WORKER_PACKAGE, 'graphile.config.ts', typed).map(([rule]) => rule), ['listen', 'protocol-prepared-statement']);
});

test('graphile-worker preset: preparedStatements off or computed is no prepared-statement finding; the LISTEN stays', (t) => {
  const repo = scratchRepository('worker-preset-off', t);
  const listenOnly = [['listen', 'connectionString: process.env.DATABASE_URL']];
  for (const off of ['preparedStatements: false', "preparedStatements: process.env.PGBOUNCER !== '1'", 'maxPoolSize: 10']) {
    assert.deepEqual(configFindings(repo, WORKER_PACKAGE, 'graphile.config.mjs', esPreset(['connectionString: process.env.DATABASE_URL', off])), listenOnly, off);
  }
});

test('graphile-worker preset on a direct URL, in a package without graphile-worker, or in another file, is no finding', (t) => {
  const repo = scratchRepository('worker-preset-negatives', t);
  const direct = ['connectionString: process.env.DIRECT_URL', 'preparedStatements: true'];
  assert.deepEqual(configFindings(repo, WORKER_PACKAGE, 'graphile.config.js', esPreset(direct)), []);
  // PostGraphile reads graphile.config.js too; a package that does not depend on graphile-worker runs no worker.
  assert.deepEqual(configFindings(scratchRepository('postgraphile-preset', t), OTHER_PACKAGE, 'graphile.config.js', esPreset(ON_APP_URL)), []);
  // The same object in a file graphile-worker does not load as its config.
  assert.deepEqual(configFindings(repo, WORKER_PACKAGE, 'src/settings.js', esPreset(ON_APP_URL)), []);
  // A preset with no `worker` options (PostGraphile's own) sets nothing of the worker's.
  const postgraphileOnly = "export default {\n  pgServices: [],\n  grafserv: { port: 5678, watch: true },\n  connectionString: process.env.DATABASE_URL,\n};\n";
  assert.deepEqual(configFindings(repo, WORKER_PACKAGE, 'graphile.config.js', postgraphileOnly), []);
});

/** A preset module of the jobs package, exported by name through a barrel, and a runner file using it as `starter` says. */
function runnerPresetFindings(t: Parameters<typeof scratchRepository>[1], name: string, starter: readonly string[], options = ON_APP_URL): [string, string][] {
  const preset = [
    "import { WorkerPreset } from 'graphile-worker';",
    'export const jobsPreset: GraphileConfig.Preset = {',
    '  extends: [WorkerPreset],',
    `  worker: { ${options.join(', ')} },`,
    '};',
  ].join('\n');
  const repo = scratchGitRepository(name, t!, {
    'package.json': WORKER_PACKAGE,
    'src/jobs/index.ts': "export * from './preset';\n",
    'src/start.ts': starter,
  });
  return embeddedFindings(preset, repo.write('src/jobs/preset.ts', preset));
}

const RUN_WITH_PRESET = [
  "import { run } from 'graphile-worker';",
  "import { jobsPreset } from './jobs';",
  'export const start = () => run({ preset: jobsPreset, taskList: {} });',
];

test('graphile-worker preset handed to run() from another module: preparedStatements true is reported where it is written', (t) => {
  assert.deepEqual(runnerPresetFindings(t, 'runner-preset', RUN_WITH_PRESET), [['protocol-prepared-statement', 'preparedStatements: true']]);
  // runOnce, the preset renamed on import.
  const runOnce = ["import { runOnce } from 'graphile-worker';", "import { jobsPreset as preset } from './jobs';", 'await runOnce({ preset, taskList: {} });'];
  assert.deepEqual(runnerPresetFindings(t, 'runner-preset-once', runOnce).map(([rule]) => rule), ['protocol-prepared-statement']);
});

test('graphile-worker preset not handed to graphile-worker\'s run(), or run without prepared statements, is no finding', (t) => {
  // Imported but only read (its schema), or handed to a run() of the project's own.
  const readOnly = ["import { jobsPreset } from './jobs';", 'export const schema = jobsPreset.worker?.schema;'];
  assert.deepEqual(runnerPresetFindings(t, 'runner-preset-read', readOnly), []);
  const ownRun = RUN_WITH_PRESET.map((line) => line.replace("from 'graphile-worker'", "from './scheduler'"));
  assert.deepEqual(runnerPresetFindings(t, 'runner-preset-own-run', ownRun), []);
  // Handed to run() under another option than `preset`.
  const otherOption = RUN_WITH_PRESET.map((line) => line.replace('preset: jobsPreset', 'taskDirectory: jobsPreset'));
  assert.deepEqual(runnerPresetFindings(t, 'runner-preset-other-option', otherOption), []);
  // preparedStatements false, or on a direct URL.
  const off = ['connectionString: process.env.DATABASE_URL', 'preparedStatements: false'];
  assert.deepEqual(runnerPresetFindings(t, 'runner-preset-off', RUN_WITH_PRESET, off), []);
  const direct = ['connectionString: process.env.DIRECT_URL', 'preparedStatements: true'];
  assert.deepEqual(runnerPresetFindings(t, 'runner-preset-direct', RUN_WITH_PRESET, direct), []);
});
