/**
 * OpenTelemetry traces: one span per request and one child span per upstream attempt, with the GenAI semantic
 * conventions' attributes (`gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.response.model`,
 * `gen_ai.provider.name`, `gen_ai.usage.*`) and Switchyard's own (`switchyard.*`: cost, cache, attempts,
 * failure kind). The client's W3C `traceparent` is the request span's parent, and each attempt sends the
 * upstream a `traceparent` naming the attempt span. Exported over OTLP/HTTP by the official SDK, sampled
 * (parent-based, then by ratio).
 *
 * Off by default, and then free: without a `tracing:` section the snapshot has no Tracing and the request path
 * only checks for it (`npm run bench:cpu` with and without; see docs/deploy.md).
 */
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { IncomingHttpHeaders } from 'node:http';
import type { AttemptRecord, RequestContext, RequestOutcome } from '../pipeline/types';

/** The `tracing:` section of proxy.yaml. */
export interface TracingConfig {
  enabled: boolean;
  /** OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  endpoint: string;
  /** Share of traces started here that are recorded (0…1); a client's sampled flag is followed. */
  sample_ratio: number;
  service_name: string;
  /** Sent with every export (e.g. an API key of the collector). */
  headers: Record<string, string>;
  /** Longest a finished span waits before its batch is exported. */
  export_interval_ms: number;
}

/** GenAI operation names by endpoint (OpenTelemetry's `gen_ai.operation.name` values). */
const OPERATION: Partial<Record<string, string>> = {
  chat: 'chat',
  messages: 'chat',
  responses: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
};

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
};
const headerSetter = { set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key] = value) };

/**
 * @example
 * const tracing = new Tracing(config.tracing);
 * tracing.startRequest(ctx, req.headers); … tracing.endRequest(ctx, outcome);
 */
export class Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly spans = new WeakMap<RequestContext, Span>();

  constructor(config: TracingConfig) {
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.service_name }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sample_ratio) }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint, headers: config.headers }), {
          scheduledDelayMillis: config.export_interval_ms,
        }),
      ],
    });
    this.tracer = this.provider.getTracer('switchyard');
  }

  /** Starts the request's span, child of the client's `traceparent` when it sent one. */
  startRequest(ctx: RequestContext, headers: IncomingHttpHeaders): void {
    const parent = headers.traceparent ? propagator.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
    const span = this.tracer.startSpan(ctx.endpoint, { kind: SpanKind.SERVER, attributes: { 'switchyard.request_id': ctx.id } }, parent);
    this.spans.set(ctx, span);
  }

  /**
   * Starts an attempt's span and returns the `traceparent` to send the upstream (undefined when the request is
   * not traced). `end` closes the span from the attempt record.
   *
   * @example const attempt = tracing.startAttempt(ctx, record); spec.headers.traceparent = attempt.traceparent; … attempt.end(record);
   */
  startAttempt(ctx: RequestContext, record: AttemptRecord): { traceparent: string | undefined; end(record: AttemptRecord): void } {
    const parent = this.spans.get(ctx);
    if (!parent) return { traceparent: undefined, end: () => {} };
    const operation = OPERATION[ctx.endpoint] ?? ctx.endpoint;
    const span = this.tracer.startSpan(
      `${operation} ${record.model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': operation,
          'gen_ai.provider.name': record.provider,
          'gen_ai.request.model': record.model,
          'switchyard.alias': record.alias,
          ...(record.hedge ? { 'switchyard.hedge': true } : {}),
        },
      },
      trace.setSpan(context.active(), parent),
    );
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, headerSetter);
    return {
      traceparent: carrier.traceparent,
      end(done) {
        if (done.status !== undefined) span.setAttribute('http.response.status_code', done.status);
        if (done.ttfbMs !== undefined) span.setAttribute('switchyard.ttfb_ms', Math.round(done.ttfbMs * 10) / 10);
        if (!done.ok) {
          span.setAttribute('error.type', done.kind === 'status' || done.kind === undefined ? String(done.status ?? 'error') : done.kind);
          span.setStatus({ code: SpanStatusCode.ERROR, message: done.reason });
        }
        span.end();
      },
    };
  }

  /** Ends the request's span with what the request came to. */
  endRequest(ctx: RequestContext, outcome: RequestOutcome): void {
    const span = this.spans.get(ctx);
    if (!span) return;
    this.spans.delete(ctx);
    const operation = OPERATION[ctx.endpoint];
    const attributes: Attributes = {
      'http.response.status_code': outcome.status,
      'switchyard.attempts': ctx.attempts.length,
    };
    if (operation) {
      span.updateName(`${operation} ${ctx.requestedAlias}`);
      attributes['gen_ai.operation.name'] = operation;
      attributes['gen_ai.request.model'] = ctx.requestedAlias;
    }
    if (ctx.servedBy) {
      attributes['gen_ai.response.model'] = ctx.servedBy.model;
      attributes['gen_ai.provider.name'] = ctx.servedBy.provider;
      attributes['switchyard.served_alias'] = ctx.servedBy.alias;
    }
    const u = ctx.usage ?? outcome.usage;
    if (u) {
      attributes['gen_ai.usage.input_tokens'] = u.prompt_tokens;
      attributes['gen_ai.usage.output_tokens'] = u.completion_tokens;
      const cached = u.prompt_tokens_details?.cached_tokens;
      if (cached !== undefined) attributes['gen_ai.usage.cache_read.input_tokens'] = cached;
    }
    const cost = ctx.get('costUsd');
    if (typeof cost === 'number') attributes['switchyard.cost_usd'] = cost;
    const cache = ctx.get('cache');
    if (cache !== undefined) attributes['switchyard.cache'] = String(cache);
    if (ctx.stream) attributes['switchyard.stream'] = true;
    span.setAttributes(attributes);
    if (outcome.error) {
      span.setAttribute('error.type', outcome.error.code ?? String(outcome.status));
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
    }
    span.end();
  }

  /** Exports what is buffered and stops (on shutdown, or when a reload drops tracing). */
  async close(): Promise<void> {
    await this.provider.shutdown();
  }
}
