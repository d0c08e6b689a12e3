/**
 * Bedrock's request signing: AWS Signature Version 4 over the finished request (@smithy/signature-v4, service
 * `bedrock`, SHA-256 from node:crypto), or a Bedrock API key from the environment as a bearer token. Credentials are looked up once per
 * config snapshot, at the first request (a failed lookup is tried again at the next one).
 */
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { registerSecrets } from '../../observability/redact';
import { UpstreamFailure, type HttpRequestSpec, type RequestSigner } from '../../upstream/http-spec';
import type { SignerContext } from '../types';
import { resolveBedrockAuth, type BedrockAuth } from './credentials';

/**
 * SHA-256 over node:crypto, the hash the AWS SDK for Node signs with (the pure-JS @aws-crypto/sha256-js took
 * about 200 µs per 2 KB request on the reference machine).
 */
const Sha256 = Hash.bind(null, 'sha256');

/** The SigV4 signing name of the Bedrock runtime API. */
export const BEDROCK_SIGNING_SERVICE = 'bedrock';

/**
 * @example const signer = new BedrockSigner('aws', { region: 'us-east-1' }, 'us-east-1', { env: process.env, now: Date.now });
 */
export class BedrockSigner implements RequestSigner {
  private auth: Promise<BedrockAuth> | undefined;
  private sigv4: SignatureV4 | undefined;

  constructor(
    private readonly providerName: string,
    private readonly options: Record<string, unknown>,
    private readonly region: string,
    private readonly context: SignerContext,
  ) {}

  async sign(spec: HttpRequestSpec): Promise<HttpRequestSpec> {
    const auth = await this.resolve();
    if (auth.kind === 'bearer') return { ...spec, headers: { ...spec.headers, authorization: `Bearer ${auth.token}` } };
    this.sigv4 ??= new SignatureV4({ service: BEDROCK_SIGNING_SERVICE, region: this.region, credentials: auth.credentials, sha256: Sha256 });
    const url = new URL(spec.url);
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => (query[k] = v));
    const signed = await this.sigv4.sign(
      {
        method: spec.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query,
        headers: { ...spec.headers, host: url.host },
        body: spec.body,
      },
      { signingDate: new Date(this.context.now()) },
    );
    return { ...spec, headers: signed.headers };
  }

  private resolve(): Promise<BedrockAuth> {
    this.auth ??= resolveBedrockAuth(this.options, this.context.env).then((found) => {
      if (typeof found === 'string') {
        throw new UpstreamFailure({
          status: 502,
          type: 'upstream_error',
          code: 'upstream_auth_failed',
          retryable: true,
          credentialProblem: true,
          message: `Bedrock provider "${this.providerName}" has no credentials: ${found}.`,
        });
      }
      registerSecrets(found.kind === 'bearer' ? [found.token] : [found.credentials.secretAccessKey, found.credentials.sessionToken ?? ''].filter(Boolean));
      return found;
    });
    this.auth.catch(() => (this.auth = undefined));
    return this.auth;
  }
}
