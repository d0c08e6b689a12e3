/**
 * Config rules a JSON Schema cannot express: references between sections. Each check returns problems with
 * a path; the loader adds the line and column.
 */
import type { ConfigCheck, PathProblem } from './problems';
import type { GatewayConfig } from './types';
import { adapters, NETWORKLESS_APIS } from '../providers/registry';
import { routingChecks } from './routing-checks';

const providersAreKnown: ConfigCheck = (config) => {
  const out: PathProblem[] = [];
  for (const [name, p] of Object.entries(config.providers)) {
    if (p.api === undefined) out.push({ path: ['providers', name], message: 'missing required field "api" (or "preset")' });
    else if (!adapters[p.api]) out.push({ path: ['providers', name, 'api'], message: `unknown api "${p.api}" (known: ${Object.keys(adapters).join(', ')})` });
    else if (!NETWORKLESS_APIS.has(p.api) && !p.base_url && !adapters[p.api].defaultBaseUrl && !adapters[p.api].baseUrlFor?.(p, process.env))
      out.push({ path: ['providers', name], message: 'missing required field "base_url"' });
  }
  return out;
};

const targetsNameProviders: ConfigCheck = (config) => {
  const out: PathProblem[] = [];
  for (const [alias, a] of Object.entries(config.models)) {
    // A wildcard alias ("deepseek/*") names its provider directly.
    if (typeof a.provider === 'string' && !config.providers[a.provider])
      out.push({ path: ['models', alias, 'provider'], message: `unknown provider "${a.provider}"` });
    (a.targets ?? []).forEach((t, i) => {
      if (!config.providers[t.provider]) out.push({ path: ['models', alias, 'targets', i, 'provider'], message: `unknown provider "${t.provider}"` });
    });
  }
  return out;
};

/** A `prefix/model` name a wildcard alias serves (`"prefix/*"` in models, or an `expose_catalog` provider named prefix). */
function servedByWildcard(config: GatewayConfig, name: string): boolean {
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return false;
  const prefix = name.slice(0, slash);
  return config.models[`${prefix}/*`]?.provider !== undefined || config.providers[prefix]?.expose_catalog === true;
}

const fallbacksNameAliases: ConfigCheck = (config) => {
  const out: PathProblem[] = [];
  for (const [alias, a] of Object.entries(config.models)) {
    (a.fallbacks ?? []).forEach((f, i) => {
      if (!config.models[f] && !servedByWildcard(config, f)) out.push({ path: ['models', alias, 'fallbacks', i], message: `unknown alias "${f}"` });
      else if (f === alias) out.push({ path: ['models', alias, 'fallbacks', i], message: 'an alias cannot fall back to itself' });
    });
  }
  return out;
};

const metricsKeyExists: ConfigCheck = (config) => {
  if (!config.server.metrics?.require_admin_key) return [];
  const withKey = config.plugins.some((p) => 'admin_key' in p);
  return withKey ? [] : [{ path: ['server', 'metrics', 'require_admin_key'], message: 'needs an admin key: set admin_key on the auth plugin' }];
};

const dashboardKeyExists: ConfigCheck = (config) => {
  if (!config.server.dashboard?.enabled) return [];
  const withKey = config.plugins.some((p) => 'admin_key' in p);
  return withKey ? [] : [{ path: ['server', 'dashboard', 'enabled'], message: 'needs an admin key: set admin_key on the auth plugin' }];
};

/** Every cross-reference check. Modules that add config sections append their checks here. */
export const configChecks: ConfigCheck[] = [
  providersAreKnown,
  targetsNameProviders,
  fallbacksNameAliases,
  metricsKeyExists,
  dashboardKeyExists,
  ...routingChecks,
];

export function semanticChecks(config: GatewayConfig): PathProblem[] {
  return configChecks.flatMap((check) => check(config));
}
