/**
 * Typed readers for the gateway's JSON answers, so a test that reads a field an answer does not have fails to
 * type-check (`npm run typecheck:tests`) instead of failing, or passing, at run time. The types are the gateway's
 * own wire types where it has them. Reading is a cast, not a validation: the test's assertions check the values.
 */
import type { OpenAIErrorBody } from '../../src/errors';
import type { ChatCompletion, EmbeddingsResponse } from '../../src/providers/openai-types';
import type { RoutingState } from '../../src/routing/routing-state';
import type { ReloadStatus } from '../../src/server/runtime-handle';

export type { ChatCompletion, EmbeddingsResponse, OpenAIErrorBody };

/** GET /v1/models (src/server/routes/models.ts). */
export interface ModelList {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string }[];
}

/** GET /health/ready (src/server/routes/health.ts). */
export interface ReadyBody {
  status: 'ready' | 'draining';
  config: { file: string; hash: string; loaded_at: string };
  last_reload: ReloadStatus;
  providers: Record<string, { api: string; available: boolean; missing_env?: string[] }>;
  aliases: string[];
  routing: ReturnType<RoutingState['describe']>;
}

/** What the fake OpenAI upstream answers on any path it does not serve (src/testing/fake-openai.ts), as passthrough relays it. */
export interface PassthroughEcho {
  echo: { method: string; path: string; authorization: string | null; body: string };
}

/**
 * The JSON body of `res`, typed as the answer the test expects.
 *
 * @example const list = await readJson<ModelList>(await fetch(`${gw.url}/v1/models`));
 */
export async function readJson<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/**
 * An OpenAI-shaped error answer.
 *
 * @example expect((await readError(res)).error.code).toBe('model_not_found');
 */
export function readError(res: Response): Promise<OpenAIErrorBody> {
  return readJson<OpenAIErrorBody>(res);
}

/**
 * A chat completion answer.
 *
 * @example expect((await readCompletion(res)).choices[0].message.content).toBe('reply from model-a');
 */
export function readCompletion(res: Response): Promise<ChatCompletion> {
  return readJson<ChatCompletion>(res);
}

/**
 * The gateway's GET /health/ready answer.
 *
 * @example expect((await readReady(gw.url)).config.hash).toMatch(/^[0-9a-f]{16}$/);
 */
export async function readReady(url: string): Promise<ReadyBody> {
  return readJson<ReadyBody>(await fetch(`${url}/health/ready`));
}
