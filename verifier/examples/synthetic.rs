//! Writes a synthetic draw of N objects (default 1,000,000) as the files the
//! browser verifies, and times the native verification of them:
//!
//!     cargo run --release -p verifier --example synthetic -- OUT_DIR [N]
//!
//! Files: `record.json` (the whole record), `record-without-pool.json` and
//! `pool.bin` (SPEC.md §15). Prints one JSON line with sizes and times (ms),
//! read by tests/browser/bench-verify.js.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a tool: failing loudly is the point

use std::time::Instant;

use draw::synthetic::{Shape, input};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().expect("usage: synthetic OUT_DIR [N]"));
    let n: usize = args.next().map(|a| a.parse().expect("N is a number")).unwrap_or(1_000_000);
    std::fs::create_dir_all(&out).unwrap();
    // The shape of `cargo bench -p draw`.
    let shape = Shape {
        objects: n,
        strata: 10,
        inspectors: 5_000,
        select: n as u64 / 10,
        team_size: 2,
        load_cap: 60,
        history: n / 100,
        seed: 1,
    };
    let record = draw::draw(input(&shape), draw::Randomness::Demo { value: "00".repeat(32) }).unwrap();
    let json = serde_json::to_string(&record).unwrap();
    let pool = draw::pool_bin::encode(&record.input.objects).unwrap();
    let mut head = record.clone();
    head.input.objects.clear();
    let head = serde_json::to_string(&head).unwrap();
    std::fs::write(out.join("record.json"), &json).unwrap();
    std::fs::write(out.join("record-without-pool.json"), &head).unwrap();
    std::fs::write(out.join("pool.bin"), &pool).unwrap();

    // Native timings: best of 3 of (parse + verify), as the browser does;
    // `verify` hashes the two halves of the pool's Merkle tree on two threads,
    // `one_thread` does the same work as the browser's two workers on one.
    let best = |f: &dyn Fn() -> bool| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                assert!(f(), "the record verifies");
                t.elapsed().as_secs_f64() * 1000.0
            })
            .fold(f64::INFINITY, f64::min)
    };
    let verify_only = best(&|| draw::verify(&record).is_match());
    let from_json = best(&|| {
        let r: draw::DrawRecord = serde_json::from_str(&json).unwrap();
        draw::verify(&r).is_match()
    });
    let from_split = best(&|| {
        let mut r: draw::DrawRecord = serde_json::from_str(&head).unwrap();
        r.input.objects = draw::pool_bin::decode(&pool).unwrap();
        draw::verify(&r).is_match()
    });
    let from_json_1t = best(&|| {
        let r: draw::DrawRecord = serde_json::from_str(&json).unwrap();
        one_thread(&r).is_match()
    });
    let from_split_1t = best(&|| {
        let mut r: draw::DrawRecord = serde_json::from_str(&head).unwrap();
        r.input.objects = draw::pool_bin::decode(&pool).unwrap();
        one_thread(&r).is_match()
    });
    println!(
        "{{\"objects\":{n},\"record_json_bytes\":{},\"head_bytes\":{},\"pool_bin_bytes\":{},\"pool_bin_bytes_per_object\":{:.2},\"native_verify_ms\":{verify_only:.0},\"native_json_ms\":{from_json:.0},\"native_split_ms\":{from_split:.0},\"native_json_1t_ms\":{from_json_1t:.0},\"native_split_1t_ms\":{from_split_1t:.0}}}",
        json.len(),
        head.len(),
        pool.len(),
        pool.len() as f64 / n as f64
    );
}

/// `draw::verify` on this thread only: the right half of the pool's Merkle
/// tree is hashed from its leaf data as the browser's second worker does.
fn one_thread(record: &draw::DrawRecord) -> draw::Verification {
    let run = draw::record::verify_stepwise_with(
        record,
        |_| std::future::ready(()),
        Some(|data: Vec<u8>| std::future::ready(draw::commitment::halves::root_of_leaf_data(&data))),
    );
    let mut run = std::pin::pin!(run);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        // `ready` futures never wait, so the first poll finishes.
        if let std::task::Poll::Ready(v) = run.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
