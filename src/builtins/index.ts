/**
 * Built-in plugins, selected in proxy.yaml by name (`- use: auth`). Custom plugins are loaded by path instead.
 */
import type { PluginModule } from '../plugin-api';
import { authPlugin } from './auth';
import { cachePlugin } from './cache';
import { costLogPlugin } from './cost-log';
import { rateLimitPlugin } from './rate-limit';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const builtinPlugins: Record<string, PluginModule<any>> = {
  auth: authPlugin,
  'rate-limit': rateLimitPlugin,
  cache: cachePlugin,
  'cost-log': costLogPlugin,
};
