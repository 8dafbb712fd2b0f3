// The browser's publication-log check on a large log, in Chromium
// (scripts/bench-log.sh): node tests/browser/bench-log.js URL PREVIOUS_CHECKPOINT_FILE
//
// For 20 pseudo-random entries, each in a fresh browser context (cold: no tile
// cached) and then again in the same context (warm): the checkpoint's
// signature, the entry's inclusion proof from the tiles and the consistency
// proof from the previous checkpoint, exactly as public/log-check.js does on
// a record page (`checkEntries`), less the download of the entry's content
// (the benchmark's entries have no publication behind them).
import { readFileSync } from 'node:fs';

import { launchBrowser } from './support.js';

const [base, previousFile] = process.argv.slice(2);
if (!base || !previousFile) {
  console.error('usage: node bench-log.js URL PREVIOUS_CHECKPOINT_FILE');
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
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/log`);
  for (const times of [cold, warm]) {
    const took = await page.evaluate(
      async ({ index, vkey, previous }) => {
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
        const started = performance.now();
        const { checkpoint } = await m.checkEntries({ entries: [], vkey, previous: { text: previous } });
        const proof = await m.inclusionProof(index, checkpoint.size, (p) => m.download(p));
        const ok = m.verifyInclusion(index, checkpoint.size, m.leafHash(new TextEncoder().encode(text)), proof, checkpoint.root);
        if (!ok) throw new Error(`entry ${index}: the inclusion proof does not verify`);
        return performance.now() - started;
      },
      { index, vkey, previous },
    );
    times.push(took);
  }
  await context.close();
}
await browser.close();
const pct = (t, p) => [...t].sort((a, b) => a - b)[Math.min(t.length - 1, Math.ceil(t.length * p) - 1)];
console.log(`browser check of a log of ${size} entries (Chromium, loopback; signature + inclusion + consistency, 20 entries):`);
for (const [name, t] of [['cold (no tile cached)', cold], ['warm', warm]]) {
  console.log(`  ${name.padEnd(22)} p50 ${pct(t, 0.5).toFixed(1)} ms, max ${Math.max(...t).toFixed(1)} ms`);
}
