//! Deterministic synthetic inputs of any size, for benchmarks, property tests
//! and demonstrations. Codes are well-formed (valid check characters) but
//! generated, not real enterprises.

use crate::id::CreditCode;
use crate::input::{
    Allocation, DrawInput, HistoryEntry, Inspector, Object, Plan, RandomnessSource, Ratio, Stratum, TeamRule,
};
use crate::stream::Stream;

/// Shape of a synthetic draw.
#[derive(Debug, Clone)]
pub struct Shape {
    pub objects: usize,
    pub strata: usize,
    pub inspectors: usize,
    /// Objects to select in all (largest remainder across strata).
    pub select: u64,
    pub team_size: u64,
    pub load_cap: u64,
    /// History entries (spread over the first objects).
    pub history: usize,
    pub seed: u64,
}

/// The i-th synthetic credit code: `91` + a division code + a 9-digit
/// organisation part derived from `i`, and the check character.
pub fn credit_code(i: u64) -> String {
    let division = 110_000 + (i % 7) * 10_000 + (i / 7 % 30) * 100;
    let first17 = format!("91{division:06}{:09}", i * 7_919 % 1_000_000_000);
    CreditCode::complete(&first17).map(|c| c.as_str().to_owned()).unwrap_or(first17)
}

/// Builds a synthetic input. Identical shapes give identical inputs.
pub fn input(shape: &Shape) -> DrawInput {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&shape.seed.to_le_bytes());
    let mut rng = Stream::from_key(key);
    let strata: Vec<Stratum> = (0..shape.strata)
        .map(|s| Stratum {
            id: format!("S{s:02}"),
            name: format!("分层 {s}"),
            ratio: Ratio { num: 1, den: 10 },
            qualification: None,
        })
        .collect();
    let objects: Vec<Object> = (0..shape.objects as u64)
        .map(|i| Object {
            id: credit_code(i),
            stratum: strata[rng.uniform(shape.strata as u64) as usize].id.clone(),
            categories: Vec::new(),
            abnormal: rng.uniform(50) == 0,
            serious_violation: false,
            penalised: false,
        })
        .collect();
    let inspectors: Vec<Inspector> = (0..shape.inspectors)
        .map(|i| Inspector {
            cert: format!("1500{i:08}"),
            unit: format!("U{}", i % 3),
            qualifications: vec!["综合".into()],
            valid_from: "2020-01-01".into(),
            valid_until: "2030-12-31".into(),
            conflicts: if i % 50 == 0 { vec![credit_code(i as u64)] } else { Vec::new() },
        })
        .collect();
    let history = (0..shape.history)
        .map(|i| HistoryEntry {
            object: credit_code((i / 2) as u64),
            department: if i % 3 == 0 { "市局".into() } else { "区局".into() },
            unit: format!("U{}", i % 3),
            date: format!("2025-0{}-15", 1 + i % 5),
        })
        .collect();
    DrawInput {
        version: "v1".into(),
        draw_id: format!("synthetic-{}", shape.seed),
        title: "合成抽取".into(),
        department: "区局".into(),
        unit: "U0".into(),
        ancestors: vec!["省局".into(), "市局".into()],
        draw_date: "2025-06-01".into(),
        randomness_source: RandomnessSource::Demo { label: "synthetic".into() },
        plan: Plan {
            strata,
            allocation: Allocation::Total { count: shape.select, min_one_per_stratum: true },
            team: TeamRule {
                size: shape.team_size,
                load_cap: shape.load_cap,
                qualification: Some("综合".into()),
                units: vec!["U0".into(), "U1".into(), "U2".into()],
            },
            directed: None,
        },
        objects,
        inspectors,
        history,
    }
}
