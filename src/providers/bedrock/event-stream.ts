/**
 * ConverseStream's framing: the binary AWS event stream (`application/vnd.amazon.eventstream`), not SSE. Each
 * frame is decoded, its prelude and message CRCs checked, by @smithy/core's EventStreamCodec; this only cuts the
 * byte stream at the lengths the frames declare and hands each frame on as the event shape the stream
 * translators take: `event` = its `:event-type` (or `exception`), `data` = its JSON payload.
 */
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { UpstreamFailure, type SseEvent, type StreamDecoder } from '../../upstream/http-spec';

/** Largest frame accepted (the event-stream format's own limit is 16 MiB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** The 4-byte total length, 4-byte headers length and 4-byte prelude CRC; the smallest frame adds a 4-byte CRC. */
const MIN_FRAME_BYTES = 16;

function badStream(providerLabel: string, why: string): UpstreamFailure {
  return new UpstreamFailure({
    status: 502,
    type: 'upstream_error',
    code: 'bad_upstream_stream',
    retryable: true,
    message: `${providerLabel} sent an unreadable event-stream frame (${why}).`,
  });
}

function headerString(headers: Record<string, { type: string; value: unknown }>, name: string): string | undefined {
  const h = headers[name];
  return h && h.type === 'string' && typeof h.value === 'string' ? h.value : undefined;
}

/**
 * @example
 * const decoder = new BedrockEventStreamDecoder('Bedrock');
 * for await (const piece of body) for (const ev of decoder.push(piece)) translator.push(ev);
 * // ev: { event: 'contentBlockDelta', data: '{"contentBlockIndex":0,"delta":{"text":"Hi"}}' }
 */
export class BedrockEventStreamDecoder implements StreamDecoder {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly providerLabel: string) {}

  push(piece: Uint8Array): SseEvent[] {
    if (piece.length === 0) return [];
    this.pending.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.length));
    this.pendingBytes += piece.length;
    const events: SseEvent[] = [];
    while (this.pendingBytes >= 4) {
      const head = this.pending.length === 1 ? this.pending[0] : this.joined();
      const total = head.readUInt32BE(0);
      if (total < MIN_FRAME_BYTES) throw badStream(this.providerLabel, `declared length ${total}`);
      if (total > MAX_FRAME_BYTES) throw badStream(this.providerLabel, `frame of ${total} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (this.pendingBytes < total) break;
      const all = this.joined();
      const frame = all.subarray(0, total);
      const rest = all.subarray(total);
      this.pending = rest.length ? [rest] : [];
      this.pendingBytes = rest.length;
      const event = this.decode(frame);
      if (event) events.push(event);
    }
    return events;
  }

  flush(): SseEvent[] {
    if (this.pendingBytes > 0) throw badStream(this.providerLabel, `${this.pendingBytes} bytes of an unfinished frame at the end`);
    return [];
  }

  private joined(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0];
  }

  private decode(frame: Buffer): SseEvent | undefined {
    let message: ReturnType<EventStreamCodec['decode']>;
    try {
      message = this.codec.decode(frame);
    } catch (err) {
      throw badStream(this.providerLabel, err instanceof Error ? err.message : 'undecodable');
    }
    const headers = message.headers as Record<string, { type: string; value: unknown }>;
    const kind = headerString(headers, ':message-type');
    const payload = toUtf8(message.body);
    if (kind === 'event') {
      const type = headerString(headers, ':event-type');
      return type ? { event: type, data: payload } : undefined;
    }
    if (kind === 'exception') {
      // The exception's name travels in the payload as `__type`, the way Bedrock's JSON error bodies carry it.
      let parsed: Record<string, unknown> = {};
      try {
        const value: unknown = JSON.parse(payload);
        if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
      } catch {
        parsed = { message: payload };
      }
      return { event: 'exception', data: JSON.stringify({ ...parsed, __type: headerString(headers, ':exception-type') ?? 'InternalServerException' }) };
    }
    if (kind === 'error') {
      return {
        event: 'exception',
        data: JSON.stringify({
          __type: headerString(headers, ':error-code') ?? 'InternalServerException',
          message: headerString(headers, ':error-message') ?? '',
        }),
      };
    }
    return undefined;
  }
}
