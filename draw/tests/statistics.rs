//! Statistical checks of the draw over many seeds, so that a biased shuffle
//! or a biased uniform integer cannot hide behind vectors that happen to pass:
//! every eligible object is selected about as often as its stratum's rate,
//! and the object at position 1 is uniform over the pool (chi-square).
//! The seeds are fixed, so the test is deterministic; its bounds are wide
//! enough that an unbiased draw passes them with overwhelming probability.
// Native only: the vectors already tie the wasm32 build to the same draws.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use draw::Randomness;
use draw::synthetic::{Shape, input};

const SEEDS: u64 = 2_000;
const POOL: usize = 20;
const QUOTA: u64 = 5;

/// Object ids of the pool and, for each seed, the selected objects in position order.
fn draws() -> (Vec<String>, Vec<Vec<String>>) {
    let shape = Shape {
        objects: POOL,
        strata: 1,
        inspectors: 12,
        select: QUOTA,
        team_size: 2,
        load_cap: 3,
        history: 0,
        seed: 7,
    };
    let input = input(&shape);
    let ids: Vec<String> = input.objects.iter().map(|o| o.id.clone()).collect();
    let mut selections = Vec::new();
    for seed in 0..SEEDS {
        let mut value = [0u8; 32];
        value[..8].copy_from_slice(&seed.to_be_bytes());
        let record = draw::draw(input.clone(), Randomness::Demo { value: hex::encode(value) }).expect("draws");
        assert!(record.result.exclusions.is_empty(), "every object is eligible");
        let stratum = &record.result.strata[0];
        assert_eq!(stratum.selected.len() as u64, QUOTA);
        selections.push(stratum.selected.iter().map(|s| s.object.clone()).collect());
    }
    (ids, selections)
}

#[test]
fn every_object_is_selected_at_its_strata_rate_and_the_first_position_is_uniform() {
    let (ids, selections) = draws();
    let n = SEEDS as f64;
    let p = QUOTA as f64 / POOL as f64;

    // Each object's count of selections is Binomial(SEEDS, p): mean 500, sd 19.4.
    // Five standard deviations: an unbiased draw exceeds it for some of the 20
    // objects with probability about 1e-5.
    let (mean, sd) = (n * p, (n * p * (1.0 - p)).sqrt());
    for id in &ids {
        let count = selections.iter().filter(|s| s.contains(id)).count() as f64;
        assert!((count - mean).abs() <= 5.0 * sd, "{id} selected {count} times, expected {mean} ± {:.0}", 5.0 * sd);
    }

    // Position 1: chi-square over the 20 objects (19 degrees of freedom).
    // 60 is beyond the 1e-6 quantile (about 57); a biased shuffle that
    // favours some positions of the canonical order goes far past it.
    let expected = n / POOL as f64;
    let chi2: f64 = ids
        .iter()
        .map(|id| {
            let observed = selections.iter().filter(|s| s[0] == *id).count() as f64;
            (observed - expected).powi(2) / expected
        })
        .sum();
    assert!(chi2 < 60.0, "chi-square of the first position: {chi2:.1} (19 degrees of freedom)");

    // And every position holds every object sometimes (no object is never first, never last).
    for position in 0..QUOTA as usize {
        let seen: std::collections::BTreeSet<&String> = selections.iter().map(|s| &s[position]).collect();
        assert_eq!(seen.len(), POOL, "position {}", position + 1);
    }
}
