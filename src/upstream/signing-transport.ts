/**
 * A transport that signs each request just before handing it to the real one: the one place where the
 * asynchronous authentication step of a provider (RequestSigner: SigV4, OAuth tokens) runs. A wrapper, like the
 * routing's resilience wrappers, so the HTTP transport stays unaware of credentials.
 */
import type { HttpRequestSpec, RequestSigner } from './http-spec';
import type { BufferedResponse, FetchOptions, SendOptions, Transport, UpstreamResponse } from './transport';

/**
 * @example const transport = new SigningTransport(new HttpTransport(pool, limits), sigV4Signer);
 */
export class SigningTransport implements Transport {
  constructor(
    readonly inner: Transport,
    private readonly signer: RequestSigner,
  ) {}

  async send(spec: HttpRequestSpec, opts: SendOptions): Promise<UpstreamResponse> {
    return this.inner.send(await this.signer.sign(spec), opts);
  }

  async fetch(spec: HttpRequestSpec, opts: FetchOptions): Promise<BufferedResponse> {
    return this.inner.fetch(await this.signer.sign(spec), opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
