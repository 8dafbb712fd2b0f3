// Runs the draw verifier (pkg/verifier.js, crate `verifier/`) off the page's
// main thread, so that a page verifying a large draw stays responsive.
// Messages in: {id, name, args, fetch}; out: {id, step} after each step, then
// {id, result} or {id, error}. `fetch`, if given, is a list of
// {url, as: 'text' | 'bytes'}: this worker downloads them (at once, together)
// and passes them before `args`, so that the record downloads while the
// verifier compiles, and large records never go through the page.
//
// For a large pool, a second worker (verify-helper.js) hashes the right half
// of the pool's Merkle tree while this one hashes the left half (natively,
// two threads do); the verification is the same. Without it (no Worker here,
// or the helper fails) this worker hashes everything itself.
import init, * as verifier from '/pkg/verifier.js';

const WASM_URL = new URL('/pkg/verifier_bg.wasm', self.location.href);

// Compiled once and shared with the helper (one compilation, one tier-up).
async function compile() {
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`${response.status} fetching ${WASM_URL}`);
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

const ready = compile().then(
  (module) => init({ module_or_path: module }).then(() => module),
  () => init().then(() => null),
);

// Whether to use the helper: where the machine has two cores or more (on two,
// a first verification takes as long with it as without, and a warm one is
// about a sixth faster: tests/browser/bench-verify.js). `?helper=1` or
// `?helper=0` on this worker's URL decides instead (benchmarks).
const HELPER_PARAM = new URL(self.location.href).searchParams.get('helper');
const USE_HELPER = HELPER_PARAM === null ? (self.navigator?.hardwareConcurrency || 1) >= 2 : HELPER_PARAM === '1';

// The helper worker: started with the first verification, kept for the next;
// `null` once it has failed or is not used.
let helper = USE_HELPER ? undefined : null;

function startHelper(module) {
  if (typeof Worker === 'undefined') return null;
  let worker;
  try {
    worker = new Worker(new URL('/verify-helper.js', self.location.href), { type: 'module' });
  } catch {
    return null;
  }
  const h = { worker, pending: new Map(), next: 0 };
  worker.onmessage = (event) => {
    const { id, root } = event.data || {};
    const resolve = h.pending.get(id);
    if (!resolve) return;
    h.pending.delete(id);
    resolve(root instanceof Uint8Array && root.length === 32 ? root : null);
  };
  const fail = (event) => {
    // Handled here: the helper's failure must not become this worker's.
    if (event && typeof event.preventDefault === 'function') event.preventDefault();
    for (const resolve of h.pending.values()) resolve(null);
    h.pending.clear();
    helper = null;
    worker.terminate();
  };
  worker.onerror = fail;
  worker.onmessageerror = fail;
  worker.postMessage({ init: module });
  return h;
}

// verifier's `hash_right`: resolves to MTH of the framed leaf data (32 bytes), or null.
function hashRight(data) {
  const h = helper;
  if (!h) return Promise.resolve(null);
  const id = h.next++;
  return new Promise((resolve) => {
    h.pending.set(id, resolve);
    try {
      h.worker.postMessage({ id, data }, [data.buffer]);
    } catch {
      h.pending.delete(id);
      resolve(null);
    }
  });
}

// Downloads a URL the page asked for, with the page's wording for failures.
async function download({ url, as }) {
  let response;
  try {
    response = await fetch(new URL(url, self.location.href));
  } catch (error) {
    throw new Error(`无法下载抽取记录 / cannot download the record: ${error && error.message ? error.message : error}`);
  }
  if (!response.ok) {
    throw new Error(`无法下载抽取记录（HTTP ${response.status}） / cannot download the record (HTTP ${response.status})`);
  }
  return as === 'bytes' ? new Uint8Array(await response.arrayBuffer()) : response.text();
}

self.onmessage = async (event) => {
  const { id, name, args: given, fetch: urls } = event.data;
  try {
    // Started before waiting for the module: the downloads overlap its compilation.
    const downloads = Promise.all((urls || []).map(download));
    downloads.catch(() => {});
    const module = await ready;
    const args = [...(await downloads), ...(given || [])];
    const onStep = (step) => self.postMessage({ id, step });
    let result;
    if (name.startsWith('verify')) {
      if (helper === undefined) helper = startHelper(module);
      result = await verifier[name](...args, onStep, helper ? hashRight : undefined);
    } else {
      result = await verifier[name](...args, onStep);
    }
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
