// Measures verifying a synthetic draw of 1,000,000 objects (or N) in Chromium
// (the verifier module, WebAssembly) against native code, and the compact
// pool's bytes per object. Needs the site built (build_site in scripts/lib.sh).
//
// Chromium: the module on the page in one thread (`split`: pool.bin, `json`:
// record.json, `stepwise`: yielding between steps), and the page's real path,
// /verify-worker.js with its helper worker hashing half of the Merkle tree
// (`worker_split`, `worker_json`: wall time from posting the message to the
// result, best of 3 with the worker warm; `worker_first`: a fresh worker, as a
// page's first verification). Native: two threads (as `gongkai verify`) and
// one thread.
//
//   node tests/browser/bench-verify.js [N]
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, SITE, launchBrowser } from './support.js';

const n = Number(process.argv[2] || 1_000_000);
const pkg = path.join(SITE, 'pkg');
if (!existsSync(path.join(pkg, 'verifier_bg.wasm'))) {
  console.error('the verifier module is missing: run `source scripts/lib.sh && build_site`');
  process.exit(2);
}
const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-bench-'));
try {
  console.error(`writing a synthetic draw of ${n} objects and timing it natively…`);
  const native = JSON.parse(
    execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'verifier', '--example', 'synthetic', '--', dir, String(n)], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );

  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.bin': 'application/octet-stream', '.html': 'text/html' };
  const http = createServer((req, res) => {
    const name = decodeURIComponent(req.url.split('?')[0]);
    const file = name.startsWith('/pkg/')
      ? path.join(pkg, name.slice(5))
      : name === '/'
        ? null
        : /^\/(verify-[a-z]+|verifier-loader)\.js$/.test(name)
          ? path.join(ROOT, 'public', name.slice(1))
          : path.join(dir, name.slice(1));
    if (file === null) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>');
      return;
    }
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${http.address().port}`;
  const browser = await launchBrowser();
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/`);
  const wasm = await page.evaluate(async () => {
    const m = await import('/pkg/verifier.js');
    await m.default();
    const [json, head, pool] = await Promise.all([
      fetch('/record.json').then((r) => r.text()),
      fetch('/record-without-pool.json').then((r) => r.text()),
      fetch('/pool.bin').then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b)),
    ]);
    const best = (f) => {
      let ms = Infinity;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const v = JSON.parse(f());
        ms = Math.min(ms, performance.now() - t);
        if (v.differences.length || !v.steps.every((s) => s.ok)) throw new Error('the record does not verify');
      }
      return Math.round(ms);
    };
    const split_ms = best(() => m.verify_split_now(head, pool));
    const json_ms = best(() => m.verify_now(json));
    // The page's way: step by step, yielding to the event loop between steps.
    const marks = [];
    const t0 = performance.now();
    await m.verify_split(head, pool, (step) => marks.push([JSON.parse(step).kind, performance.now()]));
    const total = performance.now() - t0;
    let last = t0;
    const steps = {};
    for (const [kind, t] of marks) {
      steps[kind] = Math.round(t - last);
      last = t;
    }
    const expected = await m.verify_split(head, pool, () => {});

    // The page's real path: the worker (and its helper), as app/src/components/verify.rs uses it.
    const newWorker = (helper = 1) => {
      const worker = new Worker(`/verify-worker.js?helper=${helper}`, { type: 'module' });
      let next = 0;
      const run = (name, args) =>
        new Promise((resolve, reject) => {
          const id = next++;
          const t = performance.now();
          worker.onmessage = (e) => {
            if (e.data.id !== id || 'step' in e.data) return;
            if ('error' in e.data) reject(new Error(e.data.error));
            else resolve({ ms: performance.now() - t, result: e.data.result });
          };
          worker.onerror = (e) => reject(new Error(e.message || 'worker failed'));
          worker.postMessage({ id, name, args });
        });
      return { worker, run };
    };
    const check = (r) => {
      if (r.result !== expected) throw new Error('the worker verification differs from the page one');
      return r.ms;
    };
    const first = newWorker();
    const worker_first_ms = check(await first.run('verify_split', [head, pool]));
    first.worker.terminate();
    const w = newWorker();
    let worker_split_ms = Infinity;
    let worker_json_ms = Infinity;
    for (let i = 0; i < 3; i++) worker_split_ms = Math.min(worker_split_ms, check(await w.run('verify_split', [head, pool])));
    for (let i = 0; i < 3; i++) worker_json_ms = Math.min(worker_json_ms, check(await w.run('verify', [json])));
    w.worker.terminate();
    const solo = newWorker(0);
    let worker_split_solo_ms = Infinity;
    for (let i = 0; i < 3; i++) worker_split_solo_ms = Math.min(worker_split_solo_ms, check(await solo.run('verify_split', [head, pool])));
    solo.worker.terminate();
    return {
      split_ms,
      json_ms,
      stepwise_ms: Math.round(total),
      steps,
      worker_first_ms: Math.round(worker_first_ms),
      worker_split_ms: Math.round(worker_split_ms),
      worker_json_ms: Math.round(worker_json_ms),
      worker_split_solo_ms: Math.round(worker_split_solo_ms),
    };
  });
  await browser.close();

  // A visitor's first verification: a fresh browser (nothing compiled yet),
  // pool.bin through the worker, with and without the helper, alternately.
  const cold = { one_worker_ms: [], two_workers_ms: [], steps_ms: [], page_ms: [] };
  const commitment = JSON.parse(readFileSync(path.join(dir, 'record-without-pool.json'), 'utf8')).commitment;
  for (let round = 0; round < 3; round++) {
    for (const helper of [0, 1]) {
      const fresh = await launchBrowser();
      const p = await (await fresh.newContext()).newPage();
      await p.goto(`${base}/`);
      const ms = await p.evaluate(async (helper) => {
        const [head, pool] = await Promise.all([
          fetch('/record-without-pool.json').then((r) => r.text()),
          fetch('/pool.bin').then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b)),
        ]);
        const worker = new Worker(`/verify-worker.js?helper=${helper}`, { type: 'module' });
        const t = performance.now();
        const steps = {};
        let last = t;
        const result = await new Promise((resolve, reject) => {
          worker.onmessage = (e) => {
            if ('step' in e.data) {
              const now = performance.now();
              steps[JSON.parse(e.data.step).kind] = Math.round(now - last);
              last = now;
              return;
            }
            if ('error' in e.data) reject(new Error(e.data.error));
            else resolve(e.data.result);
          };
          worker.postMessage({ id: 0, name: 'verify_split', args: [head, pool] });
        });
        const v = JSON.parse(result);
        if (v.differences.length || !v.steps.every((s) => s.ok)) throw new Error('the record does not verify');
        return { ms: Math.round(performance.now() - t), steps };
      }, helper);
      cold[helper ? 'two_workers_ms' : 'one_worker_ms'].push(ms.ms);
      cold.steps_ms.push({ helper, ...ms.steps });
      await fresh.close();
    }
    // The page's whole path, from pressing "verify" (the loader already on the
    // page, as public/verifier-loader.js is) to the result: the verifier
    // imported, its worker started (with the helper where the page would use
    // it), the record and pool.bin downloaded by the worker while it compiles.
    const fresh = await launchBrowser();
    const p = await (await fresh.newContext()).newPage();
    await p.goto(`${base}/`);
    await p.addScriptTag({ url: '/verifier-loader.js' });
    const ms = await p.evaluate(async (commitment) => {
      const t = performance.now();
      const api = await window.gongkaiLoadVerifier('/pkg/verifier.js', '/verify-worker.js');
      const result = await api.verify_split_from('/record-without-pool.json', '/pool.bin', commitment, () => {});
      const v = JSON.parse(result);
      if (v.differences.length || !v.steps.every((s) => s.ok)) throw new Error('the record does not verify');
      return Math.round(performance.now() - t);
    }, commitment);
    cold.page_ms.push(ms);
    await fresh.close();
  }
  http.close();
  const result = {
    ...native,
    chromium_split_ms: wasm.split_ms,
    chromium_json_ms: wasm.json_ms,
    chromium_stepwise_ms: wasm.stepwise_ms,
    chromium_step_ms: wasm.steps,
    chromium_worker_first_ms: wasm.worker_first_ms,
    chromium_worker_split_ms: wasm.worker_split_ms,
    chromium_worker_json_ms: wasm.worker_json_ms,
    chromium_worker_split_one_worker_ms: wasm.worker_split_solo_ms,
    chromium_first_verification_ms: cold,
    // One Chromium thread against native two threads (as before) and one thread.
    ratio_split: +(wasm.split_ms / native.native_split_ms).toFixed(2),
    ratio_json: +(wasm.json_ms / native.native_json_ms).toFixed(2),
    ratio_split_1t: +(wasm.split_ms / native.native_split_1t_ms).toFixed(2),
    ratio_json_1t: +(wasm.json_ms / native.native_json_1t_ms).toFixed(2),
    // The worker path (two workers) against native two threads and one thread.
    ratio_worker_split: +(wasm.worker_split_ms / native.native_split_ms).toFixed(2),
    ratio_worker_json: +(wasm.worker_json_ms / native.native_json_ms).toFixed(2),
    ratio_worker_split_1t: +(wasm.worker_split_ms / native.native_split_1t_ms).toFixed(2),
    ratio_worker_json_1t: +(wasm.worker_json_ms / native.native_json_1t_ms).toFixed(2),
    load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
  console.log(JSON.stringify(result, null, 2));
  console.error(
    `${n} objects: Chromium ${wasm.split_ms} ms (pool.bin) / ${wasm.json_ms} ms (JSON); native ${native.native_split_ms} / ${native.native_json_ms} ms; ` +
      `ratio ${result.ratio_split}× / ${result.ratio_json}×; pool.bin ${native.pool_bin_bytes_per_object} bytes per object`,
  );
  console.error(
    `worker path (two workers): ${wasm.worker_split_ms} ms (pool.bin) / ${wasm.worker_json_ms} ms (JSON), first ${wasm.worker_first_ms} ms; ` +
      `one worker: ${wasm.worker_split_solo_ms} ms (pool.bin); ` +
      `native 2 threads ${native.native_split_ms} / ${native.native_json_ms} ms, 1 thread ${native.native_split_1t_ms} / ${native.native_json_1t_ms} ms; ` +
      `ratio ${result.ratio_worker_split}× / ${result.ratio_worker_json}× (2 threads), ${result.ratio_worker_split_1t}× / ${result.ratio_worker_json_1t}× (1 thread); ` +
      `load average ${result.load_average}`,
  );
  console.error(
    `first verification in a fresh browser (pool.bin, worker): one worker ${cold.one_worker_ms.join(', ')} ms; two workers ${cold.two_workers_ms.join(', ')} ms; ` +
      `the page's path from pressing verify (downloads included): ${cold.page_ms.join(', ')} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
