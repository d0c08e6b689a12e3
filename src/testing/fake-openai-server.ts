#!/usr/bin/env node
/**
 * Runs the fake OpenAI upstream as its own process (for benchmarks and the soak run, so that it does not share
 * an event loop with the load generator). Prints `{"port":N}` on stdout once listening.
 *
 * @example node dist/testing/fake-openai-server.js --port 0
 */
import { startFakeOpenAI } from './fake-openai';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
startFakeOpenAI({ port, record: false }).then(
  (fake) => {
    process.stdout.write(`${JSON.stringify({ port: fake.port })}\n`);
    process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
  },
  (err: unknown) => {
    process.stderr.write(`fake upstream failed to start: ${String(err)}\n`);
    process.exit(1);
  },
);
