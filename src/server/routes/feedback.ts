/**
 * POST /v1/feedback: a quality rating for a request this gateway served, from the key that made it.
 *
 *   { "request_id": "…", "score": 0.8 }            score from 0 to 1
 *   { "request_id": "…", "thumbs": "up" }          or thumbs up (1) / down (0)
 *   { "request_id": "…", "score": 1, "label": "correct" }
 *
 * The rating feeds the quality estimate of the alias, target and complexity tier that served the request, which
 * the `best-value` strategy samples. Answers 200 with what was rated; 404/403/409 as errors.ts says.
 */
import { errors } from '../../errors';
import type { EndpointWork } from '../lifecycle';
import { sendJson } from '../send';

interface FeedbackBody {
  request_id: string;
  score: number;
  label: string | null;
}

const MAX_LABEL = 200;

function parseFeedback(body: unknown): FeedbackBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.badRequest('The body must be a JSON object.', null);
  const b = body as Record<string, unknown>;
  for (const field of Object.keys(b)) {
    if (!['request_id', 'score', 'thumbs', 'label'].includes(field)) throw errors.badRequest(`Unknown field "${field.slice(0, 50)}".`, field.slice(0, 50));
  }
  if (typeof b.request_id !== 'string' || b.request_id === '' || b.request_id.length > 200)
    throw errors.badRequest('request_id must be the x-request-id of a served request (a non-empty string).', 'request_id');
  let score: number;
  if (b.score !== undefined && b.thumbs !== undefined) throw errors.badRequest('Give either score or thumbs, not both.', 'thumbs');
  if (b.score !== undefined) {
    if (typeof b.score !== 'number' || !(b.score >= 0 && b.score <= 1)) throw errors.badRequest('score must be a number from 0 to 1.', 'score');
    score = b.score;
  } else if (b.thumbs === 'up' || b.thumbs === 'down') score = b.thumbs === 'up' ? 1 : 0;
  else throw errors.badRequest('Give a score from 0 to 1, or thumbs: "up" or "down".', b.thumbs === undefined ? 'score' : 'thumbs');
  if (b.label !== undefined && (typeof b.label !== 'string' || b.label.length > MAX_LABEL))
    throw errors.badRequest(`label must be a string of at most ${MAX_LABEL} characters.`, 'label');
  return { request_id: b.request_id, score, label: (b.label as string | undefined) ?? null };
}

/** @example table: POST /v1/feedback → feedbackWork */
export const feedbackWork: EndpointWork = {
  body: 'json',
  parse: parseFeedback,
  async serve(ctx, res, snapshot) {
    const feedback = snapshot.feedback;
    if (!feedback) throw errors.feedbackDisabled();
    const body = ctx.body as unknown as FeedbackBody;
    const rated = await feedback.rate(body.request_id, ctx.caller?.keyName ?? null, body.score, body.label);
    sendJson(
      res,
      200,
      { object: 'feedback', request_id: body.request_id, score: body.score, label: body.label, alias: rated.alias, target: rated.target, tier: rated.tier },
      ctx.responseHeaders,
    );
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};
