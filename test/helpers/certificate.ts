// A self-signed certificate from openssl, for TLS between clients, poolers and a throwaway cluster.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { serverOsUser } from '../../cli/throwawayPostgres';

export interface CertificateFiles {
  key: string;
  cert: string;
}

/**
 * Writes `<name>.key` and `<name>.crt` (CN and subjectAltName `localhost`, valid one day) into `dir`.
 * The key is 0600; as root both belong to the `postgres` OS user, which PostgreSQL and PgBouncer run
 * as (PostgreSQL refuses a key that others can read). `dir` must be traversable by that user.
 */
export function selfSignedCertificate(dir: string, name = 'server', commonName = 'localhost'): CertificateFiles {
  const files = { key: join(dir, `${name}.key`), cert: join(dir, `${name}.crt`) };
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${commonName}`, '-days', '1',
    '-addext', `subjectAltName=DNS:${commonName}`, '-keyout', files.key, '-out', files.cert], { stdio: 'pipe' });
  chmodSync(files.key, 0o600);
  const owner = serverOsUser();
  if (owner) for (const file of [files.key, files.cert]) chownSync(file, owner.uid, owner.gid);
  return files;
}
