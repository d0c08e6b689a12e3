/**
 * The package as a plugin author gets it: `npm pack` of this checkout installed into a scratch project, a
 * CommonJS and an ES-module plugin importing 'switchyard' loaded by the real daemon, and a TypeScript plugin
 * type-checked against the shipped .d.ts. The installed copy is a second copy of the package beside the daemon's,
 * so its GatewayErrors must still be recognised as such.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon';

const repo = path.resolve(__dirname, '../..');

/** A scratch project with the packed package installed (its dependencies linked from this checkout). */
function installPackedCopy(): string {
  const project = mkdtempSync(path.join(os.tmpdir(), 'switchyard-user-'));
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: repo, encoding: 'utf8' }).trim().split('\n').pop()!;
  const target = path.join(project, 'node_modules', 'switchyard');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(project, packed), '-C', target, '--strip-components=1']);
  // npm would install these from the registry; the checkout's copies are the same versions.
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of [...Object.keys(pkg.dependencies), '@types/node', 'typescript']) {
    const link = path.join(project, 'node_modules', dep);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(repo, 'node_modules', dep), link);
  }
  return project;
}

const cjsPlugin = `
const { definePlugin, errors } = require('switchyard');
module.exports = definePlugin({
  name: 'cjs-guard',
  create(options, env) {
    const refused = env.metrics.counter('user_refusals_total', 'Prompts refused by the cjs-guard plugin.');
    return {
      onRequest(ctx) {
        ctx.set('guarded', true);
        if (JSON.stringify(ctx.body.messages).includes('refuse-me')) {
          refused.inc();
          throw errors.badRequest('Refused by the cjs-guard plugin.', 'messages', 'refused_by_plugin');
        }
      },
    };
  },
});
`;

const esmPlugin = `
import { definePlugin, GatewayError } from 'switchyard';
export default definePlugin({
  name: 'esm-tagger',
  create() {
    return {
      onRequest(ctx) {
        ctx.responseHeaders['x-esm-tagger'] = ctx.get('guarded') === true ? 'after-guard' : 'alone';
        ctx.logField('tagged_by', 'esm-tagger');
        if (ctx.headers['x-refuse'] === 'esm') throw new GatewayError({ status: 403, code: 'esm_refused', message: 'Refused by the esm-tagger plugin.' });
      },
    };
  },
});
`;

const tsPlugin = `
import { definePlugin, errors, GatewayError, type RequestContext } from 'switchyard';

declare module 'switchyard' {
  interface RequestVariables {
    tenant: string;
  }
}

function tenantOf(ctx: RequestContext): string {
  return ctx.get('tenant') ?? 'none';
}

export default definePlugin<{ header: string }>({
  name: 'typed',
  optionsSchema: { type: 'object', properties: { header: { type: 'string' } }, required: ['header'] },
  create(options, env) {
    const seen = env.metrics.counter('typed_requests_total', 'Requests seen.', ['endpoint']);
    return {
      onRequest(ctx) {
        ctx.set('tenant', String(ctx.headers['x-tenant'] ?? 'none'));
        // @ts-expect-error a declared key takes only its declared type
        ctx.set('tenant', 42);
        ctx.responseHeaders[options.header] = tenantOf(ctx);
        seen.inc(1, { endpoint: ctx.endpoint });
        if (!env.isAdmin(ctx.headers) && ctx.endpoint === 'passthrough') throw errors.badRequest('no');
      },
      async aroundAttempt(ctx, attempt, next) {
        const result = await next();
        void result.released.then(() => ctx.log.info('attempt released', { provider: attempt.provider }));
        return result;
      },
      onError(ctx, error: GatewayError) {
        ctx.logField('typed_error', error.code);
      },
    };
  },
});
`;

const config = (plugins: string) => `
providers:
  demo: { api: mock }
models:
  demo: { targets: [ { provider: demo, model: echo } ] }
plugins:
${plugins}`;

function ask(gw: Daemon, content: string, headers: Record<string, string> = {}) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }] }),
  });
}

describe("the public API, from a user's project", () => {
  let project: string;
  let gw: Daemon | undefined;

  beforeAll(() => {
    project = installPackedCopy();
  });
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  test('the packed package ships its entry point, the .d.ts files and no tests', () => {
    const dist = path.join(project, 'node_modules', 'switchyard', 'dist');
    const files = readdirSync(dist);
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'plugin-api.js', 'plugin-api.d.ts', 'cli.js']));
    expect(readdirSync(path.join(dist, 'pipeline')).some((f) => f.endsWith('.test.js'))).toBe(false);
  });

  test('a CommonJS and an ES-module plugin importing "switchyard" run in the daemon, and their GatewayErrors answer the client', async () => {
    writeFileSync(path.join(project, 'cjs-guard.js'), cjsPlugin);
    writeFileSync(path.join(project, 'esm-tagger.mjs'), esmPlugin);
    gw = await startDaemon({ dir: project, config: config(`  - use: ./cjs-guard.js\n  - use: ./esm-tagger.mjs`) });

    const ok = await ask(gw, 'hello');
    expect(ok.status).toBe(200);
    // The ES-module plugin read the state the CommonJS plugin set earlier in the same request.
    expect(ok.headers.get('x-esm-tagger')).toBe('after-guard');
    const line = await gw.waitForLog((r) => r.message === 'request' && r.request_id === ok.headers.get('x-request-id'));
    expect(line).toMatchObject({ status: 200, tagged_by: 'esm-tagger' });

    // Thrown by the installed copy's errors/GatewayError, not the daemon's: still the client's answer, not a 500.
    const refused = await ask(gw, 'please refuse-me');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({ code: 'refused_by_plugin', param: 'messages' });
    const esmRefused = await ask(gw, 'hello', { 'x-refuse': 'esm' });
    expect(esmRefused.status).toBe(403);
    expect(((await esmRefused.json()) as { error: { code: string } }).error.code).toBe('esm_refused');

    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^switchyard_user_refusals_total 1$/m);
  });

  test('a TypeScript plugin type-checks against the shipped .d.ts, declared state keys included', () => {
    writeFileSync(path.join(project, 'typed.ts'), tsPlugin);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'commonjs', moduleResolution: 'node', target: 'ES2022', types: ['node'], skipLibCheck: true },
        files: ['typed.ts'],
      }),
    );
    const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  });
});
