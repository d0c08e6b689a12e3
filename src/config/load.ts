/**
 * Reads proxy.yaml into a validated GatewayConfig: YAML parsing with source positions, env interpolation,
 * JSON Schema validation (defaults filled in), then the checks a schema cannot express (a target naming an
 * unknown provider, a fallback naming an unknown alias). Every problem comes back with its line and column.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { interpolateTree, type ConfigPath, type MissingVariable } from './interpolate';
import { applyPresets } from './presets';
import { ConfigError, type ConfigProblem } from './problems';
import { configSchema } from './schema';
import { semanticChecks } from './checks';
import type { GatewayConfig } from './types';

export interface LoadedConfig {
  config: GatewayConfig;
  /** Absolute path of the file. */
  file: string;
  /** sha256 of the file's text, first 16 hex digits (shown in /health/ready). */
  hash: string;
  /** Variables that were referenced but unset, with where. */
  missing: MissingVariable[];
  /** Position of a config path in the file, for problems found after loading (e.g. a plugin failing to load). */
  locate(path: ConfigPath): { line: number; col: number };
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(config: unknown) {
  // Built lazily so that modules extending configSchema at import time are included.
  validator ??= new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false }).compile(configSchema);
  const ok = validator(config);
  return ok ? [] : (validator.errors ?? []);
}

/** Finds the YAML node at a path; with `key`, the key node of the last segment (for "unknown field" errors). */
function findNode(doc: Document, segments: ConfigPath, key = false): Node | undefined {
  let node: unknown = doc.contents;
  let last: Node | undefined = doc.contents ?? undefined;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return last;
      const isLast = i === segments.length - 1;
      node = key && isLast ? pair.key : pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      return last;
    }
    if (node && typeof node === 'object' && 'range' in node) last = node as Node;
  }
  return last;
}

function describeAjvError(e: ErrorObject): { path: ConfigPath; message: string; atKey: boolean } {
  const path: ConfigPath = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(p.additionalProperty)], message: `unknown field "${String(p.additionalProperty)}"`, atKey: true };
    case 'required':
      return { path, message: `missing required field "${String(p.missingProperty)}"`, atKey: false };
    case 'enum':
      return { path, message: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`, atKey: false };
    default:
      return { path, message: e.message ?? 'is invalid', atKey: false };
  }
}

/**
 * Parses and validates config text. Throws ConfigError listing every problem.
 *
 * @example const loaded = loadConfigText(fs.readFileSync('proxy.yaml', 'utf8'), '/etc/switchyard/proxy.yaml');
 */
export function loadConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (p: ConfigPath, key = false) => {
    const node = findNode(doc, p, key);
    const offset = node?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };

  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: [],
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        ...lineCounter.linePos(e.pos[0]),
      })),
    );
  }
  const raw = doc.toJS() as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: [], message: 'the config must be a YAML mapping (providers:, models:, …)', line: 1, col: 1 }]);
  }
  const { value, missing } = interpolateTree(raw, env);
  // Presets first: an entry that is only `preset: deepseek` is a whole provider once expanded.
  const presetProblems = applyPresets(value, env, missing).map((p) => ({ ...p, ...locate(p.path) }));
  if (presetProblems.length > 0) throw new ConfigError(file, presetProblems);
  const problems: ConfigProblem[] = validate(value).map((e) => {
    const d = describeAjvError(e);
    return { path: d.path, message: d.message, ...locate(d.path, d.atKey) };
  });
  if (problems.length === 0) {
    for (const p of semanticChecks(value as GatewayConfig)) problems.push({ ...p, ...locate(p.path) });
  }
  if (problems.length > 0) throw new ConfigError(file, dedupe(problems));

  return {
    config: value as GatewayConfig,
    file,
    hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
    missing,
    locate: (p) => locate(p),
  };
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.line}:${p.col}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Reads and validates a config file. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(abs, [{ path: [], message: `cannot read file: ${(err as Error).message}`, line: 1, col: 1 }]);
  }
  return loadConfigText(text, abs, env);
}
