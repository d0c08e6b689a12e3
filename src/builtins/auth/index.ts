/**
 * The auth plugin: who may call, and which aliases. Reads `Authorization: Bearer <key>` or `x-api-key`, answers
 * 401 for a missing or unknown key and 403 for an alias the key may not use, and sets `ctx.caller` (the key's
 * name and models) and `ctx.get('callerLimits')` for every later stage. Keys never appear in logs or errors.
 */
import { errors, modelAllowed, presentedKey, registerSecrets, type PluginHooks, type PluginModule, type RequestContext } from '../../plugin-api';
import { KeyTable, type CallerLimits, type KeyConfig } from './key-table';

declare module '../../plugin-api' {
  interface RequestVariables {
    /** The caller's own limits and budget (auth plugin), read by rate-limit and cost-log. */
    callerLimits: CallerLimits;
  }
}

export interface AuthOptions {
  /** Guards the admin endpoints (GET /admin/spend, and /metrics when configured). */
  admin_key?: string;
  keys: KeyConfig[];
}

const positive = { type: 'number', exclusiveMinimum: 0 } as const;

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['keys'],
  properties: {
    admin_key: { type: 'string', description: 'Secret for the admin endpoints; usually "${SWITCHYARD_ADMIN_KEY}".' },
    keys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        anyOf: [{ required: ['key'] }, { required: ['key_sha256'] }],
        properties: {
          name: { type: 'string', minLength: 1, description: 'Shown in logs, spend records and limits; never the secret.' },
          key: { type: 'string', description: 'The secret, usually "${ENV_VAR}".' },
          key_sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'Hex SHA-256 of the secret instead of the secret.' },
          models: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Aliases this key may use; "*" for all.' },
          rpm: positive,
          tpm: positive,
          budget_usd: { type: 'number', minimum: 0 },
          budget_period: { enum: ['daily', 'monthly', 'total'] },
        },
      },
    },
  },
};

// Endpoints that name an alias in the body; /v1/models is filtered instead.
const ALIAS_ENDPOINTS = new Set(['chat', 'completions', 'embeddings', 'messages', 'count_tokens']);

/**
 * @example
 * plugins:
 *   - use: auth
 *     admin_key: "${SWITCHYARD_ADMIN_KEY}"
 *     keys:
 *       - { name: team-a, key: "${TEAM_A_KEY}", models: [chat], rpm: 60 }
 */
export const authPlugin: PluginModule<AuthOptions> = {
  name: 'auth',
  optionsSchema,
  create(options): PluginHooks {
    const table = new KeyTable(options.keys);
    registerSecrets([...options.keys.flatMap((k) => (k.key ? [k.key] : [])), ...(options.admin_key ? [options.admin_key] : [])]);

    return {
      // The key is checked from the headers alone, before the body is read: an unauthenticated body is never parsed.
      onHeaders(ctx: RequestContext) {
        const presented = presentedKey(ctx.headers);
        if (!presented) throw errors.missingApiKey();
        const key = table.find(presented);
        if (!key) throw errors.invalidApiKey();
        ctx.caller = { keyName: key.name, models: key.models };
        ctx.set('callerLimits', key.limits);
        // Passthrough is raw use of the provider's credentials: only for keys trusted with every model.
        if (ctx.endpoint === 'passthrough' && !key.models.includes('*')) {
          throw errors.passthroughNotAllowed(key.name);
        }
      },
      // The alias is in the body, so this part waits for it.
      onRequest(ctx: RequestContext) {
        const key = ctx.caller;
        if (!key) throw errors.missingApiKey();
        if (ALIAS_ENDPOINTS.has(ctx.endpoint) && !modelAllowed(key.models, ctx.requestedAlias)) {
          throw errors.modelNotAllowed(key.keyName, ctx.requestedAlias);
        }
      },
      filterModels(ctx, aliases) {
        const models = ctx.caller?.models;
        return models ? aliases.filter((alias) => modelAllowed(models, alias)) : aliases;
      },
    };
  },
};
