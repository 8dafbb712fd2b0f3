// Witnesses of the publication log in Chromium, as scripts/run.sh runs them:
// two `server witness serve` processes and the portal configured with both
// and a quorum of two. Record pages show the checkpoint cosigned by both and
// list each witness's earliest cosignature of the entry (the draw page for
// the commitment too); /log lists the witnesses' keys; a checkpoint short of
// the quorum (one witness stopped, then a publication) is said so.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { SERVER, checked, firstRecord, importEnterprises, launchBrowser, openPage, startServer } from './support.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** `server …` with `env`; must succeed; its standard output. */
function server(args, env) {
  const run = spawnSync(SERVER, args, { env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8' });
  assert.equal(run.status, 0, `server ${args.join(' ')}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout.trim();
}

/** `server witness serve` on a free port; resolves to { url, stop }. */
function startWitness(args) {
  const proc = spawn(SERVER, ['witness', 'serve', ...args, '--listen', '127.0.0.1:0'], {
    env: { ...process.env, RUST_LOG: 'info', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the witness did not start:\n${log}`)), 30_000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/listening on (http:\/\/[0-9.]+:[0-9]+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop: () => proc.kill('SIGINT') });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`the witness exited with ${code}:\n${log}`)));
  });
}

/** Reloads `url` until its log check's status satisfies `done` (witnesses cosign within a second or so). */
async function until(page, url, done) {
  let got;
  for (let i = 0; i < 40; i++) {
    got = await checked(page, url);
    if (done(got)) return got;
    await new Promise((r) => setTimeout(r, 500));
  }
  return got;
}

test('two witnesses cosign the log: pages show it, list them, and say when a checkpoint is short of the quorum', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gongkai-witness-'));
  const env = { GONGKAI_DATABASE: path.join(dataDir, 'gongkai.db') };
  const logKey = server(['log', 'key', '--create'], env);
  assert.match(logKey, /^gongkai\.localhost\/log\+[0-9a-f]{8}\+/);
  const witnesses = [];
  for (const i of [1, 2]) {
    const name = `witness-${i}.test`;
    const key = path.join(dataDir, `witness-${i}.key`);
    const vkey = server(['witness', 'key', '--key', key, '--name', name], env);
    const running = await startWitness(['--key', key, '--name', name, '--log', logKey, '--state', path.join(dataDir, `witness-${i}.db`)]);
    witnesses.push({ vkey, ...running });
  }
  const portal = await startServer({
    dataDir,
    env: { GONGKAI_LOG_WITNESSES: witnesses.map((w) => `${w.vkey} ${w.url}`).join('; '), GONGKAI_LOG_QUORUM: '2' },
  });
  const { context, page, problems } = await openPage(browser);
  try {
    const result = await firstRecord(page, portal.base, '/results', '/results/');
    const cosigned = await until(page, result, (g) => g.state === 'ok');
    assert.equal(cosigned.state, 'ok', cosigned.text);
    assert.match(cosigned.text, /检查点已由 2 个见证者中的 2 个联署：witness-1\.test（.+）、witness-2\.test（.+）。$/);
    const listed = await page.locator('section.log-check .log-cosigned li').allTextContents();
    assert.equal(listed.length, 2, listed.join('\n'));
    assert.match(listed[0], /^witness-1\.test 最早于 北京时间 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 联署了包含本记录的检查点$/);

    // The page of the draw awaiting its randomness: its commitment's entry, each
    // witness's time compared with the time of the drand round it waits for.
    const committed = spawnSync(
      'python3',
      ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT draw_id FROM draw_commitments").fetchone()[0])', env.GONGKAI_DATABASE],
      { encoding: 'utf8' },
    ).stdout.trim();
    await page.goto(`${portal.base}/draws/${committed}`);
    assert.deepEqual(await page.locator('section.log-check h2').allTextContents(), ['公示日志：抽取承诺']);
    const times = await page.locator('section.log-check .log-cosigned li').allTextContents();
    assert.equal(times.length, 2, times.join('\n'));
    for (const t of times) assert.match(t, /联署了包含本记录的检查点(，早于随机数的产生时间：第三方证明承诺在随机数出现之前已经公布。|，不早于随机数的产生时间，不能据此证明承诺在先。)$/);

    // /log lists both witnesses' keys and the quorum.
    await page.goto(`${portal.base}/log`);
    const keys = await page.locator('article.log ul code.key').allTextContents();
    assert.deepEqual(keys, witnesses.map((w) => w.vkey));
    assert.match(await page.locator('article.log').textContent(), /浏览器核对时要求至少 2 个见证者联署/);

    // One witness stops; the next publication's checkpoint is cosigned by one only.
    witnesses[1].stop();
    importEnterprises(dataDir, 900, 1, '见证测试');
    const short = await until(page, result, (g) => g.state === 'unwitnessed' && /现有 1 个/.test(g.text));
    assert.equal(short.state, 'unwitnessed', short.text);
    assert.match(short.text, /^日志检查点尚未得到足够的见证者联署（需要 2 个，现有 1 个）/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    portal.stop();
    for (const w of witnesses) w.stop();
  }
});
