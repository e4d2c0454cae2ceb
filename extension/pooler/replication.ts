// Replication connections (startup parameter `replication`), as PgBouncer 1.23+ serves them: the
// client gets a server connection of its own, logged in with the same parameter, and after the
// greeting the bytes go both ways unparsed (the replication protocol's CopyBoth streams are not
// the pooler's business). The server is closed with the client, never pooled.
import type * as net from 'node:net';
import { AuthError } from './auth';
import type { ServerConnection } from './server';

/** `replication=` as PostgreSQL reads it: 'true' (physical), 'database' (logical), or undefined (a normal session). */
export function replicationMode(value: string | undefined): 'true' | 'database' | undefined {
  if (value === undefined) return undefined;
  const word = value.toLowerCase();
  if (word === 'database') return 'database';
  if (['true', 'on', 'yes', '1'].includes(word)) return 'true';
  if (['false', 'off', 'no', '0'].includes(word)) return undefined;
  throw new AuthError(`invalid value for parameter "replication": "${value}"`, '08P01');
}

/**
 * Relays bytes between a logged-in client and its replication server, with backpressure both
 * ways; `early` (bytes the client sent with its login) goes first. `ended` runs once either side closes.
 */
export function relay(client: net.Socket, server: ServerConnection, early: Buffer, ended: () => void): void {
  server.relayTo((chunk) => {
    if (!client.write(chunk)) server.socket.pause();
  });
  client.on('drain', () => server.socket.resume());
  client.on('data', (chunk: Buffer) => {
    if (!server.socket.write(chunk)) client.pause();
  });
  server.socket.on('drain', () => client.resume());
  server.onClose = ended;
  if (early.length > 0) server.socket.write(early);
  client.resume();
}
