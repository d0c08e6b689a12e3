import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseWriter } from './sse-writer';

/** Events larger than any socket's high-water mark (16 KiB on Node 20, 64 KiB on 22+): every write asks to wait. */
const EVENT = { pad: 'x'.repeat(256 * 1024) };
const EVENTS = 40;

interface Observed {
  waits: number;
  maxListeners: number;
}

/** Serves one SSE stream of EVENTS big events and records how many listeners the response carried after each. */
async function streamToSlowReader(): Promise<{ observed: Observed; received: number }> {
  const observed: Observed = { waits: 0, maxListeners: 0 };
  const server = http.createServer(async (_req, res) => {
    const write = res.write.bind(res) as (chunk: string) => boolean;
    res.write = ((chunk: string) => {
      const ok = write(chunk);
      if (!ok) observed.waits++;
      return ok;
    }) as typeof res.write;
    const sse = new SseWriter(res, {});
    for (let i = 0; i < EVENTS; i++) {
      await sse.send(EVENT);
      const count = res.listenerCount('close') + res.listenerCount('error') + res.listenerCount('drain');
      observed.maxListeners = Math.max(observed.maxListeners, count);
    }
    sse.done();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const received = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
          let bytes = 0;
          // A slow reader: it takes one piece, then waits for the next turn of the event loop before asking for more.
          res.on('readable', function read() {
            const piece = res.read(4096) as Buffer | null;
            if (piece) bytes += piece.length;
            if (piece) setImmediate(read);
          });
          res.on('end', () => resolve(bytes));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    return { observed, received };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('SSE writer backpressure', () => {
  test('waiting for a slow reader leaves no listeners behind, however many waits the stream takes', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { observed, received } = await streamToSlowReader();
      expect(observed.waits).toBeGreaterThan(10); // the stream really waited, more often than the default max listeners
      // Node's own response listeners and none per wait (before the fix: one close and one error more per wait, 80 here).
      expect(observed.maxListeners).toBeLessThanOrEqual(4);
      expect(received).toBeGreaterThan(EVENTS * EVENT.pad.length);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
