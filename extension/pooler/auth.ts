// Authentication both ways: the pooler verifies its clients (SCRAM-SHA-256, md5, trust) and logs in
// to PostgreSQL (SCRAM-SHA-256, md5, cleartext). SCRAM follows RFC 5802 / RFC 7677 without channel
// binding (gs2 header "n,," or "y,,"); passwords go through SASLprep first, as in PostgreSQL.
import * as crypto from 'node:crypto';
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { LruMap } from './lru';
import { saslPrep } from './saslprep';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
const DEFAULT_ITERATIONS = 4096;

/** What the pooler stores to verify a client's SCRAM proof: the same as PostgreSQL's pg_authid. */
export interface ScramSecret {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** A user the pooler can authenticate: a plaintext password and/or a stored verifier. */
export interface UserSecret {
  name: string;
  /** Plaintext password (target URL or userlist.txt plain entry). */
  password?: string;
  /** `md5` + md5(password + user), as PostgreSQL and userlist.txt store it. */
  md5?: string;
  scram?: ScramSecret;
}

/**
 * Random bytes for nonces, salts and cancel keys. One randomBytes call costs tens of microseconds,
 * several per login; drawing from a 4 KB refill of the same CSPRNG makes logins cheaper.
 */
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** Reserves `length` bytes of the pool (refilled when short) and returns where they start. */
function drawRandom(length: number): number {
  if (randomOffset + length > randomPool.length) {
    randomPool = randomBytes(Math.max(4096, length));
    randomOffset = 0;
  }
  const at = randomOffset;
  randomOffset += length;
  return at;
}

export function secureRandom(length: number): Buffer {
  const at = drawRandom(length);
  const bytes = Buffer.from(randomPool.subarray(at, at + length));
  randomPool.fill(0, at, at + length); // handed-out bytes do not linger in the pool
  return bytes;
}

/** `length` random bytes as base64 text (a SCRAM nonce), without a Buffer of their own. */
export function secureRandomBase64(length: number): string {
  const at = drawRandom(length);
  const text = randomPool.toString('base64', at, at + length);
  randomPool.fill(0, at, at + length);
  return text;
}

/** A random signed 32-bit integer (cancel keys). */
export function secureRandomInt32(): number {
  const at = drawRandom(4);
  const value = randomPool.readInt32BE(at);
  randomPool.fill(0, at, at + 4);
  return value;
}

export class AuthError extends Error {
  /** `logDetail`: why, for the log only (the client sees just `message`, as in PgBouncer). */
  constructor(message: string, readonly code = '28P01', readonly logDetail?: string) {
    super(message);
  }
}

export function passwordFailed(user: string): AuthError {
  return new AuthError(`password authentication failed for user "${user}"`);
}

/** A SCRAM exchange whose proof does not verify, worded as PgBouncer words it. */
export function saslFailed(): AuthError {
  return new AuthError('SASL authentication failed');
}

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * HMAC-SHA-256 (RFC 2104) under a verifier's StoredKey or ServerKey, which every login of that user
 * uses: the padded keys are made once per key and each HMAC is two one-shot digests over a scratch
 * buffer (pad, then data). A createHmac object per call was most of a connection-per-transaction
 * client's SCRAM cost; a Buffer.concat per digest was most of what was left.
 */
const SHA256_BLOCK = 64;
const SHA256_LENGTH = 32;
const verifierPads = new WeakMap<Buffer, { inner: Buffer; outer: Buffer }>();
let hmacScratch = Buffer.allocUnsafeSlow(1024);
function verifierHmac(key: Buffer, data: Buffer): Buffer {
  if (!hashOnce || key.length > SHA256_BLOCK) return hmac(key, data);
  const pads = padsOf(key);
  const innerLength = SHA256_BLOCK + data.length;
  if (hmacScratch.length < innerLength) hmacScratch = Buffer.allocUnsafeSlow(innerLength);
  pads.inner.copy(hmacScratch, 0);
  data.copy(hmacScratch, SHA256_BLOCK);
  const inner = hashOnce('sha256', hmacScratch.subarray(0, innerLength), 'buffer');
  pads.outer.copy(hmacScratch, 0);
  inner.copy(hmacScratch, SHA256_BLOCK);
  return hashOnce('sha256', hmacScratch.subarray(0, SHA256_BLOCK + SHA256_LENGTH), 'buffer');
}

function padsOf(key: Buffer): { inner: Buffer; outer: Buffer } {
  let pads = verifierPads.get(key);
  if (!pads) {
    pads = { inner: Buffer.alloc(SHA256_BLOCK, 0x36), outer: Buffer.alloc(SHA256_BLOCK, 0x5c) };
    for (let i = 0; i < key.length; i++) {
      pads.inner[i] ^= key[i];
      pads.outer[i] ^= key[i];
    }
    verifierPads.set(key, pads);
  }
  return pads;
}

/** Node's one-shot digest (20.12+; absent in older runtimes, such as an older editor's). */
const hashOnce = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'buffer') => Buffer }).hash;

function sha256(data: Buffer): Buffer {
  return hashOnce ? hashOnce('sha256', data, 'buffer') : createHash('sha256').update(data).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/**
 * Key for the digests that name cache entries: fixed for the pooler's lifetime, never sent anywhere.
 * Caches are keyed by HMAC(key, inputs) so no password — configured or attempted — is kept as text.
 */
const CACHE_KEY = randomBytes(32);
function cacheKey(...parts: (string | Buffer)[]): string {
  const mac = createHmac('sha256', CACHE_KEY);
  for (const part of parts) mac.update(part).update('\0');
  return mac.digest('base64');
}

/** PBKDF2 is deliberately slow (~ms); the same (password, salt, iterations) is derived once. */
const saltedPasswordCache = new LruMap<string, Buffer>(1000);
export function saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  const key = cacheKey(String(iterations), salt, password);
  let derived = saltedPasswordCache.get(key);
  if (!derived) {
    derived = pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, 32, 'sha256');
    saltedPasswordCache.set(key, derived);
  }
  return derived;
}

/**
 * Verdicts of plaintext answers checked against SCRAM verifiers (auth_type plain), by
 * HMAC(verifier, answer): a repeated login costs no PBKDF2, and no attempted password is kept.
 */
const plainVerdicts = new LruMap<string, boolean>(1000);

/** PBKDF2 on libuv's thread pool: other clients are served while a login's key is derived. */
function saltedPasswordAsync(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, 32, 'sha256', (error, derived) => (error ? reject(error) : resolve(derived)));
  });
}

async function plainMatchesVerifier(answer: string, verifier: ScramSecret): Promise<boolean> {
  const key = cacheKey(formatScramVerifier(verifier), answer);
  const known = plainVerdicts.get(key);
  if (known !== undefined) return known;
  const salted = await saltedPasswordAsync(answer, verifier.salt, verifier.iterations);
  const ok = constantTimeEqual(sha256(hmac(salted, 'Client Key')), verifier.storedKey);
  plainVerdicts.set(key, ok);
  return ok;
}

/** auth_type plain: the cleartext answer checked against whichever form of the secret is known. */
export async function plainPasswordMatches(user: string, answer: string, secret: UserSecret): Promise<boolean> {
  if (secret.password !== undefined) return sameText(answer, secret.password);
  if (secret.md5 !== undefined) return sameText(md5Hash(user, answer), secret.md5);
  if (secret.scram) return plainMatchesVerifier(answer, secret.scram);
  return false;
}

/** Compares two texts in time independent of where they differ. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function scramSecretFromPassword(password: string, salt: Buffer = randomBytes(16), iterations = DEFAULT_ITERATIONS): ScramSecret {
  const salted = saltedPassword(password, salt, iterations);
  return {
    iterations,
    salt,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** Parses `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (pg_authid / userlist format). */
export function parseScramVerifier(text: string): ScramSecret | undefined {
  const match = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (!match) return undefined;
  const storedKey = Buffer.from(match[3], 'base64');
  const serverKey = Buffer.from(match[4], 'base64');
  if (storedKey.length !== 32 || serverKey.length !== 32) return undefined;
  return { iterations: Number(match[1]), salt: Buffer.from(match[2], 'base64'), storedKey, serverKey };
}

export function formatScramVerifier(secret: ScramSecret): string {
  return `SCRAM-SHA-256$${secret.iterations}:${secret.salt.toString('base64')}$${secret.storedKey.toString('base64')}:${secret.serverKey.toString('base64')}`;
}

/** Builds a UserSecret from a password field that may be plaintext, an md5 hash or a SCRAM verifier. */
export function userSecret(name: string, passwordField: string): UserSecret {
  const scram = parseScramVerifier(passwordField);
  if (scram) return { name, scram };
  if (/^md5[0-9a-f]{32}$/.test(passwordField)) return { name, md5: passwordField };
  return { name, password: passwordField };
}

/** `md5` + md5(password + user): PostgreSQL's stored md5 form. */
export function md5Hash(user: string, password: string): string {
  return 'md5' + createHash('md5').update(password + user).digest('hex');
}

/** The client's md5 response for a stored md5 hash and the 4-byte salt. */
export function md5Response(storedMd5: string, salt: Buffer): string {
  return 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(storedMd5.slice(3), 'utf8'), salt])).digest('hex');
}

function parseAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of text.split(',')) {
    if (part.length >= 2 && part[1] === '=') attributes.set(part[0], part.slice(2));
  }
  return attributes;
}

/**
 * The value of attribute `key` in a SCRAM message (`k=value,…`), the last one when repeated, as
 * parseAttributes would give it: the server side reads two or three per login without a Map.
 */
function attributeOf(text: string, key: string): string | undefined {
  let found: string | undefined;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    if (end - start >= 2 && text.charCodeAt(start + 1) === 0x3d && text[start] === key) found = text.slice(start + 2, end);
    start = end + 1;
  }
  return found;
}

/** c= of a client-final-message for the usual gs2 headers, without encoding them per login. */
const CHANNEL_BINDING = new Map([['n,,', Buffer.from('n,,').toString('base64')], ['y,,', Buffer.from('y,,').toString('base64')]]);

function channelBinding(gs2Header: string): string {
  return CHANNEL_BINDING.get(gs2Header) ?? Buffer.from(gs2Header).toString('base64');
}

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Server side of SCRAM-SHA-256 (the pooler verifying a client). For an unknown user pass a random
 * secret: the exchange then fails exactly like a wrong password, revealing nothing.
 */
export class ScramServerSession {
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';
  /**
   * ClientKey recovered from a valid proof (ClientProof XOR ClientSignature). With the verifier's
   * ServerKey it lets the pooler log in to a server holding the same verifier, never knowing the
   * password (SCRAM pass-through, as PgBouncer does for auth_query users).
   */
  clientKey: Buffer | undefined;

  constructor(
    private readonly secret: ScramSecret,
    private readonly user: string,
    private readonly serverNonce = secureRandomBase64(18),
  ) {}

  /** Takes client-first-message, returns server-first-message. */
  handleClientFirst(clientFirst: string): string {
    const match = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(clientFirst);
    if (!match) throw new AuthError('malformed SCRAM message', '08P01');
    if (match[1].startsWith('p')) throw new AuthError('channel binding is not supported by this pooler', '08P01');
    this.gs2Header = `${match[1]},${match[2]},`;
    this.clientFirstBare = match[3];
    const clientNonce = attributeOf(this.clientFirstBare, 'r');
    if (!clientNonce) throw new AuthError('malformed SCRAM message (nonce missing)', '08P01');
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
    return this.serverFirst;
  }

  /** Takes client-final-message; returns server-final-message or throws 28P01. */
  handleClientFinal(clientFinal: string): string {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw new AuthError('malformed SCRAM message (proof missing)', '08P01');
    const withoutProof = clientFinal.slice(0, proofAt);
    if (attributeOf(withoutProof, 'c') !== channelBinding(this.gs2Header)) {
      throw new AuthError('SCRAM channel binding check failed', '08P01');
    }
    if (attributeOf(withoutProof, 'r') !== this.nonce) throw new AuthError('SCRAM nonce mismatch', '08P01');
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = Buffer.from(`${this.clientFirstBare},${this.serverFirst},${withoutProof}`, 'utf8');
    const clientSignature = verifierHmac(this.secret.storedKey, authMessage);
    if (proof.length !== 32) throw saslFailed();
    const clientKey = xor(proof, clientSignature);
    if (!constantTimeEqual(sha256(clientKey), this.secret.storedKey)) throw saslFailed();
    this.clientKey = clientKey;
    return `v=${verifierHmac(this.secret.serverKey, authMessage).toString('base64')}`;
  }
}

/**
 * Keys that answer a server's SCRAM challenge without the password: valid only for the salt and
 * iteration count they were derived with (the verifier's, which a server with the same verifier uses).
 */
export interface ScramKeys {
  clientKey: Buffer;
  serverKey: Buffer;
  salt: Buffer;
  iterations: number;
}

/** Client side of SCRAM-SHA-256 (the pooler logging in to PostgreSQL). */
export class ScramClientSession {
  private readonly clientFirstBare: string;
  private expectedServerSignature: Buffer | undefined;

  constructor(
    /** The password, or keys recovered from a client's proof (pass-through). */
    private readonly password: string | ScramKeys,
    private readonly clientNonce = secureRandom(18).toString('base64'),
    user = '*',
  ) {
    this.clientFirstBare = `n=${user},r=${this.clientNonce}`;
  }

  clientFirst(): string {
    return `n,,${this.clientFirstBare}`;
  }

  /** Takes server-first-message, returns client-final-message. */
  handleServerFirst(serverFirst: string): string {
    const attributes = parseAttributes(serverFirst);
    const nonce = attributes.get('r');
    const salt = attributes.get('s');
    const iterations = Number(attributes.get('i'));
    if (!nonce || !salt || !Number.isInteger(iterations) || iterations <= 0) throw new AuthError('malformed SCRAM server-first-message', '08P01');
    if (!nonce.startsWith(this.clientNonce)) throw new AuthError('SCRAM server nonce does not start with the client nonce', '08P01');
    const { clientKey, serverKey } = this.keysFor(Buffer.from(salt, 'base64'), iterations);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(clientKey, hmac(sha256(clientKey), authMessage));
    this.expectedServerSignature = hmac(serverKey, authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  private keysFor(salt: Buffer, iterations: number): { clientKey: Buffer; serverKey: Buffer } {
    const known = this.password;
    if (typeof known !== 'string') {
      // Recovered keys only fit the verifier they came from; a differing server verifier would just
      // fail with a confusing 28P01, so say what is wrong.
      if (known.iterations !== iterations || !known.salt.equals(salt)) {
        throw new AuthError('SCRAM pass-through: the server\'s verifier (salt/iterations) differs from the one the client was checked against', '28P01');
      }
      return known;
    }
    const salted = saltedPassword(known, salt, iterations);
    return { clientKey: hmac(salted, 'Client Key'), serverKey: hmac(salted, 'Server Key') };
  }

  /** Checks server-final-message: proves the server knew the password too. */
  verifyServerFinal(serverFinal: string): void {
    const signature = parseAttributes(serverFinal).get('v');
    if (!signature || !this.expectedServerSignature || !constantTimeEqual(Buffer.from(signature, 'base64'), this.expectedServerSignature)) {
      throw new AuthError('SCRAM server signature mismatch: the server does not know the password', '08P01');
    }
  }
}

/** A secret that never verifies, used to run a full exchange for unknown users. */
/** Key for decoy salts: fixed for the pooler's lifetime, never sent anywhere. */
const DECOY_SALT_KEY = randomBytes(32);

/**
 * A secret for a user the pooler does not know. Its salt depends only on the user name (as PostgreSQL's
 * scram_mock_salt does): a fresh salt per attempt would tell a prober which users exist, since a real
 * user's salt never changes between attempts.
 */
export function decoySecret(user: string): ScramSecret {
  const salt = createHmac('sha256', DECOY_SALT_KEY).update(user).digest().subarray(0, 16);
  return { iterations: DEFAULT_ITERATIONS, salt, storedKey: secureRandom(32), serverKey: secureRandom(32) };
}

/** Per-pooler cache of SCRAM secrets derived from plaintext passwords (PBKDF2 once per user). */
export class ScramSecretCache {
  private readonly secrets = new Map<string, ScramSecret>();
  /**
   * The same answer by the userlist entry itself: naming the entry by HMAC costs ~30 µs, which a
   * connection-per-transaction client paid on every login. A reload makes new entries; the keyed
   * map above still finds their secrets when name and password are unchanged.
   */
  private readonly byEntry = new WeakMap<UserSecret, ScramSecret>();

  forUser(user: UserSecret): ScramSecret | undefined {
    if (user.scram) return user.scram;
    if (user.password === undefined) return undefined;
    let secret = this.byEntry.get(user);
    if (secret) return secret;
    const key = cacheKey(user.name, user.password);
    secret = this.secrets.get(key);
    if (!secret) {
      secret = scramSecretFromPassword(user.password);
      this.secrets.set(key, secret);
    }
    this.byEntry.set(user, secret);
    return secret;
  }
}
