// Hostile names in every kind of published record (issue: stored XSS through
// `<title>`). Every record is imported with the real CLI from files whose text
// fields carry markup; then every page that shows them is opened in Chromium,
// in Chinese and in English, the islands are used, and the open data fetched.
// The test fails if any script runs, if any injected element exists in a
// page (whatever the Content-Security-Policy would have blocked), or if the
// policy had to block anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GONGKAI, ROOT, SERVER, startServer, launchBrowser, openPage, waitHydrated } from './support.js';

/** Markup that runs a script if it is ever written into a page unescaped. */
const hostile = (tag) =>
  `</title><script>window.__pwned='${tag}'</script><img src=x onerror="window.__pwned='${tag}'">'"&<b>${tag}</b>`;

const DISTRICT = '990102';
const PLAN = '990102-2025-P1';
const DEMO = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

let server;
let browser;
let workDir;
let record;
let resultCode;

/** A CSV cell, quoted (the payloads hold quotes and commas). */
const cell = (v) => `"${String(v).replaceAll('"', '""')}"`;
const csv = (header, rows) => [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';

/** Runs a binary (the server, or gongkai) on the test's database; the command must succeed. */
function runIn(binary, args) {
  const run = spawnSync(binary, args, {
    cwd: workDir,
    env: { ...process.env, GONGKAI_DATABASE: path.join(workDir, 'gongkai.db'), NO_COLOR: '1' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `${path.basename(binary)} ${args.join(' ')}:\n${run.stdout}\n${run.stderr}`);
  return run;
}
/** `server import …`. */
const cli = (...args) => runIn(SERVER, args);
/** `gongkai commit|draw …`, the draw command line. */
const gongkai = (...args) => runIn(GONGKAI, args);

function importFile(kind, name, text) {
  writeFileSync(path.join(workDir, name), text);
  cli('import', kind, name);
}

before(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'gongkai-hostile-'));
  importFile(
    'departments',
    'departments.csv',
    csv(
      ['code', 'name', 'level', 'parent_code'],
      [
        ['990000', hostile('province'), 'province', ''],
        ['990100', hostile('city'), 'city', '990000'],
        [DISTRICT, hostile('district'), 'district', '990100'],
      ],
    ),
  );
  importFile(
    'items',
    'items.csv',
    csv(
      ['department_code', 'item_code', 'seq', 'name', 'content', 'legal_basis', 'qualification', 'method', 'effective_from'],
      [[DISTRICT, 'I1', '1', hostile('item'), hostile('content'), hostile('basis'), hostile('qual'), hostile('method'), '2025-01-01']],
    ),
  );

  // A draw whose every text is hostile: committed, drawn and published with the CLI.
  const vector = JSON.parse(readFileSync(path.join(ROOT, 'draw', 'vectors', '01-ratio-basic.json'), 'utf8'));
  const input = vector.input;
  const unit = hostile('unit');
  Object.assign(input, {
    draw_id: '990102-2025-01',
    title: hostile('draw-title'),
    department: hostile('district'),
    ancestors: [hostile('province'), hostile('city')],
    unit,
  });
  input.randomness_source.label = hostile('label');
  input.plan.strata[0].name = hostile('stratum');
  input.plan.team.units = [unit];
  for (const p of input.inspectors) p.unit = unit;
  writeFileSync(path.join(workDir, 'input.json'), JSON.stringify(input));
  gongkai('commit', '--input', 'input.json', '--out', 'committed.json');
  gongkai('draw', '--input', 'committed.json', '--demo', DEMO, '--out', 'record.json');
  cli('import', 'draw', 'record.json');
  record = JSON.parse(readFileSync(path.join(workDir, 'record.json'), 'utf8'));

  importFile(
    'inspectors',
    'inspectors.csv',
    csv(
      ['department_code', 'certificate', 'name', 'unit', 'post', 'qualifications', 'valid_from', 'valid_until'],
      input.inspectors.map((p, i) => [DISTRICT, p.cert, hostile(`inspector-${i}`), unit, hostile('post'), p.qualifications.join(';'), p.valid_from, p.valid_until]),
    ),
  );
  importFile(
    'enterprises',
    'enterprises.csv',
    csv(
      ['credit_code', 'name', 'department_code', 'region', 'industry', 'credit_class'],
      input.objects.map((o, i) => [o.id, hostile(`enterprise-${i}`), DISTRICT, hostile('region'), hostile('industry'), 'A']),
    ),
  );
  importFile(
    'plans',
    'plans.csv',
    csv(
      ['plan_code', 'department_code', 'year', 'title', 'scope', 'inspector_requirements', 'window_start', 'window_end', 'item_code', 'stratum', 'ratio', 'frequency'],
      [[PLAN, DISTRICT, '2025', hostile('plan'), hostile('scope'), hostile('requirements'), '2025-06-01', '2025-10-01', 'I1', hostile('plan-stratum'), '10%', hostile('frequency')]],
    ),
  );
  const chosen = record.result.strata[0].selected[0];
  importFile(
    'results',
    'results.csv',
    csv(
      ['draw_id', 'credit_code', 'enterprise_name', 'department_code', 'item_codes', 'inspectors', 'inspected_on', 'reported_on', 'category', 'findings', 'rectification_deadline', 'rectification', 'penalty_case'],
      [[input.draw_id, chosen.object, hostile('result-enterprise'), DISTRICT, 'I1', chosen.team.join(';'), '2025-06-10', '2025-06-12', '发现问题已责令改正', hostile('findings'), '2025-07-10', '整改中', hostile('case')]],
    ),
  );
  resultCode = `${input.draw_id}-${chosen.object}`;

  server = await startServer({ dataDir: workDir, env: { GONGKAI_DEMO: '0' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A page that records blocked-by-policy events and a script that ran. */
async function hostilePage(lang) {
  const opened = await openPage(browser, lang === 'en' ? { locale: 'en-US' } : {});
  await opened.context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return opened;
}

/** What an injected payload would leave behind in the page. */
async function injected(page) {
  return page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    violations: window.__violations ?? [],
    images: document.querySelectorAll('img[src="x"], [onerror]').length,
    bold: [...document.querySelectorAll('b')].filter((b) => /^(province|city|district|item|content|basis|qual|method|draw-title|label|stratum|unit|inspector|post|enterprise|region|industry|plan|scope|requirements|frequency|result|findings|case)/.test(b.textContent)).length,
    inlineScripts: [...document.querySelectorAll('script:not([src])')].filter((s) => !s.nonce).length,
    title: document.title,
  }));
}

test('hostile names in every kind of record run no script and stay text on every page, in both languages', async () => {
  const cert = record.input.inspectors[0].cert;
  const code = record.result.strata[0].selected[0].object;
  const pages = [
    ['/', null],
    ['/departments', null],
    [`/departments/${DISTRICT}`, 'district'],
    ['/items', null],
    [`/items/${DISTRICT}/I1`, 'item'],
    ['/inspectors', null],
    [`/inspectors/${cert}`, 'inspector-'],
    ['/enterprises', null],
    [`/enterprises/${code}`, 'enterprise-'],
    ['/plans', null],
    [`/plans/${PLAN}`, 'plan'],
    ['/draws', null],
    [`/draws/${record.input.draw_id}`, 'draw-title'],
    ['/results', null],
    [`/results/${resultCode}`, 'result-enterprise'],
    [`/enterprises?q=${encodeURIComponent('</title><script>')}`, null],
  ];
  for (const lang of ['zh', 'en']) {
    const { context, page, problems } = await hostilePage(lang);
    for (const [address, titled] of pages) {
      const sep = address.includes('?') ? '&' : '?';
      const response = await page.goto(`${server.base}${address}${sep}lang=${lang}`);
      assert.equal(response.status(), 200, `${address} (${lang})`);
      const found = await injected(page);
      assert.equal(found.pwned, null, `${address} (${lang}): a script ran`);
      assert.equal(found.images, 0, `${address} (${lang}): an injected element is in the page`);
      assert.equal(found.bold, 0, `${address} (${lang}): injected markup is in the page`);
      assert.equal(found.inlineScripts, 0, `${address} (${lang}): an inline script without the nonce`);
      assert.deepEqual(found.violations, [], `${address} (${lang}): the policy blocked something`);
      if (titled) {
        // The name is in the title as the text it is.
        assert.ok(found.title.includes(`</title><script>window.__pwned='${titled}`), `${address} (${lang}) title: ${found.title}`);
      }
    }
    assert.deepEqual(problems, [], `JavaScript errors (${lang})`);
    await context.close();
  }
});

test('the islands show hostile names as text: verify and "was I in this draw?"', async () => {
  const { context, page, problems } = await hostilePage('zh');
  await page.goto(`${server.base}/draws/${record.input.draw_id}`);
  await waitHydrated(page);
  const code = record.result.strata[0].selected[0].object;
  await page.getByLabel('统一社会信用代码').fill(code);
  await page.getByRole('button', { name: '查询' }).click();
  await page.locator('.lookup-result .proof-ok').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '在浏览器中验证' }).click();
  await page.locator('.verify-result').getByText(/与公布结果(不)?一致/).first().waitFor({ timeout: 60_000 });
  const found = await injected(page);
  assert.equal(found.pwned, null, 'a script ran');
  assert.equal(found.images + found.bold + found.inlineScripts, 0, JSON.stringify(found));
  assert.deepEqual(found.violations, []);
  assert.match(await page.locator('.verify-result').innerText(), /与公布结果一致/, 'the hostile draw still verifies');
  assert.deepEqual(problems, []);
  await context.close();
});

test('open data carries hostile names as data: JSON and CSV are never HTML, CSV formulas neutralised', async () => {
  for (const address of ['/api/enterprises', '/api/results', '/api/inspectors', '/api/items', '/api/plans', '/api/draws', `/api/draws/${record.input.draw_id}/record.json`]) {
    const response = await fetch(`${server.base}${address}`);
    assert.equal(response.status, 200, address);
    assert.match(response.headers.get('content-type'), /^application\/json/, address);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', address);
    assert.ok((await response.text()).includes('</title><script>'), `${address} keeps the name as it was published`);
  }
  const response = await fetch(`${server.base}/api/enterprises.csv`);
  assert.match(response.headers.get('content-type'), /^text\/csv/);
  assert.match(response.headers.get('content-disposition'), /^attachment/);
  // Opened in the browser, JSON is shown as text and runs nothing.
  const { context, page, problems } = await hostilePage('zh');
  await page.goto(`${server.base}/api/enterprises`);
  const found = await injected(page);
  assert.equal(found.pwned, null);
  assert.equal(found.images, 0);
  // The browser asks for /favicon.ico when it shows a document that names none: a 404 is right.
  assert.deepEqual(problems.filter((m) => !m.includes('status of 404')), []);
  await context.close();
});
