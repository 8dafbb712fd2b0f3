// The browser's publication-log check on a large log, in Chromium
// (scripts/bench-log.sh): node tests/browser/bench-log.js URL PREVIOUS_CHECKPOINT_FILE
//
// For 20 pseudo-random entries, each in a fresh browser context (cold: no tile
// cached) and then again in the same context (warm): the whole check
// public/log-check.js runs on a record page (`checkEntries`): the checkpoint's
// signature, the entry's inclusion proof and the consistency proof from the
// previous checkpoint, read from the tiles, and the SHA-256 of the entry's
// content. The benchmark's entries have no publication behind them: their
// content comes from `log_bench content` (the generator of the entries), and
// in its place the check downloads a published file of the same kind of size
// (/api/calendar/2026), so that its request is timed too.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { launchBrowser } from './support.js';

const [base, previousFile, logBench] = process.argv.slice(2);
if (!base || !previousFile || !logBench) {
  console.error('usage: node bench-log.js URL PREVIOUS_CHECKPOINT_FILE LOG_BENCH_BINARY');
  process.exit(2);
}
const previous = readFileSync(previousFile, 'utf8');
const vkey = await (await fetch(`${base}/log`)).text().then((html) => {
  const m = /<code class="key">([^<]+)<\/code>/.exec(html);
  if (!m) throw new Error('no verifier key on /log');
  return m[1].replaceAll('&#x2B;', '+').replaceAll('&#43;', '+');
});
const size = Number((await (await fetch(`${base}/log/checkpoint`)).text()).split('\n')[1]);

const browser = await launchBrowser();
const cold = [];
const warm = [];
let state = 0x2545f491n;
const next = () => {
  state = (state * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
  return Number(state >> 11n) / 2 ** 53;
};
for (let run = 0; run < 20; run++) {
  const index = Math.floor(next() * size);
  const content = execFileSync(logBench, ['content', String(index)], { encoding: 'utf8' }).trimEnd();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/log`);
  for (const times of [cold, warm]) {
    const took = await page.evaluate(
      async ({ index, vkey, previous, content }) => {
        const m = await import('/log-check.js');
        // The entry's text, from its bundle (a record page has it in its HTML).
        const n = Math.floor(index / 256);
        const size = Number((await (await fetch('/log/checkpoint')).text()).split('\n')[1]);
        const width = Math.min(256, size - n * 256);
        const bundle = await m.download(m.tilePath('entries', n, width));
        let at = 0;
        let text;
        for (let i = 0; i <= index % 256; i++) {
          const len = (bundle[at] << 8) | bundle[at + 1];
          text = new TextDecoder().decode(bundle.subarray(at + 2, at + 2 + len));
          at += 2 + len;
        }
        const url = /\nurl (\S+)\n/.exec(text)[1];
        const fetchBytes = async (p) => {
          if (p !== url || !url.startsWith('/api/log/rows/enterprise/')) return m.download(p);
          await m.download('/api/calendar/2026');
          return new TextEncoder().encode(content);
        };
        const started = performance.now();
        // Throws (failing the benchmark) unless every step of the check holds.
        await m.checkEntries({ entries: [{ index, text }], vkey, previous: { text: previous }, fetchBytes });
        return performance.now() - started;
      },
      { index, vkey, previous, content },
    );
    times.push(took);
  }
  await context.close();
}
await browser.close();
const pct = (t, p) => [...t].sort((a, b) => a - b)[Math.min(t.length - 1, Math.ceil(t.length * p) - 1)];
console.log(`browser check of a log of ${size} entries (Chromium, loopback; signature + inclusion + consistency + content, 20 entries):`);
for (const [name, t] of [['cold (no tile cached)', cold], ['warm', warm]]) {
  console.log(`  ${name.padEnd(22)} p50 ${pct(t, 0.5).toFixed(1)} ms, max ${Math.max(...t).toFixed(1)} ms`);
}
