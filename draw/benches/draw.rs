//! `cargo bench -p draw`: pools of 10,000, 100,000 and 1,000,000 objects in 10
//! strata, 5,000 inspectors, 10 % selected (100,000 of 1,000,000), teams of 2.
//!
//! - `draw`: validation, commitment (Merkle root + hash), seed, eligibility,
//!   allocation, selection and teams — everything publishing a draw computes
//!   (target: ≤ 0.5 s for 1,000,000 objects on a 2-core machine);
//! - `commit`: validation and commitment alone (the earlier publication step);
//! - `verify`: re-running a published record and comparing every value.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation here is a failed test or tool run

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use draw::synthetic::{Shape, input};
use draw::{Randomness, commit, draw, verify};

fn shape(objects: usize) -> Shape {
    Shape {
        objects,
        strata: 10,
        inspectors: 5_000,
        select: objects as u64 / 10,
        team_size: 2,
        load_cap: 60,
        history: objects / 100,
        seed: 1,
    }
}

fn randomness() -> Randomness {
    Randomness::Demo { value: "00".repeat(32) }
}

fn bench(c: &mut Criterion) {
    for n in [10_000usize, 100_000, 1_000_000] {
        let inp = input(&shape(n));
        let mut group = c.benchmark_group(format!("{n} objects"));
        group.sample_size(10);
        group.bench_function("draw (commitment + draw)", |b| {
            b.iter_batched(|| inp.clone(), |i| draw(i, randomness()).expect("feasible"), BatchSize::PerIteration)
        });
        group.bench_function("commit", |b| b.iter(|| commit(&inp).expect("valid")));
        let record = draw(inp.clone(), randomness()).expect("feasible");
        group.bench_function("verify", |b| b.iter(|| assert!(verify(&record).is_match())));
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
