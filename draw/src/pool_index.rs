//! A pool's whole Merkle tree kept in memory, so that a portal answers many
//! "was I in this draw?" lookups of one draw in O(log n) each instead of
//! rebuilding the tree per request. Its proofs equal [`crate::pool_proof`]'s.

use std::collections::HashMap;

use crate::commitment;
use crate::input::{DrawInput, InputError};
use crate::merkle::{self, Hash};
use crate::{DrawRecord, ExclusionReason, Lookup, Placement, PoolProof};

pub struct PoolIndex {
    /// Object ids in canonical order.
    ids: Vec<String>,
    /// Leaf data of every object, concatenated; `offsets[i]..offsets[i + 1]` is object i's.
    leaf_data: Vec<u8>,
    offsets: Vec<usize>,
    /// `levels[0]` are the leaf hashes; each next level pairs adjacent nodes,
    /// a last node without a partner moving up unchanged (the RFC 6962 tree).
    levels: Vec<Vec<Hash>>,
}

impl PoolIndex {
    pub fn new(input: &DrawInput) -> Result<PoolIndex, InputError> {
        let c = input.canonical()?;
        let mut ids = Vec::with_capacity(c.objects.len());
        let mut leaf_data = Vec::new();
        let mut offsets = Vec::with_capacity(c.objects.len() + 1);
        offsets.push(0);
        for o in &c.objects {
            ids.push(String::from_utf8_lossy(&o.id).into_owned());
            leaf_data.extend(commitment::object_leaf_data(o, &c.strata[o.stratum as usize].id));
            offsets.push(leaf_data.len());
        }
        let mut levels = vec![commitment::object_leaves(&c)];
        while let Some(last) = levels.last().filter(|l| l.len() > 1) {
            let next: Vec<Hash> = last
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => merkle::node_hash(l, r),
                    [single] => *single,
                    _ => unreachable_hash(),
                })
                .collect();
            levels.push(next);
        }
        Ok(PoolIndex { ids, leaf_data, offsets, levels })
    }

    /// The root of the tree (equals the record's `objects_root`).
    pub fn root(&self) -> Hash {
        match self.levels.last().and_then(|l| l.first()) {
            Some(h) if !self.ids.is_empty() => *h,
            _ => merkle::root(&[]),
        }
    }

    /// The inclusion proof of `object`, or `None` if it is not in the pool.
    pub fn proof(&self, object: &str) -> Option<PoolProof> {
        let index = self.ids.binary_search_by(|id| id.as_str().cmp(object)).ok()?;
        let mut path = Vec::new();
        let mut i = index;
        for level in &self.levels[..self.levels.len().saturating_sub(1)] {
            let sibling = i ^ 1;
            if sibling < level.len() {
                path.push(hex::encode(level[sibling]));
            }
            i /= 2;
        }
        Some(PoolProof {
            object: object.to_owned(),
            index: index as u64,
            size: self.ids.len() as u64,
            leaf_data: hex::encode(&self.leaf_data[self.offsets[index]..self.offsets[index + 1]]),
            path,
        })
    }
}

// `chunks(2)` yields one or two items; this keeps the match total without panicking.
fn unreachable_hash() -> Hash {
    [0; 32]
}

/// Everything a lookup needs from one record, kept between requests.
pub struct LookupIndex {
    pool: PoolIndex,
    excluded: HashMap<String, ExclusionReason>,
    selected: HashMap<String, Placement>,
}

impl LookupIndex {
    pub fn new(record: &DrawRecord) -> Result<LookupIndex, InputError> {
        Ok(LookupIndex {
            pool: PoolIndex::new(&record.input)?,
            excluded: record.result.exclusions.iter().map(|e| (e.object.clone(), e.reason)).collect(),
            selected: record
                .result
                .strata
                .iter()
                .flat_map(|s| {
                    s.selected.iter().map(|x| {
                        (
                            x.object.clone(),
                            Placement { stratum: s.id.clone(), position: x.position, team: x.team.clone() },
                        )
                    })
                })
                .collect(),
        })
    }

    /// The same answer as [`crate::lookup`].
    pub fn lookup(&self, object: &str) -> Lookup {
        Lookup {
            object: object.to_owned(),
            proof: self.pool.proof(object),
            excluded: self.excluded.get(object).copied(),
            selected: self.selected.get(object).cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{Shape, input};

    #[test]
    fn proofs_and_lookups_equal_the_rebuilt_ones() {
        for n in [1usize, 2, 3, 5, 8, 13, 100, 257] {
            let shape = Shape {
                objects: n,
                strata: 1,
                inspectors: 20,
                select: (n as u64).div_ceil(3),
                team_size: 2,
                load_cap: 60,
                history: 0,
                seed: 7,
            };
            let inp = input(&shape);
            let record = crate::draw(inp.clone(), crate::Randomness::Demo { value: "11".repeat(32) }).unwrap();
            let index = LookupIndex::new(&record).unwrap();
            assert_eq!(hex::encode(index.pool.root()), record.objects_root, "n = {n}");
            for o in &inp.objects {
                let fresh = crate::lookup(&record, &o.id).unwrap();
                assert_eq!(index.lookup(&o.id), fresh, "n = {n}, {}", o.id);
                assert!(crate::check_pool_proof(fresh.proof.as_ref().unwrap(), &record.objects_root));
            }
            let outsider = crate::synthetic::credit_code(9_999_999);
            assert_eq!(index.lookup(&outsider), crate::lookup(&record, &outsider).unwrap());
        }
    }
}
