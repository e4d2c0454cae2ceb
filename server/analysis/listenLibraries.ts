// LISTEN sent by a LISTEN/NOTIFY library, not written as SQL: pg-listen's `subscriber.listenTo(channel)`,
// pg-pubsub's `pubsub.addChannel(channel, fn)` and @imqueue/pg-pubsub's `pubSub.listen(channel)` each send
// `LISTEN "channel"` on the one pg Client the library opened with the connection string it was given. Behind a transaction pooler that registration stays on a
// server connection other clients share, and notifications are lost when the pooler reassigns it.
import ts from 'typescript';
import { ADD_CHANNEL_METHOD, IMQUEUE_PG_PUBSUB_MODULE, LISTEN_METHOD, LISTEN_TO_METHOD, PG_LISTEN_MODULE, PG_PUBSUB_MODULE } from './codeWords';
import type { ImportedModule } from './embeddedDialect';
import { walkDescendants } from './astWalk';
import { subscriberConnectsDirectly } from './directUrls';

export class ListenLibraryCalls {
  private readonly importsPgListen: boolean;
  private readonly importsPgPubsub: boolean;
  /** The names @imqueue/pg-pubsub's exports are imported under in this file (its `PgPubSub` class). */
  private readonly imqueueClasses: readonly string[];

  constructor(private readonly modules: readonly ImportedModule[], private readonly text: string) {
    this.importsPgListen = modules.some((module) => module.specifier === PG_LISTEN_MODULE);
    this.importsPgPubsub = modules.some((module) => module.specifier === PG_PUBSUB_MODULE);
    this.imqueueClasses = modules.filter((module) => module.specifier === IMQUEUE_PG_PUBSUB_MODULE).flatMap((module) => module.names);
  }

  /**
   * Whether `receiver.name(…)` subscribes through such a library. pg-listen's `listenTo` takes the channel
   * alone; it counts in a file importing pg-listen, or on a receiver whose `.notifications.on(…)` (pg-listen's
   * emitter of channel payloads) this file also uses: a subscriber made in another module. (Backbone's
   * `listenTo(object, event, fn)` has three arguments.) pg-pubsub's `addChannel` is a common name: only in a
   * file importing pg-pubsub. @imqueue/pg-pubsub's `listen(channel)` is a far commoner name (`server.listen(port)`):
   * only on a receiver this file makes or declares as one of that module's classes (`pubSub = new PgPubSub(…)`,
   * `private pubSub: PgPubSub`).
   */
  sendsListen(call: ts.CallExpression, name: string, receiver: ts.Expression): boolean {
    const channel = call.arguments[0];
    if (!namesChannel(channel)) return false;
    if (name === LISTEN_TO_METHOD) return call.arguments.length === 1 && (this.importsPgListen || this.usesNotificationEmitter(receiver));
    if (name === LISTEN_METHOD) return call.arguments.length === 1 && this.isImqueueSubscriber(receiver);
    return name === ADD_CHANNEL_METHOD && this.importsPgPubsub;
  }

  /** Whether the receiver's name is bound in this file to a new instance, or a declared type, of @imqueue/pg-pubsub's class. */
  private isImqueueSubscriber(receiver: ts.Expression): boolean {
    if (this.imqueueClasses.length === 0) return false;
    const name = ts.isIdentifier(receiver) ? receiver.text : ts.isPropertyAccessExpression(receiver) ? receiver.name.text : undefined;
    if (!name) return false;
    const classes = this.imqueueClasses.map((c) => c.replace(/[$]/g, '\\$&')).join('|');
    return new RegExp(String.raw`(?:^|[^\w$])${name.replace(/[$]/g, '\\$&')}\s*(?::\s*(?:${classes})\b|=\s*new\s+(?:${classes})\s*\()`).test(this.text);
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
    const factories = new Set(this.modules.filter((m) => m.specifier === PG_LISTEN_MODULE || m.specifier === PG_PUBSUB_MODULE || m.specifier === IMQUEUE_PG_PUBSUB_MODULE).flatMap((m) => m.names));
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

/** A channel: a name written as text or held in a variable or property (`channel as string` too). */
function namesChannel(argument: ts.Expression | undefined): boolean {
  let value = argument;
  while (value && (ts.isAsExpression(value) || ts.isNonNullExpression(value) || ts.isParenthesizedExpression(value))) value = value.expression;
  return value !== undefined && (ts.isStringLiteralLike(value) || ts.isTemplateExpression(value) || ts.isIdentifier(value) || ts.isPropertyAccessExpression(value));
}
