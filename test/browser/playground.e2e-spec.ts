/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, with its DOM types.
import { jest } from '@jest/globals';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchChromium,
  SCREENSHOT_DIR,
  type BrowserSession,
} from './chromium';

jest.setTimeout(BROWSER_TEST_TIMEOUT_MS);

const SPAM = 'Congratulations! You won a FREE cruise, click here to claim your prize now';
const LAPTOP = [1280, 800] as const;
const PHONE = [390, 844] as const;

async function classify(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.click('#classify');
}

describe('Playground page (headless Chromium)', () => {
  let sut: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    browser = await launchChromium();
    sut = await startTestApp({ MODELS: 'spam-en,lang-id' }, { listen: true });
  });

  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  async function openPlayground(width: number, height: number) {
    const opened = await browser.open(width, height);
    await opened.page.goto(`${sut.baseUrl}/`);
    await opened.page.waitForSelector('#model:not([disabled])');
    return opened;
  }

  it('loads without console errors and lists the models GET /models reports', async () => {
    const { page, errors } = await openPlayground(...LAPTOP);
    const options = await page.$$eval('#model option', (nodes) =>
      nodes.map((node) => (node as HTMLOptionElement).value),
    );
    expect(options).toEqual(['spam-en', 'lang-id']);
    expect(await page.inputValue('#model')).toBe('spam-en');
    const links = await page.$$eval('nav a', (nodes) =>
      nodes.map((node) => node.getAttribute('href')),
    );
    expect(links).toEqual(expect.arrayContaining(['/docs', '/metrics']));
    expect(errors).toEqual([]);
  });

  it('shows spam as the top bar, the winning label, version, latency and cache state', async () => {
    const { page, errors } = await openPlayground(...LAPTOP);
    const [spamEn] = (await sut.inject({ method: 'GET', url: '/models' })).json().models;
    await classify(page, SPAM);
    await page.waitForSelector('#results .result');
    expect(await page.textContent('#results .result .winner .label')).toBe('spam');
    const bars = await page.$$eval('#results .result .bar', (nodes) =>
      nodes.map((node) => (node as HTMLElement).dataset.label),
    );
    expect(bars).toEqual(['spam', 'ham']);
    const winner = await page.textContent('#results .result .winner');
    expect(winner).toContain(`spam-en @ ${spamEn.version}`);
    expect(winner).toContain('computed');
    expect(await page.textContent('#summary')).toMatch(/^1 result in \d+ ms/);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'playground-laptop.png'), fullPage: true });

    // The same text again comes from the prediction cache, and the page says so.
    await classify(page, SPAM);
    await page.waitForFunction(
      () => document.querySelector('#results .result .cached')?.textContent === 'cached',
    );
    expect(errors).toEqual([]);
  });

  it('sends several lines as one batch and shows a result per line, in order', async () => {
    const { page, errors } = await openPlayground(...LAPTOP);
    await page.selectOption('#model', 'lang-id');
    await classify(page, 'Bonjour, comment allez-vous ?\nWie spät ist es?\nWhere is the station?');
    await page.waitForFunction(() => document.querySelectorAll('#results .result').length === 3);
    const labels = await page.$$eval('#results .result', (nodes) =>
      nodes.map((node) => (node as HTMLElement).dataset.label),
    );
    expect(labels).toEqual(['fr', 'de', 'en']);
    expect(await page.textContent('#summary')).toMatch(/^3 results in \d+ ms/);
    expect(errors).toEqual([]);
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const { page, errors } = await openPlayground(...PHONE);
    await classify(page, SPAM);
    await page.waitForSelector('#results .result');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'playground-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('explains a text at phone width: words shaded by weight, the weight on hover', async () => {
    const { page, errors } = await openPlayground(...PHONE);
    const text = 'Hi Anna, see you at lunch tomorrow? You won a FREE cruise, click here to claim';
    await page.check('#explain');
    await classify(page, text);
    await page.waitForSelector('#results .result .explained .word');
    const api = (
      await sut.inject({ method: 'POST', url: '/classify', payload: { text, explain: true } })
    ).json<{ explanation: { words: { text: string; weight: number }[] } }>().explanation;
    const shown = await page.$$eval('.explained .word', (nodes) =>
      nodes.map((node) => ({
        text: node.textContent,
        weight: Number((node as HTMLElement).dataset.weight),
        direction: node.classList.contains('toward') ? 'toward' : 'against',
        strength: Number((node as HTMLElement).style.getPropertyValue('--strength')),
      })),
    );
    expect(shown.map((word) => word.text)).toEqual(api.words.map((word) => word.text));
    // The page shows the text as typed, whitespace included.
    expect(await page.textContent('.explained')).toBe(text);
    for (const [i, word] of shown.entries()) {
      expect(word.weight).toBeCloseTo(api.words[i].weight, 10);
      expect(word.direction).toBe(word.weight >= 0 ? 'toward' : 'against');
    }
    const strongest = shown.reduce((a, b) => (Math.abs(b.weight) > Math.abs(a.weight) ? b : a));
    expect(strongest).toMatchObject({ text: 'click', direction: 'toward', strength: 1 });

    await page.hover('.explained .word >> text=click');
    expect(await page.textContent('.word-detail')).toMatch(/^“click”: \+0\.\d{4} toward spam$/);
    expect(await page.getAttribute('.explained .word >> text=lunch', 'title')).toMatch(
      /^−0\.\d{4} against spam$/,
    );
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await page.screenshot({
      path: join(SCREENSHOT_DIR, 'playground-explain-phone.png'),
      fullPage: true,
    });
    expect(errors).toEqual([]);
  });

  it('shows a refused text (422) as a readable message, not raw JSON', async () => {
    const { page } = await openPlayground(...LAPTOP);
    await classify(page, 'see <script>alert(1)</script>');
    await page.waitForSelector('#error:not([hidden])');
    const message = await page.textContent('#error');
    expect(message).toContain('422');
    expect(message).toContain('The content filter refused this text.');
    expect(message).not.toContain('{');
    expect(await page.$$('#results .result')).toHaveLength(0);
  });
});

describe('Playground under a rate limit (headless Chromium)', () => {
  let sut: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    browser = await launchChromium();
    // One request per minute: the second classify is refused whatever the machine's speed.
    sut = await startTestApp(
      { RATE_LIMIT: '1', RATE_LIMIT_WINDOW_SECONDS: '60' },
      { listen: true },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  it('shows a 429 as a message with the wait, and GET /models stays exempt', async () => {
    const { page } = await browser.open(...LAPTOP);
    await page.goto(`${sut.baseUrl}/`);
    await page.waitForSelector('#model:not([disabled])');
    await classify(page, SPAM);
    await page.waitForSelector('#results .result');
    await classify(page, SPAM);
    await page.waitForSelector('#error:not([hidden])');
    const message = await page.textContent('#error');
    expect(message).toMatch(/^429 Too Many Requests/);
    expect(message).toMatch(/Rate limit reached: try again in \d+ s\./);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'playground-429.png') });
  });
});
