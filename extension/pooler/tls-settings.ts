// PgBouncer's client_tls_* and server_tls_* settings turned into Node TLS options. Everything is built
// (files read, versions and ciphers checked) before anything is used, so a setting that cannot be
// applied leaves the pooler on its previous TLS configuration, as PgBouncer's sbuf_tls_setup does.
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { ClientTlsMode, PoolerConfig } from './config';

export class TlsSetupError extends Error {}

/** What client TLS accepts: undefined context = client TLS off. */
export interface ClientTls {
  context: tls.SecureContext | undefined;
  /**
   * client_tls_ca_file is set: a client may present a certificate, and it must verify. Such
   * handshakes go through a tls.Server made from `serverOptions` (client.ts): only a server-side
   * TLSSocket that a tls.Server made checks the client's certificate.
   */
  requestCert: boolean;
  /** verify-ca / verify-full: a client without a valid certificate is refused in the handshake. */
  requireCert: boolean;
  serverOptions: tls.TlsOptions;
}

/** Connect options towards PostgreSQL, and a fingerprint: servers opened with another one are replaced. */
export interface ServerTls {
  options: Pick<tls.ConnectionOptions, 'ca' | 'key' | 'cert' | 'minVersion' | 'maxVersion' | 'ciphers'>;
  fingerprint: string;
}

type Version = tls.SecureVersion;
const VERSIONS: readonly Version[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const PROTOCOL_WORDS: Record<string, readonly Version[]> = {
  all: VERSIONS,
  legacy: VERSIONS,
  default: ['TLSv1.2', 'TLSv1.3'],
  secure: ['TLSv1.2', 'TLSv1.3'],
  tlsv1: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
  'tlsv1.0': ['TLSv1'],
  'tlsv1.1': ['TLSv1.1'],
  'tlsv1.2': ['TLSv1.2'],
  'tlsv1.3': ['TLSv1.3'],
};
/** libtls keywords that mean "OpenSSL's default cipher list" for TLS 1.2 and older. */
const DEFAULT_CIPHER_WORDS = ['default', 'secure', 'normal', 'fast'];
const NODE_TLS12_CIPHERS = tls.DEFAULT_CIPHERS.split(':').filter((name) => !name.startsWith('TLS_')).join(':');

/**
 * `tlsv1.2,tlsv1.3`, `secure`, `all`, `!tlsv1.0`… (libtls's syntax, `,` or `:` separated) as the
 * range Node takes. Node has no gaps in a range: the lowest and highest version named are used.
 */
export function protocolRange(text: string, prefix: string): { minVersion: Version; maxVersion: Version } {
  const chosen = new Set<Version>();
  for (const raw of text.split(/[,:]/)) {
    const item = raw.trim().toLowerCase();
    const negate = item.startsWith('!');
    if (negate && chosen.size === 0) VERSIONS.forEach((version) => chosen.add(version));
    const versions = PROTOCOL_WORDS[negate ? item.slice(1) : item];
    if (!versions) throw new TlsSetupError(`invalid ${prefix}_protocols: ${text}`);
    versions.forEach((version) => (negate ? chosen.delete(version) : chosen.add(version)));
  }
  const ordered = VERSIONS.filter((version) => chosen.has(version));
  if (ordered.length === 0) throw new TlsSetupError(`invalid ${prefix}_protocols: ${text}`);
  return { minVersion: ordered[0], maxVersion: ordered[ordered.length - 1] };
}

/** One OpenSSL cipher string for both lists: TLS 1.2 ciphers (client_tls_ciphers) then TLS 1.3 suites (client_tls13_ciphers). */
function cipherString(ciphers: string, ciphers13: string): string | undefined {
  const custom12 = ciphers !== '' && !DEFAULT_CIPHER_WORDS.includes(ciphers.toLowerCase());
  if (!custom12 && ciphers13 === '') return undefined; // Node's defaults for both
  const suites13 = ciphers13 === '' ? tls.DEFAULT_CIPHERS.split(':').filter((name) => name.startsWith('TLS_')).join(':') : ciphers13;
  return `${custom12 ? ciphers : NODE_TLS12_CIPHERS}:${suites13}`;
}

/** Checks each list on its own so the error names the setting at fault (PgBouncer's and libtls's words). */
function checkCiphers(ciphers: string, ciphers13: string, prefix: string): void {
  const custom12 = ciphers !== '' && !DEFAULT_CIPHER_WORDS.includes(ciphers.toLowerCase());
  if (custom12 && (ciphers.split(':').some((name) => name.startsWith('TLS_')) || !accepts({ ciphers }))) {
    throw new TlsSetupError(`invalid ${prefix}_ciphers: ${ciphers}`);
  }
  if (ciphers13 === '') return;
  // Each TLS 1.3 suite must be one OpenSSL knows: Node would take other words as TLS 1.2 cipher names.
  const suites = ciphers13.split(':');
  if (suites.some((name) => !name.startsWith('TLS_')) || !accepts({ ciphers: ciphers13 })) {
    throw new TlsSetupError(`failed to set the TLSv1.3 cipher suites (${prefix}13_ciphers: ${ciphers13})`);
  }
}

function accepts(options: tls.SecureContextOptions): boolean {
  try {
    tls.createSecureContext(options);
    return true;
  } catch {
    return false;
  }
}

function readSetting(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsSetupError(`invalid ${setting}: ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

const VERIFYING_CLIENT_MODES: readonly ClientTlsMode[] = ['verify-ca', 'verify-full'];
export const CLIENT_TLS_OFF: ClientTls = { context: undefined, requestCert: false, requireCert: false, serverOptions: {} };

/** The client side (client_tls_*), with PgBouncer's consistency rules; throws TlsSetupError. */
export function buildClientTls(config: PoolerConfig): ClientTls {
  const mode = config.client_tls_sslmode;
  const caFile = config.client_tls_ca_file;
  if (config.auth_type === 'cert' && mode !== 'verify-full') throw new TlsSetupError('auth_type=cert requires client_tls_sslmode=verify-full');
  if (config.auth_type === 'cert' && !caFile) throw new TlsSetupError('auth_type=cert requires client_tls_ca_file');
  if (VERIFYING_CLIENT_MODES.includes(mode) && !caFile) throw new TlsSetupError('client_tls_sslmode requires client_tls_ca_file');
  if (mode === 'disable') return CLIENT_TLS_OFF;
  if (!config.client_tls_key_file || !config.client_tls_cert_file) {
    throw new TlsSetupError('To allow TLS connections from clients, client_tls_key_file and client_tls_cert_file must be set.');
  }
  const options: tls.SecureContextOptions = {
    ...protocolRange(config.client_tls_protocols, 'client_tls'),
    key: readSetting(config.client_tls_key_file, 'client_tls_key_file'),
    cert: readSetting(config.client_tls_cert_file, 'client_tls_cert_file'),
    ca: caFile ? readSetting(caFile, 'client_tls_ca_file') : undefined,
  };
  checkCiphers(config.client_tls_ciphers, config.client_tls13_ciphers, 'client_tls');
  const ciphers = cipherString(config.client_tls_ciphers, config.client_tls13_ciphers);
  try {
    const contextOptions = { ...options, ...(ciphers ? { ciphers } : {}) };
    const requestCert = caFile !== '';
    const requireCert = VERIFYING_CLIENT_MODES.includes(mode);
    const context = tls.createSecureContext(contextOptions);
    return { context, requestCert, requireCert, serverOptions: { ...contextOptions, requestCert, rejectUnauthorized: requireCert } };
  } catch (error) {
    throw new TlsSetupError(`client TLS: ${(error as Error).message}`);
  }
}

/** The server side (server_tls_*, apart from server_tls_sslmode, which each target carries); throws TlsSetupError. */
export function buildServerTls(config: PoolerConfig): ServerTls {
  const settings = {
    protocols: config.server_tls_protocols, ciphers: config.server_tls_ciphers, ciphers13: config.server_tls13_ciphers,
    ca: config.server_tls_ca_file, key: config.server_tls_key_file, cert: config.server_tls_cert_file,
  };
  const range = protocolRange(settings.protocols, 'server_tls');
  checkCiphers(settings.ciphers, settings.ciphers13, 'server_tls');
  const ciphers = cipherString(settings.ciphers, settings.ciphers13);
  const options: ServerTls['options'] = {
    ...range,
    ...(ciphers ? { ciphers } : {}),
    ca: settings.ca ? readSetting(settings.ca, 'server_tls_ca_file') : undefined,
    key: settings.key ? readSetting(settings.key, 'server_tls_key_file') : undefined,
    cert: settings.cert ? readSetting(settings.cert, 'server_tls_cert_file') : undefined,
  };
  if (Boolean(options.key) !== Boolean(options.cert)) throw new TlsSetupError('server_tls_key_file and server_tls_cert_file must be set together');
  try {
    tls.createSecureContext(options);
  } catch (error) {
    throw new TlsSetupError(`server TLS: ${(error as Error).message}`);
  }
  // The file contents count too: a renewed certificate under the same name is a change.
  const fingerprint = JSON.stringify([settings, ...[options.ca, options.key, options.cert].map((file) => (file ? (file as Buffer).toString('base64') : ''))]);
  return { options, fingerprint };
}

/** Whether a setting name is one of these (SET of it re-applies TLS, as PgBouncer's admin SET does). */
export function isTlsSetting(key: string): boolean {
  return key.includes('_tls_') || key.includes('_tls13_');
}

/** `TLSv1.3/TLS_AES_256_GCM_SHA384`: PgBouncer's tls= in its login lines. */
export function connectionInfo(socket: tls.TLSSocket): string {
  return `${socket.getProtocol() ?? '?'}/${socket.getCipher()?.standardName ?? socket.getCipher()?.name ?? '?'}`;
}

/** Whether a client certificate names `name` (its subjectAltName DNS names, else its CN), as libtls checks it. */
export function certificateNames(socket: tls.TLSSocket, name: string): boolean {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return false;
  return tls.checkServerIdentity(name, cert) === undefined;
}
