// The feedback form (/feedback, 001 art. 24) in Chromium: an enterprise
// gives feedback without JavaScript, keeps its receipt, and every step of the
// form passes axe-core, in Chinese and English, on a desktop and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startServer, launchBrowser, openPage, accessibilityProblems } from './support.js';

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

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** From the demo page to the filled-in first step, then the form of the code in row `row`. */
async function openForm(page, row, lang = 'zh') {
  await page.goto(`${server.base}/demo/feedback${lang === 'en' ? '?lang=en' : ''}`);
  const link = page.locator('table a[href^="/feedback?"]').nth(row);
  await link.click();
  await page.waitForURL(/\/feedback\?credit_code=/);
  assert.notEqual(await page.locator('#credit_code').inputValue(), '', 'the link fills in the credit code');
  assert.match(await page.locator('#code').inputValue(), /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  await page.getByRole('button', { name: lang === 'en' ? 'Next' : '下一步' }).click();
  await page.locator('form input[name="step"][value="submit"]').waitFor({ state: 'attached' });
}

test('without JavaScript an enterprise rates its inspection and keeps a receipt it can check', async () => {
  const { context, page, problems } = await openPage(browser, { javaScriptEnabled: false, acceptDownloads: true });
  await openForm(page, 0);
  // The inspection and the team are shown before anything is asked.
  const facts = await page.locator('dl.facts').first().innerText();
  assert.match(facts, /检查人员/);
  assert.match(facts, /至 \d{4}-\d\d-\d\d 24:00（北京时间）/);
  // Rate with the keyboard's labels: the department very satisfied, each inspector satisfied,
  // one "no" to a conduct check, and a comment.
  await page.getByRole('group', { name: /对检查部门.*的总体评价/ }).getByLabel('非常满意').check();
  const levels = page.getByRole('group', { name: /^对 .* 的总体评价 \*$/ });
  const team = await levels.count();
  assert.equal(team, 2, 'a team of two');
  for (let i = 0; i < team; i += 1) {
    await levels.nth(i).getByLabel('满意', { exact: true }).check();
  }
  await page.getByRole('group', { name: '未影响正常生产经营' }).first().getByLabel('否').check();
  await page.getByLabel('意见建议（选填）').fill('检查时间较长，建议提前告知。\n其他方面都很规范。');
  await page.getByRole('button', { name: '提交评价' }).click();
  await page.getByRole('heading', { name: '评价已提交并保存' }).waitFor();

  // The receipt: its SHA-256 is of the canonical submission it shows.
  const shown = await page.locator('dl.receipt code.hash').innerText();
  const canonical = await page.locator('details.canonical pre').textContent();
  assert.equal(sha256(canonical), shown);
  const doc = JSON.parse(canonical);
  assert.equal(doc.version, 1);
  assert.equal(doc.department.level, 'very_satisfied');
  assert.equal(doc.inspectors[0].level, 'satisfied');
  assert.equal(doc.inspectors[0].conduct.no_disruption, false);
  assert.equal(doc.text, '检查时间较长，建议提前告知。\n其他方面都很规范。');
  const number = await page.locator('dl.receipt code').first().innerText();
  assert.match(number, /^FK-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);

  // … and downloads as a file with the same content.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '下载回执（JSON 文件）' }).click(),
  ]);
  const file = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(file.receipt, number);
  assert.equal(file.canonical, canonical);
  assert.equal(file.sha256, shown);

  // Changing it: the form comes back filled in, and the new version keeps the old one.
  await page.getByRole('button', { name: '修改评价' }).click();
  await page.getByText('您已提交过评价（第 1 版').waitFor();
  assert.equal(await page.getByLabel('意见建议（选填）').inputValue(), '检查时间较长，建议提前告知。\n其他方面都很规范。');
  await page.getByLabel('意见建议（选填）').fill('补充：已与检查人员沟通。');
  await page.getByRole('button', { name: '提交评价' }).click();
  await page.getByRole('heading', { name: '评价已提交并保存' }).waitFor();
  assert.equal(JSON.parse(await page.locator('details.canonical pre').textContent()).version, 2);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a mistyped code is caught with a message linked to its field, in both languages', async () => {
  const { context, page } = await openPage(browser, { javaScriptEnabled: false });
  for (const [lang, next, message] of [
    ['zh', '下一步', '评价码有误（校验位不符）'],
    ['en', 'Next', 'The feedback code is mistyped'],
  ]) {
    await page.goto(`${server.base}/feedback?lang=${lang}`);
    await page.locator('#credit_code').fill('91150102MA0000000X');
    await page.locator('#code').fill('K7QM-3XPA-9RZD-H2WD');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: next }).click()]);
    assert.equal(response.status(), 422);
    const alert = page.getByRole('alert');
    await alert.getByText(message).waitFor();
    assert.equal(await alert.locator('a[href="#code"]').count(), 1, 'the message leads to the field');
    assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');
    if (lang === 'en') {
      const text = await page.locator('main').innerText();
      assert.doesNotMatch(text, /[\u4e00-\u9fff]/, 'no Chinese on the English page');
    }
  }
  await context.close();
});


test('every step of the form passes axe-core and fits a phone', async () => {
  const found = {};
  for (const [lang, viewport] of [['zh', { width: 1280, height: 900 }], ['en', { width: 390, height: 844 }]]) {
    const { context, page } = await openPage(browser, { bypassCSP: true, viewport });
    const check = async (name) => {
      const v = await accessibilityProblems(page);
      if (v.length) found[`${name} (${lang})`] = v;
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} (${lang}) scrolls sideways by ${overflow}px`);
    };
    await page.goto(`${server.base}/feedback?lang=${lang}`);
    await check('first step');
    await page.locator('#code').fill('0000');
    await page.locator('#credit_code').fill('x');
    await page.locator('form button[type="submit"]').click();
    await page.getByRole('alert').waitFor();
    await check('first step with problems');
    await page.goto(`${server.base}/demo/feedback?lang=${lang}`);
    await check('demo codes');
    await openForm(page, lang === 'zh' ? 1 : 2, lang);
    await check('form');
    for (const group of await page.locator('fieldset.levels').all()) {
      await group.locator('input[value="5"]').check();
    }
    await page.locator('form button[type="submit"]').click();
    await page.locator('dl.receipt').waitFor();
    await check('receipt');
    await context.close();
  }
  assert.deepEqual(found, {});
});
