import crypto from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UpstreamFailure } from '../../upstream/http-spec';
import { startFakeVertex, type FakeVertex } from '../../testing/fake-vertex';
import { REFRESH_MARGIN_MS, ServiceAccountTokenSource } from './service-account';

const EMAIL = 'tokens@acme.iam.gserviceaccount.com';
let fake: FakeVertex;
let keyFile: string;
let badKeyFile: string;

beforeAll(async () => {
  const account = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fake = await startFakeVertex({ project: 'acme', serviceAccounts: { [EMAIL]: account.publicKey } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-sa-'));
  const write = (name: string, key: crypto.KeyObject) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify({ client_email: EMAIL, private_key: key.export({ type: 'pkcs8', format: 'pem' }), token_uri: fake.tokenUri }));
    return file;
  };
  keyFile = write('good.json', account.privateKey);
  badKeyFile = write('bad.json', other.privateKey);
});
afterAll(() => fake.close());

describe('ServiceAccountTokenSource', () => {
  test('keeps its token until five minutes before expiry, then fetches a new one (injected clock)', async () => {
    // Starts at the real time (the token endpoint checks the assertion's expiry), then moves on without waiting.
    let now = Date.now();
    const tokens = new ServiceAccountTokenSource(keyFile, () => now);
    const first = await tokens.token();
    now += 3600_000 - REFRESH_MARGIN_MS - 1;
    expect(await tokens.token()).toBe(first);
    expect(tokens.fetches).toBe(1);
    now += 1;
    const second = await tokens.token();
    expect(second).not.toBe(first);
    expect(tokens.fetches).toBe(2);
  });

  test('concurrent requests share one token fetch', async () => {
    const tokens = new ServiceAccountTokenSource(keyFile, Date.now);
    const all = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(new Set(all).size).toBe(1);
    expect(tokens.fetches).toBe(1);
  });

  test('an assertion signed with the wrong key is refused, as a credentials problem naming the endpoint', async () => {
    const err = await new ServiceAccountTokenSource(badKeyFile, Date.now).token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect((err as UpstreamFailure).info).toMatchObject({ credentialProblem: true, code: 'upstream_auth_failed' });
    expect((err as Error).message).toContain('invalid_grant');
  });

  test('a missing key file is a credentials problem that names the file', async () => {
    const err = await new ServiceAccountTokenSource('/nonexistent/key.json', Date.now).token().catch((e: unknown) => e);
    expect((err as UpstreamFailure).info.credentialProblem).toBe(true);
    expect((err as Error).message).toContain('/nonexistent/key.json');
  });

  test('a key file that is not JSON is refused without quoting its contents (the parser would quote the key)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'switchyard-sa-')), 'raw.key');
    const material = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    writeFileSync(file, material);
    const err = await new ServiceAccountTokenSource(file, Date.now).token().catch((e: unknown) => e);
    expect((err as UpstreamFailure).info.credentialProblem).toBe(true);
    expect((err as Error).message).toContain('not valid JSON');
    expect((err as Error).message).not.toContain(material.slice(0, 8));
  });
});
