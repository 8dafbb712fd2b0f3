// Browser tests: the real release server (built by `scripts/lib.sh` build_site)
// on a free port with a fresh database, driven in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { accessibilityProblems } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The site is written under the workspace, the binary under the cargo target dir.
const TARGET = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
const SERVER = path.join(TARGET, 'release', 'server');
const SITE = path.join(ROOT, 'target', 'site');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DRAW = '159902-2025-01';

let server;
let base;
let browser;
let dataDir;
let serverLog = '';

function startServer() {
  return new Promise((resolve, reject) => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gongkai-browser-'));
    server = spawn(SERVER, ['serve'], {
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
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${serverLog}`)), 30_000);
    const onData = (chunk) => {
      serverLog += chunk.toString();
      const m = serverLog.match(/listening on (http:\/\/[0-9.]+:[0-9]+)/);
      if (m && !base) {
        base = m[1];
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => {
      if (!base) {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}:\n${serverLog}`));
      }
    });
  });
}

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run build_site (scripts/lib.sh)`);
  assert.ok(existsSync(path.join(SITE, 'pkg', 'gongkai.wasm')), 'the hydrate bundle is missing');
  await startServer();
  browser = await chromium.launch({
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
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// A page that fails the test on any JavaScript error or console error (e.g. a hydration panic).
async function openPage(options = {}) {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

async function waitHydrated(page) {
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  await page.locator('button.verify-button:not([disabled])').waitFor({ timeout: 30_000 });
}

test('home page lists the draws and links to each', async () => {
  const { context, page, problems } = await openPage();
  const response = await page.goto(`${base}/`);
  assert.equal(response.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.title(), /公开/);
  await page.getByRole('heading', { level: 1 }).waitFor();
  const links = page.locator('table.draw-list tbody a');
  // One link per published draw (completed or awaiting its randomness).
  const published = await (await fetch(`${base}/api/draws`)).json();
  assert.equal(await links.count(), published.length);
  // Pages are rendered on the server; a link is a plain link (with or without the bundle).
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  await page.locator(`a[href="/draws/${DRAW}"]`).click();
  await page.waitForURL(`${base}/draws/${DRAW}`);
  await page.getByRole('heading', { level: 1, name: /产品质量、计量、标准化/ }).waitFor();
  assert.ok(await page.locator('table.selection tbody tr').count() >= 70);
  assert.deepEqual(problems, []);
  await context.close();
});

test('verify in the browser: the published draw matches', async () => {
  const { context, page, problems } = await openPage();
  await page.goto(`${base}/draws/${DRAW}`);
  // Without hydration the record is already there: timeline, demo warning, 70 selections.
  await page.getByText('演示随机数 — 不是真正的公共随机信标').waitFor();
  assert.equal(await page.locator('table.selection tbody tr').count(), 70);
  await waitHydrated(page);
  await page.getByRole('button', { name: '在浏览器中验证' }).click();
  const result = page.locator('.verify-result');
  await result.getByText('与公布结果一致').waitFor({ timeout: 60_000 });
  assert.match(await result.innerText(), /✓/);
  assert.equal(await page.locator('.verify-result .verify-bad').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('verify in the browser: a tampered record shows the differences', async () => {
  const { context, page, problems } = await openPage();
  let replaced = '';
  await page.route(`**/api/draws/${DRAW}/record.json`, async (route) => {
    const response = await route.fetch();
    const record = await response.json();
    const selection = record.result.strata[0].selected[0];
    // Swap the first drawn enterprise for another one of the pool.
    const other = record.input.objects.find(
      (o) => !record.result.strata.some((s) => s.selected.some((x) => x.object === o.id)),
    );
    replaced = selection.object;
    selection.object = other.id;
    await route.fulfill({ response, json: record });
  });
  await page.goto(`${base}/draws/${DRAW}`);
  await waitHydrated(page);
  // Keyboard only: focus the button and press Enter.
  await page.getByRole('button', { name: '在浏览器中验证' }).focus();
  await page.keyboard.press('Enter');
  const result = page.locator('.verify-result');
  await result.getByText('与公布结果不一致').waitFor({ timeout: 60_000 });
  const differences = await page.locator('.verify-result ul.differences li').allInnerTexts();
  assert.ok(differences.length >= 1, 'the differences are listed');
  assert.ok(differences.some((d) => d.includes(replaced)), `the original object ${replaced} is named:\n${differences.join('\n')}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('language switch to English is remembered', async () => {
  const { context, page, problems } = await openPage();
  await page.goto(`${base}/draws/${DRAW}`);
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL(/lang=en/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByText('Demo randomness — not a real public beacon').waitFor();
  await waitHydrated(page);
  await page.getByRole('button', { name: 'Verify in your browser' }).click();
  await page.locator('.verify-result').getByText('Matches the published result').waitFor({ timeout: 60_000 });
  // A fresh load without the query stays English (cookie).
  await page.goto(`${base}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByRole('heading', { name: 'Published draws' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('unknown pages are 404 with a Chinese message', async () => {
  const { context, page } = await openPage();
  const response = await page.goto(`${base}/draws/does-not-exist`);
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { name: '页面不存在' }).waitFor();
  await context.close();
});

test('fits a phone screen without sideways scrolling of the page', async () => {
  const { context, page, problems } = await openPage({ viewport: { width: 360, height: 740 }, isMobile: true });
  for (const p of ['/', `/draws/${DRAW}`]) {
    await page.goto(`${base}${p}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${p} is ${overflow}px wider than the screen`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

// What a visitor downloads for a page's interactive parts: the JS and
// WebAssembly under /pkg/, as sent over the wire (compressed).
async function pageWeight(path) {
  const { context, page, problems } = await openPage();
  const files = [];
  page.on('response', async (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/pkg/')) return;
    files.push({ path: url.pathname, encoding: response.headers()['content-encoding'] || 'identity', response });
  });
  await page.goto(`${base}${path}`);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  let bytes = 0;
  for (const f of files) {
    await f.response.finished();
    bytes += (await f.response.request().sizes()).responseBodySize;
  }
  return { context, page, problems, files, bytes };
}

test('a page needs under 400 KB of compressed JS and WebAssembly; the verifier comes only when asked', async () => {
  for (const p of ['/', '/results', `/draws/${DRAW}`]) {
    const { context, page, problems, files, bytes } = await pageWeight(p);
    const names = files.map((f) => f.path).sort();
    // Content-addressed names (server/src/assets.rs), cached for a year.
    assert.equal(names.length, 2, `${p} loads ${names}`);
    assert.ok(names.some((n) => /^\/pkg\/gongkai\.[0-9a-f]{16}\.js$/.test(n)), `${p} loads ${names}`);
    assert.ok(names.some((n) => /^\/pkg\/gongkai\.[0-9a-f]{16}\.wasm$/.test(n)), `${p} loads ${names}`);
    for (const f of files) {
      assert.match(f.encoding, /^(gzip|br)$/, `${f.path} is sent ${f.encoding}`);
      assert.equal(f.response.headers()['cache-control'], 'public, max-age=31536000, immutable', f.path);
    }
    assert.ok(bytes > 10_000 && bytes < 400_000, `${p}: ${bytes} bytes of JS and WebAssembly`);
    if (p === `/draws/${DRAW}`) {
      // Pressing "verify" fetches the verifier module (and its worker) on demand.
      await page.locator('button.verify-button:not([disabled])').waitFor({ timeout: 30_000 });
      const verifier = page.waitForResponse((r) => r.url().endsWith('/pkg/verifier_bg.wasm'));
      await page.getByRole('button', { name: '在浏览器中验证' }).click();
      assert.equal((await verifier).status(), 200);
      await page.locator('.verify-result').getByText('与公布结果一致').waitFor({ timeout: 60_000 });
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('every kind of page passes the WCAG 2 AA checks of axe-core, in Chinese and English, and after verifying', async () => {
  // axe-core is injected as an inline script, which the pages' Content-Security-Policy
  // (rightly) refuses; the other tests run under the policy.
  const { context, page, problems } = await openPage({ bypassCSP: true });
  const paths = ['/', '/draws', `/draws/${DRAW}`, '/results', '/results?q=食品', '/enterprises', '/inspectors', '/items', '/plans', '/departments', '/open-data', '/spec', '/spec?lang=en', '/tools', '/calendar', '/calendar?lang=en', '/tools?lang=en', '/log', '/log?lang=en', '/no-such-page', '/?lang=en', `/draws/${DRAW}?lang=en`];
  const found = {};
  for (const p of paths) {
    await page.goto(`${base}${p}`);
    const v = await accessibilityProblems(page);
    if (v.length) found[p] = v;
  }
  // A detail page of each list, reached by its first link.
  for (const list of ['/results', '/enterprises', '/inspectors', '/items', '/plans', '/departments']) {
    await page.goto(`${base}${list}`);
    const href = await page.locator(`main a[href^="${list}/"]`).first().getAttribute('href');
    await page.goto(`${base}${href}`);
    const v = await accessibilityProblems(page);
    if (v.length) found[href] = v;
  }
  // The verify view with its result, and the lookup with its answer (in Chinese again).
  await page.goto(`${base}/draws/${DRAW}?lang=zh`);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '在浏览器中验证' }).click();
  await page.locator('.verify-result').getByText('与公布结果一致').waitFor({ timeout: 60_000 });
  await page.getByLabel('统一社会信用代码').fill('91430100MA4L00000');
  await page.getByRole('button', { name: '查询' }).click();
  await page.locator('.field-error').getByText('18 位').waitFor();
  const v = await accessibilityProblems(page);
  if (v.length) found['verified draw page'] = v;
  assert.deepEqual(found, {});
  // The 404 page's own status is the only error the browser may report.
  assert.deepEqual(problems.filter((m) => !m.includes('status of 404')), []);
  await context.close();
});

