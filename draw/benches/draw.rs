//! `cargo bench -p draw`: commitment plus draw for pools of 10,000, 100,000 and
//! 1,000,000 objects (10 strata, 5,000 inspectors, 10 % selected, teams of 2).

use criterion::{Criterion, criterion_group, criterion_main};
use draw::synthetic::{Shape, input};
use draw::{Randomness, commit, draw};

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

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("commit+draw");
    group.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let inp = input(&shape(n));
        let randomness = Randomness::Demo { value: "00".repeat(32) };
        group.bench_function(format!("{n} objects"), |b| {
            b.iter_batched(
                || inp.clone(),
                |inp| {
                    let c = commit(&inp).expect("valid synthetic input");
                    let record = draw(inp, randomness.clone()).expect("feasible synthetic draw");
                    assert_eq!(c.commitment, record.commitment);
                    record
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
