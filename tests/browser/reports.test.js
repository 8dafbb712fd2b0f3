// Yearly plan execution reports in Chromium: the report page of the demo
// district in both languages, on screen and printed, passes axe-core; every
// chart has its data as a table; the jurisdiction view sorts without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, openPage, accessibilityProblems, ROOT } from './support.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const REPORT = '/reports/159902/2025';
const SHOTS = path.join(ROOT, 'target', 'browser-shots');

/** Pages of a PDF made by Chromium (its page objects are written uncompressed). */
const pdfPages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;

for (const lang of ['zh', 'en']) {
  test(`the report page in ${lang} passes axe-core on screen and printed, and its charts have their tables`, async () => {
    const { context, page, problems } = await openPage(browser, { bypassCSP: true });
    await page.goto(`${server.base}${REPORT}?lang=${lang}`);
    const heading = await page.locator('main h1').textContent();
    assert.match(heading, lang === 'zh' ? /2025年度检查计划执行情况/ : /plan execution report 2025/);
    // The rule checks the demo was built to fail are there, with the rows that violate them.
    const rules = page.locator('table.rules tbody tr');
    assert.ok((await rules.count()) >= 16);
    const violated = await page.locator('table.rules .state-violated').count();
    assert.ok(violated >= 5, `${violated} rules violated`);
    // Every chart: its bars drawn, and the same values as a table (the SVG is hidden from screen readers).
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll('figure.chart')].map((f) => ({
        bars: f.querySelectorAll('svg rect.bar').length,
        hidden: f.querySelector('svg').getAttribute('aria-hidden'),
        cells: f.querySelectorAll('table.chart-data td').length,
        caption: f.querySelector('table.chart-data caption')?.textContent.trim().length ?? 0,
      })),
    );
    assert.ok(charts.length >= 8, `${charts.length} charts`);
    for (const c of charts) {
      assert.equal(c.hidden, 'true');
      assert.equal(c.cells, c.bars, 'one table cell per bar');
      assert.ok(c.caption > 0, 'the table says what it shows');
    }
    // The declared report: its differences marked.
    assert.ok((await page.locator('tr.differs').count()) >= 2);
    if (lang === 'en') {
      // No Chinese in the page's own words: what is Chinese is published data (names, the
      // department's own text), marked with its language; the charts' drawings are hidden.
      const own = await page.evaluate(() => {
        const clone = document.querySelector('main').cloneNode(true);
        clone.querySelectorAll('[lang|="zh"], svg').forEach((e) => e.remove());
        return clone.textContent;
      });
      const chinese = own.match(/[\u4e00-\u9fff]+/g) ?? [];
      assert.deepEqual(chinese, [], 'Chinese words on the English page');
    }
    assert.deepEqual(await accessibilityProblems(page), [], 'screen');

    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() => {
      const visible = (el) => el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
      return {
        nav: visible(document.querySelector('.site-header nav')),
        downloads: [...document.querySelectorAll('.downloads')].some(visible),
        tables: [...document.querySelectorAll('table.chart-data')].every(visible),
        address: visible(document.querySelector('.print-url')),
      };
    });
    assert.deepEqual(shown, { nav: false, downloads: false, tables: true, address: true });
    assert.deepEqual(await accessibilityProblems(page), [], 'printed');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `report-print-${lang}.png`), fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    const pages = pdfPages(pdf);
    console.log(`${lang}: the report prints on ${pages} A4 pages`);
    assert.ok(pages >= 3 && pages <= 20, `${pages} pages`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the jurisdiction view sorts by a column and filters by year, without JavaScript', async () => {
  const { context, page, problems } = await openPage(browser, { javaScriptEnabled: false, bypassCSP: true });
  await page.goto(`${server.base}/reports?year=2025`);
  const years = await page.locator('table.report-list tbody tr td:first-child').allTextContents();
  assert.ok(years.length >= 1 && years.every((y) => y === '2025'), years.join());
  await page.getByRole('link', { name: '发现问题率' }).click();
  assert.match(page.url(), /sort=problem_rate/);
  assert.match(page.url(), /year=2025/);
  assert.equal(await page.locator('th[aria-sort="ascending"]').count(), 1);
  // From the list to a report by its link.
  await page.locator('table.report-list tbody a').first().click();
  assert.match(page.url(), /\/reports\/\d+\/2025$/);
  assert.deepEqual(problems, []);
  await context.close();
});
