import Ajv from 'ajv';
import { GatewayError } from '../../errors';
import { redactSecrets } from '../../observability/redact';
import type { PluginHooks, RequestContext } from '../../pipeline/types';
import { requestContext, testEnv } from '../../../test/helpers/plugin-harness';
import { authPlugin, type AuthOptions } from './index';
import { KeyTable, sha256Hex } from './key-table';

const options: AuthOptions = {
  admin_key: 'admin-secret-123',
  keys: [
    { name: 'team-a', key: 'sk-team-a-secret', models: ['chat', 'demo'], rpm: 60, budget_usd: 25 },
    { name: 'batch-jobs', key_sha256: sha256Hex('batch-secret-456'), models: ['*'] },
    { name: 'family', key: 'family-secret-789', models: ['gpt-*'] },
  ],
};

async function auth() {
  return authPlugin.create(options, testEnv());
}

/** Both of the plugin's checks, in the lifecycle's order: the key from the headers, then the alias from the body. */
async function admit(hooks: PluginHooks, ctx: RequestContext): Promise<void> {
  await hooks.onHeaders!(ctx);
  await hooks.onRequest!(ctx);
}

async function rejection(run: () => unknown): Promise<GatewayError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('auth plugin', () => {
  it('accepts a configured key as a Bearer token and names the caller', async () => {
    const hooks = await auth();
    const ctx = requestContext({ headers: { authorization: 'Bearer sk-team-a-secret' }, body: { model: 'chat' } });
    await admit(hooks, ctx);
    expect(ctx.caller).toEqual({ keyName: 'team-a', models: ['chat', 'demo'] });
    expect(ctx.get('callerLimits')).toEqual({ rpm: 60, tpm: undefined, budgetUsd: 25, budgetPeriod: 'monthly' });
  });

  it('accepts x-api-key (Anthropic-style clients) and keys stored as SHA-256', async () => {
    const hooks = await auth();
    const ctx = requestContext({ headers: { 'x-api-key': 'batch-secret-456' }, body: { model: 'anything' } });
    await admit(hooks, ctx);
    expect(ctx.caller?.keyName).toBe('batch-jobs');
  });

  it('answers 401 for a missing or unknown key, without echoing the key', async () => {
    const hooks = await auth();
    const missing = await rejection(() => admit(hooks, requestContext()));
    expect(missing).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });
    const wrong = await rejection(() => admit(hooks, requestContext({ headers: { authorization: 'Bearer sk-team-a-secreT' } })));
    expect(wrong.status).toBe(401);
    expect(wrong.message).not.toContain('secreT');
  });

  it('answers 403 for an alias the key may not use', async () => {
    const hooks = await auth();
    const err = await rejection(() => admit(hooks, requestContext({ headers: { authorization: 'Bearer sk-team-a-secret' }, body: { model: 'gpt-4o' } })));
    expect(err).toMatchObject({ status: 403, type: 'permission_error', code: 'model_not_allowed', param: 'model' });
    expect(err.message).toContain('team-a');
  });

  it('allows a family of aliases with a trailing *', async () => {
    const hooks = await auth();
    await admit(hooks, requestContext({ headers: { authorization: 'Bearer family-secret-789' }, body: { model: 'gpt-fast' } }));
    expect(
      (await rejection(() => admit(hooks, requestContext({ headers: { authorization: 'Bearer family-secret-789' }, body: { model: 'claude' } })))).status,
    ).toBe(403);
  });

  it('lists only the aliases a key may use on /v1/models', async () => {
    const hooks = await auth();
    const ctx = requestContext({ endpoint: 'models', headers: { authorization: 'Bearer sk-team-a-secret' } });
    await admit(hooks, ctx);
    expect(hooks.filterModels!(ctx, ['chat', 'demo', 'gpt-4o', 'embed'])).toEqual(['chat', 'demo']);
  });

  it('checks the key from the headers alone, before any body exists', async () => {
    const hooks = await auth();
    // No body yet: the key check does not need one, and refuses without reading it.
    expect((await rejection(() => hooks.onHeaders!(requestContext({ body: {} })))).status).toBe(401);
    const ctx = requestContext({ headers: { authorization: 'Bearer sk-team-a-secret' }, body: {} });
    await hooks.onHeaders!(ctx);
    expect(ctx.caller?.keyName).toBe('team-a');
  });

  it('registers keys as secrets, so they are redacted from every log line', async () => {
    await auth();
    expect(redactSecrets('oops family-secret-789 and admin-secret-123')).toBe('oops [REDACTED] and [REDACTED]');
  });

  it('refuses to start with an empty key, a bad digest or a duplicate name', () => {
    expect(() => authPlugin.create({ keys: [{ name: 'a', key: '' }] }, testEnv())).toThrow(/empty/);
    expect(() => authPlugin.create({ keys: [{ name: 'a', key_sha256: 'abc' }] }, testEnv())).toThrow(/64-hex/);
    expect(() =>
      authPlugin.create(
        {
          keys: [
            { name: 'a', key: 'x1' },
            { name: 'a', key: 'x2' },
          ],
        },
        testEnv(),
      ),
    ).toThrow(/two keys/);
  });

  it('validates its options with the JSON Schema', () => {
    const check = new Ajv({ strict: false }).compile(authPlugin.optionsSchema!);
    expect(check(options)).toBe(true);
    expect(check({ keys: [{ name: 'a' }] })).toBe(false);
    expect(check({ keys: [{ name: 'a', key: 'k', budget_period: 'weekly' }] })).toBe(false);
  });
});

describe('key table', () => {
  it('finds the matching key whichever position it has', () => {
    const table = new KeyTable([
      { name: 'a', key: 'ka' },
      { name: 'b', key: 'kb' },
      { name: 'c', key: 'kc' },
    ]);
    expect(table.find('kc')?.name).toBe('c');
    expect(table.find('ka')?.name).toBe('a');
    expect(table.find('kd')).toBeUndefined();
  });
});
