/**
 * Rule-based routing ("cheap for simple, premium for hard"): an alias with `route:` sends each request to the
 * alias named by the first rule whose conditions all hold. Conditions read facts about the request only.
 */
import type { ChatMessage, ChatRequest } from '../providers/openai-types';
import { estimateChatPromptTokens } from '../pricing/estimate-tokens';
import { compileMatch } from '../config/match-pattern';
import type { Comparison, RouteCondition, RouteRuleConfig } from '../config/routing-schema';
import { complexityOf, type Complexity } from './complexity';

/** What rules may look at, computed lazily from one request. */
export interface RouteFacts {
  hasTools: boolean;
  hasImages: boolean;
  promptTokens(): number;
  /** The completion budget asked for, when the request set one. */
  maxTokens?: number;
  metadata: Record<string, string>;
  /** The caller's key name, once an auth plugin has set it. */
  keyName?: string;
  lastUserText: string;
  /** The prompt-complexity score (computed on first use). */
  complexity(): Complexity;
  /** The score if a rule asked for it, for the route header and the log line. */
  readonly complexityIfComputed: Complexity | undefined;
}

export interface CompiledRule {
  name: string;
  to: string;
  matches(facts: RouteFacts): boolean;
}

function textOf(message: ChatMessage | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  if (Array.isArray(message.content)) return message.content.map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join(' ');
  return '';
}

/**
 * Facts of a chat (or embeddings) body; anything that is not a chat body has no tools, images or messages.
 *
 * @example routeFactsOf({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }, {}, 'team-a').hasTools // false
 */
export function routeFactsOf(body: object, metadata: Record<string, string>, keyName?: string): RouteFacts {
  const chat = body as Partial<ChatRequest>;
  const messages = Array.isArray(chat.messages) ? chat.messages : [];
  let tokens: number | undefined;
  let complexity: Complexity | undefined;
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return {
    complexity: () => (complexity ??= complexityOf({ ...chat, messages })),
    get complexityIfComputed() {
      return complexity;
    },
    hasTools: Array.isArray(chat.tools) && chat.tools.length > 0,
    hasImages: messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url')),
    promptTokens: () => (tokens ??= estimateChatPromptTokens({ model: '', ...chat, messages } as ChatRequest)),
    maxTokens: chat.max_completion_tokens ?? chat.max_tokens ?? undefined,
    metadata,
    keyName,
    lastUserText: textOf(lastUser),
  };
}

function compares(value: number | undefined, c: Comparison): boolean {
  if (value === undefined) return false;
  return (
    (c.gt === undefined || value > c.gt) &&
    (c.gte === undefined || value >= c.gte) &&
    (c.lt === undefined || value < c.lt) &&
    (c.lte === undefined || value <= c.lte)
  );
}

function conditionTest(when: RouteCondition): (facts: RouteFacts) => boolean {
  const tests: ((f: RouteFacts) => boolean)[] = [];
  if (when.has_tools !== undefined) tests.push((f) => f.hasTools === when.has_tools);
  if (when.has_images !== undefined) tests.push((f) => f.hasImages === when.has_images);
  if (when.prompt_tokens) {
    const c = when.prompt_tokens;
    tests.push((f) => compares(f.promptTokens(), c));
  }
  if (when.max_tokens) {
    const c = when.max_tokens;
    tests.push((f) => compares(f.maxTokens, c));
  }
  if (when.metadata) {
    const wanted = Object.entries(when.metadata).map(([k, v]) => [k, String(v)] as const);
    tests.push((f) => wanted.every(([k, v]) => f.metadata[k] === v));
  }
  if (when.key !== undefined) {
    const keys = new Set(Array.isArray(when.key) ? when.key : [when.key]);
    tests.push((f) => f.keyName !== undefined && keys.has(f.keyName));
  }
  if (when.complexity !== undefined) {
    const c = when.complexity;
    if (typeof c === 'string' || Array.isArray(c)) {
      const tiers = new Set(Array.isArray(c) ? c : [c]);
      tests.push((f) => tiers.has(f.complexity().tier));
    } else tests.push((f) => compares(f.complexity().score, c));
  }
  if (when.match !== undefined) {
    const re = compileMatch(when.match);
    tests.push((f) => re.test(f.lastUserText));
  }
  return (facts) => tests.every((t) => t(facts));
}

/**
 * @example compileRules('auto', [{ when: { has_tools: true }, to: 'premium' }, { to: 'cheap' }])[1].name // 'auto.route[1]'
 */
export function compileRules(alias: string, rules: RouteRuleConfig[]): CompiledRule[] {
  return rules.map((rule, i) => ({ name: rule.name ?? `${alias}.route[${i}]`, to: rule.to, matches: conditionTest(rule.when ?? {}) }));
}

/** The first rule that matches, or undefined. @example pickRule(alias.policy.rules!, facts)?.to // 'premium' */
export function pickRule(rules: CompiledRule[], facts: RouteFacts): CompiledRule | undefined {
  return rules.find((r) => r.matches(facts));
}
