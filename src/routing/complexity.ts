/**
 * A prompt-complexity score for `route:` rules ("cheap for simple, premium for hard"). Deterministic and cheap
 * (a handful of regular expressions over a bounded slice of the prompt; `npm run bench:pipeline` measures
 * it): no model is called. Each signal adds a fixed weight; the sum, capped at 1, is the score, and the tier
 * is the score's band. The weights were calibrated on the labelled prompts in `complexity.test.ts`, whose
 * confusion table docs/routing.md shows.
 */
import type { ComplexityTier } from '../config/routing-schema';
import type { ChatMessage, ChatRequest } from '../providers/openai-types';

export type { ComplexityTier };

/** Tier bands: below `medium` is simple, from `complex` on is complex. */
export const COMPLEXITY_TIERS: Readonly<Record<Exclude<ComplexityTier, 'simple'>, number>> = { medium: 0.3, complex: 0.6 };

export interface Complexity {
  /** 0 (trivial) … 1 (hard), two decimals. */
  score: number;
  tier: ComplexityTier;
  /** The signals that contributed, in a fixed order, e.g. ["long", "code"]. */
  signals: string[];
}

// Only the tail of a long prompt is scanned: the signals live in the question, and the cost stays bounded.
const SCAN_CHARS = 4_000;

interface Signal {
  name: string;
  weight: number;
  test(text: string): boolean;
}

const TEXT_SIGNALS: Signal[] = [
  {
    name: 'code',
    weight: 0.3,
    test: (t) =>
      /```|\bdef \w+\(|\bfunction\b|=>|#include|\bclass \w+|\bimport \w+|\bSELECT\b[\s\S]*\bFROM\b|\w\(\)[;.]|\b(stack trace|segfault|compile|regex|algorithm|complexity of)\b/i.test(
        t,
      ),
  },
  {
    name: 'math',
    weight: 0.3,
    test: (t) =>
      /\\(frac|int|sum|sqrt|lim)|\$[^$\n]+\$|\b(integral|derivative|prove|proof|theorem|lemma|equation|eigen\w*|probability|matrix|polynomial|converge\w*)\b|\d\s*[\^]\s*\d|\bsolve for\b/i.test(
        t,
      ),
  },
  {
    name: 'multi-step',
    weight: 0.3,
    test: (t) =>
      /\bstep[- ]by[- ]step\b|\bfirst\b[\s\S]{0,200}\bthen\b|^\s*\d+[.)]\s/m.test(t) ||
      /\b(design|architect\w*|implement|refactor|migrat\w+|plan (out|for)|strategy for|roadmap)\b/i.test(t),
  },
  {
    name: 'reasoning',
    weight: 0.3,
    test: (t) =>
      /\b(why|explain|analy[sz]e|compare|trade-?offs?|evaluate|justify|critique|pros and cons|implications?|reason about|root cause|think through|prove|derive)\b/i.test(
        t,
      ),
  },
  {
    name: 'systems',
    weight: 0.2,
    test: (t) =>
      /\b(distributed|concurren\w+|consisten\w+|throughput|scalab\w+|failure modes?|single points? of failure|microservices?|kubernetes|replicat\w+|race conditions?|deadlocks?)\b/i.test(
        t,
      ),
  },
];

// Instruction verbs: a prompt that asks for several different things is harder than one that asks for one.
const ASKS =
  /\b(explain|compare|design|implement|write|list|propose|recommend|evaluate|prove|derive|analy[sz]e|critique|suggest|refactor|plan|find|fix|compute|solve|describe|summari[sz]e|draft|translate)\b/gi;

function distinctAsks(text: string): number {
  const seen = new Set<string>();
  for (const m of text.matchAll(ASKS)) seen.add(m[1].toLowerCase());
  return seen.size;
}

function textOf(message: ChatMessage): string {
  const c = message.content;
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  let out = '';
  for (const p of c) if (p.type === 'text' && typeof (p as { text?: unknown }).text === 'string') out += `${(p as { text: string }).text}\n`;
  return out;
}

function hasImage(message: ChatMessage): boolean {
  return Array.isArray(message.content) && message.content.some((p) => p.type === 'image_url');
}

/**
 * The score of a chat body. Non-chat bodies (no messages) score 0.
 *
 * @example complexityOf({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }) // { score: 0, tier: 'simple', signals: [] }
 */
export function complexityOf(body: Partial<ChatRequest>): Complexity {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let chars = 0;
  let userText = '';
  let images = false;
  for (const m of messages) {
    const text = textOf(m);
    chars += text.length;
    if (m.role === 'user') userText = text;
    if (!images && hasImage(m)) images = true;
  }
  const scanned = userText.length > SCAN_CHARS ? userText.slice(-SCAN_CHARS) : userText;
  const signals: string[] = [];
  let score = 0;
  const add = (name: string, weight: number) => {
    signals.push(name);
    score += weight;
  };
  // Size: nothing below ~100 tokens, the full weight from ~4,000 tokens (log scale in between).
  if (chars > 400) add('long', 0.3 * Math.min(1, Math.log10(chars / 400) / Math.log10(40)));
  for (const s of TEXT_SIGNALS) if (s.test(scanned)) add(s.name, s.weight);
  let questions = 0;
  for (let i = scanned.indexOf('?'); i !== -1 && questions < 4; i = scanned.indexOf('?', i + 1)) questions++;
  if (questions >= 2) add('questions', 0.05 * questions);
  const asks = distinctAsks(scanned);
  if (asks >= 2) add('several-asks', asks >= 3 ? 0.2 : 0.1);
  if (Array.isArray(body.tools) && body.tools.length > 0) add('tools', 0.15);
  if (images) add('images', 0.3);
  if (messages.length > 6) add('long-conversation', 0.1);
  const capped = Math.round(Math.min(1, score) * 100) / 100;
  return { score: capped, tier: tierOf(capped), signals };
}

/** @example tierOf(0.45) // 'medium' */
export function tierOf(score: number): ComplexityTier {
  if (score >= COMPLEXITY_TIERS.complex) return 'complex';
  if (score >= COMPLEXITY_TIERS.medium) return 'medium';
  return 'simple';
}

/** How the x-switchyard-route header and the log line explain a score. @example describeComplexity(c) // '0.65 complex (code, reasoning)' */
export function describeComplexity(c: Complexity): string {
  return `${c.score.toFixed(2)} ${c.tier}${c.signals.length ? ` (${c.signals.join(', ')})` : ''}`;
}
