/**
 * A TCP proxy on loopback in front of a real service (Redis, PostgreSQL), which a test can cut: existing
 * connections are destroyed and new ones refused until it is restored. The service itself keeps running, so
 * what the gateway sees is exactly a partition.
 */
import net from 'node:net';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** Destroys every open connection and refuses new ones (the service looks down). */
  cut(): void;
  /** Accepts connections again. */
  restore(): void;
  /** Connections accepted so far (a test can wait for a client to reconnect). */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * @example
 * const proxy = await startTcpProxy(6379);
 * // point the gateway at redis://127.0.0.1:${proxy.port}
 * proxy.cut(); … proxy.restore();
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let down = false;
  let accepted = 0;
  const server = net.createServer((client) => {
    if (down) return void client.destroy();
    accepted++;
    const upstream = net.connect({ host: targetHost, port: targetPort });
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get accepted() {
      return accepted;
    },
    cut() {
      down = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
