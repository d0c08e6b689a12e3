#!/usr/bin/env node
/**
 * `node dist/bench/pipeline-stages.js`: CPU per request of the plugin pipeline alone (pipeline.ts, in-process,
 * no HTTP), with four plugins whose hooks are shaped like the built-ins' before they finished synchronously: a
 * synchronous onRequest (auth), three asynchronous onRequest, one asynchronous beforeAttempt, one synchronous
 * onResponse and three asynchronous onComplete, with the hook timeout on; 16 requests at a time.
 *
 * Why: the pipeline's part of a request is about 1 µs, below what a gateway-wide CPU bench can resolve on the
 * shared machine; measured alone it is stable to a few per cent between runs. Compare builds by running this
 * file from each (e.g. `node /tmp/base/dist/bench/pipeline-stages.js` after copying it there).
 */
import { Pipeline } from '../pipeline/pipeline';
import type { LoadedPlugin } from '../pipeline/load-plugins';
import type { AttemptInfo, PluginHooks, RequestContext, RequestOutcome } from '../pipeline/types';
import type { ChatCompletion } from '../providers/openai-types';

const REQUESTS = 200_000;
const AT_ONCE = 16;

const later = async (): Promise<void> => {};
const now = (): void => {};
const plugin = (name: string, hooks: PluginHooks): LoadedPlugin => ({ name, hooks });

async function main(): Promise<void> {
  const pipeline = new Pipeline(
    [
      plugin('auth', { onRequest: now }),
      plugin('rate-limit', { onRequest: later, beforeAttempt: later, onComplete: later }),
      plugin('cache', { onRequest: later, onComplete: later }),
      plugin('cost-log', { onRequest: later, onResponse: now, onComplete: later }),
    ],
    { hookTimeoutMs: 30_000 },
  );
  // The hooks above never read the context: a stand-in is enough, and keeps context building out of the figure.
  const ctx = { id: 'bench' } as unknown as RequestContext;
  const attempt = {} as AttemptInfo;
  const response = { choices: [] } as unknown as ChatCompletion;
  const outcome = { status: 200, completed: true, latencyMs: 1 } as RequestOutcome;
  const one = async () => {
    await pipeline.onRequest(ctx);
    await pipeline.beforeAttempt(ctx, attempt);
    await pipeline.onResponse(ctx, response);
    await pipeline.onComplete(ctx, outcome);
  };
  for (let run = 0; run < 5; run++) {
    const before = process.cpuUsage();
    for (let i = 0; i < REQUESTS; i += AT_ONCE) await Promise.all(Array.from({ length: AT_ONCE }, one));
    const used = process.cpuUsage(before);
    // The first two runs warm the JIT up.
    if (run >= 2) console.log(`${((used.user + used.system) / REQUESTS).toFixed(3)} µs CPU per request`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
