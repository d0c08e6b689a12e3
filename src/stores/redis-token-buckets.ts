/**
 * Token buckets in Redis, shared by every gateway instance. Each take or adjustment is one Lua script, so it is
 * atomic (no read-modify-write race between instances), and the clock is Redis's own TIME, so instances with
 * skewed clocks still agree.
 */
import type Redis from 'ioredis';
import { checkAdjustments, checkSpecs, describeLevel, type BucketAdjustment, type BucketSpec, type TakeResult, type TokenBuckets } from './token-buckets';

// Shared by both scripts: Redis's clock in ms, a check that an argument is a finite number, a bucket's level
// refilled up to now, and storing a level with an expiry for when the bucket would be full again (a full bucket
// needs no key). Redis's Lua reads "NaN" and "Infinity" as numbers, and NaN compares false with everything: an
// unchecked NaN cost would be admitted and stored, and the bucket would let everything through. The scripts
// refuse such arguments before touching any key, and a level no valid take could have stored (left by an older
// version) counts as a full bucket instead of poisoning every later take.
const LUA_PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function finite(x)
  return x ~= nil and x == x and x > -math.huge and x < math.huge
end
local function checkBucket(cap, rate)
  return finite(cap) and cap > 0 and finite(rate) and rate > 0
end
local function refilled(key, cap, rate)
  local h = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(h[1])
  local ts = tonumber(h[2])
  if not finite(tokens) or not finite(ts) then return cap end
  if now > ts then tokens = math.min(cap, tokens + (now - ts) * rate) end
  return tokens
end
local function store(key, tokens, cap, rate)
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((cap - tokens) / rate) + 1000)
end
`;

// KEYS: bucket keys. ARGV: capacity, refill per ms, cost — three per bucket.
// Returns { allowed, waitMs, blockingIndex, level1*1000, level2*1000, … } (levels as integer milli-units,
// because Redis truncates Lua numbers to integers on the way out).
const TAKE_SCRIPT = `${LUA_PRELUDE}
for i = 1, #KEYS do
  local cost = tonumber(ARGV[(i - 1) * 3 + 3])
  if not checkBucket(tonumber(ARGV[(i - 1) * 3 + 1]), tonumber(ARGV[(i - 1) * 3 + 2])) or not finite(cost) or cost < 0 then
    return redis.error_reply('switchyard: invalid bucket charge for ' .. KEYS[i])
  end
end
local levels = {}
local wait = 0
local blocking = 0
for i = 1, #KEYS do
  local cap = tonumber(ARGV[(i - 1) * 3 + 1])
  local rate = tonumber(ARGV[(i - 1) * 3 + 2])
  local cost = tonumber(ARGV[(i - 1) * 3 + 3])
  local tokens = refilled(KEYS[i], cap, rate)
  levels[i] = tokens
  local need = math.min(cost, cap)
  if tokens < need then
    local w = math.ceil((need - tokens) / rate)
    if w > wait then wait = w; blocking = i end
  end
end
local out = { wait == 0 and 1 or 0, wait, blocking }
for i = 1, #KEYS do
  local tokens = levels[i]
  if wait == 0 then
    tokens = tokens - tonumber(ARGV[(i - 1) * 3 + 3])
    store(KEYS[i], tokens, tonumber(ARGV[(i - 1) * 3 + 1]), tonumber(ARGV[(i - 1) * 3 + 2]))
  end
  out[#out + 1] = math.floor(tokens * 1000)
end
return out
`;

// KEYS: bucket keys. ARGV: capacity, refill per ms, delta — three per bucket.
const ADJUST_SCRIPT = `${LUA_PRELUDE}
for i = 1, #KEYS do
  if not checkBucket(tonumber(ARGV[(i - 1) * 3 + 1]), tonumber(ARGV[(i - 1) * 3 + 2])) or not finite(tonumber(ARGV[(i - 1) * 3 + 3])) then
    return redis.error_reply('switchyard: invalid bucket correction for ' .. KEYS[i])
  end
end
for i = 1, #KEYS do
  local cap = tonumber(ARGV[(i - 1) * 3 + 1])
  local rate = tonumber(ARGV[(i - 1) * 3 + 2])
  local tokens = math.min(cap, refilled(KEYS[i], cap, rate) - tonumber(ARGV[(i - 1) * 3 + 3]))
  store(KEYS[i], tokens, cap, rate)
end
return 1
`;

type ScriptRunner = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/**
 * @example
 * const buckets = new RedisTokenBuckets(openRedis(url, { purpose: 'rate-limit', log }), 'switchyard:rl:');
 * await buckets.take([perMinuteBucket('key:a:rpm', 60, 1)]);
 */
export class RedisTokenBuckets implements TokenBuckets {
  private readonly takeScript: ScriptRunner;
  private readonly adjustScript: ScriptRunner;

  constructor(
    readonly client: Redis,
    private readonly prefix: string,
  ) {
    // ioredis sends EVALSHA and falls back to EVAL when Redis does not know the script yet (e.g. after a restart).
    client.defineCommand('switchyardTakeBuckets', { lua: TAKE_SCRIPT });
    client.defineCommand('switchyardAdjustBuckets', { lua: ADJUST_SCRIPT });
    const commands = client as unknown as Record<'switchyardTakeBuckets' | 'switchyardAdjustBuckets', ScriptRunner>;
    this.takeScript = commands.switchyardTakeBuckets.bind(client);
    this.adjustScript = commands.switchyardAdjustBuckets.bind(client);
  }

  async take(specs: readonly BucketSpec[]): Promise<TakeResult> {
    checkSpecs(specs);
    if (specs.length === 0) return { allowed: true, waitMs: 0, levels: [] };
    const args = specs.flatMap((s) => [s.capacity, s.refillPerMs, s.cost]);
    const reply = (await this.takeScript(specs.length, ...specs.map((s) => this.prefix + s.id), ...args)) as number[];
    const [allowed, waitMs, blocking] = reply;
    return {
      allowed: allowed === 1,
      waitMs,
      blockingId: blocking > 0 ? specs[blocking - 1].id : undefined,
      levels: specs.map((spec, i) => describeLevel(spec, reply[3 + i] / 1000)),
    };
  }

  async adjust(adjustments: readonly BucketAdjustment[]): Promise<void> {
    checkAdjustments(adjustments);
    if (adjustments.length === 0) return;
    const args = adjustments.flatMap((a) => [a.capacity, a.refillPerMs, a.delta]);
    await this.adjustScript(adjustments.length, ...adjustments.map((a) => this.prefix + a.id), ...args);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
