/**
 * Opens the store named by `feedback.store`: memory, sqlite://PATH (relative to the config file), postgres://…
 * or redis://….
 */
import path from 'node:path';
import type { Logger } from '../observability/logger';
import { openRedis } from '../stores/redis-client';
import type { FeedbackStore } from './feedback-store';
import { MemoryFeedbackStore } from './stores/memory';
import { PostgresFeedbackStore } from './stores/postgres';
import { RedisFeedbackStore } from './stores/redis';
import { SqliteFeedbackStore } from './stores/sqlite';

/**
 * @example openFeedbackStore('sqlite://./data/feedback.db', '/etc/switchyard', log, 86_400_000)
 */
export function openFeedbackStore(url: string, configDir: string, log: Logger, servedTtlMs: number): FeedbackStore {
  if (url === 'memory') return new MemoryFeedbackStore();
  if (url.startsWith('sqlite://')) {
    const file = url.slice('sqlite://'.length);
    return new SqliteFeedbackStore(file === ':memory:' ? file : path.resolve(configDir, file));
  }
  if (/^postgres(ql)?:\/\//.test(url)) return new PostgresFeedbackStore(url);
  if (/^rediss?:\/\//.test(url)) return new RedisFeedbackStore(openRedis(url, { purpose: 'feedback', log }), 'switchyard:feedback:', servedTtlMs);
  throw new Error('feedback.store must be memory, sqlite://PATH, postgres://… or redis://…');
}
