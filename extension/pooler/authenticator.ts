// The pooler's side of one client login, for every database including the admin console: which
// authentication request to send for the configured auth_type, and what each answer means. The
// Client reads the messages and writes the replies; this class only decides, so database and
// console logins cannot drift apart again.
import {
  AuthError, SCRAM_MECHANISM, ScramServerSession, decoySecret, md5Hash, md5Response, passwordFailed, plainPasswordMatches, secureRandom, sameText,
  type ScramKeys, type ScramSecret, type ScramSecretCache, type UserSecret,
} from './auth';
import type { LoginMethod } from './config';
import { identAllows, type IdentMapping } from './ident';
import { AuthCode, authentication, authenticationSasl, authenticationWithText, parseSaslInitialResponse, readCString } from './protocol';

/** What to do next: send `reply` and wait for the client's answer, or the login is done. */
export type AuthStep =
  | { reply: Buffer }
  | {
      done: true;
      /** Last authentication message (SASLFinal), sent together with AuthenticationOk. */
      before?: Buffer;
      /** Keys from the client's SCRAM proof when only a verifier is known (server pass-through). */
      scramKeys?: ScramKeys;
    };

type Phase =
  | { step: 'scram-first'; session: ScramServerSession; secret: ScramSecret; passThrough: boolean }
  | { step: 'scram-final'; session: ScramServerSession; secret: ScramSecret; passThrough: boolean }
  | { step: 'md5'; salt: Buffer }
  | { step: 'password' }
  | { step: 'done' };

/**
 * Who the client is outside any password exchange, and the hba rule's ident map, if any: for `cert`
 * the names of its verified certificate, for `peer` the OS user of its unix socket peer.
 */
export interface ExternalIdentity {
  /** undefined: no verified certificate (cert), or a peer whose OS user cannot be known (peer). */
  names: ((name: string) => boolean) | undefined;
  /** hba `map=`: its name and lines; without one the certificate (or peer) must name the user. */
  map?: { name: string; mappings: readonly IdentMapping[] };
}

/** PgBouncer's texts for a refused cert or peer login: the client's error, and the log's reasons. */
interface IdentityWords {
  failure: string;
  missing: string;
  mismatch: string;
  unmatched: (map: string) => string;
}

const IDENTITY_WORDS: Record<'cert' | 'peer', IdentityWords> = {
  cert: {
    failure: 'certificate authentication failed', missing: 'TLS client certificate required', mismatch: 'TLS certificate name mismatch',
    unmatched: (map) => `ident map: ${map} does not have a match`,
  },
  peer: {
    failure: 'unix socket login rejected', missing: "the peer's OS user cannot be known", mismatch: 'peer user name mismatch',
    unmatched: (map) => `ident map ${map} cannot be matched`,
  },
};

/** The SCRAM request every SCRAM login begins with: built once (it never changes). */
const SCRAM_REQUEST = authenticationSasl([SCRAM_MECHANISM]);
/** Logins that are not cert or peer logins: no external identity. */
const NO_IDENTITY: ExternalIdentity = Object.freeze({ names: undefined });

export class Authenticator {
  private phase: Phase = { step: 'done' };

  /**
   * `secret` undefined: a user the pooler does not know (the exchange then fails like a wrong
   * password). `trusted`: whether auth_type trust lets this user in without a secret.
   */
  constructor(
    private readonly method: LoginMethod,
    private readonly user: string,
    private readonly secret: UserSecret | undefined,
    private readonly scramSecrets: ScramSecretCache,
    private readonly trusted: boolean,
    private readonly identity: ExternalIdentity = NO_IDENTITY,
  ) {}

  /** The authentication request to send first (or done, for trust). */
  start(): AuthStep {
    switch (this.method) {
      case 'trust':
        if (!this.trusted) throw new AuthError('"trust" authentication failed', '28000');
        return { done: true };
      case 'md5': {
        // A user known only by a SCRAM verifier cannot answer md5: PgBouncer switches to SCRAM.
        if (this.secret?.scram && this.secret.md5 === undefined && this.secret.password === undefined) return this.startScram();
        const salt = secureRandom(4);
        this.phase = { step: 'md5', salt };
        return { reply: authentication(AuthCode.MD5Password, salt) };
      }
      case 'plain':
        this.phase = { step: 'password' };
        return { reply: authentication(AuthCode.CleartextPassword) };
      case 'scram-sha-256':
        return this.startScram();
      case 'cert':
      case 'peer':
        return this.checkIdentity(IDENTITY_WORDS[this.method]);
    }
  }

  /**
   * PgBouncer's login_via_cert and login_as_unix_peer: a known user whose certificate (or unix peer's
   * OS user) names them, or maps to them through the hba rule's ident map.
   */
  private checkIdentity(words: IdentityWords): AuthStep {
    const { names, map } = this.identity;
    const refuse = (why: string) => new AuthError(words.failure, '28000', why);
    if (!names) throw refuse(words.missing);
    if (!this.trusted) throw refuse(`unknown user "${this.user}"`);
    if (map) {
      if (!identAllows(map.mappings, names, this.user)) throw refuse(words.unmatched(map.name));
    } else if (!names(this.user)) {
      throw refuse(words.mismatch);
    }
    return { done: true };
  }

  private startScram(): AuthStep {
    const known = this.secret && this.scramSecrets.forUser(this.secret);
    const secret = known ?? decoySecret(this.user);
    // Without a plaintext password the server login must reuse this client's proof.
    const passThrough = known !== undefined && this.secret?.password === undefined;
    this.phase = { step: 'scram-first', session: new ScramServerSession(secret, this.user), secret, passThrough };
    return { reply: SCRAM_REQUEST };
  }

  /**
   * The client's PasswordMessage / SASL response. Throws AuthError on a wrong answer; a plaintext
   * password checked against a SCRAM verifier resolves later (PBKDF2 runs off the event loop).
   */
  answer(body: Buffer): AuthStep | Promise<AuthStep> {
    const phase = this.phase;
    this.phase = { step: 'done' };
    switch (phase.step) {
      case 'scram-first': {
        const { mechanism, data } = parseSaslInitialResponse(body);
        if (mechanism !== SCRAM_MECHANISM) throw new AuthError('client selected an invalid SASL authentication mechanism', '08P01');
        const serverFirst = phase.session.handleClientFirst(data.toString('utf8'));
        this.phase = { ...phase, step: 'scram-final' };
        return { reply: authenticationWithText(AuthCode.SASLContinue, serverFirst) };
      }
      case 'scram-final': {
        const serverFinal = phase.session.handleClientFinal(body.toString('utf8'));
        const clientKey = phase.session.clientKey;
        const { salt, iterations, serverKey } = phase.secret;
        const scramKeys = phase.passThrough && clientKey ? { clientKey, serverKey, salt, iterations } : undefined;
        return { done: true, before: authenticationWithText(AuthCode.SASLFinal, serverFinal), scramKeys };
      }
      case 'md5': {
        const [answer] = readCString(body, 0);
        const secret = this.secret;
        const stored = secret?.md5 ?? (secret?.password !== undefined ? md5Hash(this.user, secret.password) : undefined);
        if (!stored || !sameText(answer, md5Response(stored, phase.salt))) throw passwordFailed(this.user);
        return { done: true };
      }
      case 'password': {
        const [answer] = readCString(body, 0);
        const secret = this.secret;
        if (!secret) throw passwordFailed(this.user);
        return plainPasswordMatches(this.user, answer, secret).then((ok) => {
          if (!ok) throw passwordFailed(this.user);
          return { done: true } as const;
        });
      }
      case 'done':
        throw new AuthError('unexpected password message', '08P01');
    }
  }
}
