// postgrejs (also published as postgresql-client): a Connection, or a Pool (whose connections take its config),
// configured with `schema` sends `SET search_path = '…'` as an autocommitted statement of its own each time a
// connection is opened (its IntlConnection.connect; the driver's line is labelled a true finding in this corpus).
// Behind a transaction pooler that SET lands on whichever server connection served it; later queries run on others
// without it, and it stays behind for other clients: a session-set at the option, as for knex's `searchPath` and
// pg-promise's `schema` (searchPathOptions.ts). Read on `new Connection(config)` / `new Pool(config)` of the class
// imported from the driver under any name, the config written in place or held by a local name: its initializer's
// `schema`, and a `config.schema = …` written onto it before the `new` (an adapter copying its own options over one by
// one, optionAssignments.ts), where it is reported.
import ts from 'typescript';
import { unwrap, type Flow } from './embeddedFlow';
import { POSTGREJS_MODULES, SCHEMA_OPTION } from './codeWords';
import { fileImports } from './ownServerHelpers';
import { propertyNameText } from './astWalk';
import { setsNoSearchPath } from './searchPathOptions';
import { optionAssignmentsBefore } from './optionAssignments';

/** The driver's classes whose config makes every connection they open send the SET. */
const CONFIGURED_CLASSES: ReadonlySet<string> = new Set(['Connection', 'Pool']);

/** The `schema` option a postgrejs Connection or Pool is made with: where it is written, the driver's module, the config. */
export interface PostgrejsSchemaOption {
  /** The property (`schema: 'app'`) or the assignment (`cfg.schema = config.schema`): where it is reported. */
  option: ts.Node;
  /** The module the class was imported from (`postgresql-client`), named in the message. */
  module: string;
  /** The config handed to the class. */
  config: ts.Expression;
}

/** The schema options of a `new` of the driver's Connection or Pool (none for any other `new`, or a config that sets no schema). */
export function postgrejsSchemaOptions(creation: ts.NewExpression, flow: Flow): PostgrejsSchemaOption[] {
  const module = driverModule(creation.expression);
  const config = creation.arguments?.[0];
  if (!module || !config || ts.isSpreadElement(config)) return [];
  const value = unwrap(config);
  if (ts.isObjectLiteralExpression(value)) return schemaProperties(value).map((option) => ({ option, module, config }));
  if (!ts.isIdentifier(value)) return [];
  const initializer = flow.declaredInitializer(value);
  const held = initializer && unwrap(initializer);
  const written = held && ts.isObjectLiteralExpression(held) ? schemaProperties(held) : [];
  const assigned = optionAssignmentsBefore(value, flow)
    .filter(({ option, assignment }) => option === SCHEMA_OPTION && !setsNoSearchPath(assignment.right))
    .map(({ assignment }) => assignment);
  return [...written, ...assigned].map((option) => ({ option, module, config }));
}

/** The driver module a class expression is imported from, when it is the driver's Connection or Pool (renamed on import too). */
function driverModule(expression: ts.Expression): string | undefined {
  if (!ts.isIdentifier(expression)) return undefined;
  const imported = fileImports(expression.getSourceFile()).get(expression.text);
  return imported && POSTGREJS_MODULES.includes(imported.specifier) && CONFIGURED_CLASSES.has(imported.name) ? imported.specifier : undefined;
}

/** The `schema` properties of a config written as an object, unless set to a value that sends nothing. */
function schemaProperties(config: ts.ObjectLiteralExpression): ts.ObjectLiteralElementLike[] {
  return config.properties.filter((property) => (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property))
    && propertyNameText(property.name) === SCHEMA_OPTION && !(ts.isPropertyAssignment(property) && setsNoSearchPath(property.initializer)));
}
