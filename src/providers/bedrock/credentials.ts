/**
 * Where a Bedrock provider's credentials come from, in the order the AWS tools look: keys in the provider entry,
 * a named profile in the entry, a Bedrock API key in the environment (`AWS_BEARER_TOKEN_BEDROCK`), access keys in
 * the environment, then the profile `AWS_PROFILE` (or `default`) of the shared credentials and config files.
 * A provider's own `api_key` is a Bedrock API key too, but needs no lookup (see index.ts).
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How requests of one provider authenticate, and where that was found (for error messages, never the secret). */
export type BedrockAuth = { kind: 'bearer'; token: string; source: string } | { kind: 'sigv4'; credentials: AwsCredentials; source: string };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A minimal INI reader for the AWS credentials and config files: `[section]`, `key = value`, `#`/`;` comments.
 *
 * @example parseIni('[default]\naws_access_key_id = AKIA…') // { default: { aws_access_key_id: 'AKIA…' } }
 */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = out[header[1].trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

function keysOf(section: Record<string, string> | undefined): AwsCredentials | undefined {
  if (!section?.aws_access_key_id || !section.aws_secret_access_key) return undefined;
  const creds: AwsCredentials = { accessKeyId: section.aws_access_key_id, secretAccessKey: section.aws_secret_access_key };
  if (section.aws_session_token) creds.sessionToken = section.aws_session_token;
  return creds;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A profile's static keys from the shared credentials file, else from the config file's `[profile name]`. */
async function profileKeys(name: string, env: Env): Promise<{ credentials: AwsCredentials; file: string } | undefined> {
  const home = env.HOME ?? os.homedir();
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config');
  const fromCredentials = keysOf(parseIni((await readIfPresent(credentialsFile)) ?? '')[name]);
  if (fromCredentials) return { credentials: fromCredentials, file: credentialsFile };
  const config = parseIni((await readIfPresent(configFile)) ?? '');
  const fromConfig = keysOf(config[name === 'default' ? 'default' : `profile ${name}`]);
  return fromConfig ? { credentials: fromConfig, file: configFile } : undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * The credentials a provider signs with, or a sentence saying where none were found.
 *
 * @example await resolveBedrockAuth({ region: 'us-east-1' }, process.env) // { kind: 'sigv4', source: 'environment (AWS_ACCESS_KEY_ID)', … }
 */
export async function resolveBedrockAuth(options: Record<string, unknown>, env: Env): Promise<BedrockAuth | string> {
  const accessKeyId = str(options.access_key_id);
  const secretAccessKey = str(options.secret_access_key);
  if (accessKeyId && secretAccessKey) {
    const credentials: AwsCredentials = { accessKeyId, secretAccessKey };
    const sessionToken = str(options.session_token);
    if (sessionToken) credentials.sessionToken = sessionToken;
    return { kind: 'sigv4', credentials, source: 'the provider entry (access_key_id)' };
  }
  const configuredProfile = str(options.profile);
  if (configuredProfile) {
    const found = await profileKeys(configuredProfile, env);
    return found
      ? { kind: 'sigv4', credentials: found.credentials, source: `profile "${configuredProfile}" in ${found.file}` }
      : `profile "${configuredProfile}" has no aws_access_key_id and aws_secret_access_key in the shared credentials or config file`;
  }
  if (env.AWS_BEARER_TOKEN_BEDROCK) return { kind: 'bearer', token: env.AWS_BEARER_TOKEN_BEDROCK, source: 'environment (AWS_BEARER_TOKEN_BEDROCK)' };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const credentials: AwsCredentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    if (env.AWS_SESSION_TOKEN) credentials.sessionToken = env.AWS_SESSION_TOKEN;
    return { kind: 'sigv4', credentials, source: 'environment (AWS_ACCESS_KEY_ID)' };
  }
  const profile = env.AWS_PROFILE ?? 'default';
  const found = await profileKeys(profile, env);
  if (found) return { kind: 'sigv4', credentials: found.credentials, source: `profile "${profile}" in ${found.file}` };
  return (
    'no api_key, access_key_id/secret_access_key or profile in the provider entry, no AWS_BEARER_TOKEN_BEDROCK or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment, and no keys for profile "' +
    profile +
    '" in the shared credentials file'
  );
}
