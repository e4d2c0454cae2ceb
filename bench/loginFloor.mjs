// The login floor for bench/pooler.mjs's `-C` scenario (a new connection per transaction): a bare Node
// server that does what every login through a pooler must do — read the startup packet, run the
// SCRAM-SHA-256 exchange against the server's verifier (the pooler's own ScramServerSession), greet —
// and answers every query with one canned row, with no server behind it, no pool and no bookkeeping.
// Its CPU per connection is what Node itself costs for a login on this machine (the forwarder cannot
// say: it opens a server connection per client). Not a server: enough of the protocol for pgbench.
// Usage: node bench/loginFloor.mjs <out dir> <SCRAM verifier>; prints "listening on HOST:PORT".
import net from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [outDir, verifierText] = process.argv.slice(2);
if (!outDir || !verifierText) {
  console.error('usage: node bench/loginFloor.mjs <out dir> <SCRAM verifier>');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const protocol = require(join(outDir, 'extension', 'pooler', 'protocol.js'));
const { ScramServerSession, SCRAM_MECHANISM, parseScramVerifier } = require(join(outDir, 'extension', 'pooler', 'auth.js'));
const { AuthCode, Msg, MessageReader, authentication, authenticationSasl, parameterStatus, backendKeyData, readyForQuery, parseSaslInitialResponse, parseStartupPacket } = protocol;
const verifier = parseScramVerifier(verifierText);
if (!verifier) {
  console.error('loginFloor: not a SCRAM-SHA-256 verifier');
  process.exit(2);
}

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
// Three text columns, one row ('10', NULL, '0'): pgbench's scale and partitioning questions read these.
const column = (name) => Buffer.concat([Buffer.from(`${name}\0`), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0])]);
const ANSWER = Buffer.concat([
  message('T', Buffer.concat([Buffer.from([0, 3]), column('a'), column('b'), column('c')])),
  message('D', Buffer.from([0, 3, 0, 0, 0, 2, 0x31, 0x30, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0x30])),
  message('C', Buffer.from('SELECT 1\0')),
  readyForQuery('I'),
]);

function serve(socket) {
  const reader = new MessageReader();
  let step = 'startup';
  let scram;
  socket.on('data', (chunk) => {
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
      } else if (step === 'sasl-final') {
        const serverFinal = scram.handleClientFinal(next.body.toString('utf8'));
        socket.write(Buffer.concat([authentication(AuthCode.SASLFinal, Buffer.from(serverFinal)), GREETING]));
        step = 'ready';
      } else if (next.type === Msg.Query) {
        socket.write(ANSWER);
      } else if (next.type === Msg.Terminate) {
        socket.destroy();
        return;
      }
    }
  });
  socket.on('error', () => socket.destroy());
}

const server = net.createServer({ noDelay: true }, serve);
server.listen(0, '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`listening on ${address}:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
