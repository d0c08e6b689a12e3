/**
 * A small client for the e2e tests: chat requests to a daemon, SSE reading, and timing of one request.
 */

export interface ChatOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * POST /v1/chat/completions with a one-message body unless the test gives messages.
 *
 * @example const res = await chat(gw.url, { model: 'chat' });
 */
export function chat(url: string, body: Record<string, unknown>, opts: ChatOptions = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
    signal: opts.signal,
  });
}

/** The data payloads of an SSE response, in order (`[DONE]` included as is). */
export async function readSse(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((e) => e.trim())
    .map((e) => e.replace(/^data: /, ''));
}

/** The text a streamed answer assembles to. */
export function streamedText(events: string[]): string {
  return events
    .filter((e) => e !== '[DONE]')
    .map((e) => JSON.parse(e) as { choices?: { delta?: { content?: string } }[] })
    .map((c) => c.choices?.[0]?.delta?.content ?? '')
    .join('');
}

/**
 * Waits until `check` holds (it may be async, e.g. a probe of the gateway), polling, or fails after `timeoutMs`.
 * The deadline is a safety net that only fails the test; nothing is asserted about how long it took.
 *
 * @example await eventually(async () => (await fetch(`${url}/health/live`)).ok);
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
