// A Lambda function importing `/opt/<path>` reads a file of one of its layers (Lambda unpacks each layer into /opt).
// When the project's SAM or CloudFormation template gives a layer a local folder as its content and that folder holds
// the file, the import is that project module: a layer module handing on postgres.js makes every handler's
// `postgres(…)` call a client that prepares by default. An /opt path no layer folder holds, a template with no layer
// of local content, or a handler that turns preparing off gets nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { resolveModule } from '../../../server/analysis/moduleResolution';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('lambda-layer-imports', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const driverModule = ["import postgres from 'postgres';", 'export { postgres };', 'export const json = (body) => ({ statusCode: 200, body: JSON.stringify(body) });'];

const handler = (options: string) => [
  "import { postgres, json } from '/opt/common.mjs';",
  `const db = postgres(${options});`,
  'export const handler = async () => json(await db`select count(*) from signups`);',
];

function samTemplate(layerLines: string[]): string[] {
  return [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Transform: AWS::Serverless-2016-10-31',
    'Resources:',
    '  countFunction:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      CodeUri: handlers/count',
    '      Handler: index.handler',
    '      Layers:',
    '        - !Ref commonLayer',
    '  commonLayer:',
    ...layerLines,
  ];
}

test("a handler's /opt import is the file of the layer folder a SAM template names, relative or written from the author's checkout", () => {
  repo.write('signups/template.yaml', samTemplate([
    '    Type: AWS::Serverless::LayerVersion',
    '    Properties:',
    '      ContentUri: layers/common/',
    '      CompatibleRuntimes: [nodejs22.x]',
  ]));
  repo.write('signups/layers/common/common.mjs', driverModule);
  assert.equal(resolveModule(repo.path('signups/handlers/count/index.mjs'), '/opt/common.mjs'), repo.path('signups/layers/common/common.mjs'));
  assert.deepEqual(findingsOf('signups/handlers/count/index.mjs', handler('{ max: 1 }')), ['protocol-prepared-statement postgres']);

  repo.write('waitlist/template.yml', samTemplate([
    '    Type: "AWS::Serverless::LayerVersion"',
    '    Properties:',
    '      ContentUri: /workspaces/waitlist/layers/common   # the dev container checkout',
  ]));
  repo.write('waitlist/layers/common/common.mjs', driverModule);
  assert.deepEqual(findingsOf('waitlist/handlers/count/index.mjs', handler("{ connection: { application_name: 'count' } }")), ['protocol-prepared-statement postgres']);
});

test("a CloudFormation layer's Content folder in a JSON template, and SAM's Node build that puts the folder under nodejs/", () => {
  repo.write('ledger/template.json', JSON.stringify({
    Resources: {
      shared: { Type: 'AWS::Lambda::LayerVersion', Properties: { Content: './shared', CompatibleRuntimes: ['nodejs20.x'] } },
    },
  }));
  repo.write('ledger/shared/common.mjs', driverModule);
  assert.deepEqual(findingsOf('ledger/src/index.mjs', handler('process.env.DATABASE_URL')), ['protocol-prepared-statement postgres']);
  const nested = handler('process.env.DATABASE_URL');
  nested[0] = "import { postgres, json } from '/opt/nodejs/common.mjs';";
  assert.deepEqual(findingsOf('ledger/src/nested.mjs', nested), ['protocol-prepared-statement postgres']);
});

test('no layer folder of the project holding the file, no template, content in S3, or preparing turned off: nothing is read or found', () => {
  repo.write('depot/template.yaml', samTemplate([
    '    Type: AWS::Serverless::LayerVersion',
    '    Properties:',
    '      ContentUri: layers/other',
  ]));
  repo.write('depot/layers/other/helpers.mjs', ['export const noop = () => {};']);
  repo.write('depot/handlers/count/common.mjs', driverModule);
  assert.equal(resolveModule(repo.path('depot/handlers/count/index.mjs'), '/opt/common.mjs'), undefined);
  assert.deepEqual(findingsOf('depot/handlers/count/index.mjs', handler('{ max: 1 }')), []);

  repo.write('bare/layers/common/common.mjs', driverModule);
  assert.equal(resolveModule(repo.path('bare/handlers/index.mjs'), '/opt/common.mjs'), undefined);
  assert.deepEqual(findingsOf('bare/handlers/index.mjs', handler('{ max: 1 }')), []);

  repo.write('remote/template.yaml', samTemplate([
    '    Type: AWS::Serverless::LayerVersion',
    '    Properties:',
    '      ContentUri: s3://artifacts/common.zip',
  ]));
  repo.write('remote/common.mjs', driverModule);
  assert.equal(resolveModule(repo.path('remote/handlers/index.mjs'), '/opt/common.mjs'), undefined);

  repo.write('code-only/template.yaml', samTemplate([
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      CodeUri: layers/common',
  ]));
  repo.write('code-only/layers/common/common.mjs', driverModule);
  assert.equal(resolveModule(repo.path('code-only/handlers/index.mjs'), '/opt/common.mjs'), undefined);

  repo.write('quiet/template.yaml', samTemplate([
    '    Type: AWS::Serverless::LayerVersion',
    '    Properties:',
    '      ContentUri: layers/common',
  ]));
  repo.write('quiet/layers/common/common.mjs', driverModule);
  assert.deepEqual(findingsOf('quiet/handlers/count/index.mjs', handler('{ prepare: false }')), []);
});

test('a template above the repository holding the handler (a parent project\'s, outside the checkout) names none of its layers', () => {
  repo.write('outer/template.yaml', samTemplate([
    '    Type: AWS::Serverless::LayerVersion',
    '    Properties:',
    '      ContentUri: shared',
  ]));
  repo.write('outer/shared/common.mjs', driverModule);
  repo.mkdir('outer/app/.git');
  assert.equal(resolveModule(repo.path('outer/app/handlers/index.mjs'), '/opt/common.mjs'), undefined);
  assert.deepEqual(findingsOf('outer/app/handlers/index.mjs', handler('{ max: 1 }')), []);
  // The same layout with no repository below the template: the template is the project's own.
  assert.equal(resolveModule(repo.path('outer/plain/handlers/index.mjs'), '/opt/common.mjs'), repo.path('outer/shared/common.mjs'));
});
