//! Properties of the protocol over generated inputs (proptest).
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation here is a failed test or tool run
#![cfg(not(target_arch = "wasm32"))]

use draw::synthetic::{Shape, input};
use draw::{Allocation, DrawInput, DrawRecord, Randomness, draw};
use proptest::prelude::*;

fn randomness(byte: u8) -> Randomness {
    Randomness::Demo { value: hex::encode([byte; 32]) }
}

fn small_input(objects: usize, strata: usize, inspectors: usize, select: u64, seed: u64) -> DrawInput {
    input(&Shape { objects, strata, inspectors, select, team_size: 2, load_cap: 1_000, history: objects / 4, seed })
}

/// Applies a permutation (from proptest) to a list.
fn permute<T>(v: &mut [T], swaps: &[(usize, usize)]) {
    if v.is_empty() {
        return;
    }
    for &(a, b) in swaps {
        v.swap(a % v.len(), b % v.len());
    }
}

fn teams_hold(record: &DrawRecord) -> Result<(), TestCaseError> {
    let mut load = std::collections::HashMap::new();
    for s in &record.result.strata {
        for sel in &s.selected {
            prop_assert_eq!(sel.team.len() as u64, record.input.plan.team.size);
            for (k, cert) in sel.team.iter().enumerate() {
                prop_assert!(!sel.team[..k].contains(cert));
                let p = record.input.inspectors.iter().find(|p| &p.cert == cert).expect("inspector exists");
                prop_assert!(!p.conflicts.contains(&sel.object), "{} conflicts with {}", cert, sel.object);
                *load.entry(cert.clone()).or_insert(0u64) += 1;
            }
        }
    }
    prop_assert!(load.values().all(|&l| l <= record.input.plan.team.load_cap));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Input order never changes the commitment or the result.
    #[test]
    fn input_order_never_matters(
        n in 5usize..200, strata in 1usize..5, seed in 0u64..1000,
        swaps in proptest::collection::vec((0usize..1000, 0usize..1000), 0..60),
    ) {
        let a = small_input(n, strata, 12, (n / 5) as u64 + strata as u64, seed);
        let mut b = a.clone();
        permute(&mut b.objects, &swaps);
        permute(&mut b.inspectors, &swaps);
        permute(&mut b.history, &swaps);
        permute(&mut b.plan.strata, &swaps);
        b.ancestors.reverse();
        b.plan.team.units.reverse();
        // The same result, or the same refusal (e.g. asking for more than is eligible).
        let outcome = |i| draw(i, randomness(1)).map(|r| (r.commitment, r.result)).map_err(|e| e.to_string());
        prop_assert_eq!(outcome(a), outcome(b));
    }

    /// Under the same seed, asking for more objects never changes the earlier
    /// picks or their teams. (A different count is a different commitment and
    /// so a different seed; this is a property of the selection procedure.)
    #[test]
    fn selection_is_prefix_stable(n in 10usize..300, k in 1u64..10, more in 1u64..20, seed in 0u64..1000, s in any::<[u8; 32]>()) {
        let a = small_input(n, 1, 10, k, seed);
        let mut b = a.clone();
        b.plan.allocation = Allocation::Total { count: (k + more).min(n as u64), min_one_per_stratum: true };
        let (ca, cb) = (a.canonical().expect("valid"), b.canonical().expect("valid"));
        let oa = draw::protocol::run(&ca, &s, &[]);
        let ob = draw::protocol::run(&cb, &s, &[]);
        prop_assume!(oa.is_ok() && ob.is_ok());
        let (oa, ob) = (oa.expect("checked"), ob.expect("checked"));
        let (sa, sb) = (&oa.strata[0].selected, &ob.strata[0].selected);
        prop_assert!(sb.len() > sa.len() || sb.len() == n);
        prop_assert_eq!(&sa[..], &sb[..sa.len()]);
    }

    /// Identical inputs give byte-identical records, and every record verifies.
    #[test]
    fn identical_inputs_identical_records(n in 5usize..200, seed in 0u64..1000, byte in any::<u8>()) {
        let i = small_input(n, 3, 10, (n / 4) as u64 + 3, seed);
        let a = draw(i.clone(), randomness(byte));
        prop_assume!(a.is_ok(), "an infeasible shape draws nothing");
        let a = a.expect("checked");
        let b = draw(i, randomness(byte)).expect("the same input draws the same way");
        prop_assert_eq!(serde_json::to_string(&a).expect("json"), serde_json::to_string(&b).expect("json"));
        prop_assert!(draw::verify(&a).is_match());
    }

    /// Any change to a published selection is caught and located.
    #[test]
    fn tampering_is_detected(n in 20usize..200, seed in 0u64..1000, pick in any::<prop::sample::Index>()) {
        let i = small_input(n, 2, 10, (n / 4) as u64 + 2, seed);
        let record = draw(i.clone(), randomness(4));
        prop_assume!(record.is_ok(), "an infeasible shape draws nothing");
        let mut record = record.expect("checked");
        let pool: Vec<String> = i.objects.iter().map(|o| o.id.clone()).collect();
        let chosen: Vec<String> = record.result.strata.iter().flat_map(|s| s.selected.iter().map(|x| x.object.clone())).collect();
        let outsider = pool.iter().find(|o| !chosen.contains(o)).cloned();
        prop_assume!(outsider.is_some());
        let s = pick.index(record.result.strata.len());
        prop_assume!(!record.result.strata[s].selected.is_empty());
        let p = pick.index(record.result.strata[s].selected.len());
        record.result.strata[s].selected[p].object = outsider.clone().expect("checked");
        let v = draw::verify(&record);
        prop_assert!(!v.is_match());
        let outsider = draw::Value::Text(outsider.expect("checked"));
        prop_assert!(v.differences.iter().any(|d| d.published == outsider));
    }
}

#[test]
fn bad_input_is_reported_with_record_and_field_and_nothing_is_drawn() {
    let mut i = small_input(20, 2, 5, 4, 7);
    let wrong = if i.objects[4].id.ends_with('1') { "2" } else { "1" };
    i.objects[4].id.replace_range(17..18, wrong);
    i.objects[6].id = i.objects[2].id.clone();
    i.plan.strata[1].ratio = draw::Ratio { num: 0, den: 10 };
    i.plan.team.size = 1;
    let err = draw(i, randomness(5)).expect_err("invalid");
    let text = err.to_string();
    for needle in [
        "objects[4]",
        ".id",
        "校验码",
        "objects[6]",
        "duplicate of objects[2]",
        "plan.strata[1] (S01).ratio",
        "plan.team.size",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn team_larger_than_eligible_inspectors_is_an_exact_error() {
    let mut i = small_input(30, 1, 3, 5, 9);
    i.plan.team.size = 4;
    let err = draw(i, randomness(6)).expect_err("infeasible").to_string();
    assert!(err.starts_with("plan.team: 分层 S00 的检查组无法保证：符合条件的检查人员 3 名"), "{err}");
    assert!(err.contains("少于每组 4 名"), "{err}");
    // The same plan is refused at commit time, before any randomness exists.
    let mut i = small_input(30, 1, 3, 5, 9);
    i.plan.team.size = 4;
    assert_eq!(draw::commit(&i).expect_err("refused").to_string(), err);
}

/// The case proptest found: five objects over four strata asking for five,
/// one excluded by history. Both orders give the same refusal.
#[test]
fn order_never_changes_a_refusal() {
    let a = small_input(5, 4, 12, 5, 0);
    let mut b = a.clone();
    b.objects.reverse();
    b.inspectors.reverse();
    let (ea, eb) = (draw(a, randomness(1)).expect_err("refused"), draw(b, randomness(1)).expect_err("refused"));
    assert_eq!(ea.to_string(), eb.to_string());
    assert!(ea.to_string().contains("抽取总数 5 超过可抽对象数 4"), "{ea}");
}

/// Team size, distinct members, declared conflicts and the load cap always
/// hold. Counted: most generated shapes must be feasible, or the property
/// would hold vacuously (an infeasible draw makes no teams to check).
#[test]
fn teams_respect_the_rules() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;

    let mut runner = TestRunner::new(Config { failure_persistence: None, ..Config::default() });
    let (feasible, total) = (Cell::new(0u32), Cell::new(0u32));
    let shapes = (5usize..300, 1usize..4, 3usize..30, 1u64..40, 0u64..1000);
    runner
        .run(&shapes, |(n, strata, inspectors, cap, seed)| {
            let mut i = small_input(n, strata, inspectors, (n / 6) as u64 + strata as u64, seed);
            i.plan.team.load_cap = cap;
            // Add conflicts against early objects.
            for (k, p) in i.inspectors.iter_mut().enumerate() {
                p.conflicts = vec![draw::synthetic::credit_code(k as u64 % n as u64)];
            }
            total.set(total.get() + 1);
            match draw(i, randomness(3)) {
                Ok(record) => {
                    feasible.set(feasible.get() + 1);
                    teams_hold(&record)?
                }
                Err(draw::DrawError::Infeasible(_)) => {}
                Err(e) => prop_assert!(false, "unexpected error {}", e),
            }
            Ok(())
        })
        .unwrap();
    let (feasible, total) = (feasible.get(), total.get());
    println!("teams_respect_the_rules: {feasible} of {total} generated draws were feasible");
    assert!(feasible * 2 > total, "only {feasible} of {total} generated draws were feasible");
}
