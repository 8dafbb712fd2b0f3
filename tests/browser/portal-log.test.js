// The publication log checked in Chromium on the real portal (issue 14's
// tamper tests 1, 3 and 4 in the browser): every kind of record page shows
// its entry "公示日志第 N 条" and checks it; a result changed in the SQLite
// file behind the portal's back, a forged checkpoint, a log rolled back to an
// older copy of the database and a forked log (that older copy publishing
// something else) are each reported with ✗ and the checkpoints as evidence.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { checked, firstRecord, importEnterprises, launchBrowser, openPage, startServer } from './support.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Runs SQL on the portal's SQLite file, as someone with write access to it would (Python's sqlite3). */
function sql(database, statements, ...params) {
  const run = spawnSync(
    'python3',
    ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]) if len(sys.argv)==3 else c.execute(sys.argv[2], sys.argv[3:]); c.commit()', database, statements, ...params],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
}

/** A consistent copy of the database (SQLite's online backup). */
function backup(from, to) {
  const run = spawnSync('python3', ['-c', 'import sqlite3,sys; d=sqlite3.connect(sys.argv[2]); sqlite3.connect(sys.argv[1]).backup(d); d.close()', from, to], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
}

test('every kind of record page checks its log entry; a result changed in the database shows ✗ with the evidence', async () => {
  const server = await startServer();
  const { context, page, problems } = await openPage(browser);
  try {
    const pages = {};
    for (const [list, prefix] of [
      ['/results', '/results/'],
      ['/items', '/items/'],
      ['/inspectors', '/inspectors/'],
      ['/enterprises', '/enterprises/'],
      ['/plans', '/plans/'],
      ['/draws', '/draws/'],
    ]) {
      pages[list] = await firstRecord(page, server.base, list, prefix);
    }
    let first = true;
    for (const [list, url] of Object.entries(pages)) {
      const got = await checked(page, url);
      assert.equal(got.state, 'ok', `${list}: ${got.text}`);
      assert.match(got.text, /^✓ 已核对：本版本是公示日志第 \d+ 条/, url);
      assert.match(got.text, first ? /本浏览器第一次核对本网站的日志/ : /自您上次核对（.*）以来，此前公示的内容没有被改动/, url);
      assert.match(await page.locator('section.log-check').textContent(), /本版本是公示日志第 \d+ 条记录/);
      first = false;
    }
    // English, on the same browser.
    const english = await checked(page, `${pages['/results']}?lang=en`);
    assert.equal(english.state, 'ok');
    assert.match(english.text, /^✓ Checked: this version is entry \d+ of the publication log; .* Since your last check/);
    assert.doesNotMatch(english.text + (await page.locator('section.log-check').textContent()), /[\u4e00-\u9fff]/);

    // A checkpoint with a forged signature (another size under the real signature line).
    await page.route('**/log/checkpoint', async (route) => {
      const real = await (await route.fetch()).text();
      await route.fulfill({ status: 200, contentType: 'text/plain', body: real.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`) });
    });
    const forged = await checked(page, `${pages['/items']}?lang=zh`);
    assert.equal(forged.state, 'failed');
    assert.equal(forged.text, '✗ 核对未通过：日志检查点的签名无效，不是本网站的密钥签署的。');
    await page.unroute('**/log/checkpoint');

    // The result's current version changed with SQL behind the portal's back.
    const code = decodeURIComponent(new URL(pages['/results']).pathname.split('/').pop());
    sql(
      path.join(server.dataDir, 'gongkai.db'),
      "DROP TRIGGER results_append_only_update",
    );
    sql(path.join(server.dataDir, 'gongkai.db'), "UPDATE results SET findings = findings || '（已改）' WHERE id = (SELECT MAX(id) FROM results WHERE result_code = ?)", code);
    const tampered = await checked(page, `${pages['/results']}?lang=zh`);
    assert.equal(tampered.state, 'failed');
    assert.equal(tampered.text, '✗ 核对未通过：公示内容的散列值与日志记录不一致：内容在记入日志之后被改动了。');
    assert.deepEqual(tampered.evidence, ['下载本次读取的检查点', '下载本浏览器此前记下的检查点']);
    const download = page.waitForEvent('download');
    await page.locator('section.log-check .log-evidence a').first().click();
    const saved = await (await download).path();
    assert.match(readFileSync(saved, 'utf8'), /^gongkai\.localhost\/log\n\d+\n[A-Za-z0-9+/=]{44}\n\n— gongkai\.localhost\/log /);
    // Pages of untouched records still check.
    assert.equal((await checked(page, pages['/draws'])).state, 'ok');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    server.stop();
  }
});

test('a browser that saw a later checkpoint reports a log rolled back to an older database, and a forked one', async () => {
  const server = await startServer();
  const database = path.join(server.dataDir, 'gongkai.db');
  const older = path.join(server.dataDir, 'older.db');
  const { context, page, problems } = await openPage(browser);
  let again;
  try {
    backup(database, older);
    const result = await firstRecord(page, server.base, '/results', '/results/');
    assert.equal((await checked(page, result)).state, 'ok');
    // Three more publications: the log grows, and the browser sees it grow consistently.
    const [added] = importEnterprises(server.dataDir, 1, 3, '日志测试');
    const grown = await checked(page, `${server.base}/enterprises/${added}`);
    assert.equal(grown.state, 'ok', grown.text);
    const sizes = [...grown.text.matchAll(/共 (\d+) 条|现有 (\d+) 条/g)].map((m) => Number(m[1] ?? m[2]));
    assert.equal(sizes[1], sizes[0] + 3, grown.text);

    // The database replaced by the older copy, on the same address (the browser's storage is per origin).
    await server.kill();
    for (const f of ['gongkai.db', 'gongkai.db-wal', 'gongkai.db-shm']) rmSync(path.join(server.dataDir, f), { force: true });
    backup(older, database);
    const address = new URL(server.base).host;
    again = await startServer({ dataDir: server.dataDir, env: { LEPTOS_SITE_ADDR: address } });
    const rolledBack = await checked(page, result);
    assert.equal(rolledBack.state, 'failed');
    assert.equal(rolledBack.text, '✗ 核对未通过：日志比本浏览器此前看到的更短：日志被回滚了。');
    assert.equal(rolledBack.evidence.length, 2);

    // The older copy publishes something else, past the size the browser saw: a fork.
    importEnterprises(server.dataDir, 500, 5, '分叉测试');
    const forked = await checked(page, result);
    assert.equal(forked.state, 'failed');
    assert.equal(forked.text, '✗ 核对未通过：日志与本浏览器此前看到的检查点不一致：此前公示的内容被改动或删除了。');
    assert.equal(forked.evidence.length, 2);
    // A browser that never saw the later log sees nothing wrong with the fork on its own.
    const fresh = await openPage(browser);
    assert.equal((await checked(fresh.page, result)).state, 'ok');
    await fresh.context.close();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.kill();
    again?.stop();
  }
});
