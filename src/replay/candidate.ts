/**
 * The candidate config a replay routes recorded traffic through: loaded and validated by the real loader (a
 * broken candidate fails with FILE:LINE:COL problems), compiled to the aliases and price table routing reads.
 * Nothing of the environment is read (`${VAR}` stays unset, so no secret can reach the report), no plugin is
 * loaded and no provider is contacted.
 */
import { catalogProviderFor } from '../catalog/catalog';
import { loadConfigFile, loadConfigText, type LoadedConfig } from '../config/load';
import type { GatewayConfig } from '../config/types';
import type { PriceTable } from '../pricing/price-table';
import { resolveAlias } from '../routing/resolve-alias';
import type { ResolvedAlias, ResolvedProvider, RuntimeSnapshot } from '../routing/snapshot-types';
import { priceTableOf } from '../routing/strategies/lowest-cost';
import { isWildcardKey, WildcardAliases } from '../routing/wildcard-aliases';

export interface Candidate {
  /** Where it came from (a path, or a label such as "candidate.yaml" for a pasted config). */
  file: string;
  hash: string;
  config: GatewayConfig;
  /** What the attempt plan reads: the configured aliases and the wildcard patterns. */
  routes: Pick<RuntimeSnapshot, 'aliases' | 'wildcards'>;
  prices: PriceTable;
  /** Each provider as capability skipping reads it. */
  providers: ReadonlyMap<string, Pick<ResolvedProvider, 'name' | 'config'>>;
  /** Each provider's catalog id (its own price list), when it has one. */
  catalogIds: ReadonlyMap<string, string | undefined>;
  /** The `${VAR}` names the candidate uses, none of them read. */
  unreadVariables: string[];
}

// An empty environment: replay needs no key, and a pasted config must not be able to read the server's.
const NO_ENV: NodeJS.ProcessEnv = {};

/**
 * Loads candidate config text. Throws ConfigError (with line and column) when it is invalid.
 *
 * @example const candidate = loadCandidate(fs.readFileSync('candidate.yaml', 'utf8'), 'candidate.yaml');
 */
export function loadCandidate(text: string, file: string): Candidate {
  return candidateOf(loadConfigText(text, file, NO_ENV));
}

/**
 * Reads and loads a candidate file. Throws ConfigError when it cannot be read or is invalid.
 *
 * @example loadCandidateFile('candidate.yaml').routes.aliases.get('chat')?.strategy // 'lowest-cost'
 */
export function loadCandidateFile(file: string): Candidate {
  return candidateOf(loadConfigFile(file, NO_ENV));
}

function candidateOf(loaded: LoadedConfig): Candidate {
  const { config } = loaded;
  const aliases = new Map<string, ResolvedAlias>();
  for (const [name, cfg] of Object.entries(config.models)) if (!isWildcardKey(name)) aliases.set(name, resolveAlias(name, cfg, config));
  const wildcards = new WildcardAliases(config);
  const catalogIds = new Map(Object.entries(config.providers).map(([name, p]) => [name, catalogProviderFor(name, p)]));
  return {
    file: loaded.file,
    hash: loaded.hash,
    config,
    routes: { aliases, ...(wildcards.patterns.length > 0 ? { wildcards } : {}) },
    prices: priceTableOf(config),
    providers: new Map(Object.entries(config.providers).map(([name, p]) => [name, { name, config: p }])),
    catalogIds,
    unreadVariables: [...new Set(loaded.missing.map((m) => m.variable))].sort(),
  };
}
