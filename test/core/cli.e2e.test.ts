/**
 * The command line: validate (every problem as FILE:LINE:COL: path: message), schema, env interpolation and
 * flag overrides of `start`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCompletion } from '../helpers/answers';
import { startDaemon } from '../helpers/daemon';

const repo = path.resolve(__dirname, '../..');
const cli = path.join(repo, 'dist/cli.js');

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

function writeTemp(text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'switchyard-cli-')), 'proxy.yaml');
  writeFileSync(file, text);
  return file;
}

describe('switchyard validate', () => {
  test('the shipped proxy.yaml is valid', () => {
    const r = run(['validate', '--config', path.join(repo, 'proxy.yaml')]);
    expect(r.stderr).toContain('OPENAI_API_KEY');
    expect(r.status).toBe(0);
  });

  test('every problem is printed as FILE:LINE:COL: path: what is wrong, and the exit code is non-zero', () => {
    const file = writeTemp(`server: { port: "not-a-port" }
providers:
  a: { api: openai, base_url: "https://example.invalid/v1", timeout_ms: -5 }
  b: { api: carrier-pigeon, base_url: "https://example.invalid" }
models:
  chat:
    strategy: fastest
    targets:
      - { provider: nowhere, model: m }
    fallbacks: [ghost]
  other:
    targetz: []
`);
    const r = run(['validate', '--config', file]);
    expect(r.status).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    const expectLine = (re: RegExp) => expect(lines.some((l) => re.test(l))).toBe(true);
    const f = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expectLine(new RegExp(`^${f}:1:\\d+: server\\.port: must be integer$`));
    expectLine(new RegExp(`^${f}:3:\\d+: providers\\.a\\.timeout_ms: must be >= 1$`));
    expectLine(new RegExp(`^${f}:7:15: models\\.chat\\.strategy: must be one of: weighted, ordered, `));
    expectLine(new RegExp(`^${f}:12:5: models\\.other\\.targetz: unknown field "targetz"$`));
  });

  test('cross references are checked with positions once the schema passes', () => {
    const file = writeTemp(`providers:
  a: { api: openai, base_url: "https://example.invalid/v1" }
models:
  chat:
    targets:
      - { provider: nowhere, model: m }
    fallbacks: [ghost]
`);
    const r = run(['validate', '--config', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:6:21: models.chat.targets[0].provider: unknown provider "nowhere"`);
    expect(r.stderr).toContain(`${file}:7:17: models.chat.fallbacks[0]: unknown alias "ghost"`);
  });

  test('native adapters default their base_url; OpenAI-compatible providers must name theirs', () => {
    const file = writeTemp(`providers:
  claude: { api: anthropic, api_key: "k-123456" }
  gemini: { api: gemini, api_key: "k-123456" }
  vendor: { api: openai, api_key: "k-123456" }
models:
  chat: { targets: [ { provider: claude, model: claude-haiku-4-5 }, { provider: gemini, model: gemini-2.5-flash } ] }
`);
    const r = run(['validate', '--config', file]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`${file}:4:11: providers.vendor: missing required field "base_url"`]);
  });

  test('plugin options are checked too, without starting the plugin', () => {
    const file = writeTemp(`providers:
  demo: { api: mock }
models:
  demo: { targets: [ { provider: demo, model: echo } ] }
plugins:
  - use: cost-log
    sink: "jsonl://./spend.jsonl"
    budget_colour: red
  - use: ./missing-plugin.js
`);
    const r = run(['validate', '--config', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/:6:\d+: plugins\[0\]: plugin cost-log: option must NOT have additional properties "budget_colour"/);
    expect(r.stderr).toMatch(/:9:\d+: plugins\[1\]\.use: cannot load plugin \.\/missing-plugin\.js/);
  });

  test('a YAML syntax error has its line and column', () => {
    const file = writeTemp('providers:\n  a: { api: openai\nmodels: x\n');
    const r = run(['validate', '--config', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: \\(root\\): YAML syntax`));
  });
});

describe('switchyard schema', () => {
  test('prints the JSON Schema, identical to the shipped proxy.schema.json', () => {
    const r = run(['schema']);
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed.title).toBe('Switchyard proxy.yaml');
    expect(printed).toEqual(JSON.parse(readFileSync(path.join(repo, 'proxy.schema.json'), 'utf8')));
  });
});

describe('switchyard start', () => {
  test('${VAR} and ${VAR:-default} are interpolated from the environment', async () => {
    const gw = await startDaemon({
      config: `providers:
  demo: { api: mock, mock: { reply: "\${GREETING:-hello} from \${PLACE}" } }
models:
  demo: { targets: [ { provider: demo, model: "\${MODEL_NAME:-echo}" } ] }
`,
      env: { PLACE: 'the gateway', MODEL_NAME: 'mock-7' },
    });
    try {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'x' }] }),
      });
      const body = await readCompletion(res);
      expect(body.choices[0].message.content).toBe('hello from the gateway');
      expect(body.model).toBe('mock-7');
    } finally {
      await gw.stop();
    }
  });

  test('a provider whose key is unset is reported once at start, and the daemon still starts', async () => {
    const gw = await startDaemon({
      config: `providers:
  o: { api: openai, base_url: "http://127.0.0.1:9/v1", api_key: "\${SOME_UNSET_KEY_FOR_TEST}" }
  demo: { api: mock }
models:
  demo: { targets: [ { provider: demo, model: echo } ] }
`,
    });
    try {
      const warnings = gw.logRecords().filter((r) => r.message === 'provider unavailable: its api_key is empty');
      expect(warnings).toEqual([expect.objectContaining({ provider: 'o', missing_env: 'SOME_UNSET_KEY_FOR_TEST', level: 'warn' })]);
    } finally {
      await gw.stop();
    }
  });

  test('an invalid config refuses to start, printing the problems', () => {
    const file = writeTemp('providers: {}\nmodels: {}\n');
    const r = run(['start', '--config', file, '--port', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('providers: must NOT have fewer than 1 properties');
  });
});
