//! Arbitrary and mutated bytes into every parser that takes outside input:
//! draw inputs and records (and their verification), `pool.bin`, "was I in
//! this draw?" proofs, and query strings. Each must answer (a value or an
//! error), never panic, and take a bounded time.
//!
//! `scripts/test.sh` runs a few hundred cases per parser; `scripts/fuzz.sh`
//! runs many more (`PROPTEST_CASES`). The import files are fuzzed in the
//! server's own tests (`server/src/cli/import.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use proptest::prelude::*;

/// Far above what any of these inputs takes (milliseconds); only a
/// pathological blow-up (quadratic, a loop) gets near it.
const BOUND: Duration = Duration::from_secs(5);

fn vector_record() -> String {
    let vector: serde_json::Value =
        serde_json::from_str(include_str!("../../../draw/vectors/19-recusal.json")).expect("vector");
    let input: draw::DrawInput = serde_json::from_value(vector["input"].clone()).expect("input");
    let record = draw::draw(input, draw::Randomness::Demo { value: "00".repeat(32) }).expect("draws");
    serde_json::to_string(&record).expect("json")
}

/// `base` with `edits` applied: each (position, byte) overwrites, inserts or deletes a byte.
fn mutate(base: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut out = base.to_vec();
    for &(at, byte, how) in edits {
        if out.is_empty() {
            out.push(byte);
            continue;
        }
        let at = at % out.len();
        match how % 3 {
            0 => out[at] = byte,
            1 => out.insert(at, byte),
            _ => {
                out.remove(at);
            }
        }
    }
    out
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    assert!(started.elapsed() < BOUND, "{what} took {:?}", started.elapsed());
    out
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES (scripts/fuzz.sh) overrides the count.
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_arbitrary_bytes_as_a_record_input_pool_or_proof(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        timed("record", || {
            if let Ok(record) = serde_json::from_slice::<draw::DrawRecord>(&bytes) {
                let _ = draw::verify(&record);
            }
        });
        timed("input", || {
            if let Ok(input) = serde_json::from_slice::<draw::DrawInput>(&bytes) {
                let _ = input.canonical();
            }
        });
        timed("pool.bin", || draw::pool_bin::decode(&bytes).is_ok());
        let mut framed = b"GKPOOL1\n".to_vec();
        framed.extend_from_slice(&bytes);
        timed("framed pool.bin", || draw::pool_bin::decode(&framed).is_ok());
        timed("proof", || {
            if let Ok(proof) = serde_json::from_slice::<draw::PoolProof>(&bytes) {
                let _ = draw::check_pool_proof(&proof, &"ab".repeat(32));
            }
        });
    }

    #[test]
    fn fuzz_mutated_records_verify_or_fail_cleanly(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8)) {
        let base = vector_record();
        let bytes = mutate(base.as_bytes(), &edits);
        timed("mutated record", || {
            if let Ok(record) = serde_json::from_slice::<draw::DrawRecord>(&bytes) {
                let _ = draw::verify(&record);
            }
        });
    }

    #[test]
    fn fuzz_mutated_pool_bin_decodes_or_fails_cleanly(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8)) {
        let record: draw::DrawRecord = serde_json::from_str(&vector_record()).unwrap();
        let pool = draw::pool_bin::encode(&record.input.objects).unwrap();
        let bytes = mutate(&pool, &edits);
        timed("mutated pool.bin", || draw::pool_bin::decode(&bytes).is_ok());
    }

    #[test]
    fn fuzz_query_strings_are_checked_without_panics(query in "[a-z_=&%0-9A-F\\x00-\\x7f\u{4e00}-\u{4e10}]{0,300}") {
        timed("query", || {
            let _ = gongkai_server::routes::query::check_query(&query);
            let pairs: Vec<(String, String)> = query
                .split('&')
                .map(|p| p.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).unwrap_or((p.to_owned(), String::new())))
                .collect();
            let q = app::types::ListQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let _ = (q.page(), q.per_page(), q.offset(), q.year(), q.href_query(q.page()));
        });
    }
}
