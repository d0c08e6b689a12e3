/**
 * Which buckets a request takes from: its key's (own limits, else `per_key`), its alias's (`per_alias`) and,
 * per attempt, the provider's (`limits:` on the provider). Each planned bucket carries a label for 429 messages
 * and its kind for the response headers.
 */
import type { ProviderLimits } from '../config-sections';
import { perMinuteBucket, type BucketSpec } from '../../stores/token-buckets';
import type { Caller } from '../../pipeline/types';
import type { MinuteLimits } from './options';
import type { BucketKind } from './response-headers';

export interface PlannedBucket {
  spec: BucketSpec;
  kind: BucketKind;
  /** Human description for messages, e.g. 'key "team-a" requests per minute'. Never a secret. */
  label: string;
}

function add(out: PlannedBucket[], scope: string, limits: MinuteLimits, tokens: number): void {
  if (limits.rpm) out.push({ spec: perMinuteBucket(`${scope}:rpm`, limits.rpm, 1), kind: 'requests', label: `${scope.replace(':', ' "')}" requests per minute` });
  if (limits.tpm) out.push({ spec: perMinuteBucket(`${scope}:tpm`, limits.tpm, tokens), kind: 'tokens', label: `${scope.replace(':', ' "')}" tokens per minute` });
}

/**
 * Buckets checked at admission (onRequest).
 *
 * @example planAdmission({ keyName: 'team-a', models: ['*'], limits: { rpm: 60 } }, 'chat', {}, {}, 120)
 *   // [{ spec: { id: 'key:team-a:rpm', capacity: 60, … }, kind: 'requests', label: 'key "team-a" requests per minute' }]
 */
export function planAdmission(
  caller: Caller | undefined,
  alias: string,
  perKey: MinuteLimits | undefined,
  perAlias: Readonly<Record<string, MinuteLimits>> | undefined,
  tokens: number,
): PlannedBucket[] {
  const out: PlannedBucket[] = [];
  if (caller) {
    const own = caller.limits ?? {};
    add(out, `key:${caller.keyName}`, { rpm: own.rpm ?? perKey?.rpm, tpm: own.tpm ?? perKey?.tpm }, tokens);
  }
  const aliasLimits = perAlias?.[alias];
  if (aliasLimits) add(out, `alias:${alias}`, aliasLimits, tokens);
  return out;
}

/**
 * Buckets checked before each upstream attempt (beforeAttempt).
 *
 * @example planProvider('openai', { rpm: 500, tpm: 200000 }, 120) // two buckets
 */
export function planProvider(provider: string, limits: ProviderLimits | undefined, tokens: number): PlannedBucket[] {
  const out: PlannedBucket[] = [];
  if (limits) add(out, `provider:${provider}`, limits, tokens);
  return out;
}
