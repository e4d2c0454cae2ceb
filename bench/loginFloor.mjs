// The login floor for bench/pooler.mjs's `-C` scenario (a new connection per transaction): a bare Node
// server that does what every login and transaction through a pooler must do, and nothing else — read
// the startup packet, run the SCRAM-SHA-256 exchange against the server's verifier (the pooler's own
// ScramServerSession), greet (a canned greeting), then forward the client's query over one of a few
// server connections it keeps logged in to PostgreSQL (last-in first-out, like `lifo`) and relay the
// answer back, message headers walked only to see ReadyForQuery. No pool settings, no bookkeeping, no
// logging, no hazard detection. Its CPU per connection is what Node itself costs for a pooled login and
// one transaction on this machine (the forwarder cannot say: it opens a server connection per client).
// Simple-protocol queries only (pgbench's default): enough of the protocol for pgbench -S -C.
// Usage: node bench/loginFloor.mjs <out dir> <SCRAM verifier> <server URL> [server connections, default 10];
// prints "listening on HOST:PORT".
import net from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [outDir, verifierText, serverUrl, serverCount = '10'] = process.argv.slice(2);
if (!outDir || !verifierText || !serverUrl) {
  console.error('usage: node bench/loginFloor.mjs <out dir> <SCRAM verifier> <server URL> [server connections]');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const protocol = require(join(outDir, 'extension', 'pooler', 'protocol.js'));
const { ScramServerSession, ScramClientSession, SCRAM_MECHANISM, parseScramVerifier } = require(join(outDir, 'extension', 'pooler', 'auth.js'));
const { AuthCode, Msg, MessageReader, authentication, authenticationSasl, parameterStatus, backendKeyData, readyForQuery, parseSaslInitialResponse, parseStartupPacket, startupMessage } = protocol;
const verifier = parseScramVerifier(verifierText);
if (!verifier) {
  console.error('loginFloor: not a SCRAM-SHA-256 verifier');
  process.exit(2);
}
const STATUS_IDLE = 0x49; // 'I'

/** A message of `type` with `body` (the protocol module builds only the pooler's own messages). */
function message(type, body) {
  const buf = Buffer.alloc(5 + body.length);
  buf[0] = type.charCodeAt(0);
  buf.writeInt32BE(4 + body.length, 1);
  body.copy(buf, 5);
  return buf;
}

const GREETING = Buffer.concat([
  authentication(AuthCode.Ok),
  ...[['server_version', '15.0'], ['client_encoding', 'UTF8'], ['DateStyle', 'ISO, MDY'], ['integer_datetimes', 'on'], ['standard_conforming_strings', 'on']].map(([name, value]) => parameterStatus(name, value)),
  backendKeyData(1, 1),
  readyForQuery('I'),
]);

/**
 * Walks message headers across chunks: calls `onMessage(type, firstBodyByte)` once per message whose
 * first body byte has arrived (-1 for an empty body). Headers split across chunks are gathered.
 */
function headerWalker(onMessage) {
  let left = 0; // bytes of the current message still to come (0: at a header)
  const header = Buffer.alloc(6);
  let headerBytes = 0;
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (left > 0) {
        const take = Math.min(left, chunk.length - at);
        at += take;
        left -= take;
        continue;
      }
      while (headerBytes < 6 && at < chunk.length) header[headerBytes++] = chunk[at++];
      if (headerBytes < 5) return;
      const length = header.readInt32BE(1);
      if (length === 4) {
        onMessage(header[0], -1);
        at -= headerBytes - 5; // the sixth byte gathered belongs to the next message
        headerBytes = 0;
        continue;
      }
      if (headerBytes < 6) return;
      onMessage(header[0], header[5]);
      left = length - 5;
      headerBytes = 0;
    }
  };
}

// ---- Server connections: logged in once, then handed to one client at a time (LIFO).
const idleServers = [];
const waitingClients = [];

function releaseServer(server) {
  server.client = null;
  const next = waitingClients.shift();
  if (next) next(server);
  else idleServers.push(server);
}

function withServer(use) {
  const server = idleServers.pop();
  if (server) use(server);
  else waitingClients.push(use);
}

function saslInitialResponse(mechanism, data) {
  const name = Buffer.from(`${mechanism}\0`);
  const length = Buffer.alloc(4);
  length.writeInt32BE(data.length);
  return message('p', Buffer.concat([name, length, data]));
}

/** One server connection, logged in with SCRAM (or trust/password); resolves once it is idle. */
function connectServer(url) {
  const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432), noDelay: true });
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return new Promise((resolve, reject) => {
    const reader = new MessageReader();
    let scram;
    const server = { socket, client: null };
    const onLogin = (chunk) => {
      reader.push(chunk);
      for (let next = reader.next(); next; next = reader.next()) {
        if (next.type === Msg.ErrorResponse) return reject(new Error(`server login refused: ${next.body.toString('utf8').replace(/\0/g, ' ')}`));
        if (next.type === Msg.Authentication) {
          const code = next.body.readInt32BE(0);
          if (code === AuthCode.SASL) {
            scram = new ScramClientSession(password);
            socket.write(saslInitialResponse(SCRAM_MECHANISM, Buffer.from(scram.clientFirst())));
          } else if (code === AuthCode.SASLContinue) {
            socket.write(message('p', Buffer.from(scram.handleServerFirst(next.body.subarray(4).toString('utf8')))));
          } else if (code === AuthCode.SASLFinal) {
            scram.verifyServerFinal(next.body.subarray(4).toString('utf8'));
          } else if (code === AuthCode.CleartextPassword) {
            socket.write(message('p', Buffer.from(`${password}\0`)));
          } else if (code !== AuthCode.Ok) {
            return reject(new Error(`server asks for authentication code ${code}, which the floor does not speak`));
          }
        } else if (next.type === Msg.ReadyForQuery) {
          socket.off('data', onLogin);
          socket.on('data', relayToClient(server));
          resolve(server);
          return;
        }
      }
    };
    socket.on('data', onLogin);
    socket.on('error', reject);
    socket.on('close', () => console.error('loginFloor: a server connection closed'));
    socket.write(startupMessage({ user, database: url.pathname.slice(1) || user }));
  });
}

/** Server bytes go to the server's client as they come; ReadyForQuery 'I' gives the server back. */
function relayToClient(server) {
  let idleAtEnd = false;
  const walk = headerWalker((type, first) => {
    idleAtEnd = type === Msg.ReadyForQuery && first === STATUS_IDLE;
  });
  return (chunk) => {
    idleAtEnd = false;
    walk(chunk);
    const client = server.client;
    if (client && !client.destroyed) client.write(chunk);
    if (idleAtEnd) releaseServer(server);
  };
}

// ---- Clients: login, then each query on a server connection.
function serve(socket) {
  const reader = new MessageReader();
  let step = 'startup';
  let scram;
  let server = null;
  let queued = [];
  const forward = (chunk) => {
    if (server) return server.socket.write(chunk);
    queued.push(chunk);
    if (queued.length > 1) return; // a server is already being waited for
    withServer((granted) => {
      if (socket.destroyed) return releaseServer(granted);
      server = granted;
      server.client = socket;
      const bytes = queued.length === 1 ? queued[0] : Buffer.concat(queued);
      queued = [];
      granted.socket.write(bytes);
    });
  };
  // The transaction's answer releases the server (relayToClient); the client keeps no claim on it.
  const walkClient = headerWalker((type) => {
    if (type === Msg.Terminate) socket.destroy();
  });
  const onForwarding = (chunk) => {
    if (server && server.client !== socket) server = null; // released after its last answer
    walkClient(chunk);
    if (!socket.destroyed) forward(chunk);
  };
  const onLogin = (chunk) => {
    reader.push(chunk);
    for (;;) {
      if (step === 'startup') {
        const packet = reader.nextStartup();
        if (!packet) return;
        const startup = parseStartupPacket(packet);
        if (startup.kind !== 'startup') {
          socket.write('N'); // SSL/GSS request: plaintext only
          continue;
        }
        scram = new ScramServerSession(verifier, startup.params.get('user') ?? '');
        socket.write(authenticationSasl([SCRAM_MECHANISM]));
        step = 'sasl-first';
        continue;
      }
      const next = reader.next();
      if (!next) return;
      if (step === 'sasl-first') {
        const { data } = parseSaslInitialResponse(next.body);
        socket.write(authentication(AuthCode.SASLContinue, Buffer.from(scram.handleClientFirst(data.toString('utf8')))));
        step = 'sasl-final';
      } else {
        const serverFinal = scram.handleClientFinal(next.body.toString('utf8'));
        socket.write(Buffer.concat([authentication(AuthCode.SASLFinal, Buffer.from(serverFinal)), GREETING]));
        socket.off('data', onLogin);
        socket.on('data', onForwarding);
        const early = reader.takeRemaining();
        if (early.length > 0) onForwarding(early);
        return;
      }
    }
  };
  socket.on('data', onLogin);
  socket.on('error', () => socket.destroy());
}

const url = new URL(serverUrl);
const servers = await Promise.all(Array.from({ length: Number(serverCount) }, () => connectServer(url)));
for (const server of servers) idleServers.push(server);
const listener = net.createServer({ noDelay: true }, serve);
listener.listen(0, '127.0.0.1', () => {
  const { address, port } = listener.address();
  console.log(`listening on ${address}:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
