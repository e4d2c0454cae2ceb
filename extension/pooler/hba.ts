// auth_type = hba: PgBouncer's auth_hba_file, a subset of PostgreSQL's pg_hba.conf. The first rule
// matching the connection's kind (unix socket or TCP, with or without TLS), database, user and
// address decides the authentication method. Pure: text in, rules out; matching takes a connection.
import { isIP } from 'node:net';

export type HbaMethod = 'trust' | 'reject' | 'md5' | 'password' | 'scram-sha-256' | 'cert' | 'peer' | 'ldap' | 'pam';
const METHODS: readonly string[] = ['trust', 'reject', 'md5', 'password', 'scram-sha-256', 'cert', 'peer', 'ldap', 'pam'];
const TYPES = ['local', 'host', 'hostssl', 'hostnossl'] as const;
type HbaType = (typeof TYPES)[number];

/** A name list entry: `keyword` for unquoted all/sameuser/replication, else a literal name. */
export interface Name {
  text: string;
  keyword: boolean;
}

interface Network {
  bytes: Buffer;
  mask: Buffer;
}

export interface HbaRule {
  line: number;
  type: HbaType;
  databases: Name[];
  users: Name[];
  /** undefined for `local` rules. */
  network?: Network;
  method: HbaMethod;
  /** `map=name`: the auth_ident_file map that turns a certificate's name (or a peer's OS user) into allowed users. */
  map?: string;
}

export interface HbaConnection {
  /** Unix socket (a `local` rule) rather than TCP. */
  local: boolean;
  tls: boolean;
  /** Client IP address (TCP only). */
  address: string;
  database: string;
  user: string;
}

export class HbaError extends Error {}

/** Splits a line into tokens: whitespace separates, commas separate list items, "…" quotes ("" = "). */
export function tokenizeHbaLine(line: string): Name[][] {
  const tokens: Name[][] = [];
  let current: Name[] | null = null;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '#') break;
    if (c === ' ' || c === '\t') {
      i++;
      // A comma after whitespace continues the same list ("user1,user2 , user3").
      let j = i;
      while (j < line.length && (line[j] === ' ' || line[j] === '\t')) j++;
      if (line[j] !== ',') current = null;
      continue;
    }
    if (c === ',') {
      i++;
      while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
      continue;
    }
    let text = '';
    let quoted = false;
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t' && line[i] !== ',' && line[i] !== '#') {
      if (line[i] === '"') {
        quoted = true;
        i++;
        while (i < line.length && !(line[i] === '"' && line[i + 1] !== '"')) {
          if (line[i] === '"') i++; // "" inside quotes is one quote
          text += line[i++];
        }
        i++; // closing quote
      } else {
        text += line[i++];
      }
    }
    if (!current) {
      current = [];
      tokens.push(current);
    }
    current.push({ text, keyword: !quoted });
  }
  return tokens;
}

function single(token: Name[] | undefined, what: string, line: number): string {
  if (!token || token.length !== 1) throw new HbaError(`line ${line}: expected one ${what}`);
  return token[0].text;
}

function ipBytes(text: string): Buffer | undefined {
  const version = isIP(text);
  if (version === 4) return Buffer.from(text.split('.').map(Number));
  if (version !== 6) return undefined;
  const [head, tail = ''] = text.includes('::') ? text.split('::') : [text, undefined as unknown as string];
  const groups = (part: string) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = text.includes('::') ? groups(tail) : [];
  const words = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  words.forEach((word, index) => bytes.writeUInt16BE(parseInt(word, 16), index * 2));
  return bytes;
}

function prefixMask(bits: number, length: number): Buffer {
  const mask = Buffer.alloc(length);
  for (let i = 0; i < bits; i++) mask[i >> 3] |= 0x80 >> (i & 7);
  return mask;
}

/** `addr/bits` in one token, or `addr mask` in two; returns the network and how many tokens it took. */
function parseNetwork(tokens: Name[][], at: number, line: number): [Network, number] {
  const first = single(tokens[at], 'address', line);
  if (first === 'all') return [{ bytes: Buffer.alloc(0), mask: Buffer.alloc(0) }, 1];
  // samehost / samenet need the machine's interface list: such rules never match.
  if (first === 'samehost' || first === 'samenet') return [{ bytes: Buffer.alloc(1), mask: Buffer.alloc(0) }, 1];
  const slash = first.indexOf('/');
  if (slash >= 0) {
    const bytes = ipBytes(first.slice(0, slash));
    const bits = Number(first.slice(slash + 1));
    if (!bytes || !Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8) throw new HbaError(`line ${line}: invalid address ${first}`);
    return [{ bytes, mask: prefixMask(bits, bytes.length) }, 1];
  }
  const bytes = ipBytes(first);
  const mask = tokens[at + 1] && ipBytes(single(tokens[at + 1], 'mask', line));
  if (!bytes || !mask || mask.length !== bytes.length) throw new HbaError(`line ${line}: invalid address ${first}`);
  return [{ bytes, mask }, 2];
}

/** Parses an auth_hba_file; throws HbaError naming the line of a rule it cannot read. */
export function parseHba(text: string): HbaRule[] {
  const rules: HbaRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const tokens = tokenizeHbaLine(raw);
    if (tokens.length === 0) return;
    const type = single(tokens[0], 'connection type', line) as HbaType;
    if (!TYPES.includes(type)) throw new HbaError(`line ${line}: unknown connection type "${type}"`);
    if (tokens.length < 4) throw new HbaError(`line ${line}: too few fields`);
    let at = 3;
    let network: Network | undefined;
    if (type !== 'local') {
      const [parsed, used] = parseNetwork(tokens, at, line);
      network = parsed;
      at += used;
    }
    const method = single(tokens[at], 'method', line);
    if (!METHODS.includes(method)) throw new HbaError(`line ${line}: unknown method "${method}"`);
    rules.push({ line, type, databases: tokens[1], users: tokens[2], network, method: method as HbaMethod, ...options(tokens.slice(at + 1)) });
  });
  return rules;
}

/** The options after the method: `map=name` is read; others (ldap's) are not used by PoolSafe. */
function options(tokens: Name[][]): { map?: string } {
  for (const token of tokens) {
    const map = token.length === 1 ? /^map=(.+)$/.exec(token[0].text) : null;
    if (map) return { map: map[1] };
  }
  return {};
}

function nameMatches(names: Name[], value: string, user: string): boolean {
  return names.some((name) => {
    if (name.keyword && name.text === 'all') return true;
    if (name.keyword && name.text === 'sameuser') return value === user;
    if (name.keyword && (name.text === 'replication' || name.text.startsWith('+') || name.text.startsWith('@'))) return false; // not supported: never matches
    return name.text === value;
  });
}

function addressMatches(network: Network, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const bytes = ipBytes(mapped ? mapped[1] : address);
  if (network.bytes.length === 0) return true; // `all`
  if (!bytes || bytes.length !== network.bytes.length) return false;
  return bytes.every((byte, i) => (byte & network.mask[i]) === (network.bytes[i] & network.mask[i]));
}

/** The first rule that applies to `connection`, or undefined (PgBouncer then refuses the login). */
export function matchHba(rules: readonly HbaRule[], connection: HbaConnection): HbaRule | undefined {
  return rules.find((rule) => {
    if (rule.type === 'local' ? !connection.local : connection.local) return false;
    if (rule.type === 'hostssl' && !connection.tls) return false;
    if (rule.type === 'hostnossl' && connection.tls) return false;
    if (rule.network && !addressMatches(rule.network, connection.address)) return false;
    return nameMatches(rule.databases, connection.database, connection.user) && nameMatches(rule.users, connection.user, connection.user);
  });
}
