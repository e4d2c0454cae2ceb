import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MessageReader, MessageScanner, Msg, ProtocolError, authentication, backendKeyData, cancelRequest, errorResponse,
  interestIn, parameterStatus, parseErrorFields, parseParameterStatus, parseStartupPacket, readyForQuery, query,
  sslRequest, startupMessage, startupPacketLength, unsupportedProtocolError, SSL_REQUEST_CODE, GSSENC_REQUEST_CODE,
} from '../../../extension/pooler/protocol';

function codePacket(code: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeInt32BE(8, 0);
  buf.writeInt32BE(code, 4);
  return buf;
}

test('startup packet: parameters, SSLRequest, GSSENCRequest, CancelRequest, unsupported version', () => {
  const startup = parseStartupPacket(startupMessage({ user: 'alice', database: 'shop', application_name: 'psql' }));
  assert.equal(startup.kind, 'startup');
  if (startup.kind === 'startup') {
    assert.equal(startup.minor, 0);
    assert.deepEqual([...startup.params], [['user', 'alice'], ['database', 'shop'], ['application_name', 'psql']]);
  }
  assert.deepEqual(parseStartupPacket(sslRequest()), { kind: 'ssl' });
  assert.equal(SSL_REQUEST_CODE, 80877103);
  assert.deepEqual(parseStartupPacket(codePacket(GSSENC_REQUEST_CODE)), { kind: 'gssenc' });
  assert.deepEqual(parseStartupPacket(cancelRequest(1234, -5)), { kind: 'cancel', processId: 1234, secretKey: -5 });
  assert.deepEqual(parseStartupPacket(codePacket(2 << 16)), { kind: 'unsupported', major: 2, minor: 0 });
  const error = parseErrorFields(unsupportedProtocolError(2, 0).subarray(5));
  assert.equal(error.get('S'), 'FATAL');
  assert.equal(error.get('C'), '0A000');
  assert.equal(error.get('M'), 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
});

test('startup packet length: too short, too long, incomplete', () => {
  assert.equal(startupPacketLength(Buffer.from([0, 0])), undefined);
  assert.throws(() => startupPacketLength(Buffer.from([0, 0, 0, 4])), ProtocolError);
  assert.throws(() => startupPacketLength(Buffer.from([0, 1, 0, 0])), /invalid length of startup packet/);
  const reader = new MessageReader();
  const packet = startupMessage({ user: 'u' });
  reader.push(packet.subarray(0, 6));
  assert.equal(reader.nextStartup(), undefined);
  reader.push(packet.subarray(6));
  assert.deepEqual(reader.nextStartup(), packet);
});

test('builders produce well-formed messages', () => {
  const rfq = readyForQuery('T');
  assert.deepEqual([...rfq], [0x5a, 0, 0, 0, 5, 0x54]);
  const key = backendKeyData(42, -1);
  assert.equal(key[0], Msg.BackendKeyData);
  assert.equal(key.readInt32BE(1), 12);
  assert.equal(key.readInt32BE(5), 42);
  assert.equal(key.readInt32BE(9), -1);
  assert.deepEqual(parseParameterStatus(parameterStatus('TimeZone', 'UTC').subarray(5)), ['TimeZone', 'UTC']);
  const auth = authentication(5, Buffer.from([1, 2, 3, 4]));
  assert.equal(auth.readInt32BE(1), 12);
  assert.equal(auth.readInt32BE(5), 5);
  const err = errorResponse({ severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "x"' });
  assert.equal(err.readInt32BE(1), err.length - 1);
  const fields = parseErrorFields(err.subarray(5));
  assert.equal(fields.get('C'), '28P01');
  assert.equal(fields.get('M'), 'password authentication failed for user "x"');
});

test('MessageReader yields messages split at every byte position', () => {
  const stream = Buffer.concat([query('select 1'), readyForQuery('I'), parameterStatus('a', 'b')]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const reader = new MessageReader();
    const types: number[] = [];
    for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) {
      reader.push(part);
      for (let m = reader.next(); m; m = reader.next()) types.push(m.type);
    }
    assert.deepEqual(types, [Msg.Query, Msg.ReadyForQuery, Msg.ParameterStatus], `cut at ${cut}`);
  }
});

/** A server stream: DataRow-like noise, ParameterStatus, ReadyForQuery. */
function sampleStream(): Buffer {
  const dataRow = Buffer.alloc(1 + 4 + 300, 7);
  dataRow[0] = 0x44;
  dataRow.writeInt32BE(304, 1);
  return Buffer.concat([dataRow, parameterStatus('TimeZone', 'Europe/Paris'), dataRow, readyForQuery('T'), readyForQuery('I')]);
}

test('MessageScanner finds boundaries, bodies and statuses however the stream is chunked', () => {
  const stream = sampleStream();
  const interest = interestIn([0x44], [Msg.ParameterStatus, Msg.ReadyForQuery]);
  const expected = ['D', 'S:TimeZone=Europe/Paris', 'D', 'Z:T', 'Z:I'];
  for (const size of [1, 2, 3, 4, 5, 6, 7, 64, 305, 1000]) {
    const scanner = new MessageScanner(interest);
    const seen: string[] = [];
    for (let at = 0; at < stream.length; at += size) {
      const chunk = stream.subarray(at, Math.min(stream.length, at + size));
      const stop = scanner.scan(chunk, (type, body) => {
        if (type === 0x44) seen.push('D');
        else if (type === Msg.ParameterStatus) seen.push(`S:${parseParameterStatus(body!).join('=')}`);
        else seen.push(`Z:${String.fromCharCode(body![0])}`);
      });
      assert.equal(stop, chunk.length);
    }
    assert.deepEqual(seen, expected, `chunk size ${size}`);
    assert.ok(scanner.atBoundary);
  }
});

test('MessageScanner stops after a message when asked and reports start/end offsets', () => {
  const stream = Buffer.concat([readyForQuery('I'), query('x'), readyForQuery('I')]);
  const scanner = new MessageScanner(interestIn([], [Msg.ReadyForQuery]));
  const offsets: [number, number][] = [];
  const stop = scanner.scan(stream, (_type, _body, start, end) => {
    offsets.push([start, end]);
    return true;
  });
  assert.equal(stop, 6);
  assert.deepEqual(offsets, [[0, 6]]);
  const rest = scanner.scan(stream, (_type, _body, start, end) => {
    offsets.push([start, end]);
  }, stop);
  assert.equal(rest, stream.length);
  assert.deepEqual(offsets, [[0, 6], [13, 19]]); // Query "x" is 7 bytes
});

test('MessageScanner rejects a length below 4 (corrupt stream)', () => {
  const scanner = new MessageScanner(interestIn([]));
  assert.throws(() => scanner.scan(Buffer.from([0x51, 0, 0, 0, 3]), () => {}), /invalid message length/);
});

test('MessageScanner forwards bodies as views of the chunk (no copy) when they are whole', () => {
  const stream = readyForQuery('E');
  const scanner = new MessageScanner(interestIn([], [Msg.ReadyForQuery]));
  let body: Buffer | null = null;
  scanner.scan(stream, (_t, b) => {
    body = b;
  });
  assert.equal((body as unknown as Buffer).buffer, stream.buffer);
});
