// The declared type of a member reached through a value whose type the code declares: `app.db` where the function
// is handed `app: App`, and `App` is a type literal (`{ db: postgres.Sql }`), an interface or type alias of the file
// or of a module of the project (`export interface Services { db: Sql }`, `export type App = FastifyInstance`), or a
// package's interface the project augments (`declare module 'fastify' { interface FastifyInstance { db: postgres.Sql
// } }`, in any source file of the project, session 52). The member's type node comes back with the file that writes
// it, so a caller judges it with that file's imports (importedPostgresJsClients.ts's isPostgresJsClientType), and with
// the augmenting module's `decorate('db', value)` calls (a Fastify plugin's), whose values say what the member holds.
// Only written declarations are read: no inference, no `extends` or intersections of several declarations.
import ts from 'typescript';
import { resolve } from 'node:path';
import { importedNames, type ImportedName } from './importedNames';
import { projectModulePath } from './moduleResolution';
import { ModuleFacts, parsedModule } from './parsedModules';
import { projectAugmentationsOf } from './projectImporters';
import { unwrap } from './embeddedFlow';
import { hasModifier, walkDescendants } from './astWalk';
import { propertyType, typeDeclaredInFile } from './declaredTypes';

/** A member's declared type, in the file that writes it; `decorations`: the values that file's `decorate('member', value)` calls give it. */
export interface DeclaredMember {
  type: ts.TypeNode;
  source: ts.SourceFile;
  fileName: string | undefined;
  decorations: readonly ts.Expression[];
}

/** How many aliases, imports and augmentations are followed from a declared type to the member's declaration. */
const MAX_STEPS = 4;

/**
 * The declaration of `member` in `type` (a declared type written in `source`, the file at `fileName`): a property of a
 * type literal, of an interface or type alias the file declares, of one a module of the project exports, or of a
 * package's interface a source file of the project augments. Undefined when none of them declares it, or when two
 * augmentations declare it differently.
 */
export function declaredMember(type: ts.TypeNode | undefined, member: string, source: ts.SourceFile, fileName: string | undefined, steps = 0): DeclaredMember | undefined {
  if (!type || steps > MAX_STEPS) return undefined;
  if (ts.isParenthesizedTypeNode(type)) return declaredMember(type.type, member, source, fileName, steps);
  if (ts.isTypeLiteralNode(type)) return propertyOf(type.members, member, source, fileName);
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
  const name = type.typeName.text;
  const local = typeDeclaredInFile(source, name);
  if (local) {
    return ts.isInterfaceDeclaration(local) ? propertyOf(local.members, member, source, fileName) : declaredMember(local.type, member, source, fileName, steps + 1);
  }
  const imported = fileName !== undefined ? importedNames(source, true).get(name) : undefined;
  return imported && importedMember(imported, member, fileName!, steps + 1);
}

/** The member of a type another module names: the project module's export, or the package's interface as the project augments it. */
function importedMember(imported: ImportedName, member: string, importer: string, steps: number): DeclaredMember | undefined {
  const path = projectModulePath(resolve(importer), imported.specifier);
  if (path) {
    const module = path !== resolve(importer) ? parsedModule(path) : undefined;
    const exported = module && typeDeclaredInFile(module, imported.name);
    if (!module || !exported || !hasModifier(exported, ts.SyntaxKind.ExportKeyword)) return undefined;
    return ts.isInterfaceDeclaration(exported) ? propertyOf(exported.members, member, module, path) : declaredMember(exported.type, member, module, path, steps);
  }
  if (imported.specifier.startsWith('.') || imported.name === 'default') return undefined;
  let found: DeclaredMember | undefined;
  for (const file of projectAugmentationsOf(resolve(importer), imported.specifier) ?? []) {
    const augmented = moduleAugmentations.of(file)?.get(`${imported.specifier}\u0000${imported.name}`);
    const declared = augmented && propertyOf(augmented.members, member, augmented.source, file);
    if (!declared) continue;
    // Two augmentations giving the member different types: not known which one the code means.
    if (found && found.type.getText(found.source) !== declared.type.getText(declared.source)) return undefined;
    found ??= declared;
  }
  return found;
}

/** Per module: the interfaces its `declare module 'x' { interface N { … } }` blocks declare, by `x` and `N` (their members joined). */
const moduleAugmentations = new ModuleFacts((read) => {
  const interfaces = new Map<string, { members: ts.TypeElement[]; source: ts.SourceFile }>();
  if (!read.text.includes('declare module')) return interfaces;
  const source = read.source;
  walkDescendants(source, (node) => {
    if (!ts.isModuleDeclaration(node)) return !ts.isFunctionLike(node);
    if (!ts.isStringLiteral(node.name) || !node.body || !ts.isModuleBlock(node.body)) return false;
    for (const statement of node.body.statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue;
      const key = `${node.name.text}\u0000${statement.name.text}`;
      const known = interfaces.get(key) ?? { members: [], source };
      known.members.push(...statement.members);
      interfaces.set(key, known);
    }
    return false;
  });
  return interfaces;
});

/** The property `member` among a type's members, with its declared type; optional or not. */
function propertyOf(members: readonly ts.TypeElement[], member: string, source: ts.SourceFile, fileName: string | undefined): DeclaredMember | undefined {
  const type = propertyType(members, member);
  return type && { type, source, fileName, decorations: decorationsOf(source, member) };
}

/**
 * The values a file's `x.decorate('member', value)` calls give the member (a Fastify plugin decorating its instance),
 * each followed through a const of an enclosing block (`const sql = postgres(url); app.decorate('db', sql)`).
 */
function decorationsOf(source: ts.SourceFile, member: string): ts.Expression[] {
  const values: ts.Expression[] = [];
  if (!source.text.includes('decorate')) return values;
  walkDescendants(source, (node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'decorate'
      && node.arguments.length === 2 && ts.isStringLiteralLike(node.arguments[0]) && node.arguments[0].text === member) {
      const value = unwrap(node.arguments[1]);
      values.push(ts.isIdentifier(value) ? enclosingConst(value) ?? value : value);
    }
    return true;
  });
  return values;
}

/** The initializer of the const `name` names, declared in a statement of a block (or the file) enclosing it. */
function enclosingConst(name: ts.Identifier): ts.Expression | undefined {
  for (let scope: ts.Node | undefined = name.parent; scope; scope = scope.parent) {
    if (!ts.isBlock(scope) && !ts.isSourceFile(scope)) continue;
    for (const statement of scope.statements) {
      if (!ts.isVariableStatement(statement) || (statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
      const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name.text);
      if (declaration) return declaration.initializer && unwrap(declaration.initializer);
    }
  }
  return undefined;
}
