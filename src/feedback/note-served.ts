/**
 * The lifecycle's side of feedback: when a request ends, note what served it, so its key can rate it later.
 */
import { complexityOf } from '../routing/complexity';
import type { RequestContext, RequestOutcome } from '../pipeline/types';
import type { ChatRequest } from '../providers/openai-types';
import type { FeedbackService } from './feedback-service';

/** Endpoints whose answers can be rated. */
const RATEABLE = new Set(['chat', 'messages', 'responses', 'completions']);

/**
 * Called by the lifecycle when a request ends: notes what served it, so its key can rate it later. Free when
 * feedback is off; otherwise one complexity score (a few µs) and a map insert.
 *
 * @example noteForFeedback(snapshot.feedback, ctx, outcome);
 */
export function noteForFeedback(feedback: FeedbackService | undefined, ctx: RequestContext, outcome: RequestOutcome): void {
  if (!feedback || !ctx.servedBy || outcome.status >= 400 || !RATEABLE.has(ctx.endpoint)) return;
  feedback.noteServed({
    requestId: ctx.id,
    keyName: ctx.caller?.keyName ?? null,
    alias: ctx.servedBy.alias,
    target: `${ctx.servedBy.provider}/${ctx.servedBy.model}`,
    tier: complexityOf(ctx.body as Partial<ChatRequest>).tier,
    at: Date.now(),
  });
}
