/**
 * A user plugin for the worker tests: it puts the answering worker's pid on every answer, so a test sees that
 * its requests were spread over the workers (node:cluster hands each new connection to the next one), and its
 * worker id (the primary's numbering: the lowest live id runs the health checks). Also what every worker test
 * starts with: the two-worker daemon, and a dashboard login on a fresh connection.
 */
import { eventually } from '../helpers/client';
import { startDaemon, type Daemon } from '../helpers/daemon';

/** The plugin's source, to write beside proxy.yaml as `pid.js` and list first as `- use: ./pid.js`. */
export const WORKER_PID_PLUGIN = `
module.exports = {
  name: 'worker-pid',
  create: () => ({
    onRequest(ctx) {
      ctx.responseHeaders['x-test-worker-pid'] = String(process.pid);
      ctx.responseHeaders['x-test-worker-id'] = String(require('node:cluster').worker?.id);
    },
  }),
};`;

/** The distinct workers that answered. @example expect(workersThatAnswered(responses)).toBe(2) */
export function workersThatAnswered(responses: Response[]): number {
  return new Set(responses.map((r) => r.headers.get('x-test-worker-pid')).filter((p) => p !== null)).size;
}

/**
 * The daemon with `--workers 2` and this plugin beside `config` (which lists `- use: ./pid.js`), once both
 * workers listen.
 *
 * @example gw = await startTwoWorkers(config(fake.url));
 */
export async function startTwoWorkers(config: string, dir?: string): Promise<Daemon> {
  const d = await startDaemon({ config, files: { 'pid.js': WORKER_PID_PLUGIN }, args: ['--workers', '2'], dir });
  await eventually(() => d.logRecords().filter((r) => r.message === 'listening').length === 2, 30_000);
  return d;
}

/**
 * Logs in to the dashboard on a fresh connection (so any worker may answer) and returns the session cookie.
 *
 * @example const cookie = await dashboardLogin(gw.url, ADMIN_KEY);
 */
export async function dashboardLogin(url: string, adminKey: string): Promise<string> {
  const res = await fetch(`${url}/ui/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
    body: `key=${adminKey}`,
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`dashboard login answered ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie.startsWith('switchyard_session=')) throw new Error('dashboard login set no session cookie');
  return cookie;
}
