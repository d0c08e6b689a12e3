/**
 * Responses in Redis, for several gateway instances: one string key per response, with a TTL at the retention,
 * so Redis itself drops expired responses (the purge has nothing to do). The connection comes from
 * stores/redis-client.ts (fails fast while Redis is away); a command waits briefly for a connection that is
 * still being made, so the first request after start does not fail.
 */
import type Redis from 'ioredis';
import type { Logger } from '../../observability/logger';
import { isRedisReady, openRedis, waitForRedis } from '../../stores/redis-client';
import { decodeStored, encodeStored, type ResponseBackend } from './backend';
import type { StoredResponse } from './types';

export const REDIS_RESPONSE_PREFIX = 'switchyard:resp:';
/** How long a command waits for a connection being (re)made before the store counts as unavailable. */
const CONNECT_WAIT_MS = 2000;

/**
 * @example const backend = new RedisResponseBackend('redis://127.0.0.1:6379', log);
 */
export class RedisResponseBackend implements ResponseBackend {
  readonly kind = 'redis';
  private readonly client: Redis;

  constructor(
    url: string,
    log: Logger,
    readonly prefix = REDIS_RESPONSE_PREFIX,
    private readonly now: () => number = Date.now,
  ) {
    // A response may be large (images in its input): give a command longer than a rate-limit counter gets.
    this.client = openRedis(url, { purpose: 'responses', log, commandTimeoutMs: 2000 });
  }

  async put(response: StoredResponse, expiresAt: number): Promise<void> {
    await this.ready();
    const ttlMs = Math.max(1, Math.round(expiresAt - this.now()));
    await this.client.set(this.prefix + response.id, encodeStored(response), 'PX', ttlMs);
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    await this.ready();
    const text = await this.client.get(this.prefix + id);
    return text === null ? undefined : decodeStored(text);
  }

  async delete(id: string): Promise<boolean> {
    await this.ready();
    return (await this.client.del(this.prefix + id)) > 0;
  }

  async purgeCreatedBefore(): Promise<number> {
    return 0; // each key carries its TTL
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private async ready(): Promise<void> {
    if (!isRedisReady(this.client)) await waitForRedis(this.client, CONNECT_WAIT_MS);
  }
}
