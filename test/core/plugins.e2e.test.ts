/**
 * The plugin pipeline: the worked example in plugins/, hook order, direct answers, failures isolated per
 * request, options validated at load, state kept across reloads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCompletion, readError } from '../helpers/answers';
import { startDaemon, type Daemon } from '../helpers/daemon';

const repo = path.resolve(__dirname, '../..');

const base = (plugins: string) => `
providers:
  demo: { api: mock }
models:
  demo: { targets: [ { provider: demo, model: echo } ] }
plugins:
${plugins}`;

// A plugin exercising every hook; it writes the order of calls into a response header and a log line.
const tracer = `
module.exports = {
  name: 'tracer',
  optionsSchema: { type: 'object', properties: { answer: { type: 'boolean', default: false }, explode: { type: 'string' } }, additionalProperties: false },
  create(options, env) {
    const seen = env.keep('seen', () => ({ n: 0 }));
    return {
      onRequest(ctx) {
        seen.n++;
        ctx.responseHeaders['x-seen'] = String(seen.n);
        if (options.explode === 'onRequest') throw new Error('boom in onRequest');
        if (options.answer) return { respond: { id: 'direct', object: 'chat.completion', created: 1, model: 'direct', choices: [{ index: 0, message: { role: 'assistant', content: 'from plugin' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } } };
      },
      beforeAttempt(ctx, attempt) { ctx.responseHeaders['x-attempt'] = attempt.provider + '/' + attempt.model; },
      onResponse(ctx, response) { return { ...response, choices: [{ ...response.choices[0], message: { role: 'assistant', content: response.choices[0].message.content.toUpperCase() } }] }; },
      onStreamChunk(ctx, chunk) { if (options.explode === 'onStreamChunk') throw new Error('boom in chunk'); return chunk; },
      onComplete(ctx, outcome) { env.log.info('tracer complete', { status: outcome.status, completed: outcome.completed, tokens: outcome.usage && outcome.usage.total_tokens, request_id: ctx.id }); },
    };
  },
};
`;

function ask(gw: Daemon, extra: Record<string, unknown> = {}, messages = [{ role: 'user', content: 'hello' }]) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages, ...extra }),
  });
}

describe('plugin pipeline', () => {
  let gw: Daemon | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  test('the worked example in plugins/ adds its header and blocks the configured word', async () => {
    gw = await startDaemon({
      config: base('  - use: ./plugins/example.js\n    header: x-example\n    blocked_word: forbidden'),
      // The example requires 'switchyard' as a user's plugin does; here it resolves to this checkout.
      files: {
        'plugins/example.js': readFileSync(path.join(repo, 'plugins/example.js'), 'utf8').replace("require('switchyard')", `require(${JSON.stringify(repo)})`),
      },
    });
    const ok = await ask(gw);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-example')).toBe('messages=1; seen=1');
    const blocked = await ask(gw, {}, [{ role: 'user', content: 'this is forbidden' }]);
    expect(blocked.status).toBe(400);
    expect((await readError(blocked)).error.code).toBe('content_blocked');
  });

  test('hooks run in order: onRequest, beforeAttempt, onResponse, onComplete', async () => {
    gw = await startDaemon({ config: base('  - use: ./tracer.js'), files: { 'tracer.js': tracer } });
    const res = await ask(gw);
    expect(res.headers.get('x-seen')).toBe('1');
    expect(res.headers.get('x-attempt')).toBe('demo/echo');
    expect((await readCompletion(res)).choices[0].message.content).toBe('ECHO: HELLO');
    const done = await gw.waitForLog((r) => r.message === 'tracer complete');
    expect(done).toMatchObject({ status: 200, completed: true, plugin: 'tracer' });
  });

  test('a direct answer from onRequest is served without any upstream, also as a stream', async () => {
    gw = await startDaemon({ config: base('  - use: ./tracer.js\n    answer: true'), files: { 'tracer.js': tracer } });
    const res = await ask(gw);
    expect((await readCompletion(res)).choices[0].message.content).toBe('from plugin');
    expect(res.headers.get('x-switchyard-attempts')).toBe('0');
    const streamed = await (await ask(gw, { stream: true })).text();
    expect(streamed).toContain('"content":"from plugin"');
    expect(streamed.trim().endsWith('data: [DONE]')).toBe(true);
  });

  test('a plugin that throws fails only that request, with a 500 naming it', async () => {
    gw = await startDaemon({ config: base('  - use: ./tracer.js\n    explode: onRequest'), files: { 'tracer.js': tracer } });
    const res = await ask(gw);
    expect(res.status).toBe(500);
    expect((await readError(res)).error).toMatchObject({ code: 'plugin_error', message: expect.stringContaining('"tracer"') });
    await gw.waitForLog((r) => r.message === 'plugin hook threw' && String(r.error).includes('boom in onRequest'));
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
  });

  test('a plugin that throws mid-stream ends that stream with an error event', async () => {
    gw = await startDaemon({ config: base('  - use: ./tracer.js\n    explode: onStreamChunk'), files: { 'tracer.js': tracer } });
    const text = await (await ask(gw, { stream: true })).text();
    expect(text).toContain('"code":"plugin_error"');
    expect(text).not.toContain('[DONE]');
    expect((await ask(gw)).status).toBe(200);
  });

  test('invalid plugin options stop the daemon from starting, naming the line', async () => {
    await expect(startDaemon({ config: base('  - use: ./tracer.js\n    colour: blue'), files: { 'tracer.js': tracer } })).rejects.toThrow(
      /proxy\.yaml:7:\d+: plugins\[0\]: plugin tracer: option must NOT have additional properties "colour"/,
    );
  });

  test('plugin state kept with env.keep survives a config reload', async () => {
    gw = await startDaemon({ config: base('  - use: ./tracer.js'), files: { 'tracer.js': tracer } });
    await ask(gw);
    await ask(gw);
    gw.writeConfig(base('  - use: ./tracer.js') + '\n# edited\n');
    await gw.waitForLog((r) => r.message === 'config reloaded');
    expect((await ask(gw)).headers.get('x-seen')).toBe('3');
  });
});
