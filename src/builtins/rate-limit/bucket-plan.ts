/**
 * Which buckets a request takes from: its key's (own limits, else `per_key`), its alias's (`per_alias`) and,
 * per attempt, the provider's (`limits:` on the provider). Each planned bucket carries a label for 429 messages
 * and its kind for the response headers.
 */
import { perMinuteBucket, type BucketSpec, type ProviderLimits } from '../../plugin-api';
import type { MinuteLimits } from './options';
import type { BucketKind } from './response-headers';

export interface PlannedBucket {
  spec: BucketSpec;
  kind: BucketKind;
  /** What the bucket belongs to, e.g. "key:team-a" (see bucketLabel). */
  scope: string;
}

function add(out: PlannedBucket[], scope: string, limits: MinuteLimits, tokens: number): void {
  if (limits.rpm) out.push({ spec: perMinuteBucket(`${scope}:rpm`, limits.rpm, 1), kind: 'requests', scope });
  if (limits.tpm) out.push({ spec: perMinuteBucket(`${scope}:tpm`, limits.tpm, tokens), kind: 'tokens', scope });
}

/**
 * A bucket described for a 429 message; built only when one is needed. Never a secret.
 *
 * @example bucketLabel({ scope: 'key:team-a', kind: 'requests', spec }) // 'key "team-a" requests per minute'
 */
export function bucketLabel(p: PlannedBucket): string {
  return `${p.scope.replace(':', ' "')}" ${p.kind} per minute`;
}

/**
 * Buckets checked at admission (onRequest).
 *
 * @example planAdmission({ keyName: 'team-a', limits: { rpm: 60 } }, 'chat', {}, {}, 120)
 *   // [{ spec: { id: 'key:team-a:rpm', capacity: 60, … }, kind: 'requests', label: 'key "team-a" requests per minute' }]
 */
export function planAdmission(
  caller: { keyName: string; limits?: MinuteLimits } | undefined,
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
