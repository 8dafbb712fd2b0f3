// The publication log check (公示日志核对; docs/LOG.md), run on every record
// page that has a `.log-check` section. In this browser, without the draw
// verifier, it checks that
//   1. the log's checkpoint is signed by the log's key (Ed25519, C2SP signed-note),
//   2. the page's log entry is in the tree the checkpoint signs (RFC 6962
//      inclusion proof, built from the C2SP tlog-tiles the portal serves),
//   3. the content at the entry's address hashes to the entry's SHA-256,
//   4. the log is an extension of the newest checkpoint this browser saw
//      before (kept in localStorage): RFC 6962 consistency proof.
// A failure shows a warning and both checkpoints to download as evidence.
// The module also exports the checks themselves (used by the benchmark).

// ---- SHA-256 (FIPS 180-4), synchronous: the tree's nodes are many and small
// (a proof in a log of millions hashes about a thousand), so the compression
// works on 32-bit integers in place, and a node's two blocks are a buffer
// reused from one node to the next.
const K = new Int32Array(new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]).buffer);
const H0 = new Int32Array(new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]).buffer);
const W = new Int32Array(64);

/** Compresses the 64-byte block of `bytes` at `at` into the state `h`. */
function compress(h, bytes, at) {
  for (let t = 0; t < 16; t++, at += 4) {
    W[t] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
  }
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15], y = W[t - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
  }
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
}

/** The state `h` as the 32-byte digest (big-endian words). */
function digestOf(h) {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    out[i * 4] = h[i] >>> 24; out[i * 4 + 1] = h[i] >>> 16; out[i * 4 + 2] = h[i] >>> 8; out[i * 4 + 3] = h[i];
  }
  return out;
}

export function sha256(data) {
  const bits = data.length * 8;
  const padded = new Uint8Array(((data.length + 9 + 63) >> 6) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
  view.setUint32(padded.length - 4, bits >>> 0);
  const h = H0.slice();
  for (let at = 0; at < padded.length; at += 64) compress(h, padded, at);
  return digestOf(h);
}

// An interior node's input, 0x01 ‖ left ‖ right (65 bytes), padded to two
// blocks: 0x80, zeros, and the length in bits (520 = 0x0208) at the end.
const NODE = new Uint8Array(128);
NODE[0] = 0x01;
NODE[65] = 0x80;
NODE[126] = 0x02;
NODE[127] = 0x08;

const utf8 = new TextEncoder();
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const fromBase64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

/** RFC 6962 §2.1: a leaf's hash and an interior node's. */
export const leafHash = (entry) => sha256(concat([0], entry));
const nodeHash = (left, right) => {
  NODE.set(left, 1);
  NODE.set(right, 33);
  const h = H0.slice();
  compress(h, NODE, 0);
  compress(h, NODE, 64);
  return digestOf(h);
};

/** A check that failed; `reason` is one of the REASONS below. */
export class LogCheckError extends Error {
  constructor(reason, detail = '') {
    super(`${reason}${detail ? `: ${detail}` : ''}`);
    this.reason = reason;
    this.detail = detail;
  }
}

// ---- Signed notes (C2SP signed-note) and checkpoints (C2SP tlog-checkpoint).

/**
 * A verifier key `<name>+<key id hex>+<base64(alg ‖ public key)>`: alg 0x01 for
 * the log's Ed25519 key, 0x04 for a witness's cosignature key.
 */
export function parseVerifierKey(vkey, alg = 0x01) {
  // The base64 key may itself contain '+': split at the first two.
  const [name, id] = vkey.split('+', 2);
  const key = vkey.slice((name?.length ?? 0) + (id?.length ?? 0) + 2);
  const bytes = fromBase64(key ?? '');
  if (!name || !/^[0-9a-f]{8}$/.test(id ?? '') || bytes.length !== 33 || bytes[0] !== alg) {
    throw new LogCheckError('key', vkey);
  }
  const keyId = sha256(concat(utf8.encode(name), [0x0a, alg], bytes.subarray(1))).subarray(0, 4);
  if (hex(keyId) !== id) throw new LogCheckError('key', vkey);
  return { name, keyId, publicKey: bytes.subarray(1) };
}

const ed25519Verify = async (publicKey, signature, message) => {
  let key;
  try {
    key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    throw new LogCheckError('unsupported');
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
};

/**
 * The witnesses among `witnessKeys` whose cosignature (C2SP tlog-cosignature,
 * cosignature/v1) of the checkpoint `text` verifies: [{ name, time }], time
 * in Unix seconds as the witness signed it.
 */
export async function cosignaturesOf(text, witnessKeys) {
  const split = text.lastIndexOf('\n\n');
  const body = text.slice(0, split + 1);
  const lines = text.slice(split + 2, -1).split('\n');
  const out = [];
  for (const vkey of witnessKeys) {
    const key = parseVerifierKey(vkey, 0x04);
    for (const line of lines) {
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m || m[1] !== key.name) continue;
      const sig = fromBase64(m[2]);
      if (sig.length !== 76 || !equal(sig.subarray(0, 4), key.keyId)) continue;
      const time = Number(new DataView(sig.buffer, sig.byteOffset + 4, 8).getBigUint64(0));
      const message = utf8.encode(`cosignature/v1\ntime ${time}\n${body}`);
      if (await ed25519Verify(key.publicKey, sig.subarray(12), message)) {
        out.push({ name: key.name, time });
        break;
      }
    }
  }
  return out;
}

/** Verifies a checkpoint note with `vkey`; resolves to { origin, size, root, text }. */
export async function openCheckpoint(text, vkey) {
  const key = parseVerifierKey(vkey);
  const split = text.lastIndexOf('\n\n');
  if (split < 0 || !text.endsWith('\n')) throw new LogCheckError('signature', 'not a signed note');
  const body = text.slice(0, split + 1);
  let signed = false;
  for (const line of text.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== key.name) continue;
    const sig = fromBase64(m[2]);
    if (sig.length !== 68 || !equal(sig.subarray(0, 4), key.keyId)) continue;
    signed = await ed25519Verify(key.publicKey, sig.subarray(4), utf8.encode(body));
    if (signed) break;
  }
  if (!signed) throw new LogCheckError('signature');
  const [origin, size, root] = body.split('\n');
  if (origin !== key.name) throw new LogCheckError('signature', `origin ${origin}`);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size ?? '')) throw new LogCheckError('signature', `size ${size}`);
  const rootHash = fromBase64(root ?? '');
  if (rootHash.length !== 32) throw new LogCheckError('signature', 'root');
  return { origin, size: Number(size), root: rootHash, text };
}

// ---- Tiles (C2SP tlog-tiles): hashes of complete subtrees read from the portal.

/** The path of tile `n` at `level` (`entries` for a bundle), `width` hashes wide. */
export function tilePath(level, n, width) {
  let digits = String(n);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = digits.match(/.../g);
  const path = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  return `/log/tile/${level}/${path}${width < 256 ? `.p/${width}` : ''}`;
}

/** Reads the hashes of a tree of `size` entries from its tiles, a tile at most once. */
export class TileReader {
  constructor(size, fetchBytes) {
    this.size = size;
    this.fetchBytes = fetchBytes;
    this.tiles = new Map();
    this.nodes = new Map();
  }

  /** Tile level, tile number and width holding level `8L` hash `index`. */
  #tileOf(tileLevel, index) {
    const n = Math.floor(index / 256);
    const count = Math.floor(this.size / 256 ** tileLevel);
    return { tileLevel, n, width: Math.min(256, count - n * 256) };
  }

  /** The tiles node (`level`, `index`) is computed from. */
  #tilesOf(level, index) {
    const tileLevel = Math.floor(level / 8);
    const first = index * 2 ** (level % 8);
    return this.#tileOf(tileLevel, first);
  }

  /** Downloads every tile the nodes need, in parallel. */
  async load(nodes) {
    const wanted = new Map();
    for (const [level, index] of nodes) {
      const t = this.#tilesOf(level, index);
      const path = tilePath(t.tileLevel, t.n, t.width);
      if (!this.tiles.has(`${t.tileLevel}/${t.n}`)) wanted.set(path, t);
    }
    await Promise.all(
      [...wanted].map(async ([path, t]) => {
        const bytes = await this.fetchBytes(path);
        if (bytes.length !== t.width * 32) throw new LogCheckError('tiles', path);
        this.tiles.set(`${t.tileLevel}/${t.n}`, bytes);
      }),
    );
  }

  /**
   * The hash of the complete subtree at `level` (2^level leaves), number
   * `index`: read from its tile at levels 0, 8, 16…, computed from its two
   * halves in between; each computed once (proofs share most of theirs).
   */
  node(level, index) {
    const key = `${level}/${index}`;
    let hash = this.nodes.get(key);
    if (hash) return hash;
    if (level % 8 === 0) {
      const tile = this.tiles.get(`${level / 8}/${Math.floor(index / 256)}`);
      const at = (index % 256) * 32;
      hash = tile.subarray(at, at + 32);
    } else {
      hash = nodeHash(this.node(level - 1, 2 * index), this.node(level - 1, 2 * index + 1));
    }
    this.nodes.set(key, hash);
    return hash;
  }
}

// ---- RFC 6962 proofs. The nodes a proof needs depend only on the sizes, so
// each proof is first listed as nodes, then read once the tiles are in.

const largestPowerOfTwoBelow = (n) => 2 ** Math.floor(Math.log2(n - 1));
const isPowerOfTwo = (n) => 2 ** Math.round(Math.log2(n)) === n;

/** MTH(D[lo:hi]) as a tree of complete-subtree nodes: [level, index] or [left, right]. */
function subtree(lo, hi) {
  const n = hi - lo;
  if (isPowerOfTwo(n)) return { node: [Math.round(Math.log2(n)), lo / n] };
  const k = largestPowerOfTwoBelow(n);
  return { left: subtree(lo, lo + k), right: subtree(lo + k, hi) };
}

/** RFC 6962 §2.1.1 PATH(m, D[lo:hi]). */
function inclusionPath(m, lo, hi) {
  if (hi - lo <= 1) return [];
  const k = largestPowerOfTwoBelow(hi - lo);
  return m < k
    ? [...inclusionPath(m, lo, lo + k), subtree(lo + k, hi)]
    : [...inclusionPath(m - k, lo + k, hi), subtree(lo, lo + k)];
}

/** RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b). */
function consistencyPath(m, lo, hi, b) {
  const n = hi - lo;
  if (m === n) return b ? [] : [subtree(lo, hi)];
  const k = largestPowerOfTwoBelow(n);
  return m <= k
    ? [...consistencyPath(m, lo, lo + k, b), subtree(lo + k, hi)]
    : [...consistencyPath(m - k, lo + k, hi, false), subtree(lo, lo + k)];
}

const nodesOf = (t, out = []) => {
  if (t.node) out.push(t.node);
  else { nodesOf(t.left, out); nodesOf(t.right, out); }
  return out;
};
const hashOf = (t, tiles) => (t.node ? tiles.node(...t.node) : nodeHash(hashOf(t.left, tiles), hashOf(t.right, tiles)));

/** The hashes of a proof's `path` (from inclusionPath or consistencyPath), read from the tiles of the tree of `size`. */
async function readProof(path, size, fetchBytes) {
  const tiles = new TileReader(size, fetchBytes);
  await tiles.load(path.flatMap((t) => nodesOf(t)));
  return path.map((t) => hashOf(t, tiles));
}

/** The inclusion proof of leaf `index` in the tree of `size`, read from its tiles. */
export const inclusionProof = (index, size, fetchBytes) => readProof(inclusionPath(index, 0, size), size, fetchBytes);

/** The consistency proof from the tree of size `m` to the tree of `size`, read from the latter's tiles. */
export const consistencyProof = (m, size, fetchBytes) =>
  readProof(m > 0 && m < size ? consistencyPath(m, 0, size, true) : [], size, fetchBytes);

/** RFC 9162 §2.1.3.2: does `proof` take leaf `index`'s hash to `root` of a tree of `size`? */
export function verifyInclusion(index, size, leaf, proof, root) {
  if (index >= size) return false;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn /= 2; sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree of size `n` (`newRoot`) extends the one of size `m` (`oldRoot`)? */
export function verifyConsistency(m, n, oldRoot, newRoot, proof) {
  if (m === n) return proof.length === 0 && equal(oldRoot, newRoot);
  if (m === 0 || m > n || proof.length === 0) return m === 0 && m < n;
  const path = isPowerOfTwo(m) ? [oldRoot, ...proof] : proof;
  let fn = m - 1, sn = n - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) { fn /= 2; sn = Math.floor(sn / 2); }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, oldRoot) && equal(sr, newRoot);
}

/** Downloads `path` from the portal as bytes; a failed request is a `network` reason, not tampering. */
export async function download(path, base = '') {
  let resp;
  try {
    // Tiles never change (a partial tile has its width in its path): cache them.
    resp = await fetch(`${base}${path}`, { cache: path.startsWith('/log/tile/') ? 'default' : 'no-store' });
  } catch (e) {
    throw new LogCheckError('network', `${path}: ${e.message}`);
  }
  if (!resp.ok) throw new LogCheckError('network', `${path}: HTTP ${resp.status}`);
  return new Uint8Array(await resp.arrayBuffer());
}

/**
 * Checks `entries` ([{ index, text }]) against the portal's log: resolves to
 * { checkpoint, previous } or throws a LogCheckError (its `checkpoint` and
 * `previous` attached when they were read). `previous` is the newest
 * checkpoint seen before ({ text, seen }), or null.
 */
export async function checkEntries({ entries, vkey, previous, witnesses = [], base = '', fetchBytes = (p) => download(p, base) }) {
  const text = new TextDecoder().decode(await fetchBytes('/log/checkpoint'));
  const checkpoint = await openCheckpoint(text, vkey);
  checkpoint.cosigned = await cosignaturesOf(text, witnesses);
  let old = null;
  try {
    if (previous) old = await openCheckpoint(previous.text, vkey);
    const tiles = new TileReader(checkpoint.size, fetchBytes);
    const proofs = entries.map((e) => inclusionPath(e.index, 0, checkpoint.size));
    const consistency =
      old && old.size > 0 && old.size < checkpoint.size ? consistencyPath(old.size, 0, checkpoint.size, true) : [];
    await tiles.load([...proofs.flat(), ...consistency].flatMap((t) => nodesOf(t)));
    if (old && old.size > checkpoint.size) throw new LogCheckError('rollback', `${old.size} > ${checkpoint.size}`);
    if (old && !verifyConsistency(old.size, checkpoint.size, old.root, checkpoint.root, consistency.map((t) => hashOf(t, tiles)))) {
      throw new LogCheckError('fork');
    }
    for (const [i, e] of entries.entries()) {
      const bytes = utf8.encode(e.text);
      const proof = proofs[i].map((t) => hashOf(t, tiles));
      if (!verifyInclusion(e.index, checkpoint.size, leafHash(bytes), proof, checkpoint.root)) {
        throw new LogCheckError('inclusion', String(e.index));
      }
      const fields = Object.fromEntries(e.text.split('\n').filter(Boolean).map((l) => [l.split(' ')[0], l.slice(l.indexOf(' ') + 1)]));
      const content = await fetchBytes(fields.url);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', content));
      if (hex(digest) !== fields.sha256) throw new LogCheckError('content', fields.url);
    }
  } catch (e) {
    if (e instanceof LogCheckError) Object.assign(e, { checkpoint, previous: old });
    throw e;
  }
  return { checkpoint, previous: old };
}

// ---- The page: every `.log-check` section, one check for all of them.

const WORDS = {
  zh: {
    running: '正在核对公示日志……',
    ok: (n) => `✓ 已核对：本版本是公示日志第 ${n} 条；日志检查点的签名有效，包含证明成立，公示内容的散列值与日志一致。`,
    first: (size) => `本浏览器第一次核对本网站的日志（共 ${size} 条），已记下这个检查点，下次访问时将核对此前公示的内容没有被改动。`,
    since: (date, size, now) => `自您上次核对（${date}，当时共 ${size} 条）以来，此前公示的内容没有被改动；日志现有 ${now} 条。`,
    who: (name, time) => `${name}（${time}）`,
    witnessed: (k, n, who) => `检查点已由 ${n} 个见证者中的 ${k} 个联署${k ? `：${who.join('、')}` : ''}。`,
    unwitnessed: (q, k) => `日志检查点尚未得到足够的见证者联署（需要 ${q} 个，现有 ${k} 个），暂不能确认所有读者看到的是同一份日志。新公示后见证者通常在几秒钟内联署，请稍后刷新本页。`,
    failed: '✗ 核对未通过：',
    evidence: '请保存以下检查点作为证据，并向网站主办单位或上级部门反映：',
    current: '下载本次读取的检查点',
    earlier: '下载本浏览器此前记下的检查点',
    cannot: '暂时无法核对：',
    reasons: {
      signature: '日志检查点的签名无效，不是本网站的密钥签署的。',
      key: '本页给出的日志验证公钥格式不正确。',
      keyChanged: '日志的验证公钥与本浏览器此前记下的不同。',
      inclusion: '本版本的日志记录不在已签名的日志中。',
      content: '公示内容的散列值与日志记录不一致：内容在记入日志之后被改动了。',
      rollback: '日志比本浏览器此前看到的更短：日志被回滚了。',
      fork: '日志与本浏览器此前看到的检查点不一致：此前公示的内容被改动或删除了。',
      tiles: '日志分片的大小不正确。',
      unsupported: '本浏览器不支持 Ed25519 签名核对，请换用新版浏览器，或按 docs/LOG.md 自行核对。',
      network: '无法下载日志文件',
    },
  },
  en: {
    running: 'Checking the publication log…',
    ok: (n) => `✓ Checked: this version is entry ${n} of the publication log; the checkpoint's signature is valid, the inclusion proof holds and the published content hashes to the entry.`,
    first: (size) => `This is the first time this browser checks this site's log (${size} entries); it has kept this checkpoint and will check on your next visit that nothing published before has changed.`,
    since: (date, size, now) => `Since your last check (${date}, ${size} entries then), nothing published before has changed; the log now has ${now} entries.`,
    who: (name, time) => `${name} (${time})`,
    witnessed: (k, n, who) => `The checkpoint is cosigned by ${k} of ${n} witnesses${k ? `: ${who.join(', ')}` : ''}.`,
    unwitnessed: (q, k) => `The log's checkpoint is not yet cosigned by enough witnesses (${q} required, ${k} so far), so it cannot yet be confirmed that every reader sees the same log. Witnesses usually cosign within seconds of a publication: reload this page in a moment.`,
    failed: '✗ The check failed: ',
    evidence: 'Keep these checkpoints as evidence and report it to the site’s publisher or the department above it:',
    current: 'Download the checkpoint read now',
    earlier: 'Download the checkpoint this browser kept before',
    cannot: 'Cannot check for now: ',
    reasons: {
      signature: 'the log’s checkpoint is not signed with this site’s key.',
      key: 'the log’s verifier key given on this page is malformed.',
      keyChanged: 'the log’s verifier key is not the one this browser kept before.',
      inclusion: 'this version’s log entry is not in the signed log.',
      content: 'the published content does not hash to its log entry: it was changed after it was logged.',
      rollback: 'the log is shorter than this browser saw before: it was rolled back.',
      fork: 'the log is not consistent with the checkpoint this browser saw before: something published before was changed or removed.',
      tiles: 'a tile of the log has the wrong size.',
      unsupported: 'this browser cannot check Ed25519 signatures; use a recent browser, or check with your own code (docs/LOG.md).',
      network: 'a file of the log could not be downloaded',
    },
  },
};

function evidenceLink(text, name, label) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  a.download = name;
  a.textContent = label;
  return a;
}

async function run() {
  const sections = [...document.querySelectorAll('section.log-check[data-log-index]')];
  if (sections.length === 0) return;
  const words = document.documentElement.lang.startsWith('en') ? WORDS.en : WORDS.zh;
  const vkey = sections[0].dataset.logKey;
  const storeKey = `gongkai-log:${vkey.split('+')[0]}`;
  const show = (state, message) => {
    for (const s of sections) {
      const status = s.querySelector('.log-status');
      status.dataset.state = state;
      status.textContent = message;
    }
  };
  show('running', words.running);
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(storeKey) ?? 'null');
  } catch {
    stored = null;
  }
  const entries = sections.map((s) => ({ index: Number(s.dataset.logIndex), text: s.dataset.logEntry }));
  try {
    if (stored && stored.vkey !== vkey) {
      const e = new LogCheckError('keyChanged');
      e.previous = { text: stored.text };
      throw e;
    }
    const witnesses = (sections[0].dataset.logWitnesses ?? '').split(' ').filter(Boolean);
    const quorum = Number(sections[0].dataset.logQuorum ?? 0);
    const { checkpoint, previous } = await checkEntries({ entries, vkey, previous: stored, witnesses });
    const seen = new Date().toISOString();
    if (!previous || checkpoint.size >= previous.size) {
      try {
        localStorage.setItem(storeKey, JSON.stringify({ vkey, text: checkpoint.text, seen }));
      } catch {
        // Storage refused (private browsing, quota): this visit's check stands; the next cannot compare.
      }
    }
    const lang = document.documentElement.lang;
    const cosigned = checkpoint.cosigned;
    const witnessed = witnesses.length
      ? ` ${words.witnessed(cosigned.length, witnesses.length, cosigned.map((c) => words.who(c.name, new Date(c.time * 1000).toLocaleString(lang))))}`
      : '';
    const short = cosigned.length < quorum;
    for (const [i, s] of sections.entries()) {
      const status = s.querySelector('.log-status');
      status.dataset.state = short ? 'unwitnessed' : 'ok';
      const consistency = previous
        ? words.since(new Date(stored.seen).toLocaleString(lang), previous.size, checkpoint.size)
        : words.first(checkpoint.size);
      status.textContent = short
        ? words.unwitnessed(quorum, cosigned.length)
        : `${words.ok(entries[i].index + 1)} ${consistency}${witnessed}`;
    }
  } catch (e) {
    const reason = e instanceof LogCheckError ? e.reason : 'network';
    if (reason === 'network' || reason === 'unsupported') {
      show(reason, `${words.cannot}${words.reasons[reason]}${e.detail ? ` (${e.detail})` : ''}`);
      return;
    }
    show('failed', `${words.failed}${words.reasons[reason]}`);
    for (const s of sections) {
      const box = s.querySelector('.log-evidence');
      box.replaceChildren();
      const p = document.createElement('p');
      p.textContent = words.evidence;
      const list = document.createElement('ul');
      const add = (link) => {
        const li = document.createElement('li');
        li.append(link);
        list.append(li);
      };
      if (e.checkpoint) add(evidenceLink(e.checkpoint.text, 'checkpoint-now.txt', words.current));
      const earlier = e.previous?.text ?? stored?.text;
      if (earlier) add(evidenceLink(earlier, 'checkpoint-before.txt', words.earlier));
      box.append(p, list);
      box.hidden = false;
    }
  }
}

if (typeof document !== 'undefined') run();
