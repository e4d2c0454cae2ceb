// A library option taken from a member of the project's configuration object that the configuration never sets outside
// tests: `searchPath: config.dbSchema` where the imported config module writes `dbSchema: undefined as string |
// undefined` and only test files give it a value (`initIocContainer({ ...Config, dbSchema: 'test_schema' })`, each test
// suite on its own schema). The application's run hands the library nothing there, so it sends no SET. Read for knex's
// searchPath (knexSearchPath.ts). The value counts as unset only when every step is in sight: the member is read from
// the imported object itself, or from a local of the same name (any case: `config` for `Config`, a dependency container's
// copy) in a file that hands the imported object whole to a call (`initIocContainer(Config)`); the module exports an
// object literal writing the member as a value that sets nothing (searchPathOptions.ts's setsNoSearchPath) and writes
// nothing along it itself (configMembers.ts's exportedMember); and no file of the project outside test code gives a member
// of that name a value (an object literal's entry or an assignment, unless its value too sets nothing) or hands the name
// to a call as a string. A project too big to list keeps the finding.
import ts from 'typescript';
import { resolve } from 'node:path';
import { isAssignmentExpression, walkDescendants } from './astWalk';
import { parsed } from './callerFiles';
import { exportedMember, memberChain } from './configMembers';
import { unwrap, type Flow } from './embeddedFlow';
import { importedNames, type ImportedName } from './importedNames';
import { namesProjectFile, resolveModule } from './moduleResolution';
import { projectFilesNaming } from './projectImporters';
import { setsNoSearchPath } from './searchPathOptions';
import { TEST_PATH } from './testPath';

/** Whether `value` reads a member of the project's configuration object that only test code sets (see above). */
export function isConfigMemberUnsetOutsideTests(value: ts.Expression, fileName: string | undefined, flow: Flow): boolean {
  if (fileName === undefined) return false;
  const chain = memberChain(value);
  if (!chain || chain.path.length === 0) return false;
  const source = value.getSourceFile();
  const origin = importedConfigOf(chain.root, source, flow);
  if (!origin || !namesProjectFile(fileName, origin.specifier)) return false;
  const configFile = resolveModule(fileName, origin.specifier);
  const config = configFile === undefined ? undefined : parsed(configFile);
  const member = config && exportedMember(config.source, origin.name, chain.path);
  if (!member || !setsNoSearchPath(member.value)) return false;
  return !memberWrittenOutsideTests(fileName, chain.path[chain.path.length - 1]);
}

/**
 * The import a member chain's root reads: the imported name itself (no local binding shadows it), or a local of the same
 * name in another case (`config` for `Config`) in a file that hands the imported object whole to a call.
 */
function importedConfigOf(root: ts.Identifier, source: ts.SourceFile, flow: Flow): ImportedName | undefined {
  const imports = importedNames(source);
  if (flow.bindingOf(root) === undefined) return imports.get(root.text);
  if (imports.has(root.text)) return undefined;
  const sameName = [...imports].filter(([name]) => name.toLowerCase() === root.text.toLowerCase());
  if (sameName.length !== 1) return undefined;
  const [importedName, origin] = sameName[0];
  return handsWholeToCall(source, importedName) ? origin : undefined;
}

/** Whether the file passes the name itself as an argument of a call (`initIocContainer(Config)`). */
function handsWholeToCall(source: ts.SourceFile, name: string): boolean {
  let handed = false;
  walkDescendants(source, (node) => {
    if (ts.isCallExpression(node) && node.arguments.some((argument) => ts.isIdentifier(argument) && argument.text === name)) handed = true;
  }, () => handed);
  return handed;
}

/**
 * Whether a file of the project outside test code may give the member a value: an object literal's entry of that name,
 * or an assignment to a member of that name, whose value is one that sets something (the configuration's own
 * `undefined` entry, or another package's, is none), or a call handed the name as a string (`set(config, 'dbSchema',
 * …)`). True when the project cannot be listed or a file naming it cannot be read.
 */
function memberWrittenOutsideTests(fileName: string, member: string): boolean {
  const files = projectFilesNaming(resolve(fileName), member);
  if (files === undefined) return true;
  return files.some((file) => {
    if (TEST_PATH.test(file)) return false;
    const view = parsed(file);
    return view === undefined || writesMember(view.source, member);
  });
}

/** Whether a file gives the member a value (see memberWrittenOutsideTests). */
function writesMember(source: ts.SourceFile, member: string): boolean {
  let writes = false;
  walkDescendants(source, (node) => {
    if (ts.isShorthandPropertyAssignment(node)) writes = node.name.text === member;
    else if (ts.isPropertyAssignment(node)) writes = propertyNamed(node.name, member) && !setsNoSearchPath(node.initializer);
    else if (isAssignmentExpression(node)) writes = assignsMember(node.left, member) && !setsNoSearchPath(node.right);
    else if (ts.isCallExpression(node)) writes = node.arguments.some((argument) => ts.isStringLiteralLike(argument) && argument.text === member);
  }, () => writes);
  return writes;
}

function propertyNamed(name: ts.PropertyName, member: string): boolean {
  return (ts.isIdentifier(name) || ts.isStringLiteralLike(name)) && name.text === member;
}

/** `x.member = …` or `x['member'] = …`. */
function assignsMember(target: ts.Expression, member: string): boolean {
  const left = unwrap(target);
  if (ts.isPropertyAccessExpression(left)) return left.name.text === member;
  return ts.isElementAccessExpression(left) && ts.isStringLiteralLike(left.argumentExpression) && left.argumentExpression.text === member;
}
