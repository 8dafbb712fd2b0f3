// Printing: draw, result, plan and enterprise pages print as clean documents
// (title, facts, tables and the page's address) without navigation, buttons
// or forms, rows not split across pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage } from './support.js';

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

/** Pages of a PDF made by Chromium (its page objects are written uncompressed). */
const pdfPages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;

test('draw, result, plan and enterprise pages print as documents without navigation', async () => {
  const { context, page, problems } = await openPage(browser);
  // One of each kind, reached by the first link of its list.
  const paths = ['/draws/159902-2025-01'];
  for (const list of ['/results', '/plans', '/enterprises']) {
    await page.goto(`${server.base}${list}`);
    paths.push(await page.locator(`main a[href^="${list}/"]`).first().getAttribute('href'));
  }
  const pages = {};
  for (const p of paths) {
    await page.goto(`${server.base}${p}`);
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() => {
      const visible = (el) => el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
      return {
        nav: visible(document.querySelector('.site-header nav')),
        footer: visible(document.querySelector('.site-footer')),
        buttons: [...document.querySelectorAll('button, form')].filter(visible).length,
        address: visible(document.querySelector('.print-url')) ? document.querySelector('.print-url').textContent : null,
        title: visible(document.querySelector('main h1')),
        rows: [...document.querySelectorAll('tr')].every((tr) => getComputedStyle(tr).breakInside === 'avoid'),
      };
    });
    assert.deepEqual(
      shown,
      { nav: false, footer: false, buttons: 0, address: `${server.base}${p}`, title: true, rows: true },
      p,
    );
    const pdf = await page.pdf({ format: 'A4' });
    // No link of the site's menu is in the document (Chromium writes each link as a /URI annotation).
    const text = pdf.toString('latin1');
    assert.ok(!text.includes(`${server.base}/open-data`), `${p}: the menu is printed`);
    pages[p] = pdfPages(pdf);
    assert.ok(pages[p] >= 1, `${p}: ${pages[p]} pages`);
    await page.emulateMedia({ media: 'screen' });
  }
  console.log('printed A4 pages:', JSON.stringify(pages));
  // The draw page (70 selected enterprises, the strata, the timeline) fits in fewer pages than its 8 before.
  assert.ok(pages[paths[0]] < 8, `the draw page prints on ${pages[paths[0]]} pages`);
  for (const p of paths.slice(1)) assert.ok(pages[p] <= 3, `${p} prints on ${pages[p]} pages`);
  assert.deepEqual(problems, []);
  await context.close();
});
