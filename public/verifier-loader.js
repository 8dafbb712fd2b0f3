// Loads the draw verifier (/pkg/verifier.js) for the draw page's islands,
// once per page: `window.gongkaiLoadVerifier(url, workerUrl)` returns a promise
// of an object whose functions all return promises. `verify` and
// `verify_split` run in a Web Worker (workerUrl, the same module) so that the
// page stays responsive. A plain module file rather than JavaScript built at
// run time, so that the Content-Security-Policy needs no 'unsafe-eval'.
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
      if (typeof Worker === 'undefined') return api;
      let worker = null, next = 0;
      const pending = new Map();
      const inWorker = (name) => (...args) => {
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
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject, onStep });
          worker.postMessage({ id, name, args });
        });
      };
      return Object.assign(api, Object.fromEntries(['verify', 'verify_split', 'verify_against', 'verify_split_against'].map(n => [n, inWorker(n)])));
    });
  }
  return window.__gongkaiVerifier;
};
