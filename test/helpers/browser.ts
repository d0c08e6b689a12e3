/**
 * A real Chromium for browser tests (Debian's `chromium` package, driven by playwright-core). A suite that needs
 * it is declared with `describeWithBrowser`: when Chromium is missing it fails under CI (CI=true) and is skipped
 * with a printed reason elsewhere, as `describeWithService` does for Redis and PostgreSQL.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium binary: $SWITCHYARD_TEST_CHROMIUM, else Debian's. */
export const CHROMIUM_PATH = process.env.SWITCHYARD_TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * `describe` for a suite that drives Chromium.
 *
 * @example describeWithBrowser('dashboard in a browser', () => { it('…', async () => { … }); });
 */
export function describeWithBrowser(title: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(title, body);
    return;
  }
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium, or set SWITCHYARD_TEST_CHROMIUM)`;
  if (process.env.CI === 'true') {
    describe(title, () => {
      it('has Chromium', () => {
        throw new Error(`required under CI: ${reason}`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED "${title}": ${reason}`);
  // Skipped only off CI and only because Chromium is missing on this machine (printed above); CI=true fails instead.
  describe.skip(title, body); // reason: Chromium missing off CI (printed above); CI=true fails instead
}

/** @example const browser = await launchChromium(); */
export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
