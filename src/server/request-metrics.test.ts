import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TimedResponse } from './request-metrics';

/** Serves one request with `handler` on a loopback server built with TimedResponse; returns the response's firstByteAt. */
async function firstByteOf(handler: (res: TimedResponse) => void): Promise<{ before: number; at: number | undefined; body: string }> {
  let seen: TimedResponse | undefined;
  let before = 0;
  const server = http.createServer({ ServerResponse: TimedResponse }, (_req, res) => {
    seen = res as TimedResponse;
    before = performance.now();
    handler(seen);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { before, at: seen?.firstByteAt, body: await res.text() };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('TimedResponse', () => {
  it('notes the first byte when the headers are written explicitly', async () => {
    let beforeWriteHead: number | undefined = 0;
    const { before, at, body } = await firstByteOf((res) => {
      beforeWriteHead = res.firstByteAt;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    expect(body).toBe('ok');
    expect(beforeWriteHead).toBeUndefined();
    expect(at).toBeGreaterThanOrEqual(before);
  });

  it('notes it when a first write sends the headers implicitly, and keeps the first moment', async () => {
    let afterWrite: number | undefined;
    const { before, at } = await firstByteOf((res) => {
      res.write('a');
      afterWrite = res.firstByteAt;
      res.end('b');
    });
    expect(afterWrite).toBeGreaterThanOrEqual(before);
    expect(at).toBe(afterWrite);
  });
});
