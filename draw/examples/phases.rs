//! Times each phase of a large synthetic draw: `cargo run --release --example phases -- 1000000`.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation here is a failed test or tool run
use std::time::Instant;

use draw::synthetic::{Shape, input};

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
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
    let t = Instant::now();
    let inp = input(&shape);
    println!("generate      {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let c = inp.canonical().expect("valid");
    println!("validate+sort {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let leaves = draw::commitment::object_leaves(&c);
    println!("leaves        {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let _ = draw::merkle::root(&leaves);
    println!("merkle root   {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let _ = draw::protocol::run(&c, &[0; 32], &[]).expect("feasible");
    println!("run           {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    drop(c);
    let t = Instant::now();
    let commitment = draw::commit(&inp).expect("valid");
    println!("commit        {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let record = draw::draw(inp, draw::Randomness::Demo { value: "00".repeat(32) }).expect("feasible");
    println!(
        "draw          {:>8.1} ms  ({})",
        t.elapsed().as_secs_f64() * 1e3,
        commitment.commitment == record.commitment
    );
    let t = Instant::now();
    drop(record);
    println!("drop record   {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
}
