#!/usr/bin/env node
/**
 * The baseline the benchmark compares Switchyard against: the smallest useful Node reverse proxy (keep-alive
 * agent, body piped through untouched, no parsing). Prints `{"port":N}` once listening.
 *
 * @example node dist/bench/minimal-proxy.js --upstream 127.0.0.1:8080
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const upstreamArg = process.argv[process.argv.indexOf('--upstream') + 1] ?? '127.0.0.1:8080';
const [host, port] = upstreamArg.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const server = http.createServer((req, res) => {
  const up = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.headers);
    upRes.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
