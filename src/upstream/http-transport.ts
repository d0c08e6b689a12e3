/**
 * HTTP to a provider through one undici keep-alive pool per provider origin. Pools outlive config reloads
 * (see config/state-registry.ts), so a reload does not drop warm connections.
 */
import { Pool } from 'undici';
import type { HttpRequestSpec } from '../providers/types';
import type { SendOptions, Transport, UpstreamResponse } from './transport';

export interface HttpTransportOptions {
  connections: number;
  connectTimeoutMs: number;
}

/**
 * @example
 * const t = new HttpTransport('https://api.deepseek.com', { connections: 64, connectTimeoutMs: 5000 });
 * const res = await t.send(spec, { signal });
 */
export class HttpTransport implements Transport {
  private readonly pool: Pool;

  constructor(readonly origin: string, opts: HttpTransportOptions) {
    this.pool = new Pool(origin, {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: opts.connectTimeoutMs },
    });
  }

  async send(spec: HttpRequestSpec, opts: SendOptions): Promise<UpstreamResponse> {
    const url = new URL(spec.url);
    const res = await this.pool.request({
      method: spec.method,
      path: url.pathname + url.search,
      headers: spec.headers,
      body: spec.body,
      signal: opts.signal,
      headersTimeout: opts.firstByteTimeoutMs ?? 300_000,
      bodyTimeout: opts.idleTimeoutMs ?? 300_000,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
