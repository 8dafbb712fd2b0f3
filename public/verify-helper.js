// The second worker of verify-worker.js: hashes the right half of a large
// pool's Merkle tree (its leaves' data, framed as draw::commitment::halves
// writes it) while verify-worker.js hashes the left half.
// Messages in: {init: WebAssembly.Module or null} once, then {id, data: Uint8Array};
// out: {id, root: Uint8Array(32) or null}.
import init, { merkle_root_of_leaf_data } from '/pkg/verifier.js';

let ready = null;

self.onmessage = async (event) => {
  const { init: module, id, data } = event.data;
  if (!ready) ready = init(module ? { module_or_path: module } : undefined);
  if (data === undefined) return;
  let root = null;
  try {
    await ready;
    root = merkle_root_of_leaf_data(data) ?? null;
  } catch {
    root = null;
  }
  self.postMessage({ id, root }, root ? [root.buffer] : []);
};
