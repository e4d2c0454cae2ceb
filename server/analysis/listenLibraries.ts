// LISTEN sent by a LISTEN/NOTIFY library, not written as SQL: pg-listen's `subscriber.listenTo(channel)`,
// pg-pubsub's `pubsub.addChannel(channel, fn)`, @imqueue/pg-pubsub's `pubSub.listen(channel)` and pg-ipc's (or
// postgres-ipc's) `ipc.on(channel, fn)` on an emitter made from a pg Client (`new PgIpc(client)`) each send
// `LISTEN "channel"` on the one pg Client the library opened with the connection string it was given; so does
// pg-notify's `pubsub.on(channel, fn)` on a `new PGPubSub(config)` (the config is pg's). Behind a transaction pooler that registration stays on a
// server connection other clients share, and notifications are lost when the pooler reassigns it.
//
// Forks published under a scope (`@acme/pg-pubsub`) count as the library; a subscriber made in another module and reached
// through an object counts in a package whose package.json depends on the library or such a fork.
//
// A pg-ipc emitter is followed into a helper it is handed: a function subscribing on its parameter, which its module or
// an importer calls with such an emitter (`eventEmitterAsyncIterator(this.ee, triggers)`), in a package that depends on
// pg-ipc. In pg-ipc's own package its entry, required by a relative path (`require('.')`), is the library.
//
// A project may be such a library itself, or keep its own copy or fork of one: its tests and examples then
// subscribe through a class imported by a relative path (`import { Subscriber } from '..'`). The same subscribe
// calls count there when the class's own method of that name sends LISTEN (read from the imported file). Other
// methods of the project that send LISTEN are not reported at their callers: the LISTEN is reported once, where
// the method sends it.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { ADD_CHANNEL_METHOD, EMITTER_SUBSCRIBE_METHODS, IMQUEUE_PG_PUBSUB_MODULE, LISTEN_METHOD, LISTEN_TO_METHOD, PG_IPC_MODULES, PG_LISTEN_MODULE, PG_NOTIFY_MODULE, PG_PUBSUB_MODULE } from './codeWords';
import { join, resolve } from 'node:path';
import { importedModules, type ImportedModule } from './embeddedDialect';
import { hasModifier, walkDescendants } from './astWalk';
import { callerFiles, parsed } from './callerFiles';
import { subscriberConnectsDirectly } from './directUrls';
import { owningPackage, packageDependencies, resolveModule } from './moduleResolution';
import { importedNames, requiredNames } from './ownServerHelpers';
import { ModuleFacts, type ModuleRead } from './parsedModules';

/**
 * The subscribe calls of the LISTEN/NOTIFY libraries this file knows that count on the project's own class too.
 * Not `listen`: a far commoner name (servers, emitters, mocks in a library's unit tests), whose LISTEN is
 * reported where the method sends it.
 */
const SUBSCRIBE_METHODS: ReadonlySet<string> = new Set([LISTEN_TO_METHOD, ADD_CHANNEL_METHOD]);

export class ListenLibraryCalls {
  private readonly importsPgListen: boolean;
  private readonly importsPgPubsub: boolean;
  /** Receivers bound in this file to @imqueue/pg-pubsub's classes (its `PgPubSub`), under the names they are imported as. */
  private readonly imqueueSubscribers: InstanceNames;
  /** Receivers bound in this file to pg-ipc's (or postgres-ipc's) emitter class, under the names it is imported as. */
  private readonly ipcEmitters: InstanceNames;
  /** Receivers bound in this file to pg-notify's `PGPubSub`, under the names it is imported as. */
  private readonly notifySubscribers: InstanceNames;
  /** Per module imported by a relative path: the names bound here to its classes, with the class; found on first use. */
  private ownSubscribers: Map<string, Map<string, string>> | undefined;

  constructor(private readonly modules: readonly ImportedModule[], private readonly text: string, private readonly fileName?: string) {
    this.importsPgListen = modules.some((module) => isLibrary(module.specifier, PG_LISTEN_MODULE));
    this.importsPgPubsub = modules.some((module) => isLibrary(module.specifier, PG_PUBSUB_MODULE));
    this.imqueueSubscribers = new InstanceNames(text, modules.filter((module) => module.specifier === IMQUEUE_PG_PUBSUB_MODULE).flatMap((module) => module.names));
    // pg-ipc's export makes an emitter called with `new` or without (`const ee = ipc(client)`, its README's form).
    this.ipcEmitters = new InstanceNames(text, modules.filter((module) => PG_IPC_MODULES.includes(module.specifier) || isOwnLibraryEntry(module.specifier, fileName, PG_IPC_MODULES))
      .flatMap(classNames), true);
    this.notifySubscribers = new InstanceNames(text, modules.filter((module) => module.specifier === PG_NOTIFY_MODULE).flatMap(classNames));
  }

  /**
   * Whether `receiver.name(…)` subscribes through such a library. pg-listen's `listenTo` takes the channel
   * alone; it counts in a file importing pg-listen, or on a receiver whose `.notifications.on(…)` (pg-listen's
   * emitter of channel payloads) this file also uses: a subscriber made in another module. (Backbone's
   * `listenTo(object, event, fn)` has three arguments.) pg-pubsub's `addChannel` is a common name: only in a
   * file importing pg-pubsub. @imqueue/pg-pubsub's `listen(channel)` is a far commoner name (`server.listen(port)`):
   * only on a receiver this file makes or declares as one of that module's classes (`pubSub = new PgPubSub(…)`,
   * `private pubSub: PgPubSub`). pg-notify's `on(channel, fn)`: only on a receiver bound here to its class.
   */
  sendsListen(call: ts.CallExpression, name: string, receiver: ts.Expression): boolean {
    const channel = call.arguments[0];
    if (!namesChannel(channel)) return false;
    if (SUBSCRIBE_METHODS.has(name) && this.isOwnSubscriber(receiver, name)) return true;
    if (name === LISTEN_TO_METHOD) return call.arguments.length === 1 && (this.importsPgListen || this.usesNotificationEmitter(receiver) || this.projectDependsOn(PG_LISTEN_MODULE));
    if (name === LISTEN_METHOD) return call.arguments.length === 1 && this.imqueueSubscribers.binds(receiver);
    if (name === PG_NOTIFY_SUBSCRIBE_METHOD && call.arguments.length === 2 && this.notifySubscribers.binds(receiver)) return true;
    if (IPC_SUBSCRIBE_METHODS.has(name)) return call.arguments.length === 2 && !namesIpcEvent(channel) && (this.ipcEmitters.binds(receiver) || this.handedIpcEmitter(receiver));
    // A subscriber made in another module (`this.ctx.emitter.addChannel(channel, onEvent)`): pg-pubsub's two-argument
    // form with a handler, in a package that depends on pg-pubsub or a fork of it.
    return name === ADD_CHANNEL_METHOD && (this.importsPgPubsub || (call.arguments.length === 2 && isHandler(call.arguments[1]) && this.projectDependsOn(PG_PUBSUB_MODULE)));
  }

  private dependencies: ReadonlySet<string> | undefined;
  /** Per parameter place (`name:index`), whether a module of the project hands the function a pg-ipc emitter there. */
  private readonly handedPlaces = new Map<string, boolean>();

  /**
   * Whether the receiver is a parameter of a named function of this file (`eventEmitterAsyncIterator(eventEmitter, …)`)
   * that this module, or one importing the function from it, calls with a pg-ipc emitter in that place
   * (`eventEmitterAsyncIterator(this.ee, triggers)` where `this.ee = new PgIPC(client)`): a helper that subscribes on
   * the emitter it is handed sends LISTEN on that emitter's pg Client. Only in a package that depends on pg-ipc (or
   * postgres-ipc), where the importers are read (callerFiles.ts, bounded).
   */
  private handedIpcEmitter(receiver: ts.Expression): boolean {
    if (!ts.isIdentifier(receiver) || !this.fileName || !PG_IPC_MODULES.some((module) => this.projectDependsOn(module))) return false;
    const place = parameterPlace(receiver);
    if (!place) return false;
    const key = `${place.name}:${place.index}`;
    let handed = this.handedPlaces.get(key);
    if (handed === undefined) {
      handed = this.callsWithIpcEmitter(receiver.getSourceFile(), place.name, place.index);
      this.handedPlaces.set(key, handed);
    }
    return handed;
  }

  private callsWithIpcEmitter(own: ts.SourceFile, name: string, index: number): boolean {
    // This module's own calls (`return eventEmitterAsyncIterator(this.ee, triggers)` beside the class).
    if (callsPassing(own, new Set([name]), index, (argument) => this.ipcEmitters.binds(argument))) return true;
    const self = resolve(this.fileName!);
    for (const file of callerFiles(self)) {
      if (file === self) continue;
      const source = parsed(file)?.source;
      if (!source || !source.text.includes(name)) continue;
      const locals = new Set<string>();
      for (const [local, imported] of [...importedNames(source), ...requiredNames(source)]) {
        if (imported.name === name && resolveModule(file, imported.specifier) === self) locals.add(local);
      }
      if (locals.size === 0) continue;
      const emitters = new InstanceNames(source.text, importedModules(source).filter((module) => PG_IPC_MODULES.includes(module.specifier)).flatMap(classNames), true);
      if (callsPassing(source, locals, index, (argument) => emitters.binds(argument))) return true;
    }
    return false;
  }

  /** Whether the file's own package.json lists the library, or a fork of it published under a scope (`@acme/pg-pubsub`). */
  private projectDependsOn(library: string): boolean {
    if (!this.fileName) return false;
    this.dependencies ??= packageDependencies(this.fileName);
    for (const name of this.dependencies) if (isLibrary(name, library)) return true;
    return false;
  }

  /**
   * Whether the receiver is bound here to a class this file imports by a relative path (the project's own), whose
   * module has a class with a method of this name that sends LISTEN itself: the project's own subscriber library.
   */
  private isOwnSubscriber(receiver: ts.Expression, method: string): boolean {
    const name = receiverName(receiver);
    if (!name || !this.fileName) return false;
    if (!this.ownSubscribers) {
      this.ownSubscribers = new Map();
      for (const module of this.modules) {
        if (!module.specifier.startsWith('.')) continue;
        const classes = module.names.filter((n) => /^[A-Z][\w$]*$/.test(n));
        if (classes.length > 0) this.ownSubscribers.set(module.specifier, namesBoundTo(this.text, classes));
      }
    }
    for (const [specifier, names] of this.ownSubscribers) {
      const className = names.get(name);
      const path = className && resolveModule(this.fileName, specifier);
      const classes = path ? listeningMethods(path) : undefined;
      // The class of that name, or the module's default export (imported under any name).
      if (classes && (classes.get(className!) ?? classes.get(DEFAULT_EXPORT))?.has(method)) return true;
    }
    return false;
  }

  /**
   * Whether the subscribers this file makes (`createSubscriber(…)` of pg-listen, `new PGPubsub(…)`) all connect
   * with a URL the project keeps for direct sessions (directUrls.ts). A subscriber made in another file, or
   * none found, keeps the finding.
   */
  connectsDirectly(source: ts.SourceFile, fileName: string | undefined): boolean {
    if (this.direct === undefined) {
      const creations = this.subscriberCreations(source);
      this.direct = creations.length > 0 && creations.every((creation) => subscriberConnectsDirectly(creation, fileName));
    }
    return this.direct;
  }

  private direct: boolean | undefined;

  private subscriberCreations(source: ts.SourceFile): (ts.CallExpression | ts.NewExpression)[] {
    const factories = new Set([
      ...this.modules.filter((m) => isLibrary(m.specifier, PG_LISTEN_MODULE) || isLibrary(m.specifier, PG_PUBSUB_MODULE) || m.specifier === IMQUEUE_PG_PUBSUB_MODULE).flatMap((m) => m.names),
      ...this.modules.filter((m) => m.specifier === PG_NOTIFY_MODULE).flatMap(classNames),
    ]);
    const creations: (ts.CallExpression | ts.NewExpression)[] = [];
    if (factories.size === 0) return creations;
    walkDescendants(source, (node) => {
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && ts.isIdentifier(node.expression) && factories.has(node.expression.text)) creations.push(node);
      return true;
    });
    return creations;
  }

  private usesNotificationEmitter(receiver: ts.Expression): boolean {
    const text = receiver.getText().replace(/\s+/g, '');
    const escaped = text.replace(/[$.()[\]]/g, '\\$&');
    return new RegExp(String.raw`(?:^|[^\w$.])${escaped}\s*\.\s*notifications\s*\.\s*(?:on|once|addListener)\s*\(`).test(this.text);
  }
}

/**
 * Whether a module specifier or dependency names the library or a fork of it published under a scope (`@acme/pg-pubsub`,
 * `@acme/pg-listen`); @imqueue/pg-pubsub is another library with another API (its own entry).
 */
function isLibrary(specifier: string, library: string): boolean {
  return specifier === library || (specifier.startsWith('@') && specifier.endsWith(`/${library}`) && specifier !== IMQUEUE_PG_PUBSUB_MODULE);
}

/** The names a module is imported under: its named imports, its default import, or the whole module (`require('pg-notify')`). */
function classNames(module: ImportedModule): string[] {
  return [...module.names, ...(module.whole ? [module.whole] : [])];
}

/** pg-notify's subscribe method: `pubsub.on(channel, listener)`. */
const PG_NOTIFY_SUBSCRIBE_METHOD = 'on';

/**
 * pg-ipc's emitter methods that add a listener: for a channel with no listener yet, the emitter sends `LISTEN channel`
 * on its pg Client (a `newListener` hook).
 */
const IPC_SUBSCRIBE_METHODS: ReadonlySet<string> = new Set(EMITTER_SUBSCRIBE_METHODS);

/** The emitter's own events (pg-ipc's and postgres-ipc's), which are not channels and send no LISTEN. */
const IPC_EVENTS: ReadonlySet<string> = new Set(['newListener', 'removeListener', 'notification', 'notify', 'error', 'warning', 'debug', 'end',
  'connecting', 'connected', 'disconnected', 'ready']);

/** A channel argument written out as one of the emitter's own events (`ipc.on('error', fn)`). */
function namesIpcEvent(argument: ts.Expression | undefined): boolean {
  const value = argument && unwrap(argument);
  return value !== undefined && ts.isStringLiteralLike(value) && IPC_EVENTS.has(value.text);
}

/** A handler argument: a function, or a name, member or call that stands for one (not a literal or an object). */
function isHandler(argument: ts.Expression): boolean {
  let value = argument;
  while (ts.isParenthesizedExpression(value) || ts.isAsExpression(value)) value = value.expression;
  return ts.isArrowFunction(value) || ts.isFunctionExpression(value) || ts.isIdentifier(value) || ts.isPropertyAccessExpression(value) || ts.isCallExpression(value);
}

/** The names a file binds to a new instance, or declares with the type, of some classes (namesBoundTo); found on first use. */
class InstanceNames {
  private names: ReadonlySet<string> | undefined;

  /** `called`: a call of the class's name without `new` makes one too (`ee = ipc(client)`). */
  constructor(private readonly text: string, private readonly classes: readonly string[], private readonly called = false) {}

  /** Whether the receiver's name (`pubSub`, `this.pubSub`) is bound in the file to a new instance, or a declared type, of one of the classes. */
  binds(receiver: ts.Expression): boolean {
    if (this.classes.length === 0) return false;
    const name = receiverName(receiver);
    if (!name) return false;
    this.names ??= new Set(namesBoundTo(this.text, this.classes, this.called).keys());
    return this.names.has(name);
  }
}

function receiverName(receiver: ts.Expression): string | undefined {
  return ts.isIdentifier(receiver) ? receiver.text : ts.isPropertyAccessExpression(receiver) ? receiver.name.text : undefined;
}

/**
 * The names `text` binds to a `new` of one of the classes (`sub = new Subscriber(…)`; with `called`, a call of it too:
 * `ee = ipc(client)`) or declares with one as type (`sub: Subscriber`), each with its class (the first one found).
 */
function namesBoundTo(text: string, classes: readonly string[], called = false): Map<string, string> {
  const alternatives = classes.map((c) => c.replace(/[$]/g, '\\$&')).join('|');
  const made = called ? String.raw`(?:new\s+)?` : String.raw`new\s+`;
  const binding = new RegExp(String.raw`(?<![\w$])([\w$]+)\s*(?::\s*(${alternatives})\b|=\s*${made}(${alternatives})\s*\()`, 'g');
  const names = new Map<string, string>();
  for (const match of text.matchAll(binding)) if (!names.has(match[1])) names.set(match[1], match[2] ?? match[3]);
  return names;
}

const DEFAULT_EXPORT = 'default';
const listeningMethodsByFile = new ModuleFacts(classesListening);
const NO_CLASSES: ReadonlyMap<string, ReadonlySet<string>> = new Map();

/**
 * Per class the file declares (by name, and its default export as `default`): its subscribe methods
 * (SUBSCRIBE_METHODS) that send LISTEN in their own body, a query of text opening with `LISTEN`
 * (`this.client.query(\`LISTEN "${channel}"\`)`).
 */
function listeningMethods(path: string): ReadonlyMap<string, ReadonlySet<string>> {
  return listeningMethodsByFile.of(path) ?? NO_CLASSES;
}

/** The subscribe methods that send LISTEN of each class a module declares (read once per read of the module, parsedModules.ts). */
function classesListening(read: ModuleRead): ReadonlyMap<string, ReadonlySet<string>> {
  const classes = new Map<string, Set<string>>();
  if (!/\blisten\b/i.test(read.text)) return classes;
  walkDescendants(read.source, (node) => {
    if (!ts.isClassDeclaration(node)) return true;
    const methods = new Set<string>();
    for (const member of node.members) {
      const name = member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : undefined;
      if (name && SUBSCRIBE_METHODS.has(name) && ts.isMethodDeclaration(member) && member.body && sendsListenText(member.body)) methods.add(name);
    }
    if (methods.size === 0) return true;
    if (node.name) classes.set(node.name.text, methods);
    const exportsDefault = hasModifier(node, ts.SyntaxKind.DefaultKeyword);
    if (exportsDefault) classes.set(DEFAULT_EXPORT, methods);
    return true;
  });
  return classes;
}

/** Whether a body holds a call whose first argument is a string or template opening with LISTEN. */
function sendsListenText(body: ts.Node): boolean {
  let sends = false;
  walkDescendants(body, (node) => {
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      let first = node.arguments[0];
      while (ts.isBinaryExpression(first) && first.operatorToken.kind === ts.SyntaxKind.PlusToken) first = first.left;
      const head = ts.isStringLiteralLike(first) ? first.text : ts.isTemplateExpression(first) ? first.head.text : undefined;
      if (head !== undefined && /^\s*listen\s/i.test(head)) sends = true;
    }
    return !sends;
  }, () => sends);
  return sends;
}

/** A channel: a name written as text or held in a variable or property (`channel as string` too). */
function namesChannel(argument: ts.Expression | undefined): boolean {
  const value = argument && unwrap(argument);
  // A call stands for a channel name its function builds (`addChannel(storyChannel(projectId), handler)`); the other
  // tests (the library imported, the receiver its subscriber, a handler) say the call subscribes.
  return value !== undefined && (ts.isStringLiteralLike(value) || ts.isTemplateExpression(value) || ts.isIdentifier(value) ||
    ts.isPropertyAccessExpression(value) || ts.isCallExpression(value));
}

/**
 * The function a name is a parameter of, found from a use of it (the nearest enclosing function declaring it), when that
 * function has a name callers write: a function declaration, or a const holding an arrow or function expression.
 */
function parameterPlace(use: ts.Identifier): { name: string; index: number } | undefined {
  for (let node: ts.Node | undefined = use.parent; node; node = node.parent) {
    if (!ts.isFunctionLike(node)) continue;
    const index = node.parameters.findIndex((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === use.text);
    if (index < 0) continue;
    if (ts.isFunctionDeclaration(node)) return node.name ? { name: node.name.text, index } : undefined;
    const holder = node.parent;
    if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) return { name: holder.name.text, index };
    return undefined;
  }
  return undefined;
}

/** Whether some call of one of `names` (by that name) in `source` has an argument at `index` that passes. */
function callsPassing(source: ts.SourceFile, names: ReadonlySet<string>, index: number, passes: (argument: ts.Expression) => boolean): boolean {
  let found = false;
  walkDescendants(source, (node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && names.has(node.expression.text)) {
      const argument = node.arguments[index];
      if (argument && !node.arguments.slice(0, index + 1).some(ts.isSpreadElement) && passes(unwrap(argument))) found = true;
    }
    return !found;
  }, () => found);
  return found;
}

/**
 * Whether a relative import is the entry of the package the file belongs to, when that package is one of the libraries
 * (`require('.')` in pg-ipc's own benchmark): the library itself, as its users import it.
 */
function isOwnLibraryEntry(specifier: string, fileName: string | undefined, libraries: readonly string[]): boolean {
  if (!fileName || !specifier.startsWith('.')) return false;
  const owner = owningPackage(fileName);
  if (!owner || !libraries.includes(owner.name)) return false;
  const entry = resolveModule(join(owner.folder, 'package.json'), '.');
  return entry !== undefined && resolveModule(fileName, specifier) === entry;
}
