#!/usr/bin/env node
/**
 * The floor of Switchyard's own design, for `npm run bench:latency`: a pass-through that reads the client's
 * body whole, sends it with one undici dispatch (keep-alive pool) and writes the collected answer back with one
 * `res.end`, the way the gateway does, but parses nothing, routes nothing and logs nothing. The gap between
 * this and the gateway is the cost of the gateway's own work; the gap between this and the minimal proxy is
 * the difference of the plumbing. Prints `{"port":N}` once listening.
 *
 * @example node dist/bench/buffered-proxy.js --upstream 127.0.0.1:8080
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = process.argv[process.argv.indexOf('--upstream') + 1] ?? '127.0.0.1:8080';
const pool = new Pool(`http://${upstream}`, { connections: 256 });

const server = http.createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (piece: Buffer) => parts.push(piece));
  req.on('end', () => {
    let status = 502;
    const answer: Buffer[] = [];
    pool.dispatch({ method: 'POST', path: req.url ?? '/', headers: { 'content-type': 'application/json' }, body: Buffer.concat(parts) }, {
      // undici tells its handler interfaces apart by this method, so it is here even though it does nothing.
      onRequestStart() {},
      onResponseStart(_controller: unknown, statusCode: number) {
        status = statusCode;
      },
      onResponseData(_controller: unknown, chunk: Buffer) {
        answer.push(chunk);
      },
      onResponseEnd() {
        const body = Buffer.concat(answer);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
      },
      onResponseError() {
        res.writeHead(502);
        res.end();
      },
    } as unknown as Parameters<Pool['dispatch']>[1]);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
