/**
 * Labelled prompts that calibrate the complexity score (src/routing/complexity.ts). The label is what a person
 * would send the prompt to: `simple` a small cheap model answers as well as any; `medium` wants a capable
 * general model; `complex` wants a premium or reasoning model. Add prompts here when a rule misroutes, and
 * refresh the confusion table in docs/routing.md (`complexity-calibration.test.ts` prints it).
 */
import type { ComplexityTier } from '../../src/routing/complexity';

export interface LabelledPrompt {
  tier: ComplexityTier;
  prompt: string;
  tools?: boolean;
  image?: boolean;
}

const long = (s: string, n: number) => Array.from({ length: n }, (_, i) => `${s} (${i + 1})`).join(' ');

export const LABELLED_PROMPTS: LabelledPrompt[] = [
  // simple
  { tier: 'simple', prompt: 'hi' },
  { tier: 'simple', prompt: 'What is the capital of France?' },
  { tier: 'simple', prompt: 'Translate "good morning" into Spanish.' },
  { tier: 'simple', prompt: 'Give me a synonym for happy.' },
  { tier: 'simple', prompt: 'How many days are in a leap year?' },
  { tier: 'simple', prompt: 'Fix the spelling: "recieve the pakage tommorow"' },
  { tier: 'simple', prompt: 'Thanks, that helped!' },
  { tier: 'simple', prompt: 'Write a one-line birthday wish for my sister.' },
  { tier: 'simple', prompt: 'What time zone is Tokyo in?' },
  { tier: 'simple', prompt: 'Convert 5 miles to kilometres.' },
  { tier: 'simple', prompt: 'Who wrote Pride and Prejudice?' },
  { tier: 'simple', prompt: 'Make this sentence more formal: we gotta ship it by friday.' },
  { tier: 'simple', prompt: 'List three colours of the rainbow.' },
  { tier: 'simple', prompt: 'Is a tomato a fruit?' },
  { tier: 'simple', prompt: 'Summarise in one sentence: The meeting moved to Thursday at 3pm in room B.' },
  { tier: 'simple', prompt: 'What is the weather like in Paris today?', tools: true },
  // medium
  { tier: 'medium', prompt: 'Explain how a hash map works.' },
  { tier: 'medium', prompt: 'Compare PostgreSQL and MySQL for a small web shop.' },
  { tier: 'medium', prompt: 'Why is the sky blue?' },
  { tier: 'medium', prompt: 'Write a Python function that reverses a string.' },
  { tier: 'medium', prompt: 'What are the pros and cons of remote work for a small team?' },
  { tier: 'medium', prompt: 'Describe what is in this picture.', image: true },
  { tier: 'medium', prompt: 'Write a SQL query: SELECT the ten newest orders FROM the orders table with their customer names.' },
  { tier: 'medium', prompt: 'Explain the difference between TCP and UDP, with an example of when to use each.' },
  { tier: 'medium', prompt: 'Book me a table for two at an Italian place near the office tomorrow at 7 and tell me what is nearby?', tools: true },
  { tier: 'medium', prompt: 'What is the probability of rolling two sixes with two dice?' },
  { tier: 'medium', prompt: 'Summarise this report for an executive audience: ' + long('Quarterly revenue rose while costs stayed flat across regions.', 40) },
  { tier: 'medium', prompt: 'My JavaScript code throws "undefined is not a function" when I call items.map() — what does that mean?' },
  { tier: 'medium', prompt: 'Evaluate this tagline for a coffee brand: "Wake up to better."' },
  { tier: 'medium', prompt: 'Explain what a derivative is to a high-school student.' },
  { tier: 'medium', prompt: 'Draft a polite email asking a client why their invoice is late, and what we can do to help?' },
  { tier: 'medium', prompt: 'Write a regex that matches ISO dates.' },
  // complex
  {
    tier: 'complex',
    prompt:
      'Design a multi-region architecture for a payments service: explain the trade-offs between active-active and active-passive, how you would migrate the existing database, and plan the rollout step by step.',
  },
  { tier: 'complex', prompt: 'Prove that the square root of 2 is irrational, then explain why the same proof fails for the square root of 4.' },
  {
    tier: 'complex',
    prompt:
      'Here is my code:\n```ts\nfunction merge(a: number[], b: number[]) { let i = 0; while (i < a.length) { b.push(a[i]); } return b; }\n```\nWhy does it hang? Refactor it and explain the complexity of your version.',
  },
  { tier: 'complex', prompt: "Solve for x: 3x^2 - 12x + 9 = 0, then prove your roots are correct and analyze the polynomial's behaviour as x grows." },
  {
    tier: 'complex',
    prompt:
      'We see intermittent 502s behind our load balancer. First list the likely causes, then for each one explain how to confirm it, and finally propose a monitoring strategy for catching it earlier. What would you check first? Why?',
  },
  {
    tier: 'complex',
    prompt: 'Implement an LRU cache in Rust with O(1) get and put, explain the design, and compare it with a version built on a BTreeMap.',
  },
  { tier: 'complex', prompt: 'Compute the integral of x * e^x from 0 to 1 and explain each step of the integration by parts.' },
  {
    tier: 'complex',
    prompt:
      'Analyze this contract clause for risks and implications for both parties, and suggest a rewrite: ' +
      long('The supplier shall indemnify the buyer against all losses arising from any breach, howsoever caused.', 30),
  },
  {
    tier: 'complex',
    prompt: 'Plan out a migration of our monolith to services: which modules to split first, how to keep data consistent, and a roadmap for six months?',
  },
  {
    tier: 'complex',
    prompt:
      'Given this stack trace, find the root cause and write a fix with tests:\n```\nTypeError: Cannot read properties of null (reading "id")\n    at getUser (users.js:42)\n```',
    tools: true,
  },
  { tier: 'complex', prompt: 'Derive the closed form of the sum of the first n squares and prove it by induction.' },
  {
    tier: 'complex',
    prompt:
      'Compare three approaches to rate limiting in a distributed system (token bucket in Redis, sliding window logs, and a central coordinator), evaluate their failure modes, and recommend one for 50 gateway instances. Why?',
  },
  {
    tier: 'complex',
    prompt:
      'Write a parser for arithmetic expressions with precedence and parentheses in TypeScript, then explain how you would extend it with functions like sqrt().',
  },
  {
    tier: 'complex',
    prompt: 'Look at this architecture diagram and critique it: where are the single points of failure, and how would you redesign it?',
    image: true,
  },
];
