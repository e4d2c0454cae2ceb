// The pooler's listeners: TCP, and (like PgBouncer) a unix-domain socket `<dir>/.s.PGSQL.<port>`,
// the name libpq looks for, so `psql -h <dir> -p <port>` reaches the pooler. Connection limits
// (max_client_conn) are the pooler's call; this only accepts sockets with Nagle off (small protocol
// messages must not wait for more data).
import * as net from 'node:net';
import { chmodSync, lstatSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';

export interface ListenOptions {
  host: string;
  port: number;
  /** Folder of the unix socket; '' = no unix socket. */
  unixSocketDir?: string;
  /** Permission bits of the socket file (PgBouncer's unix_socket_mode, default 0777). */
  unixSocketMode?: number;
}

/** The file name PostgreSQL (and PgBouncer) give the unix socket of `port`. */
export function unixSocketPath(dir: string, port: number): string {
  return join(dir, `.s.PGSQL.${port}`);
}

/** Accepted sockets that arrived through a unix socket, with that socket's path. */
const unixOrigins = new WeakMap<net.Socket, string>();

/** The unix socket path a client connected through, or undefined for TCP clients. */
export function unixSocketOf(socket: net.Socket): string | undefined {
  return unixOrigins.get(socket);
}

/** True when `socket` came through a unix socket that only this process's user can reach. */
export function unixPeerIsOwnUser(socket: net.Socket): boolean {
  const path = unixOrigins.get(socket);
  return path !== undefined && unixSocketOwnerOnly(path);
}

/**
 * The OS user of a unix socket peer, for peer authentication, when it can be known: the socket is one
 * only this process's user (and root, who can be anyone anyway) can reach, so the peer is that user.
 * Otherwise undefined (Node has no getpeereid; a TCP client has no OS user).
 */
export function unixPeerUser(socket: net.Socket): string | undefined {
  return unixPeerIsOwnUser(socket) ? userInfo().username : undefined;
}

/**
 * True when only this process's user (and root) can connect to the unix socket at `path`: the socket
 * file, or a folder on its path owned by this user, grants nothing to group or others. Node cannot
 * read a unix peer's uid (getpeereid), so this stands in for PgBouncer's "same uid" check.
 */
export function unixSocketOwnerOnly(path: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return false;
  try {
    const socketStat = lstatSync(path);
    if (socketStat.uid === uid && (socketStat.mode & 0o077) === 0) return true;
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      const stat = statSync(dir);
      if (stat.uid === uid && (stat.mode & 0o011) === 0) return true;
      if (dirname(dir) === dir) return false;
    }
  } catch {
    return false;
  }
}

export class Listener {
  private readonly servers: net.Server[] = [];
  address: { host: string; port: number } | undefined;
  /** Path of the unix socket, when one was asked for. */
  unixPath: string | undefined;

  constructor(private readonly onConnection: (socket: net.Socket) => void) {}

  /** Listens on TCP, then on the unix socket named after the bound TCP port. */
  async listen(options: ListenOptions): Promise<{ host: string; port: number }> {
    const tcp = this.newServer();
    await listenOn(tcp, { host: options.host, port: options.port });
    const port = (tcp.address() as net.AddressInfo).port;
    this.address = { host: options.host, port };
    if (options.unixSocketDir) {
      const path = unixSocketPath(options.unixSocketDir, port);
      await removeStaleSocket(path);
      const unix = this.newServer(path);
      await listenOn(unix, { path });
      chmodSync(path, options.unixSocketMode ?? 0o777);
      this.unixPath = path;
    }
    return this.address;
  }

  private newServer(unixPath?: string): net.Server {
    const server = net.createServer({ noDelay: true }, (socket) => {
      if (unixPath) unixOrigins.set(socket, unixPath);
      this.onConnection(socket);
    });
    this.servers.push(server);
    return server;
  }

  /** Stops accepting; resolves once the listening sockets are closed (open clients are not waited for). */
  async close(): Promise<void> {
    await Promise.all(this.servers.map(stopListening));
  }

  /**
   * Stops accepting TCP connections only: during SHUTDOWN WAIT_FOR_*, PgBouncer keeps its unix socket
   * so the admin console stays reachable until the pooler exits.
   */
  async closeTcp(): Promise<void> {
    await Promise.all(this.servers.filter((server) => typeof server.address() !== 'string').map(stopListening));
  }
}

function stopListening(server: net.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

function listenOn(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/**
 * A socket file left by a process that died (SIGKILL, crash) would make listen fail: like PgBouncer,
 * remove it when nothing answers there; a live listener is left alone (listen then fails).
 */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    if (!lstatSync(path).isSocket()) return;
  } catch {
    return;
  }
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (!alive) unlinkSync(path);
}
