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
    let mut buf = Vec::with_capacity(128);
    c.objects[range]
        .iter()
        .map(|o| {
            buf.clear();
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
            merkle::leaf_hash(&buf)
        })
        .collect()
}

/// The pool's Merkle root. Natively, large pools hash the tree's two halves
/// (`MTH(D[0:k])` and `MTH(D[k:n])`) on two threads; the result is the same.
pub fn objects_root(c: &Canonical<'_>) -> Hash {
    let n = c.objects.len();
    #[cfg(not(target_arch = "wasm32"))]
    if n >= 1 << 15 {
        let k = merkle::split(n);
        let halves = std::thread::scope(|s| {
            let left = s.spawn(|| merkle::root(&leaves_of(c, 0..k)));
            let right = merkle::root(&leaves_of(c, k..n));
            left.join().ok().map(|l| (l, right))
        });
        if let Some((l, r)) = halves {
            return merkle::node_hash(&l, &r);
        }
    }
    merkle::root(&leaves_of(c, 0..n))
}

/// Computes `(commitment, objects_root)` of a canonical input.
pub(crate) fn compute(c: &Canonical<'_>) -> (Hash, Hash) {
    let root = objects_root(c);
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
}
