/**
 * The configured client keys, held as SHA-256 digests only, and the constant-time lookup of a presented key.
 * Every lookup hashes the presented key once and compares it with every digest, so response timing reveals
 * neither which key matched nor how much of a key was right.
 */
import { hash, timingSafeEqual } from 'node:crypto';

/** Per-key limits and budget, as configured on the key. */
export interface CallerLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute (prompt estimate plus max_tokens at admission, corrected by real usage). */
  tpm?: number;
  /** Spend allowed per budget period, USD. */
  budgetUsd?: number;
  budgetPeriod?: 'daily' | 'monthly' | 'total';
  /** With a budget: models without a price may be used (counted as $0) instead of refused. */
  allowUnpriced?: boolean;
}

/** A key as written in proxy.yaml. */
export interface KeyConfig {
  name: string;
  /** The secret itself (usually "${ENV_VAR}"). */
  key?: string;
  /** Hex SHA-256 of the secret, so the file need not hold it. */
  key_sha256?: string;
  /** Aliases this key may use; "*" for all, "prefix-*" for a family. Default: all. */
  models?: string[];
  rpm?: number;
  tpm?: number;
  budget_usd?: number;
  budget_period?: 'daily' | 'monthly' | 'total';
  allow_unpriced?: boolean;
}

/** A configured key without its secret. */
export interface KnownKey {
  name: string;
  models: string[];
  limits: CallerLimits;
}

interface Entry {
  digest: Buffer;
  key: KnownKey;
}

/** Hex SHA-256 of a key, as `key_sha256` expects. @example sha256Hex('test') // '9f86d081884c7d65…' */
export function sha256Hex(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/**
 * @example
 * const table = new KeyTable([{ name: 'team-a', key: 'sk-team-a', models: ['chat'] }]);
 * table.find('sk-team-a')?.name // 'team-a'
 */
export class KeyTable {
  private readonly entries: Entry[];

  /** Throws on an empty secret, a malformed digest or a duplicate name (each a config mistake worth failing for). */
  constructor(keys: readonly KeyConfig[]) {
    const names = new Set<string>();
    this.entries = keys.map((k) => {
      if (names.has(k.name)) throw new Error(`two keys are named "${k.name}"`);
      names.add(k.name);
      const digest = digestOf(k);
      const limits: CallerLimits = {
        rpm: k.rpm,
        tpm: k.tpm,
        budgetUsd: k.budget_usd,
        budgetPeriod: k.budget_period ?? (k.budget_usd === undefined ? undefined : 'monthly'),
      };
      if (k.allow_unpriced !== undefined) limits.allowUnpriced = k.allow_unpriced;
      return { digest, key: { name: k.name, models: k.models ?? ['*'], limits } };
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** The key whose secret is `presented`, or undefined. */
  find(presented: string): KnownKey | undefined {
    const digest = hash('sha256', presented, 'buffer');
    let found: KnownKey | undefined;
    // No early exit: every lookup costs the same whichever key (if any) matches.
    for (const entry of this.entries) if (timingSafeEqual(digest, entry.digest)) found = entry.key;
    return found;
  }
}

function digestOf(k: KeyConfig): Buffer {
  if (k.key !== undefined) {
    if (k.key === '') throw new Error(`key "${k.name}" is empty (is its environment variable set?)`);
    return hash('sha256', k.key, 'buffer');
  }
  if (k.key_sha256 !== undefined && /^[0-9a-fA-F]{64}$/.test(k.key_sha256)) return Buffer.from(k.key_sha256, 'hex');
  throw new Error(`key "${k.name}" needs \`key\` or a 64-hex-digit \`key_sha256\``);
}
