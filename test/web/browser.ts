// Debian's chromium driven by playwright-core (which never downloads a browser here), and a record of
// everything the page reports as an error, so a test can fail on any console error.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_EXECUTABLE } from '../helpers/require-binary.js';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts chromium headless; it is closed at the test's teardown. */
export async function launchChromium(t: ExecutionContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: CHROMIUM_ARGS, timeout: 60_000 });
  t.teardown(() => browser.close());
  return browser;
}

export interface PageProblem {
  readonly kind: 'console' | 'pageerror';
  readonly text: string;
  readonly url: string;
}

/** Collects console errors and uncaught exceptions of `page` from now on. */
export function watchPageProblems(page: Page): PageProblem[] {
  const problems: PageProblem[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push({ kind: 'console', text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: `${error.name}: ${error.message}`, url: page.url() }));
  return problems;
}

/**
 * Chromium logs every HTTP error answer as a console error ("Failed to load resource: … 401"). The
 * ones a test provoked on purpose (a wrong token, an invalid field) are expected; everything else is a
 * problem.
 */
export function unexpectedProblems(problems: readonly PageProblem[], expectedStatuses: readonly number[]): PageProblem[] {
  const expected = [...expectedStatuses];
  return problems.filter((problem) => {
    const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(problem.text)?.[1];
    const index = problem.kind === 'console' && status !== undefined && problem.url.includes('/api/') ? expected.indexOf(Number(status)) : -1;
    if (index === -1) return true;
    expected.splice(index, 1);
    return false;
  });
}

/** Polls `check` until it returns true (a condition, not a fixed sleep); fails with `what` after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, describe?: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const detail = describe ? `; ${await describe()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Saves a screenshot as test-results/<name>.png (git-ignored) and returns its path: the full page, or
 * with `contentOnly` the page down to the end of its <main> (no empty space below short pages).
 */
export async function screenshot(page: Page, name: string, contentOnly = false): Promise<string> {
  const dir = join(process.cwd(), 'test-results');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  if (contentOnly) {
    const width = Number(await page.evaluate('document.documentElement.clientWidth'));
    const height = Math.ceil(Number(await page.evaluate('document.querySelector("main").getBoundingClientRect().bottom')));
    await page.screenshot({ path, clip: { x: 0, y: 0, width, height }, animations: 'disabled' });
  } else {
    await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  }
  return path;
}
