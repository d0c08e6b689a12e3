/**
 * Incremental parser for server-sent events from upstream providers. Bytes arrive in arbitrary pieces (an event
 * may span several network chunks, a chunk may hold several events); this reassembles whole events.
 */
import { UpstreamFailure, type SseEvent } from '../providers/types';

/** Largest single event accepted; a broken upstream sending endless bytes without a blank line must not exhaust memory. */
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * @example
 * const parser = new SseParser();
 * for await (const piece of body) for (const ev of parser.push(piece)) handle(ev);
 */
export class SseParser {
  private buffer = '';
  private readonly decoder = new TextDecoder('utf-8');

  /** Feeds raw bytes; returns every event completed by them. Throws UpstreamFailure for an oversized event. */
  push(piece: Uint8Array | string): SseEvent[] {
    this.buffer += typeof piece === 'string' ? piece : this.decoder.decode(piece, { stream: true });
    const events: SseEvent[] = [];
    for (;;) {
      const end = findEventEnd(this.buffer);
      if (!end) {
        if (this.buffer.length > MAX_SSE_EVENT_CHARS) {
          this.buffer = '';
          throw new UpstreamFailure({ status: 502, type: 'upstream_error', code: 'upstream_event_too_large', message: `upstream stream event exceeds ${MAX_SSE_EVENT_CHARS} characters`, retryable: true });
        }
        break;
      }
      const raw = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end.length);
      const ev = parseEvent(raw);
      if (ev) events.push(ev);
    }
    return events;
  }

  /** Whatever complete event remains when the stream ends without a trailing blank line. */
  flush(): SseEvent[] {
    const rest = this.buffer + this.decoder.decode();
    this.buffer = '';
    const ev = rest.trim() ? parseEvent(rest) : undefined;
    return ev ? [ev] : [];
  }
}

function findEventEnd(buf: string): { index: number; length: number } | undefined {
  // Events end with a blank line; servers use \n\n, \r\n\r\n or (rarely) \r\r.
  const candidates = [
    { index: buf.indexOf('\n\n'), length: 2 },
    { index: buf.indexOf('\r\n\r\n'), length: 4 },
    { index: buf.indexOf('\r\r'), length: 2 },
  ].filter((c) => c.index >= 0);
  if (candidates.length === 0) return undefined;
  return candidates.reduce((a, b) => (b.index < a.index ? b : a));
}

function parseEvent(raw: string): SseEvent | undefined {
  const data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  for (const line of raw.split(/\r\n|\r|\n/)) {
    if (!line || line.startsWith(':')) continue; // comments are keep-alives
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  if (data.length === 0 && event === undefined) return undefined;
  return { event, data: data.join('\n'), id };
}
