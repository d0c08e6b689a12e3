/**
 * The usage a streamed answer ends with, for every streaming endpoint (chat, /v1/messages, completions and the
 * Responses API): what the provider reported, or, for a stream cut or aborted before its usage chunk, an
 * estimate that the cost-log plugin bills and marks as estimated.
 */
import type { RequestContext } from '../pipeline/types';
import { unfinishedStreamUsage } from '../pricing/estimate-stream-usage';
import type { StreamAssembler } from '../providers/chunk-assembly';
import type { ChatRequest, Usage } from '../providers/openai-types';
import type { OpenedStream } from '../routing/call-target';

/**
 * The usage a stream ends with. The provider's final usage chunk when it came (even if the stream was cut after
 * it); otherwise what the provider reported before the end plus an estimate of the output relayed, marked with
 * the `usageEstimated` request variable: the provider bills a stream it was cut off from, so must the gateway.
 */
export function finalStreamUsage(ctx: RequestContext, assembler: StreamAssembler, stream: Pick<OpenedStream, 'usageSoFar'>): Usage {
  const final = assembler.usageSoFar;
  if (final) return final;
  ctx.set('usageEstimated', true);
  ctx.logField('usage_estimated', true);
  return unfinishedStreamUsage(stream.usageSoFar(), assembler.relayed(), ctx.body as ChatRequest);
}
