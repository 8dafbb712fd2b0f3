// Loads the draw verifier (/pkg/verifier.js) for the draw page's islands,
// once per page: `window.gongkaiLoadVerifier(url, workerUrl)` returns a promise
// of an object whose functions all return promises. `verify` and
// `verify_split` run in a Web Worker (workerUrl, the same module) so that the
// page stays responsive. `verify_from(recordUrl, …)` and
// `verify_split_from(headUrl, poolUrl, …)` let the worker download the record
// itself, while it compiles the verifier, instead of passing it through the
// page. A plain module file rather than JavaScript built at run time, so that
// the Content-Security-Policy needs no 'unsafe-eval'.
window.gongkaiLoadVerifier = function (url, workerUrl) {
  const simd = new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,96,0,1,123,3,2,1,0,10,10,1,8,0,65,0,253,15,253,98,11]);
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(simd)) {
    return Promise.reject(new Error('您的浏览器不支持 WebAssembly SIMD，无法在浏览器中验证；请使用 Chrome 或 Edge 91、Firefox 89、Safari 16.4 及以上版本，或按下面的方法离线验证。 / Your browser does not support WebAssembly SIMD, which the verifier needs: use Chrome or Edge 91, Firefox 89, Safari 16.4 or later, or verify offline as described below.'));
  }
  if (!window.__gongkaiVerifier) {
    window.__gongkaiVerifier = import(url).then(m => {
      let ready = null;
      const onPage = (name) => (...args) => (ready ??= m.default()).then(() => m[name](...args));
      const api = Object.fromEntries(['verify', 'verify_split', 'verify_against', 'verify_split_against', 'commitment_of_input', 'check_lookup_proof'].map(n => [n, onPage(n)]));
      // Downloads as the worker does (verify-worker.js `download`), for pages without workers.
      const download = async ({ url, as }) => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`无法下载抽取记录（HTTP ${response.status}） / cannot download the record (HTTP ${response.status})`);
        return as === 'bytes' ? new Uint8Array(await response.arrayBuffer()) : response.text();
      };
      const fromUrls = (name, count, as) => (...args) =>
        Promise.all(args.slice(0, count).map((url, i) => download({ url, as: as[i] }))).then((got) => api[name](...got, ...args.slice(count)));
      api.verify_from = fromUrls('verify_against', 1, ['text']);
      api.verify_split_from = fromUrls('verify_split_against', 2, ['text', 'bytes']);
      if (typeof Worker === 'undefined') return api;
      let worker = null, next = 0;
      const pending = new Map();
      const inWorker = (name, count = 0, as = []) => (...args) => {
        const onStep = args.pop();
        if (!worker) {
          worker = new Worker(workerUrl, { type: 'module' });
          worker.onmessage = (e) => {
            const p = pending.get(e.data.id);
            if (!p) return;
            if ('step' in e.data) { p.onStep(e.data.step); return; }
            pending.delete(e.data.id);
            if ('error' in e.data) p.reject(e.data.error); else p.resolve(e.data.result);
          };
          worker.onerror = (e) => {
            for (const p of pending.values()) p.reject(e.message || 'worker failed');
            pending.clear();
            worker = null;
          };
        }
        const id = next++;
        const fetchList = args.slice(0, count).map((url, i) => ({ url: new URL(url, location.href).href, as: as[i] }));
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject, onStep });
          worker.postMessage({ id, name, args: args.slice(count), fetch: fetchList });
        });
      };
      Object.assign(api, Object.fromEntries(['verify', 'verify_split', 'verify_against', 'verify_split_against'].map(n => [n, inWorker(n)])));
      api.verify_from = inWorker('verify_against', 1, ['text']);
      api.verify_split_from = inWorker('verify_split_against', 2, ['text', 'bytes']);
      return api;
    });
  }
  return window.__gongkaiVerifier;
};
