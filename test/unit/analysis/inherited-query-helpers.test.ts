// A method a class inherits from another class of the same file that sends one of its parameters as a query's
// text (`class Base extends Pool { run(text) { … client.query(text) … } }`): `this.run('LISTEN …')` in a subclass
// sends that text, as a call of a method of its own class does.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const base = `import { Pool, PoolClient } from 'pg';
export class Store extends Pool {
  async hold(text: string): Promise<PoolClient> {
    const client = await this.connect();
    await client.query(text);
    return client;
  }
}
`;

test("text a subclass (or its subclass) hands to an inherited method that runs it on a kept client is read", () => {
  const text = `${base}export class Feed extends Store {
  listener?: PoolClient;
  async follow(topic: string) {
    this.listener = await this.hold(\`LISTEN feed_\${topic}\`);
  }
}
export class TenantFeed extends Feed {
  async scope(tenant: string) {
    await this.hold(\`SET search_path TO \${tenant}\`);
  }
}`;
  assert.deepEqual(embeddedFindings(text).map(([rule]) => rule), ['listen', 'session-set']);
});

test('a method the subclass declares itself is the one called, and an unrelated class inherits nothing', () => {
  const text = `${base}export class Quiet extends Store {
  async hold(text: string): Promise<PoolClient> { console.log(text); return this.connect(); }
  async follow(topic: string) { await this.hold(\`LISTEN feed_\${topic}\`); }
}
class Other {
  hold(text: string) { return text.length; }
  follow(topic: string) { return this.hold(\`LISTEN feed_\${topic}\`); }
}
export const other = new Other();`;
  assert.deepEqual(embeddedFindings(text), []);
});
