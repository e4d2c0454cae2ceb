// The pooler's TCP listener. Connection limits (max_client_conn) are the pooler's call; this only
// accepts sockets with Nagle off (small protocol messages must not wait for more data).
import * as net from 'node:net';

export class Listener {
  private readonly server: net.Server;
  address: { host: string; port: number } | undefined;

  constructor(onConnection: (socket: net.Socket) => void) {
    this.server = net.createServer({ noDelay: true }, onConnection);
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.removeListener('error', reject);
        const bound = this.server.address() as net.AddressInfo;
        this.address = { host, port: bound.port };
        resolve(this.address);
      });
    });
  }

  /** Stops accepting; resolves once the listening socket is closed (open clients are not waited for). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}
