// The pooler's TCP listener. Connection limits (max_client_conn) are the pooler's call; this only
// accepts sockets with Nagle off (small protocol messages must not wait for more data).
import * as net from 'node:net';
import { SocketReads } from './reads';

type RawHandle = { onconnection?: (error: number, clientHandle: unknown) => void };

export class Listener {
  private readonly server: net.Server;
  address: { host: string; port: number } | undefined;

  /**
   * `onConnection` gets `reads` when the socket reads into a reused buffer (see SocketReads); then
   * its bytes arrive through `reads.handler`, not 'data' events.
   */
  constructor(private readonly onConnection: (socket: net.Socket, reads?: SocketReads) => void) {
    this.server = net.createServer({ noDelay: true }, (socket) => onConnection(socket));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.removeListener('error', reject);
        this.acceptWithReusedBuffers();
        const bound = this.server.address() as net.AddressInfo;
        this.address = { host, port: bound.port };
        resolve(this.address);
      });
    });
  }

  /**
   * net.Server cannot give accepted sockets an `onread` buffer, so accepted handles are wrapped here
   * (what net.Server does itself, minus its connection counting, which the pooler does). When the
   * internal hook is missing (another Node version), plain net.Server sockets are used instead.
   */
  private acceptWithReusedBuffers(): void {
    const handle = (this.server as unknown as { _handle?: RawHandle })._handle;
    if (!handle || typeof handle.onconnection !== 'function') return;
    handle.onconnection = (error, clientHandle) => {
      if (error || !clientHandle) return;
      const reads = new SocketReads();
      reads.reused = true;
      const options = { handle: clientHandle, readable: true, writable: true, onread: { buffer: reads.next, callback: reads.onRead } };
      const socket = new net.Socket(options as net.SocketConstructorOpts);
      socket.setNoDelay(true);
      socket.once('close', () => reads.release());
      this.onConnection(socket, reads);
    };
  }

  /** Stops accepting; resolves once the listening socket is closed (open clients are not waited for). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}
