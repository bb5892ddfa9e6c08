/**
 * Opens an HTML report in Debian's Chromium (scripts/setup.sh installs it), driven by
 * playwright-core (which never downloads a browser): a fresh profile, no network (every request
 * other than the report file itself is recorded and aborted), console errors collected.
 * Screenshots go to .lab/artifacts/ (CI keeps that folder as an artifact).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../helpers/servers.js';

export const CHROMIUM = process.env.XFED_CHROMIUM ?? '/usr/bin/chromium';
export const skipBrowser = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed (bash scripts/setup.sh)`;
export const ARTIFACTS = join(ROOT, '.lab', 'artifacts');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Opened {
  page: Page;
  /** Every URL the page asked for besides the report file itself (each once; all aborted). */
  requests: string[];
  /** Console errors, page errors and CSP violations. */
  errors: string[];
  /** Dialogs (alert, confirm) a script opened: none may. */
  dialogs: string[];
  close(): Promise<void>;
}

export async function openReport(file: string, viewport = { width: 1280, height: 900 }): Promise<Opened> {
  const profile = mkdtempSync(join(tmpdir(), 'xfed-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport, offline: true });
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const errors: string[] = [];
  const dialogs: string[] = [];
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    if (!requests.includes(route.request().url())) requests.push(route.request().url());
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (r) => {
    if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return {
    page,
    requests,
    errors,
    dialogs,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot in .lab/artifacts/ (kept by CI); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Runs a DOM expression in the page (the tests are compiled without DOM types). */
export function query<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}
