/**
 * Load-time checks of the routing keys (the `models:` section routing reads) that JSON Schema cannot express: an alias has `targets` or `route`,
 * rules and context-window fallbacks name existing aliases, and every `match:` is a valid regular expression.
 */
import type { ConfigCheck, PathProblem } from './problems';
import { compileMatch } from './match-pattern';

const aliasHasTargetsOrRoute: ConfigCheck = (config) => {
  const out: PathProblem[] = [];
  for (const [alias, a] of Object.entries(config.models)) {
    if (a.targets && a.route) out.push({ path: ['models', alias, 'route'], message: 'an alias has either "targets" or "route", not both' });
    else if (!a.targets && !a.route && !(alias.endsWith('/*') && a.provider !== undefined))
      out.push({ path: ['models', alias], message: 'missing required field "targets" (or "route")' });
  }
  return out;
};

const rulesNameAliases: ConfigCheck = (config) => {
  const out: PathProblem[] = [];
  for (const [alias, a] of Object.entries(config.models)) {
    (a.route ?? []).forEach((rule, i) => {
      if (!config.models[rule.to]) out.push({ path: ['models', alias, 'route', i, 'to'], message: `unknown alias "${rule.to}"` });
      else if (rule.to === alias) out.push({ path: ['models', alias, 'route', i, 'to'], message: 'a rule cannot route an alias to itself' });
      if (rule.when?.match !== undefined) {
        try {
          compileMatch(rule.when.match);
        } catch (err) {
          out.push({ path: ['models', alias, 'route', i, 'when', 'match'], message: `invalid regular expression: ${(err as Error).message}` });
        }
      }
    });
  }
  return out;
};

const contextFallbacksNameAliases: ConfigCheck = (config) => {
  const out: PathProblem[] = [];
  for (const [alias, a] of Object.entries(config.models)) {
    (a.context_window_fallbacks ?? []).forEach((f, i) => {
      if (!config.models[f]) out.push({ path: ['models', alias, 'context_window_fallbacks', i], message: `unknown alias "${f}"` });
      else if (f === alias) out.push({ path: ['models', alias, 'context_window_fallbacks', i], message: 'an alias cannot fall back to itself' });
    });
  }
  return out;
};

const bestValueNeedsFeedback: ConfigCheck = (config) => {
  if (config.feedback) return [];
  return Object.entries(config.models)
    .filter(([, a]) => a.strategy === 'best-value')
    .map(([alias]) => ({
      path: ['models', alias, 'strategy'],
      message: 'strategy "best-value" needs a top-level `feedback:` section (its quality estimates)',
    }));
};

/** Appended to checks.ts's list. @example export const configChecks = [...coreChecks, ...routingChecks]; */
export const routingChecks: ConfigCheck[] = [aliasHasTargetsOrRoute, rulesNameAliases, contextFallbacksNameAliases, bestValueNeedsFeedback];
