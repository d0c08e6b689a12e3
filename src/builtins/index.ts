/**
 * Built-in plugins, selected in proxy.yaml by name (`- use: auth`). Custom plugins are loaded by path instead.
 */
import type { PluginModule } from '../pipeline/types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const builtinPlugins: Record<string, PluginModule<any>> = {};
