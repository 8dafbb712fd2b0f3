// The browser's publication-log check (public/log-check.js) against an RFC
// 6962 tree and C2SP tiles written here independently with Node's crypto:
// its SHA-256, tile paths (the C2SP examples), inclusion and consistency
// proofs for every pair of small sizes and a few large ones, and refusals of
// altered proofs. The same module on a real portal, tampered with, is in
// portal-log.test.js.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import {
  TileReader,
  checkEntries,
  consistencyProof,
  inclusionProof,
  sha256,
  tilePath,
  verifyConsistency,
  verifyInclusion,
} from '../../public/log-check.js';

const H = (...parts) => createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();
const leaf = (i) => H([0], Buffer.from(`entry ${i}\n`));
const mth = (leaves) => {
  if (leaves.length === 1) return leaves[0];
  const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
  return H([1], mth(leaves.slice(0, k)), mth(leaves.slice(k)));
};

/** The tiles of a tree of `size` leaves, as a C2SP tlog-tiles server lays them out (path → bytes). */
function tilesOf(leaves) {
  const files = new Map();
  let level = leaves;
  for (let L = 0; level.length > 0; L++) {
    for (let n = 0; n * 256 < level.length; n++) {
      const row = level.slice(n * 256, n * 256 + 256);
      files.set(tilePath(L, n, row.length), Buffer.concat(row));
    }
    const up = [];
    for (let i = 0; (i + 1) * 256 <= level.length; i++) up.push(mth(level.slice(i * 256, (i + 1) * 256)));
    level = up;
  }
  return async (path) => {
    const bytes = files.get(path);
    if (!bytes) throw new Error(`no tile ${path}`);
    return new Uint8Array(bytes);
  };
}

test('sha256 agrees with Node crypto on every length around the block boundaries and on a large input', () => {
  for (const n of [...Array(200).keys(), 1000, 4096, 100_000]) {
    const data = Buffer.alloc(n, 0).map((_, i) => (i * 7 + n) & 255);
    assert.equal(Buffer.from(sha256(new Uint8Array(data))).toString('hex'), createHash('sha256').update(data).digest('hex'), `length ${n}`);
  }
});

test('tile paths are the C2SP tlog-tiles examples', () => {
  assert.equal(tilePath(0, 1234067, 256), '/log/tile/0/x001/x234/067');
  assert.equal(tilePath(0, 1234067, 8), '/log/tile/0/x001/x234/067.p/8');
  assert.equal(tilePath(1, 0, 256), '/log/tile/1/000');
  assert.equal(tilePath('entries', 1000, 3), '/log/tile/entries/x001/000.p/3');
});

test('inclusion proofs from the tiles verify for every leaf of trees up to 40 entries and of large trees, and altered ones do not', async () => {
  const all = Array.from({ length: 70_000 }, (_, i) => leaf(i));
  const sizes = [...Array.from({ length: 40 }, (_, i) => i + 1), 255, 256, 257, 511, 65_536, 65_537, 70_000];
  for (const size of sizes) {
    const leaves = all.slice(0, size);
    const root = mth(leaves);
    const fetchBytes = tilesOf(leaves);
    const indexes = size <= 40 ? [...Array(size).keys()] : [0, 1, 255, 256, size - 257, size - 2, size - 1].filter((i) => i >= 0 && i < size);
    for (const index of indexes) {
      const proof = await inclusionProof(index, size, fetchBytes);
      assert.ok(verifyInclusion(index, size, new Uint8Array(leaves[index]), proof, new Uint8Array(root)), `leaf ${index} of ${size}`);
      if (size > 1) {
        assert.ok(!verifyInclusion(index, size, new Uint8Array(leaf(size + 1)), proof, new Uint8Array(root)), `another entry at ${index} of ${size}`);
        const bent = proof.map((p) => p.slice());
        bent[bent.length - 1][0] ^= 1;
        assert.ok(!verifyInclusion(index, size, new Uint8Array(leaves[index]), bent, new Uint8Array(root)), `altered proof ${index} of ${size}`);
      }
    }
  }
});

test('consistency proofs from the tiles verify for every pair of sizes up to 40 and large ones, and a changed entry breaks them', async () => {
  const all = Array.from({ length: 70_000 }, (_, i) => leaf(i));
  const pairs = [];
  for (let n = 1; n <= 40; n++) for (let m = 1; m <= n; m++) pairs.push([m, n]);
  pairs.push([255, 257], [256, 70_000], [1_000, 65_537], [65_536, 70_000], [69_999, 70_000]);
  for (const [m, n] of pairs) {
    const fetchBytes = tilesOf(all.slice(0, n));
    const proof = await consistencyProof(m, n, fetchBytes);
    const oldRoot = new Uint8Array(mth(all.slice(0, m)));
    const newRoot = new Uint8Array(mth(all.slice(0, n)));
    assert.ok(verifyConsistency(m, n, oldRoot, newRoot, proof), `${m} → ${n}`);
    // A fork: the old tree's last entry replaced.
    const forked = all.slice(0, m);
    forked[m - 1] = leaf(1_000_000);
    assert.ok(!verifyConsistency(m, n, new Uint8Array(mth(forked)), newRoot, proof), `fork ${m} → ${n}`);
  }
  assert.ok(!verifyConsistency(5, 4, new Uint8Array(32), new Uint8Array(32), []), 'a shorter log is no extension');
});

test('checkEntries refuses a checkpoint signed with another key', async () => {
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const keyOf = (name) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const id = H(Buffer.from(`${name}\n`), [1], raw).subarray(0, 4);
    const vkey = `${name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`;
    const signNote = (body) =>
      `${body}\n— ${name} ${Buffer.concat([id, sign(null, Buffer.from(body), privateKey)]).toString('base64')}\n`;
    return { vkey, signNote };
  };
  const leaves = Array.from({ length: 3 }, (_, i) => leaf(i));
  const body = `example.org/log\n3\n${mth(leaves).toString('base64')}\n`;
  const tiles = tilesOf(leaves);
  const good = keyOf('example.org/log');
  const other = keyOf('example.org/log');
  const served = (note) => async (path) => (path === '/log/checkpoint' ? new TextEncoder().encode(note) : tiles(path));
  const entries = [];
  const ok = await checkEntries({ entries, vkey: good.vkey, previous: null, fetchBytes: served(good.signNote(body)) });
  assert.equal(ok.checkpoint.size, 3);
  await assert.rejects(
    checkEntries({ entries, vkey: good.vkey, previous: null, fetchBytes: served(other.signNote(body)) }),
    (e) => e.reason === 'signature',
  );
  // The right key, a changed size under the same signature.
  const forged = good.signNote(body).replace('\n3\n', '\n4\n');
  await assert.rejects(checkEntries({ entries, vkey: good.vkey, previous: null, fetchBytes: served(forged) }), (e) => e.reason === 'signature');
});

test('a verifier key whose base64 holds a "+" is read whole, and its key id is checked', async () => {
  const { parseVerifierKey } = await import('../../public/log-check.js');
  // Written by the server's signed_note crate for a demo database.
  const vkey = 'gongkai.localhost/log+a1b6558a+AYk2zfVTjgmBSZrJTK6Obp6EAm1hKyf624o+vOAHkrsA';
  const key = parseVerifierKey(vkey);
  assert.equal(key.name, 'gongkai.localhost/log');
  assert.equal(Buffer.from(key.keyId).toString('hex'), 'a1b6558a');
  assert.equal(key.publicKey.length, 32);
  assert.throws(() => parseVerifierKey(vkey.replace('+a1b6558a+', '+a1b6558b+')), (e) => e.reason === 'key');
  assert.throws(() => parseVerifierKey('gongkai.localhost/log'), (e) => e.reason === 'key');
});
