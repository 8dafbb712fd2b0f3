// Shared by the browser tests: start the real release server (built by
// `source scripts/lib.sh && build_site`) on a free port with a fresh database,
// and Debian's Chromium.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
export const SERVER = path.join(TARGET, 'release', 'server');
/** The draw command line (`cli/`), built beside the server by build_site. */
export const GONGKAI = path.join(TARGET, 'release', 'gongkai');
export const SITE = path.join(ROOT, 'target', 'site');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * Starts the server; resolves to { base, stop }. Options: `dataDir`, a folder
 * whose gongkai.db was prepared beforehand (it is removed on stop), and `env`,
 * more environment variables (e.g. GONGKAI_DEMO: '0').
 */
export async function startServer(options = {}) {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run build_site (scripts/lib.sh)`);
  assert.ok(existsSync(path.join(SITE, 'pkg', 'verifier_bg.wasm')), 'the verifier module is missing: run build_site');
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'gongkai-browser-'));
  let log = '';
  const server = spawn(SERVER, ['serve'], {
    env: {
      ...process.env,
      GONGKAI_DATABASE: path.join(dataDir, 'gongkai.db'),
      LEPTOS_SITE_ADDR: '127.0.0.1:0',
      LEPTOS_SITE_ROOT: SITE,
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'gongkai',
      LEPTOS_ENV: 'PROD',
      RUST_LOG: 'info',
      NO_COLOR: '1',
      // The tests' clock (as in the Rust tests' Settings::for_tests): the demo's
      // feedback try-out draw is dated from it, and its windows are open then.
      GONGKAI_CLOCK: '2026-11-30T10:00:00+08:00',
      ...(options.env ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 60_000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/listening on (http:\/\/[0-9.]+:[0-9]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  return {
    base,
    dataDir,
    stop() {
      server.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
    /** Stops the server and keeps its data directory (to start another on it). */
    async kill() {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page that records JavaScript errors and console errors (e.g. a hydration panic). */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

export async function waitHydrated(page) {
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  await page.locator('button:is(.verify-button, .action-button):not([disabled])').first().waitFor({ timeout: 30_000 });
}

// axe-core (Deque's accessibility engine): WCAG 2 A and AA (contrast, names,
// labels, landmarks, language) and its best practices. Injected as an inline
// script, which the pages' Content-Security-Policy refuses: open the page in a
// context with `bypassCSP: true`.
const AXE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export async function accessibilityProblems(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
    return violations.map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

// The publication log's pages (portal-log.test.js, witness.test.js).

/** A valid unified social credit code (GB 32100-2015 check character) for `n`. */
export function creditCode(n) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const body = `91110000${String(n).padStart(9, '0')}`;
  const sum = [...body].reduce((s, c, i) => s + chars.indexOf(c) * weights[i], 0);
  return body + chars[(31 - (sum % 31)) % 31];
}

/** `server import enterprises` of `count` new enterprises numbered from `from`. */
export function importEnterprises(dataDir, from, count, label) {
  const run = spawnSync('python3', ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT code FROM departments ORDER BY id DESC LIMIT 1").fetchone()[0])', path.join(dataDir, 'gongkai.db')], { encoding: 'utf8' });
  const department = run.stdout.trim();
  const rows = Array.from({ length: count }, (_, i) => `${creditCode(from + i)},${label}第${i + 1}号有限公司,${department},测试区,测试业,A`);
  const file = path.join(dataDir, `enterprises-${from}.csv`);
  writeFileSync(file, ['credit_code,name,department_code,region,industry,credit_class', ...rows].join('\n') + '\n');
  const imported = spawnSync(SERVER, ['import', 'enterprises', file], {
    env: { ...process.env, GONGKAI_DATABASE: path.join(dataDir, 'gongkai.db'), NO_COLOR: '1' },
    encoding: 'utf8',
  });
  assert.equal(imported.status, 0, imported.stderr);
  return rows.map((r) => r.split(',')[0]);
}

/** Opens `url` and waits for the log check's verdict: { state, text, evidence }. */
export async function checked(page, url) {
  await page.goto(url);
  const status = page.locator('section.log-check .log-status').first();
  await page.waitForFunction(
    () => !['idle', 'running'].includes(document.querySelector('section.log-check .log-status')?.dataset.state),
    null,
    { timeout: 20_000 },
  );
  return {
    state: await status.getAttribute('data-state'),
    text: await status.textContent(),
    evidence: await page.locator('section.log-check .log-evidence a').allTextContents(),
  };
}

/** The first record linked from a list page. */
export async function firstRecord(page, base, list, prefix) {
  await page.goto(`${base}${list}`);
  const href = await page.locator(`main a[href^="${prefix}"]`).first().getAttribute('href');
  assert.ok(href, `a record on ${list}`);
  return `${base}${href}`;
}
