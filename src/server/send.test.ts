import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { headerList, sendJsonText } from './send';

describe('headerList', () => {
  it('lists the headers, then the extra pairs', () => {
    expect(headerList({ 'x-request-id': 'r1', 'x-switchyard-attempts': '1' }, ['content-type', 'text/plain'])).toEqual([
      'x-request-id',
      'r1',
      'x-switchyard-attempts',
      '1',
      'content-type',
      'text/plain',
    ]);
  });

  it('lets an extra pair replace a header of the same name, so it is sent once', () => {
    expect(headerList({ 'content-type': 'text/html', 'x-a': '1' }, ['content-type', 'application/json'])).toEqual([
      'x-a',
      '1',
      'content-type',
      'application/json',
    ]);
  });
});

describe('sendJsonText', () => {
  it('writes the text with its headers, its JSON content type and its length in bytes', async () => {
    const server = http.createServer((_req, res) => sendJsonText(res, 201, '{"ok":"é"}', { 'x-request-id': 'r1', 'content-type': 'text/html' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(res.status).toBe(201);
      expect(res.headers.get('x-request-id')).toBe('r1');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('content-length')).toBe('11');
      expect(await res.text()).toBe('{"ok":"é"}');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
