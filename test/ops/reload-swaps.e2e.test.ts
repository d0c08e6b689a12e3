/**
 * Hot reload when the config file is replaced rather than written in place: the Kubernetes ConfigMap symlink
 * swap (`..data` re-pointed to a new timestamped directory) and editors that save through a temp file and a
 * rename (or move the old file aside first, as vim does). Each is done several times in a row, because a
 * watcher that followed the old inode would see only the first.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon';

const configReplying = (reply: string) => `
providers:
  demo: { api: mock, mock: { reply: "${reply}" } }
models:
  demo:
    targets: [ { provider: demo, model: echo } ]
`;

async function answer(gw: Daemon): Promise<string> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await res.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0].message.content;
}

/**
 * Resolves once the gateway answers `want`: asks, and while the answer is still the old one, waits for the next
 * 'config reloaded' line (a reload is asynchronous and debounced, and an editor's save can take two). No sleep:
 * waitForLog's deadline only fails the test.
 */
async function eventuallyAnswers(gw: Daemon, want: string): Promise<void> {
  const reloads = () => gw.logRecords().filter((r) => r.message === 'config reloaded').length;
  for (;;) {
    // Counted before asking, so a reload that lands between the two is not waited for twice.
    const seen = reloads();
    const last = await answer(gw);
    if (last === want) return;
    await gw
      .waitForLog(() => reloads() > seen)
      .catch(() => {
        throw new Error(`still answering "${last}", expected "${want}"`);
      });
  }
}

/** A ConfigMap volume the way the kubelet lays it out and updates it. */
class ConfigMapVolume {
  private version = 0;
  private current = '';
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  get file(): string {
    return path.join(this.dir, 'proxy.yaml');
  }
  /** Writes a new timestamped directory, re-points ..data at it atomically, removes the old one. */
  publish(content: string): void {
    const next = `..2026_11_28_00_00_0${this.version++}.${process.pid}`;
    mkdirSync(path.join(this.dir, next));
    writeFileSync(path.join(this.dir, next, 'proxy.yaml'), content);
    symlinkSync(next, path.join(this.dir, '..data_tmp'));
    renameSync(path.join(this.dir, '..data_tmp'), path.join(this.dir, '..data'));
    if (this.current) rmSync(path.join(this.dir, this.current), { recursive: true });
    else symlinkSync('..data/proxy.yaml', this.file);
    this.current = next;
  }
}

describe('hot reload through file replacement', () => {
  let gw: Daemon | undefined;
  afterEach(async () => {
    await gw?.stop();
    if (gw) rmSync(gw.dir, { recursive: true, force: true });
    gw = undefined;
  });

  test('a ConfigMap update (symlink swap of ..data) is picked up, again and again', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-cm-'));
    const volume = new ConfigMapVolume(path.join(dir, 'config'));
    volume.publish(configReplying('version one'));
    gw = await startDaemon({ dir, config: configReplying('unused'), args: ['--config', volume.file] });
    expect(await answer(gw)).toBe('version one');
    for (const v of ['version two', 'version three', 'version four']) {
      volume.publish(configReplying(v));
      await eventuallyAnswers(gw, v);
    }
  });

  test('an editor saving through a temp file and a rename is picked up every time', async () => {
    gw = await startDaemon({ config: configReplying('saved once') });
    expect(await answer(gw)).toBe('saved once');
    for (const v of ['saved twice', 'saved thrice']) {
      gw.writeConfig(configReplying(v));
      await eventuallyAnswers(gw, v);
    }
  });

  test('a vim-style save (old file moved aside, new file written) is picked up', async () => {
    // No wait after start: the daemon logs 'listening' (which startDaemon waits for) only once its watcher is ready.
    gw = await startDaemon({ config: configReplying('before vim') });
    for (const v of ['after vim', 'after vim again']) {
      renameSync(gw.configPath, `${gw.configPath}~`);
      writeFileSync(gw.configPath, configReplying(v));
      rmSync(`${gw.configPath}~`);
      await eventuallyAnswers(gw, v);
    }
  });

  test('a swap to a broken config keeps the old one serving, and the next good swap applies', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-cm-'));
    const volume = new ConfigMapVolume(path.join(dir, 'config'));
    volume.publish(configReplying('good one'));
    gw = await startDaemon({ dir, config: configReplying('unused'), args: ['--config', volume.file] });
    volume.publish('models: [not: valid');
    await gw.waitForLog((r) => r.message === 'config reload rejected; still serving the previous config');
    expect(await answer(gw)).toBe('good one');
    volume.publish(configReplying('good two'));
    await eventuallyAnswers(gw, 'good two');
  });
});
