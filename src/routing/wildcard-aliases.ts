/**
 * Wildcard aliases: `models: { "deepseek/*": { provider: deepseek } }`, or `expose_catalog: true` on a provider
 * (the same as `"<provider>/*": { provider: <provider> }`), let a client name any model of that provider as
 * `deepseek/deepseek-reasoner` without an alias each. The alias for such a name is made on first use, like a
 * configured one with that single target (routing, retries, price lookup and the auth allow-list treat it as
 * one), and kept per snapshot in a bounded cache.
 */
import type { AliasConfig, GatewayConfig } from '../config/types';
import { resolveAliasPolicy } from './policy';
import type { ResolvedAlias, RuntimeSnapshot, WildcardResolver } from './snapshot-types';

/** One `prefix/*` pattern and what it routes to. */
export interface WildcardPattern {
  /** The part before `/*`, e.g. "deepseek". */
  prefix: string;
  provider: string;
  /** The alias settings every name it matches gets (retry, cooldown, fallbacks…). */
  config: AliasConfig;
}

/** Aliases made for wildcard names, per snapshot at most this many (a client cycling names cannot grow it). */
const MAX_CACHED = 1000;

/** True for a `models:` key that is a wildcard. @example isWildcardKey('deepseek/*') // true */
export function isWildcardKey(name: string): boolean {
  return name.length > 2 && name.endsWith('/*') && !name.slice(0, -2).includes('*');
}

/**
 * The wildcard patterns of a config: its `prefix/*` keys with a `provider:`, then each `expose_catalog` provider
 * that no key already covers.
 *
 * @example wildcardPatterns(config) // [{ prefix: 'deepseek', provider: 'deepseek', config: { provider: 'deepseek' } }]
 */
export function wildcardPatterns(config: GatewayConfig): WildcardPattern[] {
  const out: WildcardPattern[] = [];
  for (const [key, cfg] of Object.entries(config.models)) {
    if (isWildcardKey(key) && typeof cfg.provider === 'string') out.push({ prefix: key.slice(0, -2), provider: cfg.provider, config: cfg });
  }
  for (const [name, p] of Object.entries(config.providers)) {
    if (p.expose_catalog === true && !out.some((w) => w.prefix === name)) out.push({ prefix: name, provider: name, config: { provider: name } });
  }
  return out;
}

/**
 * Resolves `prefix/model` names to aliases made on the fly. One per snapshot (the snapshot builds it).
 *
 * @example
 * const wildcards = new WildcardAliases(config);
 * wildcards.resolve('deepseek/deepseek-reasoner')?.targets // [{ provider: 'deepseek', model: 'deepseek-reasoner', weight: 1 }]
 */
export class WildcardAliases implements WildcardResolver {
  readonly patterns: WildcardPattern[];
  private readonly made = new Map<string, ResolvedAlias>();

  constructor(private readonly config: GatewayConfig) {
    this.patterns = wildcardPatterns(config);
  }

  /** The alias for a wildcard name, or undefined when no pattern matches (or the model part is empty). */
  resolve(name: string): ResolvedAlias | undefined {
    if (this.patterns.length === 0) return undefined;
    const cached = this.made.get(name);
    if (cached) return cached;
    const slash = name.indexOf('/');
    if (slash <= 0 || slash === name.length - 1) return undefined;
    const pattern = this.patterns.find((w) => w.prefix === name.slice(0, slash));
    if (!pattern) return undefined;
    const alias = this.make(name, pattern, name.slice(slash + 1));
    if (this.made.size >= MAX_CACHED) this.made.delete(this.made.keys().next().value!);
    this.made.set(name, alias);
    return alias;
  }

  private make(name: string, pattern: WildcardPattern, model: string): ResolvedAlias {
    const { provider: _provider, ...settings } = pattern.config;
    const cfg: AliasConfig = { ...settings, targets: [{ provider: pattern.provider, model }] };
    const price = this.config.providers[pattern.provider]?.price;
    return {
      name,
      strategy: 'ordered',
      targets: [{ provider: pattern.provider, model, weight: 1, ...(price ? { price } : {}) }],
      fallbacks: cfg.fallbacks ?? [],
      policy: resolveAliasPolicy(name, cfg, this.config),
      config: cfg,
    };
  }
}

/**
 * The alias a request names: a configured one, else one a wildcard pattern makes. The one lookup routing,
 * fallbacks and GET /v1/models/{id} use.
 *
 * @example aliasNamed(snapshot, 'deepseek/deepseek-chat')?.targets[0].model // 'deepseek-chat'
 */
export function aliasNamed(snapshot: Pick<RuntimeSnapshot, 'aliases' | 'wildcards'>, name: string): ResolvedAlias | undefined {
  return snapshot.aliases.get(name) ?? snapshot.wildcards?.resolve(name);
}
