import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { socketTempRoot } from '../../tools/common/socket-temp-dir';
import { REPO_ROOT } from '../helpers/test-app';

/**
 * Debian's chromium package; playwright-core drives it, nothing is downloaded. CHROMIUM_PATH
 * may name another Chromium build (e.g. Google Chrome on a hosted CI runner).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Generous ceilings for a loaded machine: waits end on events, never on a clock. */
export const BROWSER_TEST_TIMEOUT_MS = 120_000;
const ACTION_TIMEOUT_MS = 60_000;

/** Screenshots land here (.tmp/ is git-ignored). */
export const SCREENSHOT_DIR = join(REPO_ROOT, '.tmp', 'browser');

const ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Containers run the tests as root, where Chromium's sandbox cannot start.
  '--no-sandbox',
];

export interface BrowserSession {
  readonly context: BrowserContext;
  /** Opens a page that records console errors and uncaught exceptions. */
  open(width: number, height: number): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, so no state leaks between runs. */
export async function launchChromium(): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH}: install it with ` +
        '`apt-get update && apt-get install -y chromium` (README, Quick start), or set CHROMIUM_PATH.',
    );
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'sift-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    // Chromium puts its SingletonSocket in a folder under TMPDIR and aborts ("Socket path too
    // long") when a long TMPDIR leaves no room for it.
    env: { ...process.env, TMPDIR: socketTempRoot() },
    headless: true,
    args: ARGS,
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return {
    context,
    async open(width, height) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      return { page, errors };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
