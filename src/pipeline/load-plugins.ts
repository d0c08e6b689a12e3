/**
 * Loads the `plugins:` list: built-ins by name, custom plugins by path relative to the config file. Options are
 * validated against the plugin's JSON Schema with ajv before `create` runs, and any failure is a config problem
 * with a line number, so a broken plugin never replaces a working config.
 */
import path from 'node:path';
import Ajv from 'ajv';
import { builtinPlugins } from '../builtins';
import type { PluginEntry } from '../config/types';
import type { ConfigPath } from '../config/interpolate';
import type { Logger } from '../observability/logger';
import { adminChecks } from './admin-key';
import { pluginMetrics } from './plugin-metrics';
import type { PluginEnv, PluginHooks, PluginModule, PluginMetrics } from './types';

export interface LoadedPlugin {
  name: string;
  hooks: PluginHooks;
  /** Absolute file of a custom plugin (watched for hot reload); undefined for built-ins. */
  file?: string;
}

export class PluginLoadError extends Error {
  constructor(
    readonly path: ConfigPath,
    message: string,
  ) {
    super(message);
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false });

function isPluginModule(value: unknown): value is PluginModule {
  const v = value as Partial<PluginModule> | undefined;
  return !!v && typeof v.name === 'string' && typeof v.create === 'function';
}

/** Requires a plugin file afresh (a reload must see the edited file, not the cached module). */
function requireFresh(file: string): unknown {
  delete require.cache[require.resolve(file)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { default?: unknown };
  return isPluginModule(mod) ? mod : mod.default;
}

export interface PluginLoadContext {
  configDir: string;
  log: Logger;
  keep: <T>(key: string, create: () => T, dispose?: (v: T) => void | Promise<void>) => T;
  config: Readonly<Record<string, unknown>>;
}

interface ResolvedPlugin {
  mod: PluginModule;
  options: Record<string, unknown>;
  file?: string;
}

/** Finds one entry's module and validates its options; does not start it. */
function resolvePlugin(entry: PluginEntry, i: number, configDir: string): ResolvedPlugin {
  const { use, ...options } = entry;
  const isPath = use.startsWith('.') || use.startsWith('/');
  let mod: unknown;
  let file: string | undefined;
  if (isPath) {
    file = path.resolve(configDir, use);
    try {
      mod = requireFresh(file);
    } catch (err) {
      throw new PluginLoadError(['plugins', i, 'use'], `cannot load plugin ${use}: ${(err as Error).message.split('\n')[0]}`);
    }
  } else {
    mod = builtinPlugins[use];
    if (!mod)
      throw new PluginLoadError(
        ['plugins', i, 'use'],
        `unknown built-in plugin "${use}" (built-ins: ${Object.keys(builtinPlugins).join(', ') || 'none'}); custom plugins are paths like ./plugins/mine.js`,
      );
  }
  if (!isPluginModule(mod)) throw new PluginLoadError(['plugins', i, 'use'], `${use} does not export a plugin ({ name, create })`);

  if (mod.optionsSchema) {
    const check = ajv.compile(mod.optionsSchema);
    if (!check(options)) {
      const e = check.errors?.[0];
      const field = e?.instancePath.split('/').slice(1) ?? [];
      const extra = e?.keyword === 'additionalProperties' ? ` "${String((e.params as Record<string, unknown>).additionalProperty)}"` : '';
      throw new PluginLoadError(['plugins', i, ...field], `plugin ${mod.name}: option ${e?.message ?? 'is invalid'}${extra}`);
    }
  }
  return { mod, options, file };
}

/**
 * What `switchyard validate` checks of the plugin list: every module resolves and its options fit its schema.
 * Nothing is started (no connections are opened). Returns one problem per broken entry.
 */
export function checkPlugins(entries: PluginEntry[], configDir: string): PluginLoadError[] {
  return entries.flatMap((entry, i) => {
    try {
      resolvePlugin(entry, i, configDir);
      return [];
    } catch (err) {
      if (err instanceof PluginLoadError) return [err];
      throw err;
    }
  });
}

/**
 * @example const plugins = await loadPlugins(config.plugins, { configDir, log, keep, config });
 */
export async function loadPlugins(entries: PluginEntry[], ctx: PluginLoadContext): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  const seen = new Map<string, number>();
  const models = ctx.config.models;
  const metrics: PluginMetrics = pluginMetrics(new Set(models && typeof models === 'object' ? Object.keys(models) : []));
  const admin = adminChecks(ctx.config);
  for (const [i, entry] of entries.entries()) {
    const { mod, options, file } = resolvePlugin(entry, i, ctx.configDir);
    // State key: the plugin's name and its occurrence, so reordering other plugins keeps its state.
    const n = (seen.get(mod.name) ?? 0) + 1;
    seen.set(mod.name, n);
    const prefix = `plugin:${mod.name}#${n}:`;
    const env: PluginEnv = {
      configDir: ctx.configDir,
      log: ctx.log.child({ plugin: mod.name }),
      keep: (key, create) =>
        ctx.keep(prefix + key, create, (v: unknown) => {
          const closable = v as { close?: () => unknown } | null;
          if (closable && typeof closable.close === 'function') return Promise.resolve(closable.close()).then(() => undefined);
        }),
      config: ctx.config,
      metrics,
      ...admin,
    };
    try {
      const hooks = await mod.create(options, env);
      loaded.push({ name: mod.name, hooks, file });
    } catch (err) {
      throw new PluginLoadError(['plugins', i], `plugin ${mod.name} failed to start: ${(err as Error).message}`);
    }
  }
  return loaded;
}
