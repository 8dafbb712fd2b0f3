//! Merkle tree over the sorted object pool, RFC 6962 / RFC 9162 §2.1 hashing
//! (SPEC.md §5): `leaf = SHA-256(0x00 ‖ data)`, `node = SHA-256(0x01 ‖ left ‖ right)`,
//! the tree of `n > 1` leaves splits at `k`, the largest power of two below `n`,
//! and the empty tree hashes to `SHA-256("")`.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

pub(crate) fn split(n: usize) -> usize {
    // Largest power of two strictly below n (n >= 2).
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The Merkle tree hash MTH(D[n]) of a list of leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        _ => root_of(leaves.to_vec()),
    }
}

/// [`root`], using `leaves` as its working space.
///
/// Level by level: each level's pairs are hashed into the next, and an odd
/// last hash moves up unchanged; for RFC 6962's split at the largest power of
/// two below `n` this is the same tree (the tests compare it with the
/// recursive definition).
pub fn root_of(mut level: Vec<Hash>) -> Hash {
    if level.is_empty() {
        return Sha256::digest([]).into();
    }
    let mut len = level.len();
    while len > 1 {
        let pairs = len / 2;
        let mut i = 0;
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        while i + 4 <= pairs {
            let p = |j: usize| (&level[2 * (i + j)], &level[2 * (i + j) + 1]);
            let parents = crate::sha256x4::node_hashes::<crate::sha256x4::V>([p(0), p(1), p(2), p(3)]);
            level[i..i + 4].copy_from_slice(&parents);
            i += 4;
        }
        while i < pairs {
            level[i] = node_hash(&level[2 * i], &level[2 * i + 1]);
            i += 1;
        }
        if len % 2 == 1 {
            level[pairs] = level[len - 1];
            len = pairs + 1;
        } else {
            len = pairs;
        }
    }
    level[0]
}

/// The leaf hashes of `count` leaves, `fill(i, buf)` appending the data of
/// leaf `i` to an empty `buf`.
pub fn leaf_hashes(count: usize, mut fill: impl FnMut(usize, &mut Vec<u8>)) -> Vec<Hash> {
    let mut out = Vec::with_capacity(count);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let mut bufs: [Vec<u8>; 4] = std::array::from_fn(|_| Vec::with_capacity(128));
        while out.len() + 4 <= count {
            for (j, buf) in bufs.iter_mut().enumerate() {
                buf.clear();
                buf.push(0);
                fill(out.len() + j, buf);
                crate::sha256x4::pad(buf);
            }
            let [b0, b1, b2, b3] = &bufs;
            out.extend(crate::sha256x4::hash_padded::<crate::sha256x4::V>([b0, b1, b2, b3]));
        }
    }
    let mut buf = Vec::with_capacity(128);
    while out.len() < count {
        buf.clear();
        fill(out.len(), &mut buf);
        out.push(leaf_hash(&buf));
    }
    out
}

/// The inclusion proof PATH(m, D[n]) for leaf `index`, siblings from the leaf up.
/// Returns `None` when `index` is out of range.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    fn path(m: usize, d: &[Hash], out: &mut Vec<Hash>) {
        if d.len() <= 1 {
            return;
        }
        let k = split(d.len());
        if m < k {
            path(m, &d[..k], out);
            out.push(root(&d[k..]));
        } else {
            path(m - k, &d[k..], out);
            out.push(root(&d[..k]));
        }
    }
    let mut out = Vec::new();
    path(index, leaves, &mut out);
    Some(out)
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == *root
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn every_proof_verifies_and_a_wrong_one_does_not() {
        for n in 1..=20usize {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&[i as u8])).collect();
            let r = root(&leaves);
            for i in 0..n {
                let proof = inclusion_proof(&leaves, i).unwrap();
                assert!(verify_inclusion(&leaves[i], i as u64, n as u64, &proof, &r), "n={n} i={i}");
                let other = leaf_hash(b"not in the tree");
                assert!(!verify_inclusion(&other, i as u64, n as u64, &proof, &r));
            }
        }
    }

    /// MTH as RFC 6962 §2.1 defines it.
    fn recursive_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => Sha256::digest([]).into(),
            1 => leaves[0],
            n => {
                let k = split(n);
                node_hash(&recursive_root(&leaves[..k]), &recursive_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn level_by_level_root_is_the_recursive_root() {
        for n in (0..=140usize).chain([255, 256, 257, 1000, 1023, 1024, 1025, 3000]) {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&(i as u64).to_be_bytes())).collect();
            assert_eq!(root(&leaves), recursive_root(&leaves), "n = {n}");
        }
    }

    #[test]
    fn leaf_hashes_are_leaf_hash() {
        let data = |i: usize| -> Vec<u8> { (0..(i * 13) % 150).map(|b| (b * i) as u8).collect() };
        for count in [0, 1, 3, 4, 5, 8, 9, 63, 64, 65, 200] {
            let got = leaf_hashes(count, |i, buf| buf.extend_from_slice(&data(i)));
            let want: Vec<Hash> = (0..count).map(|i| leaf_hash(&data(i))).collect();
            assert_eq!(got, want, "count = {count}");
        }
    }

    #[test]
    fn empty_tree_is_hash_of_nothing() {
        assert_eq!(hex::encode(root(&[])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
