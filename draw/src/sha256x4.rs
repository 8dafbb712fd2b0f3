//! SHA-256 of four messages at once, one per lane of a 4 × 32-bit vector
//! (FIPS 180-4 §6.2): the browser's Merkle tree hashing with WebAssembly SIMD
//! (`simd128`), about twice as fast there as hashing one message at a time.
//! Natively (SHA extensions) and on WebAssembly without `simd128`, `merkle`
//! hashes one message at a time with `sha2` instead. The algorithm is written
//! once over [`Lanes`]; the tests check it, with plain `[u32; 4]` lanes and
//! (on wasm32 with `simd128`) vector lanes, against `sha2`.

use crate::merkle::Hash;

/// Four 32-bit words, operated on lane by lane.
pub(crate) trait Lanes: Copy {
    fn splat(x: u32) -> Self;
    fn from_words(w: [u32; 4]) -> Self;
    fn words(self) -> [u32; 4];
    fn add(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    fn shr(self, n: u32) -> Self;
    fn rotr(self, n: u32) -> Self;
}

#[cfg(test)]
impl Lanes for [u32; 4] {
    fn splat(x: u32) -> Self {
        [x; 4]
    }
    fn from_words(w: [u32; 4]) -> Self {
        w
    }
    fn words(self) -> [u32; 4] {
        self
    }
    fn add(self, o: Self) -> Self {
        std::array::from_fn(|i| self[i].wrapping_add(o[i]))
    }
    fn xor(self, o: Self) -> Self {
        std::array::from_fn(|i| self[i] ^ o[i])
    }
    fn and(self, o: Self) -> Self {
        std::array::from_fn(|i| self[i] & o[i])
    }
    fn or(self, o: Self) -> Self {
        std::array::from_fn(|i| self[i] | o[i])
    }
    fn shr(self, n: u32) -> Self {
        self.map(|x| x >> n)
    }
    fn rotr(self, n: u32) -> Self {
        self.map(|x| x.rotate_right(n))
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    /// WebAssembly's `v128` as four `u32` lanes.
    #[derive(Clone, Copy)]
    pub(crate) struct V(v128);

    impl super::Lanes for V {
        #[inline(always)]
        fn splat(x: u32) -> Self {
            V(u32x4_splat(x))
        }
        #[inline(always)]
        fn from_words(w: [u32; 4]) -> Self {
            V(u32x4(w[0], w[1], w[2], w[3]))
        }
        #[inline(always)]
        fn words(self) -> [u32; 4] {
            [
                u32x4_extract_lane::<0>(self.0),
                u32x4_extract_lane::<1>(self.0),
                u32x4_extract_lane::<2>(self.0),
                u32x4_extract_lane::<3>(self.0),
            ]
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            V(i32x4_add(self.0, o.0))
        }
        #[inline(always)]
        fn xor(self, o: Self) -> Self {
            V(v128_xor(self.0, o.0))
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            V(v128_and(self.0, o.0))
        }
        #[inline(always)]
        fn or(self, o: Self) -> Self {
            V(v128_or(self.0, o.0))
        }
        #[inline(always)]
        fn shr(self, n: u32) -> Self {
            V(u32x4_shr(self.0, n))
        }
        #[inline(always)]
        fn rotr(self, n: u32) -> Self {
            V(v128_or(u32x4_shr(self.0, n), u32x4_shl(self.0, 32 - n)))
        }
    }
}
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) use simd::V;

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

const IV: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// One compression of four blocks, `w` their words (lane `j` = block `j`).
#[inline(always)]
#[allow(unused_assignments)] // the last rounds' schedule words are not read again
fn compress<L: Lanes>(state: &mut [L; 8], mut w: [L; 16]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    macro_rules! round {
        ($i:expr) => {{
            let wi = if $i < 16 {
                w[$i & 15]
            } else {
                let (w15, w2) = (w[($i + 1) & 15], w[($i + 14) & 15]);
                let s0 = w15.rotr(7).xor(w15.rotr(18)).xor(w15.shr(3));
                let s1 = w2.rotr(17).xor(w2.rotr(19)).xor(w2.shr(10));
                let v = w[$i & 15].add(s0).add(w[($i + 9) & 15].add(s1));
                w[$i & 15] = v;
                v
            };
            let s1 = e.rotr(6).xor(e.rotr(11)).xor(e.rotr(25));
            let ch = g.xor(e.and(f.xor(g)));
            let t1 = h.add(s1).add(ch.add(L::splat(K[$i]).add(wi)));
            let s0 = a.rotr(2).xor(a.rotr(13)).xor(a.rotr(22));
            let maj = a.and(b).or(c.and(a.or(b)));
            let t2 = s0.add(maj);
            h = g;
            g = f;
            f = e;
            e = d.add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.add(t2);
        }};
    }
    macro_rules! rounds8 {
        ($i:expr) => {
            round!($i);
            round!($i + 1);
            round!($i + 2);
            round!($i + 3);
            round!($i + 4);
            round!($i + 5);
            round!($i + 6);
            round!($i + 7);
        };
    }
    rounds8!(0);
    rounds8!(8);
    rounds8!(16);
    rounds8!(24);
    rounds8!(32);
    rounds8!(40);
    rounds8!(48);
    rounds8!(56);
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.add(v);
    }
}

#[inline(always)]
fn be(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Appends SHA-256 padding to a message: `0x80`, zeros, its length in bits.
pub(crate) fn pad(message: &mut Vec<u8>) {
    let bits = (message.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bits.to_be_bytes());
}

/// The SHA-256 hashes of four padded messages ([`pad`]): each `padded[j]`
/// is `blocks[j]` blocks long, or longer with anything after them.
///
/// Never inlined: V8 moves a WebAssembly function to optimised code only
/// between calls, so the hashing must be a function called for each batch,
/// not a loop running inside one call (a first verification would otherwise
/// hash the whole tree with the baseline compiler's code, twice as slow).
#[inline(never)]
pub(crate) fn hash_padded<L: Lanes>(padded: [&[u8]; 4]) -> [Hash; 4] {
    let blocks = padded.map(|p| p.len() / 64);
    let most = blocks.iter().copied().max().unwrap_or(0);
    let mut state = IV.map(L::splat);
    let mut done = [IV; 4];
    let zero = [0u8; 64];
    for blk in 0..most {
        // A lane past its message hashes zeros; its result was kept before.
        let lane = |j: usize| -> &[u8] { if blk < blocks[j] { &padded[j][blk * 64..blk * 64 + 64] } else { &zero } };
        let (b0, b1, b2, b3) = (lane(0), lane(1), lane(2), lane(3));
        let w: [L; 16] =
            std::array::from_fn(|i| L::from_words([be(b0, 4 * i), be(b1, 4 * i), be(b2, 4 * i), be(b3, 4 * i)]));
        compress(&mut state, w);
        if !blocks.contains(&(blk + 1)) {
            continue;
        }
        let words: [[u32; 4]; 8] = state.map(L::words);
        for (j, d) in done.iter_mut().enumerate() {
            if blocks[j] == blk + 1 {
                *d = std::array::from_fn(|i| words[i][j]);
            }
        }
    }
    done.map(|s| {
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(s) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    })
}

/// `node_hash` of four pairs: `SHA-256(0x01 ‖ left ‖ right)`, two blocks each.
pub(crate) fn node_hashes<L: Lanes>(pairs: [(&Hash, &Hash); 4]) -> [Hash; 4] {
    let mut m = [[0u8; 128]; 4];
    for (m, (l, r)) in m.iter_mut().zip(pairs) {
        m[0] = 1;
        m[1..33].copy_from_slice(l);
        m[33..65].copy_from_slice(r);
        m[65] = 0x80;
        m[120..].copy_from_slice(&(65u64 * 8).to_be_bytes());
    }
    hash_padded::<L>([&m[0], &m[1], &m[2], &m[3]])
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use sha2::{Digest, Sha256};

    fn check<L: Lanes>() {
        // Messages of 0 to 300 bytes, four of different lengths at a time.
        let data: Vec<u8> = (0..400u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for n in 0..300usize {
            let lens = [n, (n * 7) % 300, (n + 55) % 130, 300 - n];
            let mut padded: [Vec<u8>; 4] = std::array::from_fn(|j| data[j..j + lens[j]].to_vec());
            padded.iter_mut().for_each(pad);
            let got = hash_padded::<L>([&padded[0], &padded[1], &padded[2], &padded[3]]);
            for j in 0..4 {
                let want: Hash = Sha256::digest(&data[j..j + lens[j]]).into();
                assert_eq!(got[j], want, "length {}", lens[j]);
            }
        }
        let h: [Hash; 8] = std::array::from_fn(|i| Sha256::digest([i as u8]).into());
        let got = node_hashes::<L>([(&h[0], &h[1]), (&h[2], &h[3]), (&h[4], &h[5]), (&h[6], &h[7])]);
        for j in 0..4 {
            assert_eq!(got[j], crate::merkle::node_hash(&h[2 * j], &h[2 * j + 1]));
        }
    }

    #[test]
    fn four_lanes_hash_as_sha2_does() {
        check::<[u32; 4]>();
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[test]
    fn simd_lanes_hash_as_sha2_does() {
        check::<V>();
    }
}
