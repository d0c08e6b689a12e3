/**
 * A plugin's onResponse and onStreamChunk change what a native Responses backend (`responses: native`) answers,
 * as they change a chat answer: onResponse's new text lands in the Response's message item, and onStreamChunk
 * sees each text delta as a chat chunk, its rewrite (or drop) reaching the client's deltas, the `.done` events,
 * the final Response and the stored turn alike, with the events still numbered without gaps.
 */
import OpenAI from 'openai';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';

let openaiFake: FakeOpenAI;
let gw: InProcessGateway;
let client: OpenAI;

// Shouts every answer; in streams it also leaves out the piece "from ".
const shout = `
module.exports = {
  name: 'shout',
  create() {
    return {
      onResponse(ctx, response) {
        const choice = response.choices[0];
        return { ...response, choices: [{ ...choice, message: { ...choice.message, content: choice.message.content.toUpperCase() } }] };
      },
      onStreamChunk(ctx, chunk) {
        const delta = chunk.choices[0] && chunk.choices[0].delta;
        if (!delta || typeof delta.content !== 'string') return chunk;
        if (delta.content === 'from ') return null;
        return { ...chunk, choices: [{ ...chunk.choices[0], delta: { ...delta, content: delta.content.toUpperCase() } }] };
      },
    };
  },
};
`;

beforeAll(async () => {
  openaiFake = await startFakeOpenAI();
  gw = await startInProcess({
    config: `
providers:
  native: { api: openai, base_url: "${openaiFake.url}", api_key: "sk-openai-gateway-key", responses: native }
  gpt:    { api: openai, base_url: "${openaiFake.url}", api_key: "sk-openai-gateway-key" }
models:
  native: { targets: [ { provider: native, model: gpt-4.1-mini } ] }
  gpt:    { targets: [ { provider: gpt, model: gpt-4o-mini } ] }
plugins:
  - use: ./shout.js
`,
    files: { 'shout.js': shout },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
});
afterAll(async () => {
  await gw?.stop();
  await openaiFake?.close();
});
beforeEach(() => openaiFake.reset());

test('onResponse rewrites a native JSON answer: the Response and the stored turn carry the new text', async () => {
  const r = await client.responses.create({ model: 'native', input: 'hi' });
  expect(openaiFake.calls[0].path).toBe('/v1/responses');
  expect(r.output_text).toBe('REPLY FROM GPT-4.1-MINI');
  expect(r.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'REPLY FROM GPT-4.1-MINI', annotations: [] }] });
  expect((await client.responses.retrieve(r.id)).output_text).toBe('REPLY FROM GPT-4.1-MINI');
});

test('onStreamChunk rewrites and drops a native stream’s deltas; the done events, final Response and stored turn agree', async () => {
  const stream = client.responses.stream({ model: 'native', input: 'hi' });
  const deltas: string[] = [];
  const numbers: number[] = [];
  let doneText = '';
  let partText = '';
  for await (const ev of stream) {
    numbers.push(ev.sequence_number);
    if (ev.type === 'response.output_text.delta') deltas.push(ev.delta);
    if (ev.type === 'response.output_text.done') doneText = ev.text;
    if (ev.type === 'response.content_part.done' && ev.part.type === 'output_text') partText = ev.part.text;
  }
  const final = await stream.finalResponse();
  expect(deltas).toEqual(['REPLY ', 'GPT-4.1-MINI']);
  expect(doneText).toBe('REPLY GPT-4.1-MINI');
  expect(partText).toBe('REPLY GPT-4.1-MINI');
  expect(final.output_text).toBe('REPLY GPT-4.1-MINI');
  // The dropped delta leaves no gap in the numbering.
  expect(numbers).toEqual(numbers.map((_, i) => i));
  expect((await client.responses.retrieve(final.id)).output_text).toBe('REPLY GPT-4.1-MINI');
});

test('the same plugin treats a bridged Responses stream the same way', async () => {
  const final = await client.responses.stream({ model: 'gpt', input: 'hi' }).finalResponse();
  expect(final.output_text).toBe('REPLY GPT-4O-MINI');
});
