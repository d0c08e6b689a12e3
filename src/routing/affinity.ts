/**
 * Cache affinity: keep a conversation on the target that served it, so the provider's prompt cache (which is
 * per provider, often per server) keeps hitting. A conversation is the caller's key plus the messages up to
 * and including the first user message, by hash: every later turn starts with them. The book is bounded (least
 * recently used conversations go first) and each pin lasts `ttl_s` from its last use. With `--workers` the book
 * of the primary holds the pins (a conversation's next turn may land on another worker): `share` hands the
 * lookups to it, one round trip each, and the pins to it one way.
 */
import { createHash } from 'node:crypto';
import type { ChatMessage } from '../providers/openai-types';

export interface AffinityPolicy {
  ttlMs: number;
}

/** Default pin lifetime: Anthropic's and OpenAI's prompt caches keep an entry about 5 minutes after its last use. */
export const DEFAULT_AFFINITY_TTL_S = 300;
const MAX_CONVERSATIONS = 100_000;

/**
 * The conversation's identity, or undefined for a body without messages (embeddings, completions).
 *
 * @example conversationKey('team-a', 'chat', [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]) // 'chat:6f1…'
 */
export function conversationKey(keyName: string | undefined, alias: string, messages: unknown): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const firstUser = (messages as ChatMessage[]).findIndex((m) => m?.role === 'user');
  const leading = firstUser === -1 ? messages : messages.slice(0, firstUser + 1);
  const hash = createHash('sha256')
    .update(keyName ?? '')
    .update('\u0000')
    .update(JSON.stringify(leading))
    .digest('base64url');
  return `${alias}:${hash}`;
}

interface Pin {
  target: string;
  expiresAt: number;
}

/** Where the pins are kept when not in this process: the primary's book (src/cluster/shared-stores.ts). */
export interface SharedPins {
  pinned(conversation: string): Promise<string | undefined>;
  remember(conversation: string, target: string, ttlMs: number): void;
}

/**
 * @example
 * const book = new AffinityBook(() => Date.now());
 * book.remember(key, 'anthropic/claude-sonnet-4', 300_000);
 * book.pinned(key) // 'anthropic/claude-sonnet-4' for the next five minutes of silence
 */
export class AffinityBook {
  private readonly pins = new Map<string, Pin>();
  private shared?: SharedPins;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = MAX_CONVERSATIONS,
  ) {}

  /** Keeps the pins in `shared` from now on instead of in this process. */
  share(shared: SharedPins): void {
    this.shared = shared;
  }

  /** The pin wherever it is kept: at once from this process's book, or a promise of the shared book's answer. */
  lookup(conversation: string): string | undefined | Promise<string | undefined> {
    return this.shared ? this.shared.pinned(conversation) : this.pinned(conversation);
  }

  /** The target key the conversation is pinned to in this process's book, if its pin is still live. */
  pinned(conversation: string): string | undefined {
    const pin = this.pins.get(conversation);
    if (!pin) return undefined;
    if (pin.expiresAt <= this.now()) {
      this.pins.delete(conversation);
      return undefined;
    }
    return pin.target;
  }

  /** Pins (or re-pins) the conversation to the target that just served it, for `ttlMs` from now. */
  remember(conversation: string, target: string, ttlMs: number): void {
    if (this.shared) return this.shared.remember(conversation, target, ttlMs);
    // Delete first so the Map's insertion order stays least-recently-used first.
    this.pins.delete(conversation);
    this.pins.set(conversation, { target, expiresAt: this.now() + ttlMs });
    if (this.pins.size > this.capacity) this.pins.delete(this.pins.keys().next().value as string);
  }

  get size(): number {
    return this.pins.size;
  }
}

/**
 * The strategy's order with the pinned target moved to the front, unless it is no longer one of the alias's
 * targets or `usable` says no (cooling down): then the strategy's order stands and the next success re-pins.
 *
 * @example preferPinned(order, 'openai/gpt-4o', (t) => !cooling(t))
 */
export function preferPinned<T extends { provider: string; model: string }>(order: T[], pinned: string | undefined, usable: (key: string) => boolean): T[] {
  if (pinned === undefined || !usable(pinned)) return order;
  const i = order.findIndex((t) => `${t.provider}/${t.model}` === pinned);
  if (i <= 0) return order;
  return [order[i], ...order.slice(0, i), ...order.slice(i + 1)];
}
