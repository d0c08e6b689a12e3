/**
 * A config problem with its place in the file, printed as `FILE:LINE:COL: path.to.field: what is wrong`
 * by `switchyard validate` and by the reload log.
 */
import type { ConfigPath } from './interpolate';
import type { GatewayConfig } from './types';

/** A problem found by a cross-reference check, before the loader adds its line and column. */
export interface PathProblem {
  path: ConfigPath;
  message: string;
}

/** One rule a JSON Schema cannot express (see checks.ts). */
export type ConfigCheck = (config: GatewayConfig) => PathProblem[];

export interface ConfigProblem {
  path: ConfigPath;
  message: string;
  line: number;
  col: number;
}

/** "providers.openai.api", "models.chat.targets[0].provider" */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(root)';
}

/** @example formatProblem('proxy.yaml', p) // 'proxy.yaml:12:7: models.chat.targets[0].provider: unknown provider "x"' */
export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}:${p.line}:${p.col}: ${formatPath(p.path)}: ${p.message}`;
}

/** Thrown when a config cannot be used; carries every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
  }
}
