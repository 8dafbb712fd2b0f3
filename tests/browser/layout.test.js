// Layout as visitors meet it: the draw page's answers near the top, long
// tables folded (and unfolded in print); lists on a 390 px phone with every
// column on screen and the filter form folded; on a desktop the form is open.
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

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const DRAW = '/draws/159902-2025-01';

/** The top of an element in page coordinates. */
const top = (page, selector) =>
  page.locator(selector).first().evaluate((el) => el.getBoundingClientRect().top + window.scrollY);

test('the draw page answers first: outcome, verify and "was I in this draw?" near the top', async () => {
  for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const { context, page, problems } = await openPage(browser, options);
    await page.goto(`${server.base}${DRAW}`);
    const screen = options.viewport.height;
    const at = {
      glance: await top(page, '#glance-title'),
      verify: await top(page, 'button.verify-button'),
      lookup: await top(page, '.lookup input'),
      tables: await top(page, '#result-title'),
    };
    // The outcome on the first screen, the verify button and the lookup within the next two.
    assert.ok(at.glance < screen, `${name}: the outcome starts at ${at.glance}px`);
    assert.ok(at.verify < 2 * screen, `${name}: the verify button is at ${at.verify}px`);
    assert.ok(at.lookup < 3.5 * screen, `${name}: the lookup is at ${at.lookup}px`);
    assert.ok(at.verify < at.tables && at.lookup < at.tables, `${name}: the answers come before the tables`);
    // The outcome names each stratum with its drawn count and links to its table.
    const glance = page.locator('.glance');
    await glance.getByText('产品质量监督检查').first().waitFor();
    assert.match(await glance.textContent(), /抽中 19 户（符合条件 215 户，8\.8%）/);
    await glance.getByRole('link', { name: '产品质量监督检查' }).click();
    assert.ok(page.url().endsWith('#stratum-1'), page.url());
    // The 19-row table starts folded; its summary unfolds it, by keyboard too.
    const table = page.locator('#stratum-1 table');
    assert.equal(await table.isVisible(), false, `${name}: a long table starts folded`);
    await page.locator('#stratum-1 summary').focus();
    await page.keyboard.press('Enter');
    await table.waitFor({ state: 'visible' });
    // Each selected enterprise links to its published result.
    const result = table.locator('tbody tr').first().locator('td').last().locator('a');
    assert.match(await result.getAttribute('href'), /^\/results\/159902-2025-01-/);
    // A short table (6 rows) is open from the start.
    assert.equal(await page.locator('#stratum-2 table').isVisible(), true);
    if (name === 'desktop') {
      // Printing unfolds every table (the other one of 17 rows included).
      await page.emulateMedia({ media: 'print' });
      for (const n of [1, 2, 5]) {
        assert.equal(await page.locator(`#stratum-${n} table tbody tr`).first().isVisible(), true, `stratum ${n} prints`);
      }
      assert.equal(await page.locator('#stratum-5 summary').isVisible(), false, 'no fold marker in print');
      await page.emulateMedia({ media: 'screen' });
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('lists fit a 390 px phone: every column on screen, the filter form folded under its summary', async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  for (const list of ['/results', '/draws', '/enterprises', '/inspectors', '/plans', '/items']) {
    await page.goto(`${server.base}${list}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${list} is ${overflow}px wider than the screen`);
    // Every cell of the first row is inside the screen's width, its column named beside it.
    const cells = await page.locator('main table tbody tr').first().locator('td').evaluateAll((tds) =>
      tds.map((td) => ({
        left: td.getBoundingClientRect().left,
        right: td.getBoundingClientRect().right,
        label: getComputedStyle(td, '::before').content,
      })),
    );
    assert.ok(cells.length >= 5, `${list}: ${cells.length} cells`);
    for (const c of cells) {
      assert.ok(c.left >= 0 && c.right <= 390, `${list}: a cell spans ${c.left}–${c.right}px`);
      assert.ok(c.label.length > 2, `${list}: a cell without its column's name`);
    }
    // The first row of the list is on the first screen: the form is folded.
    const firstRow = await top(page, 'main table tbody tr');
    assert.ok(firstRow < 844, `${list}: the list starts at ${firstRow}px`);
    const field = page.locator('form.filters input, form.filters select').first();
    assert.equal(await field.isVisible(), false, `${list}: the filter form is folded`);
    await page.locator('.filter-box > summary').click();
    await field.waitFor({ state: 'visible' });
  }
  // The results' answer columns: the result and the rectification, with their names.
  await page.goto(`${server.base}/results?year=2025&department=159902`);
  const row = page.locator('main table tbody tr').first();
  const labels = await row.locator('td').evaluateAll((tds) => tds.map((td) => td.dataset.label));
  assert.deepEqual(labels, ['检查日期', '企业', '部门', '检查结果', '整改']);
  for (const td of await row.locator('td').all()) assert.equal(await td.isVisible(), true);
  // Conditions set are counted in the summary, the form still folded.
  assert.equal((await page.locator('.filter-box > summary').textContent()).trim(), '查询和筛选（已设 2 项条件）');
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a desktop the filter form is open without a fold, and lists stay tables', async () => {
  const { context, page, problems } = await openPage(browser, DESKTOP);
  await page.goto(`${server.base}/results?lang=en`);
  assert.equal(await page.locator('.filter-box > summary').isVisible(), false);
  await page.getByLabel('Enterprise name or credit code').fill('食品');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/q=/);
  assert.equal(await page.locator('main table thead').isVisible(), true);
  const display = await page.locator('main table tbody tr').first().evaluate((tr) => getComputedStyle(tr).display);
  assert.equal(display, 'table-row');
  assert.deepEqual(problems, []);
  await context.close();
});
