// Runs the draw verifier (pkg/verifier.js, crate `verifier/`) off the page's
// main thread, so that a page verifying a large draw stays responsive.
// Messages in: {id, name, args}; out: {id, step} after each step, then
// {id, result} or {id, error}.
import init, * as verifier from '/pkg/verifier.js';

const ready = init();

self.onmessage = async (event) => {
  const { id, name, args } = event.data;
  try {
    await ready;
    const onStep = (step) => self.postMessage({ id, step });
    const result = await verifier[name](...args, onStep);
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
