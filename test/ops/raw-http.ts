/**
 * Raw HTTP over a TCP socket, for requests fetch would refuse or normalise (`..` in paths, broken framing,
 * slow senders). Only ever talks to 127.0.0.1.
 */
import net from 'node:net';

export interface RawAnswer {
  /** The status from the first response line; 0 when the server closed without answering. */
  status: number;
  /** Everything the server sent. */
  text: string;
}

/**
 * Sends `bytes`, then reads until the server closes or `timeoutMs` passes (then the socket is destroyed).
 *
 * @example const a = await rawRequest(port, 'GET /passthrough/x/../y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
 */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const parts: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(parts).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

/**
 * Like rawRequest, but sends `pieces` one by one, `gapMs` apart, so the server reads them separately.
 *
 * @example await rawRequestInPieces(port, ['POST / HTTP/1.1\r\n…\r\n\r\n{"a":', '1}'], 50);
 */
export async function rawRequestInPieces(port: number, pieces: string[], gapMs: number, timeoutMs = 5000): Promise<RawAnswer> {
  const socket = await openSocket(port);
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => parts.push(d));
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    setTimeout(() => socket.destroy(), timeoutMs).unref();
  });
  for (const piece of pieces) {
    socket.write(piece);
    // A deliberate gap, not a wait for something: it is the slow client under test (pieces that arrive apart, so
    // the server reads them in separate events). Nothing is asserted about time; the gap only shapes the input.
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await closed;
  const text = Buffer.concat(parts).toString('utf8');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return { status: m ? Number(m[1]) : 0, text };
}

/** A GET with `Connection: close`, path sent exactly as given. */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const lines = Object.entries({ host: '127.0.0.1', connection: 'close', ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return rawRequest(port, `GET ${path} HTTP/1.1\r\n${lines}\r\n`);
}

/** Opens a socket and waits until it is connected (or failed); for holding connections open. */
export function openSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves true if the socket is closed by the server within `timeoutMs`. */
export function closesWithin(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => undefined);
    socket.resume();
  });
}
