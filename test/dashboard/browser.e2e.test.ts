/**
 * The dashboard in a real browser (Chromium via playwright-core) against the real gateway with seeded traffic
 * and a SQLite spend sink: a wrong key is refused and the right one logs in, every page renders its data, the
 * charts draw (a canvas with a size), filters change the rows shown, the detail view draws the attempt
 * timeline, and no page logs a console error. Screenshots of each page go to test-output/dashboard/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { describeWithBrowser, launchChromium } from '../helpers/browser';
import { chat } from '../helpers/client';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { ADMIN_KEY, dashboardConfig, TEAM_KEY, UPSTREAM_KEY } from './config';

const SHOTS = path.resolve(__dirname, '..', '..', 'test-output', 'dashboard');

describeWithBrowser('dashboard in Chromium', () => {
  let fake: FakeOpenAI;
  let gw: InProcessGateway;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fake = await startFakeOpenAI();
    fake.on('gpt-4o', {
      usage: { prompt_tokens: 1000, completion_tokens: 200 },
      headers: { 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '499', 'x-ratelimit-reset-requests': '12s' },
    });
    fake.on('gpt-4o-mini', { usage: { prompt_tokens: 500, completion_tokens: 50 } });
    fake.on('gpt-4o-broken', { status: 500 });
    gw = await startInProcess({ config: dashboardConfig(fake.url, { providersPage: true }) });
    const team = { headers: { authorization: `Bearer ${TEAM_KEY}` } };
    for (let i = 0; i < 4; i++) await chat(gw.url, { model: 'chat', messages: [{ role: 'user', content: 'hello' }] }, team);
    for (let i = 0; i < 2; i++) await chat(gw.url, { model: 'fb', messages: [{ role: 'user', content: 'hello' }] }, team);
    await chat(gw.url, { model: 'unknown-alias', messages: [{ role: 'user', content: 'hello' }] }, team);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await fake?.close();
  });

  async function chartDrawn(selector: string): Promise<void> {
    const canvas = page.locator(`${selector} canvas`).first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(50);
  }

  /** Waits until the Requests table shows `n` rows (a function, not a string: the page's CSP forbids eval). */
  async function rowsBecome(n: number): Promise<void> {
    type Doc = { document: { querySelectorAll(s: string): { length: number } } };
    await page.waitForFunction((want) => (globalThis as unknown as Doc).document.querySelectorAll('[data-table="requests"] tbody tr').length === want, n);
  }

  test('a wrong key is refused', async () => {
    await page.goto(`${gw.url}/ui`);
    await page.screenshot({ path: path.join(SHOTS, 'login.png') });
    await page.fill('#key', 'wrong-key');
    await page.click('button[type=submit]');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('That key was not accepted.');
    expect(page.url()).toBe(`${gw.url}/ui/login`);
    // The browser reports the deliberate 401 as a failed resource; that is the only error allowed here.
    expect(consoleErrors.every((e) => e.includes('401'))).toBe(true);
    consoleErrors.length = 0;
  });

  test('the right key logs in, the key stays out of the URL, the Overview draws its charts', async () => {
    await page.fill('#key', ADMIN_KEY);
    await page.click('button[type=submit]');
    await page.waitForURL(`${gw.url}/ui`);
    expect(page.url()).not.toContain(ADMIN_KEY);
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'switchyard_session', httpOnly: true, sameSite: 'Strict', path: '/ui' });
    expect(cookies[0].value).not.toContain(ADMIN_KEY);
    await page.locator('.card').first().waitFor();
    expect(await page.locator('.card').first().textContent()).toBe('7 requests');
    await chartDrawn('[data-chart="Requests per second"]');
    await chartDrawn('[data-chart="Latency (ms)"]');
    expect(await page.locator('[data-table="By alias"] tbody tr').count()).toBe(3);
    await page.selectOption('select[name=range]', 'week');
    await chartDrawn('[data-chart="Requests per second"]');
    await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });
  });

  test('Providers and targets lists each target, draws the latency trend, and shows errors, headroom, health checks and quality', async () => {
    await page.click('a[href="#providers"]');
    await page.locator('[data-table="targets"] tbody tr').first().waitFor();
    expect(await page.locator('[data-table="targets"] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-table="providers"] tbody tr').count()).toBe(2);
    await chartDrawn('.chart');
    const broken = page.locator('[data-table="errors"] tbody tr', { hasText: 'up/gpt-4o-broken' });
    expect(await broken.locator('td').nth(3).textContent()).toBe('status 500: 2');
    expect(await broken.locator('td').nth(4).textContent()).toContain('status 500: fake upstream error 500');
    const headroom = page.locator('[data-table="rate-limits"] tbody tr', { hasText: 'gpt-4o' });
    expect(await headroom.locator('td').nth(2).textContent()).toMatch(/^499 \/ 500, resets in \d+(\.\d)?s$/);
    // The health check's first run starts with the gateway; the page updates itself when it has finished.
    const provider = (name: string) =>
      page.locator('[data-table="providers"] tbody tr').filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${name}$`) }) });
    await provider('up').locator('span.ok', { hasText: 'ms at' }).waitFor();
    expect(await provider('backup').locator('td').nth(4).textContent()).toBe('not configured');
    expect(await page.locator('[data-table="quality"] tbody tr').textContent()).toContain('No ratings yet');
    await page.screenshot({ path: path.join(SHOTS, 'providers.png'), fullPage: true });
  });

  test('Spend shows the sink by group and day, the budget, and a CSV link', async () => {
    await page.click('a[href="#spend"]');
    await page.locator('[data-table="budgets"] tbody tr').waitFor();
    expect(await page.locator('[data-table="budgets"] tbody tr td').first().textContent()).toBe('team-a');
    await chartDrawn('[data-chart="Spend per day (USD)"]');
    expect(await page.locator('[data-table="spend-key"] tbody tr').count()).toBe(1);
    await page.selectOption('select[name=group]', 'alias');
    await page.locator('[data-table="spend-alias"]').waitFor();
    expect(await page.locator('[data-table="spend-alias"] tbody tr').count()).toBe(2);
    expect(await page.locator('a.button').getAttribute('href')).toBe('ui/api/spend.csv?group_by=alias&days=7');
    await page.screenshot({ path: path.join(SHOTS, 'spend.png'), fullPage: true });
  });

  test('Requests filters the rows and shows every attempt of one on a timeline', async () => {
    await page.click('a[href="#requests"]');
    const rows = page.locator('[data-table="requests"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(7);
    await page.fill('input[name=alias]', 'fb');
    await rowsBecome(2);
    await page.fill('input[name=alias]', '');
    await page.selectOption('select[name=status]', 'error');
    await rowsBecome(1);
    await page.selectOption('select[name=status]', '');
    await page.fill('input[name=alias]', 'fb');
    await rowsBecome(2);
    await rows.first().click();
    await page.locator('[data-chart="timeline"] rect').first().waitFor();
    expect(await page.locator('[data-chart="timeline"] rect').count()).toBe(2);
    expect(await page.locator('[data-chart="timeline"] rect.bad').count()).toBe(1);
    expect(await page.locator('[data-table="attempts"] tbody tr').count()).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'requests.png'), fullPage: true });
  });

  test('Config shows the running config with every secret redacted', async () => {
    await page.click('a[href="#config"]');
    await page.locator('[data-field="config"]').waitFor();
    const text = (await page.locator('[data-field="config"]').textContent())!;
    expect(text).toContain('[redacted]');
    for (const secret of [ADMIN_KEY, TEAM_KEY, UPSTREAM_KEY]) expect(text).not.toContain(secret);
    expect(await page.locator('[data-field="last-reload"]').textContent()).toMatch(/^ok at /);
    await page.screenshot({ path: path.join(SHOTS, 'config.png'), fullPage: true });
  });

  test('Replay runs the running config with one alias moved to a cheaper model and shows the table and assumptions', async () => {
    await gw.gateway.snapshot.requestLog!.flush();
    await page.click('a[href="#replay"]');
    const box = page.locator('textarea[name="candidate"]');
    await page.waitForFunction(
      () =>
        ((globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('textarea[name="candidate"]')
          ?.value ?? '') !== '',
    );
    const running = await box.inputValue();
    expect(running).toContain('[redacted]');
    for (const secret of [ADMIN_KEY, TEAM_KEY, UPSTREAM_KEY]) expect(running).not.toContain(secret);
    await box.fill(running.replace(/model: gpt-4o\n/, 'model: gpt-4o-mini\n'));
    await page.fill('input[name="since"]', '1d');
    await page.click('button[name="run"]');
    await page.locator('[data-table="replay"] tbody tr[data-alias="chat"]').waitFor();
    expect(await page.locator('[data-table="replay"] tbody tr[data-alias="chat"] td').nth(1).textContent()).toBe('4');
    expect(await page.locator('[data-table="replay"] tfoot tr[data-alias="total"]').count()).toBe(1);
    expect(await page.locator('[data-list="assumptions"] li').count()).toBeGreaterThan(3);
    expect(await page.locator('[data-field="replay-progress"]').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'replay.png'), fullPage: true });
    // The replay ran as a job of the gateway, not of the page: a reload shows its report again.
    await page.reload();
    await page.locator('[data-table="replay"] tbody tr[data-alias="chat"]').waitFor();
  });

  test('no page logged a console error', () => {
    expect(consoleErrors).toEqual([]);
  });

  test('logging out ends the session', async () => {
    await page.click('header button[type=submit]');
    await page.locator('#key').waitFor();
    expect((await page.request.get(`${gw.url}/ui/api/overview`)).status()).toBe(401);
  });
});
