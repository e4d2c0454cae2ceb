// The type an expression of TS code is declared with, as the file writes it (no type checker): a parameter's
// or variable's annotation, a name destructured out of a declared object (`{ tx }: { tx: Prisma.TransactionClient }`,
// `const { tx } = params` with `params: MigrationParams`), and a property of a declared object (`params.tx`).
// A property's type is read from a type literal, or from an interface or type alias declared in the same file
// (also through `&`); a type declared in another module is not followed.
import ts from 'typescript';
import type { Flow } from './embeddedFlow';
import { nonNullishMembers } from './astWalk';

const MAX_DEPTH = 4;

/** The declared type of `expression` (an identifier or a chain of property reads), when the file says it. */
export function declaredType(expression: ts.Expression, flow: Flow, depth = 0): ts.TypeNode | undefined {
  if (depth > MAX_DEPTH) return undefined;
  let value = expression;
  while (ts.isParenthesizedExpression(value) || ts.isAwaitExpression(value) || ts.isNonNullExpression(value)) value = value.expression;
  if (ts.isPropertyAccessExpression(value)) {
    const owner = declaredType(value.expression, flow, depth + 1);
    return owner && memberType(owner, value.name.text, depth + 1);
  }
  if (!ts.isIdentifier(value)) return undefined;
  const binding = flow.bindingOf(value);
  if (binding && 'parameterOf' in binding) return boundType(binding.parameter.name, binding.parameter.type, value.text, depth);
  if (binding) return ts.isIdentifier(binding.variable.name) ? binding.variable.type : undefined;
  const destructuring = flow.destructuringOf(value);
  if (!destructuring) return undefined;
  const whole = destructuring.type ?? (destructuring.initializer && declaredType(destructuring.initializer, flow, depth + 1));
  return boundType(destructuring.name, whole, value.text, depth);
}

/** The type `name` gets from a binding (a plain name, or an object pattern that takes it out of a value of `type`). */
function boundType(binding: ts.BindingName, type: ts.TypeNode | undefined, name: string, depth: number): ts.TypeNode | undefined {
  if (!type || depth > MAX_DEPTH) return undefined;
  if (ts.isIdentifier(binding)) return binding.text === name ? type : undefined;
  if (!ts.isObjectBindingPattern(binding)) return undefined;
  for (const element of binding.elements) {
    if (element.dotDotDotToken) continue;
    const property = element.propertyName ?? element.name;
    if (!ts.isIdentifier(property) && !ts.isStringLiteral(property)) continue;
    const member = memberType(type, property.text, depth + 1);
    const found = member && boundType(element.name, member, name, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The declared type of property `name` of a value of `type`. */
function memberType(type: ts.TypeNode, name: string, depth: number): ts.TypeNode | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (ts.isParenthesizedTypeNode(type)) return memberType(type.type, name, depth + 1);
  if (ts.isTypeLiteralNode(type)) return propertyType(type.members, name);
  if (ts.isIntersectionTypeNode(type)) {
    for (const part of type.types) {
      const found = memberType(part, name, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
  const declaration = typeDeclaredInFile(type.getSourceFile(), type.typeName.text);
  if (!declaration) return undefined;
  return ts.isInterfaceDeclaration(declaration) ? propertyType(declaration.members, name) : memberType(declaration.type, name, depth + 1);
}

/** The declared type of the first property signature named `name` among a type's members (optional or not). */
export function propertyType(members: readonly ts.TypeElement[], name: string): ts.TypeNode | undefined {
  for (const member of members) {
    if (ts.isPropertySignature(member) && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) && member.name.text === name) return member.type;
  }
  return undefined;
}

type NamedType = ts.InterfaceDeclaration | ts.TypeAliasDeclaration;

const declarationsBySource = new WeakMap<ts.SourceFile, Map<string, NamedType>>();

/** An interface or type alias of the module's top level (exported or not) named `name`; an interface declared twice: its first declaration. */
export function typeDeclaredInFile(source: ts.SourceFile, name: string): NamedType | undefined {
  let declarations = declarationsBySource.get(source);
  if (!declarations) {
    declarations = new Map();
    for (const statement of source.statements) {
      if ((ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && !declarations.has(statement.name.text)) declarations.set(statement.name.text, statement);
    }
    declarationsBySource.set(source, declarations);
  }
  return declarations.get(name);
}

/**
 * Whether a declared type is a plain reference to one of `names` (the local names a file gives an imported type), also
 * as an optional value (`Handler | undefined`, `Handler | null`: a union of such references and nullish members).
 */
export function referenceNamedIn(type: ts.TypeNode | undefined, names: ReadonlySet<string>): boolean {
  if (!type) return false;
  if (ts.isParenthesizedTypeNode(type)) return referenceNamedIn(type.type, names);
  if (ts.isUnionTypeNode(type)) {
    const values = nonNullishMembers(type);
    return values.length > 0 && values.every((member) => referenceNamedIn(member, names));
  }
  return ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && names.has(type.typeName.text);
}

/** Whether a declared type (every member of a union) is a reference whose last name matches (`Knex.Transaction`, `postgres.Sql<{}>`). */
export function typeNameMatches(type: ts.TypeNode | undefined, pattern: RegExp): boolean {
  if (!type) return false;
  if (ts.isUnionTypeNode(type)) return type.types.every((member) => typeNameMatches(member, pattern));
  if (!ts.isTypeReferenceNode(type)) return false;
  const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
  return pattern.test(name);
}
