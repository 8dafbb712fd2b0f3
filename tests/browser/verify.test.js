// Verifying draws in the browser (the separate verifier module), the "was I in
// this draw?" lookup, the page of a draw awaiting its randomness, and the
// browser verifier agreeing with the CLI `gongkai verify` on the same files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GONGKAI, startServer, launchBrowser, openPage, waitHydrated } from './support.js';

// drand quicknet round 123 (api.drand.sh/52db9ba7…/public/123), also in draw/src/randomness.rs.
const ROUND = 123;
const SIGNATURE =
  'b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92';

let server;
let browser;
let workDir;
let draws;
let drawn; // a completed draw's summary
let record; // its record

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workDir = mkdtempSync(path.join(tmpdir(), 'gongkai-verify-'));
  draws = await (await fetch(`${server.base}/api/draws`)).json();
  drawn = draws.find((d) => d.status === 'drawn');
  assert.ok(drawn, 'the demo data has a completed draw');
  record = await (await fetch(`${server.base}/api/draws/${drawn.id}/record.json`)).json();
});

after(async () => {
  await browser?.close();
  server?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const clone = (x) => JSON.parse(JSON.stringify(x));
const selectedCodes = (r) => new Set(r.result.strata.flatMap((s) => s.selected.map((x) => x.object)));
const excludedCodes = (r) => new Set(r.result.exclusions.map((e) => e.object));

// Tamperings of a record, each with what the verifier must name.
function altered() {
  const swapped = clone(record);
  const first = swapped.result.strata.find((s) => s.selected.length > 0).selected[0];
  const chosen = selectedCodes(record);
  const excluded = excludedCodes(record);
  const outsider = record.input.objects.find((o) => !chosen.has(o.id) && !excluded.has(o.id)).id;
  const original = first.object;
  first.object = outsider;

  const removed = clone(record);
  const gone = removed.result.strata.find((s) => s.selected.length > 0).selected[0].object;
  removed.input.objects = removed.input.objects.filter((o) => o.id !== gone);

  const reseeded = clone(record);
  const published = reseeded.seed;
  reseeded.seed = [...published].reverse().join('');

  return {
    selection: { record: swapped, names: [original, outsider], badStep: '重新抽取的对象与公布的结果一致' },
    removed: { record: removed, names: [gone], badStep: '由公布的输入重算承诺值，与事先公布的承诺值一致' },
    // The demo's draws use demo randomness, and the step says so.
    seed: {
      record: reseeded,
      names: [published, '种子'],
      badStep: record.randomness.source === 'demo' ? '种子由承诺值和演示随机数得出' : '种子由承诺值和指定的公共随机数得出',
    },
  };
}

// Opens the draw page with the record URL answering `body`, presses verify, waits for the verdict.
// `published`: the page as it would be had this commitment been published before the
// draw (the page's commitment is what the browser checks the record against).
async function verifyInPage(body, { expectMatch, published }) {
  const { context, page, problems } = await openPage(browser);
  if (body) {
    await page.route(`**/api/draws/${drawn.id}/record.json`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) }),
    );
  }
  if (published) {
    await page.route(`**/draws/${drawn.id}`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replaceAll(record.commitment, published);
      await route.fulfill({ response, body: html });
    });
  }
  await page.goto(`${server.base}/draws/${drawn.id}`);
  await waitHydrated(page);
  await page.getByRole('button', { name: '在浏览器中验证' }).click();
  const result = page.locator('.verify-result');
  await result.getByText(expectMatch ? '与公布结果一致' : '与公布结果不一致').waitFor({ timeout: 60_000 });
  const steps = await result.locator('ol.steps-list > li').evaluateAll((items) =>
    items.map((li) => ({ ok: li.classList.contains('step-ok'), text: li.innerText })),
  );
  const differences = await result.locator('ul.differences li').allInnerTexts();
  const progress = await result.locator('progress').getAttribute('value');
  return { context, page, problems, steps, differences, progress };
}

test('verifying a demo draw shows every step ✓, one after another, with a progress bar', async () => {
  const { context, page, problems, steps, progress } = await verifyInPage(null, { expectMatch: true });
  assert.equal(steps.length, 7, steps.map((s) => s.text).join('\n'));
  assert.ok(steps.every((s) => s.ok), steps.map((s) => s.text).join('\n'));
  assert.equal(progress, '7');
  // Focus moves to the outcome, not back to the page body.
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('verify-result')), true);
  const text = steps.map((s) => s.text).join('\n');
  assert.match(text, /由公布的输入重算承诺值/);
  assert.match(text, new RegExp(record.commitment));
  // The demo randomness is called what it is, and a match says what it cannot show.
  if (record.randomness.source === 'demo' || record.input.randomness_source.source === 'demo') {
    assert.match(text, /演示随机数/);
    assert.doesNotMatch(text, /指定的公共随机数得出/);
    const caveat = await page.locator('.verify-result .verify-caveat').innerText();
    assert.match(caveat, /不能证明抽取没有被操纵/);
  }
  // The record can be downloaded from the panel.
  const href = await page.locator('.verify-panel a[download]').getAttribute('href');
  assert.equal(href, `/api/draws/${drawn.id}/record.json`);
  // The verification ran in a Web Worker, off the page's main thread.
  assert.ok(
    page.workers().some((w) => w.url().endsWith('/verify-worker.js')),
    `no verifier worker: ${page.workers().map((w) => w.url())}`,
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('a record that cannot be downloaded is said so in words, with the HTTP status, and verify can be pressed again', async () => {
  const { context, page, problems } = await openPage(browser);
  await page.goto(`${server.base}/draws/${drawn.id}`);
  await waitHydrated(page);
  // The page's publication-log check downloads the record too (to hash it): let it finish first.
  await page.waitForFunction(() => !['idle', 'running'].includes(document.querySelector('.log-check .log-status')?.dataset.state));
  let refused = 0;
  await page.route(`**/api/draws/${drawn.id}/record.json`, (route) => {
    refused += 1;
    return route.fulfill({ status: 503, contentType: 'text/plain', body: 'busy' });
  });
  const button = page.getByRole('button', { name: '在浏览器中验证' });
  await button.click();
  await page.locator('.verify-panel').getByText('无法下载抽取记录（HTTP 503）').waitFor({ timeout: 30_000 });
  assert.equal(refused, 1);
  // The worker that downloads the record reported it; the page is usable again.
  await page.unroute(`**/api/draws/${drawn.id}/record.json`);
  await button.click();
  await page.locator('.verify-result').getByText('与公布结果一致').waitFor({ timeout: 60_000 });
  assert.deepEqual(problems.filter((p) => !p.includes('503')), []);
  await context.close();
});

for (const [name, what] of [
  ['selection', 'an altered selection'],
  ['removed', 'a pool with one object removed'],
  ['seed', 'a seed that does not match the randomness'],
]) {
  test(`verifying ${what} shows ✗ at the right step and names the object`, async () => {
    const cases = altered();
    const { context, problems, steps, differences } = await verifyInPage(cases[name].record, { expectMatch: false });
    const bad = steps.filter((s) => !s.ok).map((s) => s.text);
    assert.ok(
      bad.some((t) => t.includes(cases[name].badStep)),
      `step “${cases[name].badStep}” is ✗; the failed steps:\n${bad.join('\n')}`,
    );
    const all = differences.join('\n');
    for (const n of cases[name].names) assert.ok(all.includes(n), `${n} is named in:\n${all.slice(0, 2000)}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('a record with other inputs and a recomputed commitment does not verify against the page\'s commitment', async () => {
  // The forgery of SPEC §13 step 2: inputs edited, commitment, seed and result recomputed.
  const input = clone(record.input);
  input.objects = input.objects.slice(1);
  const inputFile = path.join(workDir, 'forged.input.json');
  writeFileSync(inputFile, JSON.stringify(input));
  const forgedFile = path.join(workDir, 'forged.record.json');
  execFileSync(GONGKAI, ['draw', '--input', inputFile, '--demo', record.randomness.value, '--out', forgedFile]);
  const forged = JSON.parse(readFileSync(forgedFile, 'utf8'));
  assert.notEqual(forged.commitment, record.commitment);
  const { context, problems, steps, differences } = await verifyInPage(forged, { expectMatch: false });
  const commitment = steps.find((s) => s.text.includes('由公布的输入重算承诺值'));
  assert.ok(commitment && !commitment.ok, steps.map((s) => `${s.ok ? '✓' : '✗'} ${s.text}`).join('\n'));
  const all = differences.join('\n');
  assert.ok(all.includes(record.commitment) && all.includes(forged.commitment), all);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a drand quicknet draw: the BLS signature is checked in the browser, a forged one is refused', async () => {
  const files = drandRecords();
  for (const [file, match] of [
    [files.good, true],
    [files.forged, false],
  ]) {
    const body = JSON.parse(readFileSync(file, 'utf8'));
    const { context, problems, steps, differences } = await verifyInPage(body, {
      expectMatch: match,
      published: body.commitment,
    });
    const seedStep = steps.find((s) => s.text.includes('种子由承诺值和指定的公共随机数得出'));
    assert.ok(seedStep, steps.map((s) => s.text).join('\n'));
    if (match) {
      assert.ok(seedStep.ok);
      assert.match(seedStep.text, /BLS 签名已用 quicknet 公钥验证/);
    } else {
      assert.equal(seedStep.ok, false);
      assert.match(seedStep.text + differences.join('\n'), /BLS 签名无效/);
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

// A real drand quicknet record made with the CLI from a demo draw's inputs (and a forged copy).
let drandFiles;
function drandRecords() {
  if (drandFiles) return drandFiles;
  const input = clone(record.input);
  input.randomness_source = { source: 'drand-quicknet', round: ROUND };
  const inputFile = path.join(workDir, 'drand.input.json');
  writeFileSync(inputFile, JSON.stringify(input));
  const good = path.join(workDir, 'drand.record.json');
  execFileSync(GONGKAI, [
    'draw',
    '--input',
    inputFile,
    '--drand-signature',
    SIGNATURE,
    '--committed-at',
    '2023-08-23T15:00:00Z',
    '--out',
    good,
  ]);
  const forgedRecord = JSON.parse(readFileSync(good, 'utf8'));
  const sig = forgedRecord.randomness.signature;
  forgedRecord.randomness.signature = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
  // The randomness is SHA-256 of the forged signature: only the BLS check can catch it.
  forgedRecord.randomness.randomness = createHash('sha256')
    .update(Buffer.from(forgedRecord.randomness.signature, 'hex'))
    .digest('hex');
  const forged = path.join(workDir, 'drand-forged.record.json');
  writeFileSync(forged, JSON.stringify(forgedRecord));
  drandFiles = { good, forged };
  return drandFiles;
}

test('the browser verifier and the CLI `gongkai verify` agree on the same files', async () => {
  const files = { original: path.join(workDir, 'original.json') };
  writeFileSync(files.original, JSON.stringify(record));
  for (const [name, c] of Object.entries(altered())) {
    files[name] = path.join(workDir, `${name}.json`);
    writeFileSync(files[name], JSON.stringify(c.record));
  }
  Object.assign(files, drandRecords());
  const { context, page, problems } = await openPage(browser);
  await page.goto(`${server.base}/draws/${drawn.id}`);
  for (const [name, file] of Object.entries(files)) {
    const cli = spawnSync(GONGKAI, ['verify', '--json', file], { encoding: 'utf8' });
    const expected = JSON.parse(cli.stdout);
    const matches = expected.differences.length === 0 && expected.steps.every((s) => s.ok);
    assert.equal(cli.status, matches ? 0 : 1, `${name}: exit code`);
    const text = readFileSync(file, 'utf8');
    const inBrowser = await page.evaluate(async (text) => {
      const m = await import('/pkg/verifier.js');
      await m.default();
      return JSON.parse(m.verify_now(text));
    }, text);
    assert.deepEqual(inBrowser, expected, `${name}: browser and CLI differ`);
    assert.equal(matches, ['original', 'good'].includes(name), `${name}: verdict`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the compact transfer (record without pool + pool.bin) verifies like the whole record', async () => {
  const { context, page, problems } = await openPage(browser);
  await page.goto(`${server.base}/draws/${drawn.id}`);
  const result = await page.evaluate(async (id) => {
    const m = await import('/pkg/verifier.js');
    await m.default();
    const head = await (await fetch(`/api/draws/${id}/record-without-pool.json`)).text();
    const pool = new Uint8Array(await (await fetch(`/api/draws/${id}/pool.bin`)).arrayBuffer());
    const steps = [];
    const stepwise = JSON.parse(await m.verify_split(head, pool, (s) => steps.push(JSON.parse(s).kind)));
    const whole = await (await fetch(`/api/draws/${id}/record.json`)).text();
    return { head: JSON.parse(head), bytes: pool.length, stepwise, steps, whole: JSON.parse(m.verify_now(whole)) };
  }, drawn.id);
  assert.deepEqual(result.head.input.objects, []);
  assert.ok(result.bytes < 12 * record.input.objects.length, `${result.bytes} bytes for ${record.input.objects.length} objects`);
  assert.deepEqual(result.stepwise, result.whole);
  assert.ok(result.whole.steps.every((s) => s.ok) && result.whole.differences.length === 0);
  assert.deepEqual(result.steps, ['inputs', 'commitment', 'seed', 'eligibility', 'selection', 'teams', 'recusals']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('"was I in this draw?": a drawn enterprise, an undrawn one proven in the pool, a typo', async () => {
  const { context, page, problems } = await openPage(browser);
  await page.goto(`${server.base}/draws/${drawn.id}`);
  await waitHydrated(page);
  const field = page.getByLabel('统一社会信用代码');
  const result = page.locator('.lookup-result');

  const stratum = record.result.strata.find((s) => s.selected.length > 0);
  const chosen = stratum.selected[0];
  // The placeholder is itself a valid code (its check character is right).
  const placeholder = await field.getAttribute('placeholder');
  assert.equal(placeholder, '91430100MA4L00000F');
  // Pasted with spaces around it, as copied from a document: still 18 characters.
  await field.fill(`  ${chosen.object} `);
  await page.getByRole('button', { name: '查询' }).click();
  await result.locator('.proof-ok').waitFor({ timeout: 30_000 });
  const drawnText = await result.innerText();
  assert.match(drawnText, /默克尔包含证明已在您的浏览器中验证/);
  assert.match(drawnText, /被抽中/);
  // The stratum by its name, not its internal id.
  const stratumName = record.input.plan.strata.find((s) => s.id === stratum.id).name;
  assert.ok(drawnText.includes(`分层：${stratumName}，第 ${chosen.position} 位`), drawnText);
  assert.ok(!drawnText.includes(stratum.id) || stratumName.includes(stratum.id), drawnText);
  assert.ok(drawnText.includes(chosen.team[0]), drawnText);

  const picked = selectedCodes(record);
  const excluded = excludedCodes(record);
  const undrawn = record.input.objects.find((o) => !picked.has(o.id) && !excluded.has(o.id)).id;
  await field.fill(undrawn);
  await page.getByRole('button', { name: '查询' }).click();
  await result.getByText('可抽，但未被抽中').waitFor({ timeout: 30_000 });
  assert.match(await result.innerText(), /默克尔包含证明已在您的浏览器中验证/);

  if (record.result.exclusions.length > 0) {
    await field.fill(record.result.exclusions[0].object);
    await page.getByRole('button', { name: '查询' }).click();
    await result.getByText('未参加抽取，原因').waitFor({ timeout: 30_000 });
  }

  // A wrong check character: a Chinese message, no request.
  const typo = chosen.object.slice(0, 17) + (chosen.object.endsWith('0') ? '1' : '0');
  await field.fill(typo);
  await page.getByRole('button', { name: '查询' }).click();
  await page.locator('.field-error').getByText('校验码').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a tampered proof from the server is caught by the browser', async () => {
  const { context, page, problems } = await openPage(browser);
  const code = record.result.strata.find((s) => s.selected.length > 0).selected[0].object;
  await page.route(`**/api/draws/${drawn.id}/objects/${code}`, async (route) => {
    const response = await route.fetch();
    const lookup = await response.json();
    lookup.proof.path[0] = lookup.proof.path[0].replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await route.fulfill({ response, json: lookup });
  });
  await page.goto(`${server.base}/draws/${drawn.id}`);
  await waitHydrated(page);
  await page.getByLabel('统一社会信用代码').fill(code);
  await page.getByRole('button', { name: '查询' }).click();
  await page.locator('.lookup-result .proof-bad').waitFor({ timeout: 30_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a browser without WebAssembly SIMD is told so in words, and pointed to offline verification', async () => {
  const { context, page, problems } = await openPage(browser);
  // As an old browser answers the feature check.
  await page.addInitScript(() => {
    WebAssembly.validate = () => false;
  });
  let verifierRequested = false;
  page.on('request', (r) => {
    if (r.url().includes('/pkg/verifier')) verifierRequested = true;
  });
  await page.goto(`${server.base}/draws/${drawn.id}`);
  await waitHydrated(page);
  await page.getByRole('button', { name: '在浏览器中验证' }).click();
  const result = page.locator('.verify-result');
  await result.getByText('您的浏览器不支持 WebAssembly SIMD').waitFor({ timeout: 30_000 });
  assert.match(await result.innerText(), /离线验证/);
  assert.equal(verifierRequested, false, 'the verifier is not downloaded in vain');
  // The button can be pressed again (nothing is left half-done).
  await page.locator('button.verify-button:not([disabled])').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the timeline shows each time in Beijing time and UTC', async () => {
  const { context, page } = await openPage(browser, { javaScriptEnabled: false });
  await page.goto(`${server.base}/draws/${drawn.id}`);
  const timeline = await page.locator('ol.timeline').innerText();
  assert.match(timeline, /北京时间 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  assert.match(timeline, /UTC \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
  // Without JavaScript the page says how to verify offline.
  const verify = await page.locator('section.verify').innerText();
  assert.match(verify, /gongkai verify/);
  assert.equal(await page.locator('section.verify a[href="/spec"]').count(), 1);
  await context.close();
});

test('a draw awaiting its randomness has its own page with the committed inputs', async (t) => {
  const awaiting = draws.find((d) => d.status === 'awaiting_randomness');
  if (!awaiting) {
    t.skip('the demo data has no draw awaiting its randomness');
    return;
  }
  const { context, page, problems } = await openPage(browser);
  const response = await page.goto(`${server.base}/draws/${awaiting.id}`);
  assert.equal(response.status(), 200);
  await page.getByText('抽取结果将在这里公布').first().waitFor();
  const text = await page.locator('article').innerText();
  assert.ok(text.includes(awaiting.commitment), 'the commitment is shown');
  assert.equal(await page.getByRole('button', { name: '在浏览器中验证' }).count(), 0);
  // The commitment can be recomputed from the published inputs in the browser.
  await waitHydrated(page);
  await page.getByRole('button', { name: '在浏览器中核对承诺值' }).click();
  await page.locator('.commitment-check').getByText('与公布的承诺值一致').waitFor({ timeout: 60_000 });
  const href = await page.locator('a[download]').getAttribute('href');
  const input = await (await fetch(`${server.base}${href}`)).json();
  assert.equal(input.draw_id, awaiting.id);
  assert.deepEqual(problems, []);
  await context.close();
});
