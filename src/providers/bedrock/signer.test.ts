import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifySigV4 } from '../../testing/fake-bedrock';
import type { RecordedUpstreamCall } from '../../testing/fake-upstream-server';
import { UpstreamFailure, type HttpRequestSpec } from '../../upstream/http-spec';
import { parseIni, resolveBedrockAuth } from './credentials';
import { BedrockSigner } from './signer';

const spec: HttpRequestSpec = {
  method: 'POST',
  url: 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: '{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}',
};
const at = Date.parse('2026-12-01T10:20:30Z');

/** What the fake Bedrock would have received for a signed spec. */
function asReceived(signed: HttpRequestSpec): RecordedUpstreamCall {
  const url = new URL(signed.url);
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: signed.method, path: url.pathname + url.search, headers, body: undefined, rawBody: signed.body ?? '', model: undefined, at: 0 };
}

describe('BedrockSigner', () => {
  const env = { AWS_ACCESS_KEY_ID: 'AKIDUNIT', AWS_SECRET_ACCESS_KEY: 'unit-secret', AWS_SESSION_TOKEN: 'unit-token' };

  test('signs with SigV4 at the injected time, for the region, with the session token', async () => {
    const signed = await new BedrockSigner('aws', {}, 'eu-west-1', { env, now: () => at }).sign(spec);
    expect(signed.headers['x-amz-date']).toBe('20261201T102030Z');
    expect(signed.headers['x-amz-security-token']).toBe('unit-token');
    expect(signed.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDUNIT\/20261201\/eu-west-1\/bedrock\/aws4_request, SignedHeaders=.*host/);
    expect(verifySigV4(asReceived(signed), { AKIDUNIT: { secret: 'unit-secret', sessionToken: 'unit-token' } }, 'eu-west-1')).toEqual({
      accessKeyId: 'AKIDUNIT',
    });
  });

  test('a changed body no longer matches the signature', async () => {
    const signed = await new BedrockSigner('aws', {}, 'eu-west-1', { env, now: () => at }).sign(spec);
    const tampered = asReceived({ ...signed, body: signed.body?.replace('Hi', 'Ho') });
    expect(verifySigV4(tampered, { AKIDUNIT: { secret: 'unit-secret', sessionToken: 'unit-token' } }, 'eu-west-1')).toMatchObject({
      exception: 'InvalidSignatureException',
    });
  });

  test('a Bedrock API key in the environment is sent as a bearer token instead', async () => {
    const signed = await new BedrockSigner('aws', {}, 'us-east-1', { env: { ...env, AWS_BEARER_TOKEN_BEDROCK: 'ABSK-env-key' }, now: () => at }).sign(spec);
    expect(signed.headers.authorization).toBe('Bearer ABSK-env-key');
    expect(signed.headers['x-amz-date']).toBeUndefined();
  });

  test('no credentials anywhere is a credentials problem saying where it looked, and never a secret', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'switchyard-noaws-'));
    const err = await new BedrockSigner('aws', {}, 'us-east-1', { env: { HOME: empty }, now: () => at }).sign(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect((err as UpstreamFailure).info).toMatchObject({ status: 502, code: 'upstream_auth_failed', credentialProblem: true, retryable: true });
    expect((err as Error).message).toContain('AWS_ACCESS_KEY_ID');
  });
});

describe('resolveBedrockAuth', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-aws-unit-'));
  const credentials = path.join(dir, 'credentials');
  const config = path.join(dir, 'config');
  writeFileSync(
    credentials,
    '# comment\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n[dev]\naws_access_key_id=AKIDDEV\naws_secret_access_key=s2\naws_session_token=t2\n',
  );
  writeFileSync(config, '[profile ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = s3\n');
  const files = { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config };

  test.each([
    [
      'the entry keys beat the environment',
      { access_key_id: 'AKIDENTRY', secret_access_key: 'e' },
      { ...files, AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'x' },
      'AKIDENTRY',
    ],
    ['the entry profile beats the environment keys', { profile: 'dev' }, { ...files, AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'x' }, 'AKIDDEV'],
    ['environment keys beat the default profile', {}, { ...files, AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'x' }, 'AKIDENV'],
    ['AWS_PROFILE picks a profile', {}, { ...files, AWS_PROFILE: 'dev' }, 'AKIDDEV'],
    ['a profile only in the config file is found there', { profile: 'ops' }, files, 'AKIDOPS'],
    ['the default profile is the last resort', {}, files, 'AKIDDEFAULT'],
  ])('%s', async (_name, options, env, accessKeyId) => {
    const auth = await resolveBedrockAuth(options, env);
    expect(typeof auth !== 'string' && auth.kind === 'sigv4' && auth.credentials.accessKeyId).toBe(accessKeyId);
  });

  test('an unknown profile is named in the reason', async () => {
    expect(await resolveBedrockAuth({ profile: 'nope' }, files)).toContain('"nope"');
  });

  test('parseIni reads sections, trims and skips comments', () => {
    expect(parseIni('; c\n[a b]\n Key = v = w \n')).toEqual({ 'a b': { key: 'v = w' } });
  });
});
