//! The commitment (SPEC.md §5): one SHA-256 over the canonical encoding of every
//! input, with the object pool represented by its Merkle root.

use serde::{Deserialize, Serialize};

use crate::encode::{Encoder, len32};
use crate::input::{Allocation, Canonical, CanonicalObject, DrawInput, RandomnessSource};
use crate::merkle::{self, Hash};
use crate::protocol;
use crate::randomness::describe_source;
use crate::record::DrawError;

pub const COMMITMENT_TAG: &str = "gongkai-draw/v1/commitment";

/// What `commit` publishes before the randomness exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub draw_id: String,
    /// SHA-256 commitment, lowercase hex.
    pub commitment: String,
    /// Merkle root of the object pool, lowercase hex.
    pub objects_root: String,
    pub object_count: u64,
    pub randomness_source: RandomnessSource,
    /// When the randomness it binds to will exist, in words.
    pub binds_to: String,
}

/// `leaf_data = str(id) ‖ str(stratum) ‖ list(categories) ‖ u8(flags)`,
/// flags: bit 0 abnormal, bit 1 serious violation, bit 2 penalised.
pub fn object_leaf_data(o: &CanonicalObject<'_>, stratum: &str) -> Vec<u8> {
    let mut e = Encoder::new();
    e.raw(&18u32.to_be_bytes()).raw(&o.id).str(stratum).strs(&o.categories).u8(o.flags);
    e.finish()
}

/// Leaf hashes of the pool in canonical order.
pub fn object_leaves(c: &Canonical<'_>) -> Vec<Hash> {
    leaves_of(c, 0..c.objects.len())
}

fn leaves_of(c: &Canonical<'_>, range: std::ops::Range<usize>) -> Vec<Hash> {
    let objects = &c.objects[range];
    merkle::leaf_hashes(objects.len(), |i, buf| push_leaf_data(buf, c, &objects[i]))
}

/// Appends `object_leaf_data(o, stratum of o)` to `buf`.
fn push_leaf_data(buf: &mut Vec<u8>, c: &Canonical<'_>, o: &CanonicalObject<'_>) {
    buf.extend_from_slice(&[0, 0, 0, 18]);
    buf.extend_from_slice(&o.id);
    let stratum = c.strata[o.stratum as usize].id.as_bytes();
    buf.extend_from_slice(&len32(stratum.len()).to_be_bytes());
    buf.extend_from_slice(stratum);
    buf.extend_from_slice(&len32(o.categories.len()).to_be_bytes());
    for cat in &o.categories {
        buf.extend_from_slice(&len32(cat.len()).to_be_bytes());
        buf.extend_from_slice(cat.as_bytes());
    }
    buf.push(o.flags);
}

/// The pool's Merkle root. Natively, large pools hash the tree's two halves
/// (`MTH(D[0:k])` and `MTH(D[k:n])`) on two threads; the result is the same.
pub fn objects_root(c: &Canonical<'_>) -> Hash {
    #[cfg(not(target_arch = "wasm32"))]
    if c.objects.len() >= halves::MIN_OBJECTS {
        let n = c.objects.len();
        let k = merkle::split(n);
        let roots = std::thread::scope(|s| {
            let left = s.spawn(|| merkle::root_of(leaves_of(c, 0..k)));
            let right = merkle::root_of(leaves_of(c, k..n));
            left.join().ok().map(|l| (l, right))
        });
        if let Some((l, r)) = roots {
            return merkle::node_hash(&l, &r);
        }
    }
    objects_root_here(c)
}

/// [`objects_root`] on the current thread only.
pub fn objects_root_here(c: &Canonical<'_>) -> Hash {
    merkle::root_of(leaves_of(c, 0..c.objects.len()))
}

/// Hashing the pool's Merkle tree in two parts, for a caller that hashes the
/// right half `MTH(D[k:n])` elsewhere (a browser's second Web Worker): the
/// tree of `n >= 2` leaves is `node_hash(MTH(D[0:k]), MTH(D[k:n]))`, `k` the
/// largest power of two below `n` (RFC 6962). The right half travels as its
/// leaves' data, each `u32` big-endian length ‖ `object_leaf_data`, in canonical
/// order; [`root_of_leaf_data`] hashes it.
pub mod halves {
    use super::{Canonical, Hash, leaves_of, merkle, push_leaf_data};

    /// Below this many objects, hashing the halves apart is not worth a second worker.
    pub const MIN_OBJECTS: usize = 1 << 15;

    /// The leaf data of the right half `D[k:n]`, framed; `None` when the pool
    /// has fewer than two objects (no split).
    pub fn right_leaf_data(c: &Canonical<'_>) -> Option<Vec<u8>> {
        let n = c.objects.len();
        if n < 2 {
            return None;
        }
        let k = merkle::split(n);
        let mut out = Vec::with_capacity((n - k) * 64);
        for o in &c.objects[k..] {
            let at = out.len();
            out.extend_from_slice(&[0; 4]);
            push_leaf_data(&mut out, c, o);
            let len = u32::try_from(out.len() - at - 4).ok()?;
            out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        Some(out)
    }

    /// The Merkle tree hash of framed leaf data (as [`right_leaf_data`] writes
    /// it); `None` if the framing is broken or there is no leaf.
    pub fn root_of_leaf_data(mut framed: &[u8]) -> Option<Hash> {
        let mut leaves = Vec::with_capacity(framed.len() / 64);
        while !framed.is_empty() {
            let (len, rest) = framed.split_first_chunk::<4>()?;
            let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
            if len > rest.len() {
                return None;
            }
            let (data, rest) = rest.split_at(len);
            leaves.push(data);
            framed = rest;
        }
        if leaves.is_empty() {
            return None;
        }
        Some(merkle::root_of(merkle::leaf_hashes(leaves.len(), |i, buf| buf.extend_from_slice(leaves[i]))))
    }

    /// `MTH(D[0:k])`, the left half; `None` when the pool has fewer than two objects.
    pub fn left_root(c: &Canonical<'_>) -> Option<Hash> {
        let n = c.objects.len();
        (n >= 2).then(|| merkle::root_of(leaves_of(c, 0..merkle::split(n))))
    }

    /// `MTH(D[k:n])`, the right half, hashed here; `None` when the pool has fewer than two objects.
    pub fn right_root(c: &Canonical<'_>) -> Option<Hash> {
        let n = c.objects.len();
        (n >= 2).then(|| merkle::root_of(leaves_of(c, merkle::split(n)..n)))
    }
}

/// Computes `(commitment, objects_root)` of a canonical input.
pub(crate) fn compute(c: &Canonical<'_>) -> (Hash, Hash) {
    compute_with_root(c, objects_root(c))
}

/// [`compute`] with the pool's Merkle root already computed.
pub(crate) fn compute_with_root(c: &Canonical<'_>, root: Hash) -> (Hash, Hash) {
    let i = c.input;
    let mut e = Encoder::new();
    e.str(COMMITMENT_TAG)
        .str(&i.version)
        .str(&i.draw_id)
        .str(&i.title)
        .str(&i.department)
        .str(&i.unit)
        .strs(&c.ancestors)
        .str(&i.draw_date);
    match &i.randomness_source {
        RandomnessSource::DrandQuicknet { round } => e.u8(1).u64(*round),
        RandomnessSource::PublicNumbers { description, date } => e.u8(2).str(description).str(date),
        RandomnessSource::Demo { label } => e.u8(3).str(label),
    };
    e.u32(len32(c.strata.len()));
    for s in &c.strata {
        e.str(&s.id).str(&s.name).u64(s.ratio.num).u64(s.ratio.den).opt_str(s.qualification.as_deref());
    }
    match i.plan.allocation {
        Allocation::Ratio => e.u8(1),
        Allocation::Total { count, min_one_per_stratum } => e.u8(2).u64(count).u8(u8::from(min_one_per_stratum)),
    };
    let t = &i.plan.team;
    e.u64(t.size).u64(t.load_cap).opt_str(t.qualification.as_deref()).strs(&c.units);
    match &c.directed {
        None => e.u8(0),
        Some(cats) => e.u8(1).strs(cats),
    };
    e.u64(c.objects.len() as u64).raw(&root);
    e.u32(len32(c.inspectors.len()));
    for p in &c.inspectors {
        let x = p.inspector;
        e.str(&x.cert).str(&x.unit).strs(&p.qualifications).str(&x.valid_from).str(&x.valid_until).strs(&p.conflicts);
    }
    e.u32(len32(c.history.len()));
    for h in &c.history {
        e.str(&h.object).str(&h.department).str(&h.unit).str(&h.date);
    }
    (e.sha256(), root)
}

/// Validates the input, checks that every possible draw of it completes
/// (`protocol::prepare`), and computes its commitment: step 1 of a draw.
pub fn commit(input: &DrawInput) -> Result<Commitment, DrawError> {
    let c = input.canonical()?;
    protocol::prepare(&c)?;
    let (commitment, root) = compute(&c);
    Ok(Commitment {
        draw_id: input.draw_id.clone(),
        commitment: hex::encode(commitment),
        objects_root: hex::encode(root),
        object_count: c.objects.len() as u64,
        randomness_source: input.randomness_source.clone(),
        binds_to: describe_source(&input.randomness_source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{Shape, input};

    #[test]
    fn threaded_root_equals_sequential_root() {
        let shape = Shape {
            objects: 40_000,
            strata: 3,
            inspectors: 10,
            select: 10,
            team_size: 2,
            load_cap: 10,
            history: 0,
            seed: 3,
        };
        let i = input(&shape);
        let c = i.canonical().unwrap();
        assert_eq!(objects_root(&c), merkle::root(&object_leaves(&c)));
    }

    fn canonical_of(objects: usize, seed: u64) -> crate::DrawInput {
        let shape =
            Shape { objects, strata: 3, inspectors: 10, select: 1, team_size: 2, load_cap: 10, history: 0, seed };
        input(&shape)
    }

    #[test]
    fn halves_make_the_sequential_root() {
        for n in (2..=70).chain([127, 128, 129, 1000, 1024, 1025, 40_000]) {
            let i = canonical_of(n, n as u64);
            let c = i.canonical().unwrap();
            let whole = merkle::root(&object_leaves(&c));
            let data = halves::right_leaf_data(&c).unwrap();
            let right = halves::root_of_leaf_data(&data).unwrap();
            assert_eq!(Some(right), halves::right_root(&c), "n = {n}");
            let left = halves::left_root(&c).unwrap();
            assert_eq!(merkle::node_hash(&left, &right), whole, "n = {n}");
            assert_eq!(objects_root_here(&c), whole, "n = {n}");
            // The framing holds each right-half leaf's data in order.
            let k = merkle::split(n);
            let mut rest = &data[..];
            for o in &c.objects[k..] {
                let leaf = object_leaf_data(o, &c.strata[o.stratum as usize].id);
                assert_eq!(rest[..4], (leaf.len() as u32).to_be_bytes());
                assert_eq!(rest[4..4 + leaf.len()], leaf[..]);
                rest = &rest[4 + leaf.len()..];
            }
            assert!(rest.is_empty());
        }
    }

    #[test]
    fn no_halves_below_two_objects_and_broken_framing_is_refused() {
        for n in 0..2 {
            let i = canonical_of(n, 1);
            let Ok(c) = i.canonical() else { continue };
            assert!(halves::right_leaf_data(&c).is_none());
            assert!(halves::left_root(&c).is_none() && halves::right_root(&c).is_none());
        }
        let c = canonical_of(10, 2);
        let c = c.canonical().unwrap();
        let data = halves::right_leaf_data(&c).unwrap();
        assert!(halves::root_of_leaf_data(&[]).is_none());
        assert!(halves::root_of_leaf_data(&data[..data.len() - 1]).is_none());
        assert!(halves::root_of_leaf_data(&data[..3]).is_none());
        assert!(halves::root_of_leaf_data(&[0, 0, 0, 9, 1]).is_none());
        // One empty leaf is still a leaf.
        assert_eq!(halves::root_of_leaf_data(&[0, 0, 0, 0]), Some(merkle::leaf_hash(&[])));
    }
}
