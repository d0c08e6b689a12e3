/**
 * Vertex AI's request authentication with a service account: each request gets `Authorization: Bearer <token>`
 * from the cached OAuth2 token (service-account.ts). Providers with a Vertex API key need no signer.
 */
import { UpstreamFailure, type HttpRequestSpec, type RequestSigner } from '../../upstream/http-spec';
import type { ServiceAccountTokenSource } from './service-account';

/**
 * @example const signer = new VertexTokenSigner(new ServiceAccountTokenSource(file, Date.now));
 */
export class VertexTokenSigner implements RequestSigner {
  constructor(private readonly tokens: ServiceAccountTokenSource) {}

  async sign(spec: HttpRequestSpec): Promise<HttpRequestSpec> {
    return { ...spec, headers: { ...spec.headers, authorization: `Bearer ${await this.tokens.token()}` } };
  }
}

/** For a provider with neither an API key nor a key file: every request fails over with the reason. */
export class MissingCredentialsSigner implements RequestSigner {
  constructor(private readonly message: string) {}

  sign(): Promise<HttpRequestSpec> {
    return Promise.reject(
      new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'upstream_auth_failed',
        retryable: true,
        credentialProblem: true,
        message: this.message,
      }),
    );
  }
}
