//! Gongkai draw protocol, version 1.
//!
//! A draw is verifiable when anyone, with only what was published and
//! `SPEC.md`, recomputes it and gets the same objects and inspectors. This
//! crate is that computation: pure, integer-only, the same natively and on
//! wasm32. It follows SPEC.md section by section:
//!
//! 1. [`json`]: read inputs and records from JSON by one strict rule, every
//!    problem named (§3.1); [`input`]: validate the inputs and put them in
//!    canonical order (§2–3);
//! 2. [`commitment`]: commit to them (§4–5, Merkle root over the pool);
//! 3. [`randomness`]: derive the seed from the commitment and the public randomness (§6);
//! 4. [`stream`]: one ChaCha20 stream per purpose, Lemire's uniform integers (§7);
//! 5. [`protocol`]: eligibility, allocation, selection, teams, recusals (§8–11);
//! 6. [`record`]: the self-contained record, [`verify`] to re-run it (§12),
//!    [`verify_published`] to check it against what was published outside it
//!    (the commitment before the randomness, the recusal chain head; §11.3, §13).
#![forbid(unsafe_code)]

pub mod commitment;
pub mod encode;
pub mod id;
pub mod input;
pub mod json;
pub mod merkle;
pub mod pool_bin;
pub mod pool_index;
pub mod protocol;
pub mod randomness;
pub mod record;
pub mod rfc3797;
#[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
mod sha256x4;
pub mod stream;
pub mod synthetic;
pub mod words;

pub use commitment::{Commitment, commit};
pub use id::{CreditCode, IdError};
pub use input::{
    Allocation, DirectedFilter, DrawInput, HistoryEntry, InputError, Inspector, Object, Plan, Problem,
    RandomnessSource, Ratio, Stratum, TeamRule,
};
pub use protocol::{Exclusion, ExclusionReason, Infeasible, RecusalRequest, Selection, StratumResult};
pub use randomness::Randomness;
pub use record::{
    Chain, Count, Detail, Difference, DrawError, DrawRecord, DrawResult, Place, Published, Recusal, SeedFrom, Step,
    StepKind, Value, Verification, draw, link_recusals, recusal_chain, recuse, recuse_linked, verify, verify_against,
    verify_published,
};

/// A pool member's proof of inclusion against a record's `objects_root`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PoolProof {
    pub object: String,
    /// Position of the object in the canonical (sorted) pool, from 0.
    pub index: u64,
    pub size: u64,
    /// Hex of the leaf data (`commitment::object_leaf_data`).
    pub leaf_data: String,
    /// Sibling hashes from the leaf up, hex.
    pub path: Vec<String>,
}

/// Builds the inclusion proof of `object` in the record's pool, or `None` if it is not in it.
pub fn pool_proof(input: &DrawInput, object: &str) -> Result<Option<PoolProof>, InputError> {
    let c = input.canonical()?;
    let Some(index) = c.find(object) else {
        return Ok(None);
    };
    let leaves = commitment::object_leaves(&c);
    let path = merkle::inclusion_proof(&leaves, index).unwrap_or_default();
    Ok(Some(PoolProof {
        object: object.to_owned(),
        index: index as u64,
        size: leaves.len() as u64,
        leaf_data: hex::encode(commitment::object_leaf_data(
            &c.objects[index],
            &c.strata[c.objects[index].stratum as usize].id,
        )),
        path: path.iter().map(hex::encode).collect(),
    }))
}

/// Checks a pool proof against a Merkle root (hex), and that the leaf names the object.
pub fn check_pool_proof(proof: &PoolProof, objects_root: &str) -> bool {
    let (Ok(data), Ok(root)) = (hex::decode(&proof.leaf_data), hex::decode(objects_root)) else {
        return false;
    };
    let Ok(root): Result<merkle::Hash, _> = root.try_into() else { return false };
    let id = proof.object.as_bytes();
    let names_object =
        data.len() >= 4 + id.len() && data[..4] == (id.len() as u32).to_be_bytes() && &data[4..4 + id.len()] == id;
    let path: Option<Vec<merkle::Hash>> =
        proof.path.iter().map(|h| hex::decode(h).ok().and_then(|v| v.try_into().ok())).collect();
    names_object
        && path.is_some_and(|p| merkle::verify_inclusion(&merkle::leaf_hash(&data), proof.index, proof.size, &p, &root))
}

/// Where one enterprise stands in a draw: "was I in this draw?".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lookup {
    pub object: String,
    /// The Merkle proof that it was in the committed pool, or `None` if it was not.
    pub proof: Option<PoolProof>,
    /// Why it could not be drawn, if it was excluded.
    pub excluded: Option<ExclusionReason>,
    /// Where it was drawn, if it was.
    pub selected: Option<Placement>,
}

/// A drawn enterprise's stratum, position and team (after recusals).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    pub stratum: String,
    pub position: u64,
    pub team: Vec<String>,
}

/// Looks an enterprise up in a record: pool membership with its proof,
/// exclusion reason, and placement, all read from the published record.
pub fn lookup(record: &DrawRecord, object: &str) -> Result<Lookup, InputError> {
    let proof = pool_proof(&record.input, object)?;
    let excluded = record.result.exclusions.iter().find(|e| e.object == object).map(|e| e.reason);
    let selected = record.result.strata.iter().find_map(|s| {
        s.selected.iter().find(|x| x.object == object).map(|x| Placement {
            stratum: s.id.clone(),
            position: x.position,
            team: x.team.clone(),
        })
    });
    Ok(Lookup { object: object.to_owned(), proof, excluded, selected })
}
