/**
 * Capability skipping: a request that needs something a target's model cannot do (tool calling, image input,
 * structured output, reasoning) skips that target rather than failing at the provider. What a model can do comes
 * from the catalog's flags; a model the catalog does not know, or a flag it leaves out, is unknown, and unknown
 * never skips. When every target is skipped for this, the client gets a 400 naming the capability.
 */
import { catalogModel, catalogProviderFor, type CatalogCapabilities } from '../catalog/catalog';
import type { AttemptRecord } from '../pipeline/types';
import type { ResolvedProvider } from './snapshot-types';
import { capabilityErrors, type GatewayError } from '../errors';

/** One capability a request may need. */
export interface Capability {
  /** How the attempt record and the error name it. */
  label: string;
  /** The catalog flag that says whether a model has it. */
  flag: keyof CatalogCapabilities;
  /** The request field that needs it, for the error's `param`. */
  param: string;
}

const TOOLS: Capability = { label: 'tool calling', flag: 'tool_call', param: 'tools' };
const IMAGES: Capability = { label: 'image input', flag: 'image_input', param: 'messages' };
const STRUCTURED: Capability = { label: 'structured output', flag: 'structured_output', param: 'response_format' };
const REASONING: Capability = { label: 'reasoning', flag: 'reasoning', param: 'reasoning_effort' };

/** The attempt-record reason of a capability skip ends so; the final error recognises its skips by it. */
const SOURCE = ' (catalog)';
const PREFIX = 'model lacks ';

function hasImage(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  for (const m of messages as { content?: unknown }[]) {
    if (!Array.isArray(m?.content)) continue;
    for (const part of m.content as { type?: unknown }[]) if (part?.type === 'image_url' || part?.type === 'input_image') return true;
  }
  return false;
}

// A request's needs are the same for each of its attempts: worked out once per body.
const needsOf = new WeakMap<object, Capability[]>();

/**
 * What a chat body needs beyond plain text.
 *
 * @example requiredCapabilities({ model: 'm', messages, tools: [weather] }) // [{ label: 'tool calling', … }]
 */
export function requiredCapabilities(body: object): Capability[] {
  let needs = needsOf.get(body);
  if (needs) return needs;
  const b = body as { tools?: unknown; functions?: unknown; messages?: unknown; response_format?: { type?: unknown }; reasoning_effort?: unknown };
  needs = [];
  if ((Array.isArray(b.tools) && b.tools.length > 0) || (Array.isArray(b.functions) && b.functions.length > 0)) needs.push(TOOLS);
  if (hasImage(b.messages)) needs.push(IMAGES);
  if (b.response_format?.type === 'json_schema') needs.push(STRUCTURED);
  if (typeof b.reasoning_effort === 'string' && b.reasoning_effort !== 'none' && b.reasoning_effort !== 'minimal') needs.push(REASONING);
  needsOf.set(body, needs);
  return needs;
}

// Which catalog provider a configured provider is, once per resolved provider (the host scan is not free).
const catalogIds = new WeakMap<Pick<ResolvedProvider, 'name' | 'config'>, string | null>();

/**
 * The first capability of `needs` that the catalog says this target's model lacks, or undefined (it has them
 * all, or nobody knows).
 *
 * @example lackedCapability(provider, 'deepseek-chat', [REASONING]) // { label: 'reasoning', … }
 */
export function lackedCapability(provider: Pick<ResolvedProvider, 'name' | 'config'>, model: string, needs: Capability[]): Capability | undefined {
  if (needs.length === 0) return undefined;
  let id = catalogIds.get(provider);
  if (id === undefined) catalogIds.set(provider, (id = catalogProviderFor(provider.name, provider.config) ?? null));
  const known = id ? catalogModel(id, model) : undefined;
  if (!known) return undefined;
  return needs.find((c) => known.capabilities[c.flag] === false);
}

/** The attempt-record reason of a capability skip. @example skipReason(TOOLS) // 'model lacks tool calling (catalog)' */
export function capabilitySkipReason(c: Capability): string {
  return `${PREFIX}${c.label}${SOURCE}`;
}

/**
 * The 400 for a request whose every attempt was a capability skip, or undefined when any attempt was made or
 * skipped for another reason.
 *
 * @example capabilityRefusal('chat', ctx.attempts, ctx.body) // 400 model_lacks_capability
 */
export function capabilityRefusal(alias: string, attempts: AttemptRecord[], body: object): GatewayError | undefined {
  if (attempts.length === 0 || !attempts.every((a) => a.skipped && a.reason?.startsWith(PREFIX) && a.reason.endsWith(SOURCE))) return undefined;
  const lacked = requiredCapabilities(body).filter((c) => attempts.some((a) => a.reason === capabilitySkipReason(c)));
  return capabilityErrors.modelLacksCapability(
    alias,
    lacked.map((c) => c.label),
    lacked[0]?.param ?? null,
    attempts.map((a) => `${a.provider}/${a.model} → ${a.reason}`).join('; '),
  );
}
