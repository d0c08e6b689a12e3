/**
 * OAuth2 access tokens for a Google service account (the JWT-bearer grant, RFC 7523): a JWT signed with the key
 * file's private key (RS256, by `jose`) is exchanged at the key file's `token_uri` for an access token, which is
 * cached and fetched again five minutes before it expires. Concurrent requests share one fetch.
 */
import { readFile } from 'node:fs/promises';
import { importPKCS8, SignJWT } from 'jose';
import { request } from 'undici';
import { redactedExcerpt, registerSecrets } from '../../observability/redact';
import { UpstreamFailure } from '../../upstream/http-spec';

/** The fields of a service-account key file the grant uses. */
export interface ServiceAccountKey {
  type?: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
  project_id?: string;
}

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** What Vertex AI needs. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** A token is replaced this long before its expiry, so no request is sent with one about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const TOKEN_FETCH_TIMEOUT_MS = 10_000;

function authFailure(message: string): UpstreamFailure {
  return new UpstreamFailure({ status: 502, type: 'upstream_error', code: 'upstream_auth_failed', retryable: true, credentialProblem: true, message });
}

/**
 * @example
 * const tokens = new ServiceAccountTokenSource('/etc/keys/vertex.json', () => Date.now());
 * const token = await tokens.token(); // 'ya29.…'
 */
export class ServiceAccountTokenSource {
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private key: Promise<ServiceAccountKey> | undefined;
  /** Tokens fetched so far (what the refresh tests count). */
  fetches = 0;

  constructor(
    private readonly keyFile: string,
    private readonly now: () => number,
    private readonly label = 'Vertex AI',
  ) {}

  /** A valid access token: the cached one, or a new one when it is within REFRESH_MARGIN_MS of expiring. */
  token(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.expiresAt - REFRESH_MARGIN_MS) return Promise.resolve(cached.token);
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private loadKey(): Promise<ServiceAccountKey> {
    this.key ??= readFile(this.keyFile, 'utf8')
      .then((text) => {
        let key: Partial<ServiceAccountKey>;
        try {
          key = JSON.parse(text) as Partial<ServiceAccountKey>;
        } catch {
          // Not the parser's message: it quotes the text around the error, which is the private key.
          throw new Error('not valid JSON');
        }
        if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') throw new Error('no client_email or private_key');
        registerSecrets([key.private_key]);
        return key as ServiceAccountKey;
      })
      .catch((err: unknown) => {
        this.key = undefined;
        throw authFailure(`${this.label}: the service-account key file ${this.keyFile} cannot be used (${err instanceof Error ? err.message : String(err)}).`);
      });
    return this.key;
  }

  private async fetchToken(): Promise<string> {
    const key = await this.loadKey();
    const tokenUri = key.token_uri || GOOGLE_TOKEN_URI;
    const startedAt = this.now();
    const issuedAt = Math.floor(startedAt / 1000);
    let assertion: string;
    try {
      const jwt = new SignJWT({ scope: CLOUD_PLATFORM_SCOPE })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) })
        .setIssuer(key.client_email)
        .setSubject(key.client_email)
        .setAudience(tokenUri)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 3600);
      assertion = await jwt.sign(await importPKCS8(key.private_key, 'RS256'));
    } catch (err) {
      throw authFailure(`${this.label}: the private key of ${key.client_email} cannot sign (${err instanceof Error ? err.message : String(err)}).`);
    }
    let status: number;
    let text: string;
    try {
      const res = await request(tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
        signal: AbortSignal.timeout(TOKEN_FETCH_TIMEOUT_MS),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw authFailure(`${this.label}: the token endpoint could not be reached (${err instanceof Error ? err.message : String(err)}).`);
    }
    if (status !== 200) throw authFailure(`${this.label}: the token endpoint refused the service account (HTTP ${status}: ${redactedExcerpt(text, 300)}).`);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || !body.access_token) throw authFailure(`${this.label}: the token endpoint answered without an access_token.`);
    const lifetimeS = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    registerSecrets([body.access_token]);
    this.fetches++;
    this.cached = { token: body.access_token, expiresAt: startedAt + lifetimeS * 1000 };
    return body.access_token;
  }
}
