/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, with its DOM types.
import { jest } from '@jest/globals';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchChromium,
  SCREENSHOT_DIR,
  type BrowserSession,
} from './chromium';

jest.setTimeout(BROWSER_TEST_TIMEOUT_MS);

const ADMIN_API_KEY = 'docs-browser-admin-key';

/** Opens an operation (Swagger UI ids are operations-<tag>-<operationId>) in try-out mode. */
async function expand(page: Page, operation: string): Promise<Locator> {
  const block = page.locator(`#operations-${operation}`);
  if (!(await block.evaluate((node) => node.classList.contains('is-open')))) {
    await block.locator('.opblock-summary').first().click();
  }
  // tryItOutEnabled opens the form editable; click the button only if it is still offered.
  const tryOut = block.locator('button.try-out__btn', { hasText: 'Try it out' });
  if ((await tryOut.count()) > 0) await tryOut.click();
  return block;
}

/** Runs an opened operation and returns the status Swagger UI shows. */
async function execute(block: Locator): Promise<string | null> {
  await block.locator('button.execute').click();
  const status = block.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  return status.textContent();
}

describe('Swagger UI at /docs (headless Chromium)', () => {
  let sut: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    browser = await launchChromium();
    sut = await startTestApp({ ADMIN_API_KEY }, { listen: true });
  });

  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  async function openDocs() {
    const opened = await browser.open(1280, 900);
    await opened.page.goto(`${sut.baseUrl}/docs`);
    await opened.page.waitForSelector('.swagger-ui .info .title');
    return opened;
  }

  it('renders the document, lists /classify, and breaks no CSP rule', async () => {
    const { page, errors } = await openDocs();
    expect(await page.textContent('.swagger-ui .info .title')).toContain('Sift');
    const paths = await page.$$eval('.opblock-summary-path', (nodes) =>
      nodes.map((node) => node.getAttribute('data-path')),
    );
    expect(paths).toEqual(expect.arrayContaining(['/classify', '/classify/batch', '/models']));
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'docs.png') });
    expect(errors).toEqual([]);
  });

  it('runs "Try it out" on POST /classify with the example body and gets 200', async () => {
    const { page, errors } = await openDocs();
    const block = await expand(page, 'classification-classify');
    expect(await execute(block)).toBe('200');
    const body = await block
      .locator('.live-responses-table .response-col_description pre')
      .first()
      .textContent();
    expect(JSON.parse(body ?? '')).toMatchObject({ label: 'spam', model: 'spam-en' });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'docs-try-it-out.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('takes the admin key in Authorize and sends it on DELETE /cache', async () => {
    const { page } = await openDocs();
    await page.click('.auth-wrapper button.authorize');
    const scheme = page.locator('.auth-container', { hasText: 'X-Api-Key' });
    await scheme.locator('input').fill(ADMIN_API_KEY);
    await scheme.locator('button.authorize').click();
    await page.click('button.btn-done');

    const block = await expand(page, 'admin-invalidate');
    await block.locator('tr[data-param-name="model"] input').fill('spam-en');
    expect(await execute(block)).toBe('200');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'docs-admin.png'), fullPage: true });
  });
});
