// The floor for bench/pooler.mjs: a bare Node TCP forwarder. Each client connection gets its own
// connection to the target and bytes are piped both ways, with no parsing, pooling or bookkeeping:
// what Node itself costs per byte relayed on this machine. Not a pooler (one server connection per client).
// Usage: node bench/forwarder.mjs <target-host> <target-port>; prints "listening on HOST:PORT".
import net from 'node:net';

const [host, port] = [process.argv[2], Number(process.argv[3])];
if (!host || !Number.isInteger(port)) {
  console.error('usage: node bench/forwarder.mjs <target-host> <target-port>');
  process.exit(2);
}

const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ host, port, noDelay: true });
  client.pipe(upstream);
  upstream.pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
});
server.listen(0, '127.0.0.1', () => {
  const { address, port: listening } = server.address();
  console.log(`listening on ${address}:${listening}`);
});
process.on('SIGTERM', () => process.exit(0));
