/**
 * The direction imports may point in, checked by `npm run lint:deps` (dependency-cruiser).
 *
 * Layers, top to bottom: the HTTP layer (src/server, src/gateway.ts, src/cli.ts) → runtime (building the snapshot that
 * wires the layers below together) → pipeline and routing → providers → upstream (the one transport). A layer may import
 * the ones below it, never the ones above, so a provider adapter stays a pure translation and the transport never learns
 * about routing. Config is read by every layer and so depends on none of them. Built-in plugins are written against the
 * public plugin API only, exactly like a user's plugin.
 */

/** The HTTP layer: the only code that knows about sockets, express and the CLI. */
const HTTP = '^src/(server/|gateway\\.ts$|cli\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides which module owns a concept: move the shared piece down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'runtime-not-into-http',
      severity: 'error',
      comment: 'runtime/ builds snapshots for the HTTP layer: it must not import src/server, src/gateway.ts, src/cli.ts or the built-in plugins.',
      from: { path: '^src/runtime/' },
      to: { path: [HTTP, '^src/builtins/'] },
    },
    {
      name: 'only-http-layer-into-runtime',
      severity: 'error',
      comment:
        'runtime/ wires every layer together, so only the HTTP layer (src/server, src/gateway.ts, src/cli.ts) may import it: not pipeline, routing, providers, upstream or config.',
      from: { path: '^src/', pathNot: [HTTP, '^src/runtime/'] },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'pipeline-routing-not-into-http',
      severity: 'error',
      comment: 'pipeline/ and routing/ run below the HTTP layer: they must not import src/server, src/gateway.ts or src/cli.ts.',
      from: { path: '^src/(pipeline|routing)/' },
      to: { path: HTTP },
    },
    {
      name: 'providers-not-upward',
      severity: 'error',
      comment: 'Provider adapters are pure translation: they never import the HTTP layer, the pipeline, routing or the built-in plugins.',
      from: { path: '^src/providers/' },
      to: { path: [HTTP, '^src/(pipeline|routing|builtins)/'] },
    },
    {
      name: 'upstream-not-upward',
      severity: 'error',
      comment: 'The transport does HTTP to providers and nothing else: it never imports providers, routing, the pipeline or the HTTP layer.',
      from: { path: '^src/upstream/' },
      to: { path: [HTTP, '^src/(providers|pipeline|routing|builtins)/'] },
    },
    {
      name: 'config-not-upward',
      severity: 'error',
      comment:
        'Every layer reads config, so config imports none of them (no routing/, server/, pipeline/, providers/, upstream/, builtins/, ' +
        'gateway or CLI). One exception: checks.ts reads the adapter registry (providers/registry.ts) to reject an unknown `api:` at load time.',
      from: { path: '^src/config/' },
      to: { path: [HTTP, '^src/(pipeline|routing|providers|upstream|builtins)/'], pathNot: '^src/providers/registry\\.ts$' },
    },
    {
      name: 'builtins-use-public-api-only',
      severity: 'error',
      comment:
        'A built-in plugin is written like a user plugin: it imports src/plugin-api.ts and files in its own folder, nothing else from src/. ' +
        '(src/builtins/index.ts and config-sections.ts may also reach the plugin folders they list.)',
      from: { path: '^src/builtins/([^/]+)/' },
      to: { path: '^src/', pathNot: ['^src/plugin-api\\.ts$', '^src/builtins/$1/'] },
    },
    {
      name: 'builtins-index-use-public-api-only',
      severity: 'error',
      comment: 'The list of built-in plugins imports the plugin folders and the public plugin API, nothing else from src/.',
      from: { path: '^src/builtins/[^/]+\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/plugin-api\\.ts$', '^src/builtins/'] },
    },
    {
      name: 'test-tools-stay-out-of-the-product',
      severity: 'error',
      comment: 'Fake upstreams (src/testing) and benchmarks (src/bench) are for tests and benches; the gateway itself never loads them.',
      from: { path: '^src/', pathNot: '^src/(testing|bench)/' },
      to: { path: '^src/(testing|bench)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Unit tests sit beside their code and may reach across layers to set a scene; the rules are about the product.
    exclude: { path: '\\.test\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
