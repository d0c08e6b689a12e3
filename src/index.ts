/**
 * The package entry point (`require('switchyard')`): the plugin API, and `Gateway` to run the gateway inside a
 * program of one's own instead of through the CLI.
 *
 * @example
 * const { Gateway } = require('switchyard');
 * const gw = await Gateway.start({ configFile: 'proxy.yaml' });
 * process.on('SIGTERM', () => gw.shutdown());
 */
export * from './plugin-api';
export { Gateway, type GatewayOptions } from './gateway';
