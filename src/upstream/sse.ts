/**
 * Incremental parser for server-sent events from upstream providers. Bytes arrive in arbitrary pieces (an event
 * may span several network chunks, a chunk may hold several events); this reassembles whole events.
 * It is linear in the bytes it is fed: each piece is searched once for line ends and never rescanned, so an event
 * at the size cap costs about as much as reading it (`npm run bench:sse`).
 */
import { UpstreamFailure, type SseEvent } from './http-spec';

/** Largest single event accepted; a broken upstream sending endless bytes without a blank line must not exhaust memory. */
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

/** Where the next line end in a piece is, cached per terminator so a piece with many lines is still searched once. */
class LineEnds {
  private nextLf = -1;
  private nextCr = -1;
  /** Characters examined by indexOf so far (what the linearity test counts). */
  scanned = 0;

  constructor(private readonly text: string) {
    this.nextLf = this.find('\n', 0);
    this.nextCr = this.find('\r', 0);
  }

  /** Index of the first \n or \r at or after `from`, or -1. */
  next(from: number): number {
    if (this.nextLf !== -1 && this.nextLf < from) this.nextLf = this.find('\n', from);
    if (this.nextCr !== -1 && this.nextCr < from) this.nextCr = this.find('\r', from);
    if (this.nextLf === -1) return this.nextCr;
    if (this.nextCr === -1) return this.nextLf;
    return Math.min(this.nextLf, this.nextCr);
  }

  private find(char: string, from: number): number {
    const at = this.text.indexOf(char, from);
    this.scanned += (at === -1 ? this.text.length : at + 1) - from;
    return at;
  }
}

/**
 * @example
 * const parser = new SseParser();
 * for await (const piece of body) for (const ev of parser.push(piece)) handle(ev);
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  /** The current line, up to (not including) its end; pieces of it, joined once the line ends. */
  private line: string[] = [];
  private lineChars = 0;
  /** The last piece ended with \r: a \n starting the next piece belongs to that line end. */
  private afterCr = false;
  /** The event being read: its fields so far and its size, for the cap. */
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;
  private eventChars = 0;
  private scannedChars = 0;

  /** Characters examined while looking for line ends since the parser was made: at most twice what it was fed. */
  get scanned(): number {
    return this.scannedChars;
  }

  /** Feeds raw bytes; returns every event completed by them. Throws UpstreamFailure for an oversized event. */
  push(piece: Uint8Array | string): SseEvent[] {
    const text = typeof piece === 'string' ? piece : this.decoder.decode(piece, { stream: true });
    const events: SseEvent[] = [];
    this.feed(text, events);
    return events;
  }

  /** Whatever complete event remains when the stream ends without a trailing blank line. */
  flush(): SseEvent[] {
    const events: SseEvent[] = [];
    this.feed(this.decoder.decode(), events);
    if (this.lineChars > 0) this.endLine(events);
    this.dispatch(events);
    this.afterCr = false;
    return events;
  }

  private feed(text: string, events: SseEvent[]): void {
    if (text.length === 0) return;
    let start = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (text.charCodeAt(0) === 10) start = 1; // the \n of a \r\n split across two pieces
    }
    const ends = new LineEnds(text);
    try {
      for (;;) {
        const end = ends.next(start);
        if (end === -1) {
          this.addToLine(text.slice(start));
          return;
        }
        this.addToLine(text.slice(start, end));
        this.endLine(events);
        if (text.charCodeAt(end) === 13) {
          if (end + 1 === text.length) this.afterCr = true;
          else if (text.charCodeAt(end + 1) === 10) start = end + 2;
          else start = end + 1;
          if (this.afterCr) return;
          continue;
        }
        start = end + 1;
      }
    } finally {
      this.scannedChars += ends.scanned;
    }
  }

  private addToLine(part: string): void {
    if (part.length === 0) return;
    this.line.push(part);
    this.lineChars += part.length;
    if (this.eventChars + this.lineChars > MAX_SSE_EVENT_CHARS) this.tooLarge();
  }

  /** A line ended: a blank one dispatches the event, any other adds a field to it. */
  private endLine(events: SseEvent[]): void {
    const line = this.line.length === 1 ? this.line[0] : this.line.join('');
    this.eventChars += this.lineChars + 1;
    this.line = [];
    this.lineChars = 0;
    if (line.length === 0) return this.dispatch(events);
    if (line.charCodeAt(0) === 58) return; // ":" starts a comment (keep-alives)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }

  private dispatch(events: SseEvent[]): void {
    if (this.data.length > 0 || this.event !== undefined) events.push({ event: this.event, data: this.data.join('\n'), id: this.id });
    this.data = [];
    this.event = undefined;
    this.id = undefined;
    this.eventChars = 0;
  }

  private tooLarge(): never {
    this.line = [];
    this.lineChars = 0;
    this.data = [];
    this.event = undefined;
    this.id = undefined;
    this.eventChars = 0;
    throw new UpstreamFailure({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_event_too_large',
      message: `upstream stream event exceeds ${MAX_SSE_EVENT_CHARS} characters`,
      retryable: true,
    });
  }
}
