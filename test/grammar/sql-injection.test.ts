// The SQL injection grammar, tokenized the way VS Code does it: vscode-textmate + vscode-oniguruma with
// VS Code's own TypeScript grammar (from the code-server install, scripts/install-code-server.sh).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { repoRoot } from '../helpers/paths';

const toolsDir = process.env.POOLSAFE_TOOLS ?? join(repoRoot, '.cache', 'tools');
const builtinExtensions = join(toolsDir, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions');
const grammarFiles: Record<string, string> = {
  'source.ts': join(builtinExtensions, 'typescript-basics', 'syntaxes', 'TypeScript.tmLanguage.json'),
  'source.sql': join(builtinExtensions, 'sql', 'syntaxes', 'sql.tmLanguage.json'),
  'inline.sql.poolsafe': join(repoRoot, 'syntaxes', 'sql-injection.tmLanguage.json'),
};

interface Token {
  text: string;
  scopes: string[];
}

let onigLib: Promise<textmate.IOnigLib>;

before(async () => {
  for (const [scope, path] of Object.entries(grammarFiles)) {
    assert.ok(existsSync(path), `grammar ${scope} missing at ${path}: run scripts/install-code-server.sh (CI installs code-server before npm test)`);
  }
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  onigLib = Promise.resolve({
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text: string) => new oniguruma.OnigString(text),
  });
});

/** A registry like VS Code's: TypeScript with our injection, with or without the SQL grammar installed. */
async function loadTypeScript(withSqlGrammar: boolean): Promise<textmate.IGrammar> {
  const registry = new textmate.Registry({
    onigLib,
    loadGrammar: async (scopeName) => {
      if (scopeName === 'source.sql' && !withSqlGrammar) return null;
      const path = grammarFiles[scopeName];
      return path ? textmate.parseRawGrammar(readFileSync(path, 'utf8'), path) : null;
    },
    getInjections: (scopeName) => (scopeName === 'source.ts' ? ['inline.sql.poolsafe'] : undefined),
  });
  const grammar = await registry.loadGrammar('source.ts');
  assert.ok(grammar, 'TypeScript grammar loads');
  return grammar;
}

function tokenize(grammar: textmate.IGrammar, source: string): Token[] {
  const tokens: Token[] = [];
  let state = textmate.INITIAL;
  for (const line of source.split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) tokens.push({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    state = result.ruleStack;
  }
  return tokens;
}

/** The scopes of the n-th token whose trimmed text is `text`. */
function scopesOf(tokens: Token[], text: string, nth = 0): string[] {
  const found = tokens.filter((t) => t.text.trim() === text);
  assert.ok(found[nth], `token "${text}" #${nth} not found in ${JSON.stringify(tokens.map((t) => t.text))}`);
  return found[nth].scopes;
}

const isSql = (scopes: string[]): boolean => scopes.includes('meta.embedded.block.sql');
const isSqlKeyword = (scopes: string[]): boolean => isSql(scopes) && scopes.some((s) => /^keyword\..*\.sql$/.test(s));

const sample = [
  "import { sql, Prisma } from './db';",                                          // 0
  'const select = 1; const from = `plain SELECT template`;',                       // 1
  'const a = sql`SELECT id FROM users WHERE id = ${userId}`;',                      // 2
  'const b = Prisma.sql`UPDATE accounts SET note = \'${note}\' WHERE id = 1`;',     // 3
  'const c = await prisma.$queryRaw<User[]>`DELETE FROM sessions WHERE user_id = ${id}`;', // 4
  'await prisma.$executeRaw`INSERT INTO log (msg) VALUES (${msg})`;',               // 5
  'const d = /* sql */ `',                                                          // 6
  '  LISTEN jobs; -- the backtick in this comment ends the template`;',             // 7
  "await pool.query(`NOTIFY jobs`);",                                                // 9
  'const html = tag`not SELECT sql`;',                                               // 10
  'const after = select + from;',                                                   // 11
].join('\n');

for (const withSqlGrammar of [true, false]) {
  const label = withSqlGrammar ? 'with VS Code\'s SQL grammar' : 'without an SQL grammar (own keyword patterns)';

  test(`SQL scopes inside sql\`…\`, Prisma.sql\`…\`, $queryRaw\`…\`, $executeRaw\`…\`, /* sql */ and .query(\`…\`), ${label}`, async () => {
    const tokens = tokenize(await loadTypeScript(withSqlGrammar), sample);
    for (const keyword of ['SELECT', 'UPDATE', 'DELETE', 'INSERT', 'LISTEN', 'NOTIFY']) {
      // VS Code's SQL grammar makes some keyword pairs one token ("INSERT INTO").
      const token = tokens.find((t) => t.text.trim().split(' ')[0] === keyword);
      assert.ok(token, `${keyword} not tokenized`);
      const scopes = token.scopes;
      assert.ok(isSqlKeyword(scopes), `${keyword}: ${scopes.join(' ')}`);
    }
    assert.ok(scopesOf(tokens, 'sql', 1).includes('entity.name.function.tagged-template.ts'), 'the tag keeps its TS scope');
    assert.ok(scopesOf(tokens, '/* sql */').some((s) => s.startsWith('comment.block')));
  });

  test(`\${…} inside SQL templates stays TypeScript, also inside SQL quotes, ${label}`, async () => {
    const tokens = tokenize(await loadTypeScript(withSqlGrammar), sample);
    for (const name of ['userId', 'note', 'id', 'msg']) {
      const index = tokens.findIndex((t, i) => t.text === name && tokens[i - 1]?.text === '${');
      assert.ok(index > 0, `\${${name}} not found`);
      const scopes = tokens[index].scopes;
      assert.ok(scopes.includes('meta.template.expression.ts'), `${name}: ${scopes.join(' ')}`);
      assert.ok(scopes.includes('variable.other.readwrite.ts'), `${name} is a TS variable: ${scopes.join(' ')}`);
      assert.ok(!scopes.some((s) => s.startsWith('keyword.')), `${name}: ${scopes.join(' ')}`);
    }
  });

  test(`no SQL scopes outside SQL templates; a backtick ends the template even in an SQL comment, ${label}`, async () => {
    const tokens = tokenize(await loadTypeScript(withSqlGrammar), sample);
    assert.ok(!isSql(scopesOf(tokens, 'select')), 'a TS variable named select');
    assert.ok(!isSql(scopesOf(tokens, 'plain SELECT template')), 'an untagged template');
    assert.ok(scopesOf(tokens, 'plain SELECT template').includes('string.template.ts'));
    assert.ok(!isSql(scopesOf(tokens, 'not SELECT sql')), 'another tag');
    const afterComment = scopesOf(tokens, 'after');
    assert.ok(!isSql(afterComment), `code after the /* sql */ template: ${afterComment.join(' ')}`);
    assert.ok(afterComment.includes('meta.definition.variable.ts'), afterComment.join(' '));
    assert.ok(!isSql(scopesOf(tokens, 'select', 1)), 'select used as a TS variable on the last line');
  });
}
