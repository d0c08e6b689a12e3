/**
 * Running spend and in-flight reservations per budget counter (key × period), in integer pico-dollars. A request
 * reserves its worst-case cost before its upstream call (`reserve`: check and hold in one atomic step) and settles
 * to its real cost when it ends (`settle`: release the hold, add the cost, exactly once). In memory, or in Redis
 * (Lua scripts) so every instance sees the same spend; the Redis variant keeps a local mirror to go on with
 * while Redis is unreachable, sums the spend it could not deliver per counter, and adds each sum once when Redis
 * returns.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { errors } from '../errors';
import { isRedisReady } from './redis-client';

/** Nano-dollars in one USD (the unit of counters before pico-dollars; kept for plugins that still use it). */
export const NANO_PER_USD = 1e9;

/** What a counter holds right now. */
export interface CounterLevel {
  /** Settled spend, pico-dollars. */
  spentPico: number;
  /** Sum of the live holds of requests in flight, pico-dollars. */
  reservedPico: number;
}

/** The answer to `reserve`. */
export interface ReserveResult extends CounterLevel {
  /** True when spent + the other holds were below the limit, so the hold was taken. */
  admitted: boolean;
  /** True when the shared store (Redis) acknowledged the hold; false when it was taken locally only. */
  shared: boolean;
}

export interface ReserveOptions {
  /** How long the hold counts if the request never settles (a crash): it then expires by itself. */
  holdTtlMs: number;
  /** How long the counter of a finished period is kept; undefined keeps it. */
  ttlMs?: number;
}

export interface SettleOptions {
  /** `ReserveResult.shared` of the hold being settled; false when there was no hold. */
  shared: boolean;
  ttlMs?: number;
}

export interface SpendCounters {
  get(counter: string): Promise<CounterLevel>;
  /**
   * Atomically: when spent + the holds of other requests is below `limitPico`, sets `holdId`'s hold to the larger
   * of its current hold and `amountPico`. A request over the limit takes nothing.
   */
  reserve(counter: string, holdId: string, amountPico: number, limitPico: number, options: ReserveOptions): Promise<ReserveResult>;
  /**
   * Releases `holdId`'s hold and adds `costPico` to spent. Call it once per hold; in Redis a settlement that is
   * delivered again (its reply was lost) still counts once.
   */
  settle(counter: string, holdId: string, costPico: number, options: SettleOptions): Promise<void>;
  /** Sets spent only if the counter does not exist yet: restores spend from the sink after a restart. */
  seed(counter: string, pico: number, ttlMs?: number): Promise<void>;
  /** True when the counter exists (restored or spent on, here or by another instance). */
  exists(counter: string): Promise<boolean>;
  close(): Promise<void>;
}

interface Hold {
  amount: number;
  expiresAt: number;
}

interface LocalCounter {
  spent: number;
  expiresAt: number;
  holds: Map<string, Hold>;
}

/**
 * @example
 * const counters = new MemorySpendCounters();
 * await counters.reserve('team-a:m2026-11', 'req-1', 5_000_000_000, 10_000_000_000, { holdTtlMs: 600_000 }); // admitted
 * await counters.settle('team-a:m2026-11', 'req-1', 4_500_000_000, { shared: false });
 * (await counters.get('team-a:m2026-11')).spentPico // 4_500_000_000
 */
export class MemorySpendCounters implements SpendCounters {
  private readonly counters = new Map<string, LocalCounter>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(counter: string): Promise<CounterLevel> {
    return this.levelNow(counter);
  }

  levelNow(counter: string, exceptHold?: string): CounterLevel {
    const c = this.live(counter);
    if (!c) return { spentPico: 0, reservedPico: 0 };
    const now = this.now();
    let reserved = 0;
    for (const [id, hold] of c.holds) {
      if (hold.expiresAt <= now) c.holds.delete(id);
      else if (id !== exceptHold) reserved += hold.amount;
    }
    return { spentPico: c.spent, reservedPico: reserved };
  }

  async reserve(counter: string, holdId: string, amountPico: number, limitPico: number, options: ReserveOptions): Promise<ReserveResult> {
    return this.reserveNow(counter, holdId, amountPico, limitPico, options);
  }

  /** The synchronous check-and-hold: nothing can run between the check and the hold. */
  reserveNow(counter: string, holdId: string, amountPico: number, limitPico: number, options: ReserveOptions): ReserveResult {
    const others = this.levelNow(counter, holdId);
    if (others.spentPico + others.reservedPico >= limitPico) {
      return { ...others, reservedPico: others.reservedPico + (this.live(counter)?.holds.get(holdId)?.amount ?? 0), admitted: false, shared: false };
    }
    const held = this.holdNow(counter, holdId, amountPico, options);
    return { spentPico: others.spentPico, reservedPico: others.reservedPico + held, admitted: true, shared: false };
  }

  /** Takes or raises a hold without checking a limit (mirrors a hold the shared store granted). Returns the hold. */
  holdNow(counter: string, holdId: string, amountPico: number, options: ReserveOptions): number {
    const c = this.ensure(counter, options.ttlMs);
    const amount = Math.max(c.holds.get(holdId)?.amount ?? 0, amountPico);
    c.holds.set(holdId, { amount, expiresAt: this.now() + options.holdTtlMs });
    return amount;
  }

  async settle(counter: string, holdId: string, costPico: number, options: SettleOptions): Promise<void> {
    this.settleNow(counter, holdId, costPico, options.ttlMs);
  }

  /** In memory a settlement cannot be lost or replayed: the ledger settles each hold once (see BudgetLedger.settle). */
  settleNow(counter: string, holdId: string, costPico: number, ttlMs?: number): void {
    const c = this.ensure(counter, ttlMs);
    c.holds.delete(holdId);
    c.spent += Math.max(0, Math.round(costPico));
  }

  async seed(counter: string, pico: number, ttlMs?: number): Promise<void> {
    if (!this.live(counter)) this.ensure(counter, ttlMs).spent = pico;
  }

  async exists(counter: string): Promise<boolean> {
    return this.live(counter) !== undefined;
  }

  /** Sets spent to the shared figure plus what this instance has not yet delivered (never below what it knows). */
  setSpentNow(counter: string, pico: number, ttlMs?: number): void {
    this.ensure(counter, ttlMs).spent = pico;
  }

  async close(): Promise<void> {
    this.counters.clear();
  }

  private ensure(counter: string, ttlMs: number | undefined): LocalCounter {
    let c = this.live(counter);
    if (!c) {
      c = { spent: 0, expiresAt: ttlMs === undefined ? Number.POSITIVE_INFINITY : this.now() + ttlMs, holds: new Map() };
      this.counters.set(counter, c);
    }
    return c;
  }

  private live(counter: string): LocalCounter | undefined {
    const c = this.counters.get(counter);
    if (c && c.expiresAt <= this.now()) {
      this.counters.delete(counter);
      return undefined;
    }
    return c;
  }
}

/**
 * How long an expired hold, or the mark of a settlement Redis may not have acknowledged, is kept before it is
 * purged: a settlement replayed within this time after its hold expired still counts exactly once.
 */
export const SETTLE_GRACE_MS = 86_400_000;

// Holds live in a hash beside the counter: field = hold id, value = "<pico>:<expires ms>", or "s:<purge ms>" for
// a settled mark. Lua numbers are doubles: exact up to 2^53 pico-dollars (about $9,007) per counter, and only the
// comparison with the limit uses them (INCRBY itself is exact to 2^63).
const NOW_LUA = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: spent, holds. ARGV: holdId, amount, limit, holdTtlMs, counterTtlMs ('' = none), grace, floor. */
const RESERVE_LUA = `${NOW_LUA}
local id, amount, limit, holdTtl, ttl, grace = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local raw = redis.call('GET', KEYS[1])
if not raw then
  -- The counter vanished (Redis restarted empty, or it never existed): start from what this instance knew.
  raw = ARGV[7]
  if ttl == '' then redis.call('SET', KEYS[1], raw) else redis.call('SET', KEYS[1], raw, 'PX', ttl) end
end
local spent = tonumber(raw)
local reserved, mine = 0, 0
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local field, value = entries[i], entries[i + 1]
  local sep = string.find(value, ':', 1, true)
  local head, at = string.sub(value, 1, sep - 1), tonumber(string.sub(value, sep + 1))
  if head == 's' then
    if at < now then redis.call('HDEL', KEYS[2], field) end
  elseif at + grace < now then
    redis.call('HDEL', KEYS[2], field)
  elseif at > now then
    if field == id then mine = tonumber(head) else reserved = reserved + tonumber(head) end
  end
end
if spent + reserved >= limit then return {0, raw, tostring(reserved + mine)} end
if amount > mine then mine = amount end
redis.call('HSET', KEYS[2], id, tostring(mine) .. ':' .. tostring(now + holdTtl))
redis.call('PEXPIRE', KEYS[2], holdTtl + grace)
return {1, raw, tostring(reserved + mine)}`;

/** KEYS: spent, holds. ARGV: holdId, cost, shared ('1'/'0'), counterTtlMs ('' = none), grace. Returns 1 when it counted. */
const SETTLE_LUA = `${NOW_LUA}
local id, cost, shared, ttl, grace = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local value = redis.call('HGET', KEYS[2], id)
if value and string.sub(value, 1, 2) == 's:' then return 0 end
-- A shared hold that is gone was settled already (a replay after a lost reply), unless Redis lost everything.
if (not value) and shared == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('INCRBY', KEYS[1], cost)
if ttl ~= '' then redis.call('PEXPIRE', KEYS[1], ttl, 'NX') end
if shared == '1' then
  redis.call('HDEL', KEYS[2], id)
else
  -- Nothing in Redis proves this settlement happened: leave a mark, so a replay of it adds nothing.
  redis.call('HSET', KEYS[2], id, 's:' .. tostring(now + grace))
  if redis.call('PTTL', KEYS[2]) < grace then redis.call('PEXPIRE', KEYS[2], grace) end
end
return 1`;

/**
 * KEYS: spent, holds. ARGV: batchId, cost, counterTtlMs ('' = none), grace, then the shared holds to release. Adds
 * the sum of the settlements made while Redis was away, once: the batch leaves a settled mark, so a replay after a
 * lost reply adds nothing. Returns 1 when it counted.
 */
const SETTLE_BATCH_LUA = `${NOW_LUA}
local id, cost, ttl, grace = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
for i = 5, #ARGV do redis.call('HDEL', KEYS[2], ARGV[i]) end
local value = redis.call('HGET', KEYS[2], id)
if value and string.sub(value, 1, 2) == 's:' then return 0 end
redis.call('INCRBY', KEYS[1], cost)
if ttl ~= '' then redis.call('PEXPIRE', KEYS[1], ttl, 'NX') end
redis.call('HSET', KEYS[2], id, 's:' .. tostring(now + grace))
if redis.call('PTTL', KEYS[2]) < grace then redis.call('PEXPIRE', KEYS[2], grace) end
return 1`;

/**
 * A settlement sent to Redis (or about to be) and not acknowledged yet: replayed as it is, so Redis counts it once
 * whether or not it had applied it. A batch is the sum of the settlements a counter took while Redis was away.
 */
interface PendingSettle {
  counter: string;
  /** The hold's id, or the batch's. */
  holdId: string;
  costPico: number;
  shared: boolean;
  ttlMs?: number;
  /** A batch: the shared holds it releases in Redis (some of them; the rest expire by themselves). */
  releases?: string[];
}

/** The settlements one counter took while Redis was away, summed: never sent, so they can still be merged. */
interface ParkedSpend {
  costPico: number;
  ttlMs?: number;
  releases: string[];
}

/**
 * Shared holds a batch releases in Redis at most: a shared hold settled during an outage would otherwise count as
 * reserved there until its own expiry. Bounds a batch's size, not the money (the cost is in the sum either way).
 */
const MAX_RELEASES_PER_BATCH = 100;

/** Default of `RedisSpendCountersOptions.maxPendingCounters`. */
export const MAX_PENDING_COUNTERS = 10_000;

export interface RedisSpendCountersOptions {
  /**
   * How many counters (key × period) may wait for Redis with undelivered spend before new reservations are refused
   * (503 budget_unavailable): bounds this instance's memory during a long outage.
   */
  maxPendingCounters?: number;
}

/** The connection with the budget scripts defined on it. */
export type ScriptedRedis = Redis & {
  budgetReserve(spent: string, holds: string, ...args: string[]): Promise<[number, string, string]>;
  budgetSettle(spent: string, holds: string, ...args: string[]): Promise<number>;
  budgetSettleBatch(spent: string, holds: string, ...args: string[]): Promise<number>;
};

/**
 * @example const counters = new RedisSpendCounters(openRedis(url, { purpose: 'budgets', log }), 'switchyard:budget:');
 */
export class RedisSpendCounters implements SpendCounters {
  /** This instance's view: the shared spend last read plus its own unacknowledged settlements, and its holds. */
  readonly local: MemorySpendCounters;
  /** The connection (startup code waits for it to be ready). */
  readonly client: ScriptedRedis;
  /**
   * Sent (or being sent) and not acknowledged, by `${counter}\n${holdId}`: the few on the wire when Redis went
   * away, and the batches being delivered. They count against the cap as the parked sums do.
   */
  private readonly pending = new Map<string, PendingSettle>();
  /** Taken while Redis was away, one sum per counter: memory grows with the counters, not the requests. */
  private readonly parked = new Map<string, ParkedSpend>();
  /** Undelivered spend per counter (pending and parked), so the figure a check adds back is one lookup. */
  private readonly undelivered = new Map<string, number>();
  private readonly maxPendingCounters: number;
  private flushing: Promise<void> | undefined;

  constructor(
    client: Redis,
    private readonly prefix: string,
    now: () => number = Date.now,
    options: RedisSpendCountersOptions = {},
  ) {
    this.local = new MemorySpendCounters(now);
    this.maxPendingCounters = options.maxPendingCounters ?? MAX_PENDING_COUNTERS;
    client.defineCommand('budgetReserve', { numberOfKeys: 2, lua: RESERVE_LUA });
    client.defineCommand('budgetSettle', { numberOfKeys: 2, lua: SETTLE_LUA });
    client.defineCommand('budgetSettleBatch', { numberOfKeys: 2, lua: SETTLE_BATCH_LUA });
    this.client = client as ScriptedRedis;
    // Spend counted while Redis was away is added to it as soon as it is back.
    client.on('ready', () => void this.flushPending());
  }

  /** Entries of spend not yet acknowledged by Redis (counted locally meanwhile): one per counter during an outage. */
  get pendingCount(): number {
    return this.pending.size + this.parked.size;
  }

  async get(counter: string): Promise<CounterLevel> {
    if (isRedisReady(this.client)) {
      try {
        await this.flushPending();
        const value = await this.client.get(this.prefix + counter);
        if (value !== null) this.local.setSpentNow(counter, Number(value) + this.pendingFor(counter));
      } catch {
        // The local view stands in.
      }
    }
    return this.local.levelNow(counter);
  }

  async reserve(counter: string, holdId: string, amountPico: number, limitPico: number, options: ReserveOptions): Promise<ReserveResult> {
    if (isRedisReady(this.client)) {
      try {
        await this.flushPending();
        const floor = Math.max(0, this.local.levelNow(counter).spentPico - this.pendingFor(counter));
        const [admitted, spent, reserved] = await this.client.budgetReserve(
          this.prefix + counter,
          this.prefix + counter + ':holds',
          holdId,
          String(Math.round(amountPico)),
          String(Math.round(limitPico)),
          String(options.holdTtlMs),
          options.ttlMs === undefined ? '' : String(Math.round(options.ttlMs)),
          String(SETTLE_GRACE_MS),
          String(floor),
        );
        this.local.setSpentNow(counter, Number(spent) + this.pendingFor(counter), options.ttlMs);
        if (admitted === 1) this.local.holdNow(counter, holdId, amountPico, options);
        return { spentPico: Number(spent) + this.pendingFor(counter), reservedPico: Number(reserved), admitted: admitted === 1, shared: admitted === 1 };
      } catch {
        // Redis did not answer: decide locally (the hold, if Redis took it after all, expires there by itself).
      }
    }
    // Fail closed rather than let the spend waiting for Redis grow without bound (each admitted request settles).
    if (this.pendingCount >= this.maxPendingCounters) throw errors.budgetSettlementsBacklogged(this.maxPendingCounters);
    return this.local.reserveNow(counter, holdId, amountPico, limitPico, options);
  }

  async settle(counter: string, holdId: string, costPico: number, options: SettleOptions): Promise<void> {
    this.local.settleNow(counter, holdId, costPico, options.ttlMs);
    const cost = Math.max(0, Math.round(costPico));
    this.undelivered.set(counter, (this.undelivered.get(counter) ?? 0) + cost);
    if (!isRedisReady(this.client)) {
      // Never sent, so it can join the counter's sum; a lost reply cannot make it count twice.
      const parked = this.parked.get(counter) ?? { costPico: 0, releases: [] };
      parked.costPico += cost;
      parked.ttlMs = options.ttlMs;
      if (options.shared && parked.releases.length < MAX_RELEASES_PER_BATCH) parked.releases.push(holdId);
      this.parked.set(counter, parked);
      return;
    }
    this.pending.set(`${counter}\n${holdId}`, { counter, holdId, costPico: cost, shared: options.shared, ttlMs: options.ttlMs });
    await this.flushPending();
  }

  async seed(counter: string, pico: number, ttlMs?: number): Promise<void> {
    await this.local.seed(counter, pico, ttlMs);
    if (!isRedisReady(this.client)) return;
    try {
      // NX: another instance that is already running holds the current figure; the sink may lag behind it.
      if (ttlMs === undefined) await this.client.set(this.prefix + counter, Math.round(pico), 'NX');
      else await this.client.set(this.prefix + counter, Math.round(pico), 'PX', Math.round(ttlMs), 'NX');
    } catch {
      // Seeded locally above.
    }
  }

  async exists(counter: string): Promise<boolean> {
    if (isRedisReady(this.client)) {
      try {
        return (await this.client.exists(this.prefix + counter)) === 1;
      } catch {
        // Fall through to what this instance knows.
      }
    }
    return this.local.exists(counter);
  }

  async close(): Promise<void> {
    if (isRedisReady(this.client)) await this.flushPending().catch(() => undefined);
    this.client.disconnect();
  }

  private pendingFor(counter: string): number {
    return this.undelivered.get(counter) ?? 0;
  }

  /**
   * Delivers the unacknowledged settlements, oldest first, after turning each counter's parked sum into one batch
   * with an id of its own. Each is idempotent in Redis (see SETTLE_LUA, SETTLE_BATCH_LUA), so one whose reply was
   * lost is not counted twice when it is sent again. One flush at a time.
   */
  private flushPending(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    this.flushing ??= (async () => {
      try {
        for (const [counter, parked] of this.parked) {
          const batchId = `batch:${randomUUID()}`;
          this.pending.set(`${counter}\n${batchId}`, { counter, holdId: batchId, shared: false, ...parked });
        }
        this.parked.clear();
        for (const [id, p] of [...this.pending]) {
          if (!isRedisReady(this.client)) return;
          const spent = this.prefix + p.counter;
          const ttl = p.ttlMs === undefined ? '' : String(Math.round(p.ttlMs));
          if (p.releases)
            await this.client.budgetSettleBatch(spent, spent + ':holds', p.holdId, String(p.costPico), ttl, String(SETTLE_GRACE_MS), ...p.releases);
          else await this.client.budgetSettle(spent, spent + ':holds', p.holdId, String(p.costPico), p.shared ? '1' : '0', ttl, String(SETTLE_GRACE_MS));
          this.pending.delete(id);
          const left = (this.undelivered.get(p.counter) ?? 0) - p.costPico;
          if (left > 0) this.undelivered.set(p.counter, left);
          else this.undelivered.delete(p.counter);
        }
      } catch {
        // Still pending; the next request or the next reconnect tries again.
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }
}
