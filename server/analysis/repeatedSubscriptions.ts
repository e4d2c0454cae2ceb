// A LISTEN/NOTIFY library's subscribe call for a channel the same subscriber already subscribed to just before:
// `await hub.addChannel('jobs', onJob); await hub.addChannel('jobs', audit);`. pg-listen's `listenTo` and pg-pubsub's
// `addChannel` send `LISTEN` only for a channel new to the subscriber (the second call adds a handler, or nothing), and
// even a copy of such a library that sent it again would change nothing: its connection already listens there. The
// hazard is reported once, at the first call. Only a call sure to have run before counts: an earlier statement of an
// enclosing block of the same function (a statement of its own, not inside a branch, a loop or a callback) that is the same call — the
// same method on the same receiver, written alike, with the same channel (the same string, or the same const name) —
// and no call on that receiver in between that may end the subscription (`removeChannel`, `unlisten…`, `close`, `end`…).
import ts from 'typescript';
import { unwrap } from './embeddedFlow';

/** Methods that may drop the subscriber's channel or its connection, after which subscribing again sends LISTEN anew. */
const ENDS_SUBSCRIPTION = /^(?:remove|unlisten|unsubscribe|close|end|stop|disconnect|reconnect|connect|destroy|release|reset)/i;

/**
 * Whether `call` (`receiver.method(channel, …)`) repeats a subscription to the same channel that an earlier statement
 * of the same function surely made on the same receiver. `isConstant` says whether an identifier channel is a name
 * that cannot change between the two calls (a const or a parameter never assigned).
 */
export function repeatsEarlierSubscription(call: ts.CallExpression, method: string, receiver: ts.Expression, isConstant: (name: ts.Identifier) => boolean): boolean {
  const channel = channelKey(call.arguments[0], isConstant);
  if (channel === undefined) return false;
  const receiverText = unwrap(receiver).getText();
  let node: ts.Node = call;
  while (node.parent && !ts.isFunctionLike(node.parent)) {
    const parent: ts.Node = node.parent;
    if ((ts.isBlock(parent) || ts.isSourceFile(parent)) && ts.isStatement(node)) {
      const statements = parent.statements;
      for (let i = statements.indexOf(node as ts.Statement) - 1; i >= 0; i--) {
        const earlier = statements[i];
        if (subscribes(earlier, method, receiverText, channel, isConstant)) return true;
        if (mayEndSubscription(earlier, receiverText)) return false;
      }
    }
    // Leaving a loop: a later turn may come back to the call after the loop's own statements ended the subscription.
    if (ts.isIterationStatement(parent, false) && mayEndSubscription(parent, receiverText)) return false;
    if (ts.isSourceFile(parent)) break;
    node = parent;
  }
  return false;
}

/** The channel as a key: a string's text, or a constant name. */
function channelKey(argument: ts.Expression | undefined, isConstant: (name: ts.Identifier) => boolean): string | undefined {
  if (!argument) return undefined;
  const value = unwrap(argument);
  if (ts.isStringLiteralLike(value)) return `'${value.text}`;
  if (ts.isIdentifier(value) && isConstant(value)) return `@${value.text}`;
  return undefined;
}

/** `await receiver.method(channel, …);` or `receiver.method(channel, …);` as a statement of its own. */
function subscribes(statement: ts.Statement, method: string, receiverText: string, channel: string, isConstant: (name: ts.Identifier) => boolean): boolean {
  if (!ts.isExpressionStatement(statement)) return false;
  let expression = unwrap(statement.expression);
  if (ts.isAwaitExpression(expression)) expression = unwrap(expression.expression);
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const callee = expression.expression;
  return callee.name.text === method && unwrap(callee.expression).getText() === receiverText
    && channelKey(expression.arguments[0], isConstant) === channel;
}

/** Whether a statement calls, anywhere in it, a method of the receiver that may end its subscriptions. */
function mayEndSubscription(statement: ts.Statement, receiverText: string): boolean {
  let ends = false;
  const visit = (node: ts.Node): void => {
    if (ends) return;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ENDS_SUBSCRIPTION.test(node.expression.name.text)
      && unwrap(node.expression.expression).getText() === receiverText) {
      ends = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return ends;
}
