/**
 * Runs a plugin's hooks without a server, for unit tests: a PluginEnv whose `keep` behaves like the gateway's
 * (same object per key, disposed at the end), and a RequestContext with sensible defaults.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createLogger } from '../../src/observability/logger';
import { adminChecks } from '../../src/pipeline/admin-key';
import { pluginMetrics } from '../../src/pipeline/plugin-metrics';
import { PluginRequestState } from '../../src/pipeline/request-state';
import type { Endpoint, PluginEnv, PluginHooks, PluginModule, RequestContext } from '../../src/pipeline/types';
import type { ChatRequest } from '../../src/providers/openai-types';

export interface TestEnv extends PluginEnv {
  /** Disposes every kept object (as the gateway does at shutdown). */
  dispose(): Promise<void>;
}

/**
 * @example const env = testEnv({ plugins: [{ use: 'auth', admin_key: 'adm' }] });
 */
export function testEnv(config: Record<string, unknown> = {}, configDir = process.cwd()): TestEnv {
  const kept = new Map<string, unknown>();
  return {
    configDir,
    log: createLogger({ silent: true }),
    config,
    metrics: pluginMetrics(new Set(['chat'])),
    ...adminChecks(config),
    keep<T>(key: string, create: () => T): T {
      if (!kept.has(key)) kept.set(key, create());
      return kept.get(key) as T;
    },
    async dispose() {
      for (const value of kept.values()) {
        const closable = value as { close?: () => unknown };
        if (typeof closable?.close === 'function') await closable.close();
      }
      kept.clear();
    },
  };
}

/** Creates a plugin instance from options, as the loader does (without schema validation). */
export async function createPlugin<O>(plugin: PluginModule<O>, options: O, env: PluginEnv): Promise<PluginHooks> {
  return plugin.create(options, env);
}

export interface ContextInit {
  endpoint?: Endpoint;
  headers?: IncomingHttpHeaders;
  body?: Partial<ChatRequest>;
  stream?: boolean;
  keyName?: string;
}

let counter = 0;
const silentLog = createLogger({ silent: true });

/**
 * @example const ctx = requestContext({ headers: { authorization: 'Bearer sk-a' }, body: { model: 'chat' } });
 */
export function requestContext(init: ContextInit = {}): RequestContext {
  const body: ChatRequest = { model: 'chat', messages: [{ role: 'user', content: 'Hello' }], ...init.body };
  const controller = new AbortController();
  return Object.assign(new PluginRequestState(), {
    id: `req-${++counter}`,
    endpoint: init.endpoint ?? 'chat',
    startedAt: Date.now(),
    startedMono: performance.now(),
    headers: init.headers ?? {},
    signal: controller.signal,
    clientAbort: controller.signal,
    log: silentLog,
    body,
    requestedAlias: body.model,
    stream: init.stream ?? body.stream === true,
    caller: init.keyName ? { keyName: init.keyName, models: ['*'] } : undefined,
    metadata: {},
    responseHeaders: {},
    attempts: [],
  });
}
