// A public static field of an exported class is a module constant under the class's name: other modules read
// `Statements.SUBSCRIBE` and send it. Its text is read where it is written, as an exported constant's is. Private and
// protected statics, instance fields, fields of a class the module keeps to itself, and fields the module assigns
// again are not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

function rulesOf(lines: string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, 'typescript', {}, 'src/notifications/statements.ts').map((f) => `${f.rule} ${f.start}`)
    .map((entry) => {
      const [rule, start] = entry.split(' ');
      return `${rule} line ${text.slice(0, Number(start)).split('\n').length}`;
    });
}

test('a static field of an exported class holding LISTEN or a session SET is read where it is written', () => {
  assert.deepEqual(rulesOf([
    'export class Statements {',
    "  static SUBSCRIBE = `LISTEN ${quote('inventory_changed')}`;",
    "  public static readonly TENANT_PATH = 'SET search_path TO tenant_a, public';",
    "  static COUNT = 'SELECT count(*) FROM inventory';",
    '}',
    "function quote(name: string): string { return '\"' + name + '\"'; }",
  ]), ['listen line 2', 'session-set line 3']);
  assert.deepEqual(rulesOf([
    'abstract class Channels {',
    "  static readonly ORDERS = 'LISTEN orders';",
    '}',
    'export default Channels;',
  ]), ['listen line 2']);
});

test('private, protected and instance fields, a class kept to the module, and a field assigned again are not read', () => {
  assert.deepEqual(rulesOf([
    'export class Statements {',
    "  private static SUBSCRIBE = 'LISTEN inventory_changed';",
    "  protected static PATH = 'SET search_path TO tenant_a';",
    "  listenText = 'LISTEN orders';",
    '}',
    'class Hidden {',
    "  static SUBSCRIBE = 'LISTEN hidden';",
    '}',
    'export class Configurable {',
    "  static SUBSCRIBE = 'LISTEN default_channel';",
    '}',
    "Configurable.SUBSCRIBE = process.env.CHANNEL_STATEMENT ?? 'SELECT 1';",
  ]), []);
});
