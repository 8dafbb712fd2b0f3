//! The publication log at scale. Run through `scripts/bench-log.sh`.
//!
//!   log_bench append DB [--entries N]   appends N entries (default 10,000,000)
//!                                       to a log of its own (created if missing),
//!                                       a million per transaction, and prints
//!                                       each million's time
//!   log_bench tiles URL                 requests the tiles an inclusion proof
//!                                       reads for random entries, and the
//!                                       checkpoint; prints p50/p99
//!   log_bench content I…                prints the content entry I hashes, one
//!                                       line each (for the browser's check)
//!
//! The entries are synthetic enterprise versions (no publication behind them:
//! `server log verify` on that database names every one); the append is the
//! one `import` runs in the publication's transaction.
// A benchmark tool: a failed step should stop it with its message.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use gongkai_server::log::{Entry, Kind};
use gongkai_server::storage::{SqliteStorage, Storage as _};

const MILLION: u64 = 1_000_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    match args.first().map(String::as_str) {
        Some("append") => {
            let db = args.get(1).expect("append DB");
            let entries = flag(&args, "--entries").unwrap_or(10 * MILLION);
            runtime.block_on(append(Path::new(db), entries));
        }
        Some("tiles") => {
            let url = args.get(1).expect("tiles URL");
            runtime.block_on(tiles(url));
        }
        Some("content") => {
            for i in &args[1..] {
                println!("{}", content(i.parse().expect("an entry's index")));
            }
        }
        _ => {
            eprintln!("usage: log_bench append DB [--entries N] | log_bench tiles URL | log_bench content I…");
            std::process::exit(2);
        }
    }
}

fn flag(args: &[String], name: &str) -> Option<u64> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(|v| v.parse().expect("a number"))
}

/// The content of entry `i`: an enterprise's row of about 300 bytes.
fn content(i: u64) -> String {
    let key = draw::synthetic::credit_code(i);
    format!(
        "{{\"abnormal\":0,\"credit_class\":\"A\",\"credit_code\":\"{key}\",\"department_id\":{},\"industry\":\"食品\",\
         \"name\":\"基准测试第{i}号食品有限公司\",\"published_at\":\"2026-11-30T10:00:00+08:00\",\"region\":\"测试区\",\
         \"version\":1}}",
        i % 100
    )
}

/// Entry `i`: an enterprise's first version, its content [`content`]`(i)`.
fn entry(i: u64) -> Entry {
    let key = draw::synthetic::credit_code(i);
    let content = content(i);
    Entry::new(
        Kind::Enterprise,
        &key,
        1,
        "2026-11-30T10:00:00+08:00",
        &Kind::Enterprise.row_url(i as i64 + 1),
        content.as_bytes(),
    )
    .expect("a valid entry")
}

async fn append(db: &Path, count: u64) {
    let storage = SqliteStorage::open(db).await.expect("database");
    let mut done = storage.log_size().await.expect("the log's size");
    let (start, total) = (done, done + count);
    let mut appending = Duration::ZERO;
    while done < total {
        let n = MILLION.min(total - done);
        let started = Instant::now();
        let entries: Vec<Entry> = (done..done + n).map(entry).collect();
        let made = started.elapsed();
        let started = Instant::now();
        storage.bench_append_log(&entries).await.expect("append");
        let took = started.elapsed();
        appending += took;
        done += n;
        println!(
            "appended entries {:>10} to {:>10}: {:>6.2} s ({:.0} entries/s; making the entries took {:.2} s more)",
            done - n,
            done,
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            made.as_secs_f64()
        );
    }
    println!(
        "log of {done} entries: appending {} took {:.1} s in all, {:.2} s per million",
        done - start,
        appending.as_secs_f64(),
        appending.as_secs_f64() * MILLION as f64 / (done - start).max(1) as f64
    );
}

/// The C2SP tile path of tile `n` (groups of three digits, all but the last with an `x`).
fn tile_path(level: &str, n: u64, width: u64) -> String {
    let digits = format!("{n:03}");
    let pad = (3 - digits.len() % 3) % 3;
    let digits = format!("{}{digits}", "0".repeat(pad));
    let groups: Vec<&str> = digits.as_bytes().chunks(3).map(|c| std::str::from_utf8(c).unwrap()).collect();
    let last = groups.len() - 1;
    let mut path: String =
        groups.iter().enumerate().map(|(i, g)| if i < last { format!("x{g}/") } else { (*g).to_owned() }).collect();
    if width < 256 {
        path.push_str(&format!(".p/{width}"));
    }
    format!("/log/tile/{level}/{path}")
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1).min(times.len() - 1)]
}

async fn tiles(base: &str) {
    let client = reqwest::Client::new();
    let note = client.get(format!("{base}/log/checkpoint")).send().await.expect("checkpoint").text().await.unwrap();
    let size: u64 = note.lines().nth(1).expect("a checkpoint").parse().expect("its size");
    println!("log of {size} entries at {base}");
    // A fixed sequence of pseudo-random leaves (SplitMix64), so runs are comparable.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (mut hash_tiles, mut bundles) = (Vec::new(), Vec::new());
    for round in 0..2_000 {
        let leaf = next() % size;
        // The tiles on the leaf's path at every tile level that has one.
        let mut level = 0;
        while size >> (8 * level) > 0 {
            let count = size >> (8 * level);
            let n = (leaf >> (8 * level)) / 256;
            let width = (count - n * 256).min(256);
            if width == 0 {
                break;
            }
            let url = format!("{base}{}", tile_path(&level.to_string(), n, width));
            let started = Instant::now();
            let resp = client.get(&url).send().await.expect("tile");
            assert!(resp.status().is_success(), "{url}: {}", resp.status());
            assert_eq!(resp.bytes().await.unwrap().len() as u64, width * 32, "{url}");
            if round > 0 {
                hash_tiles.push(started.elapsed());
            }
            level += 1;
        }
        let n = leaf / 256;
        let width = (size - n * 256).min(256);
        let url = format!("{base}{}", tile_path("entries", n, width));
        let started = Instant::now();
        let resp = client.get(&url).send().await.expect("bundle");
        assert!(resp.status().is_success(), "{url}: {}", resp.status());
        resp.bytes().await.unwrap();
        if round > 0 {
            bundles.push(started.elapsed());
        }
    }
    let mut checkpoints = Vec::new();
    for _ in 0..500 {
        let started = Instant::now();
        let resp = client.get(format!("{base}/log/checkpoint")).send().await.expect("checkpoint");
        assert!(resp.status().is_success());
        resp.bytes().await.unwrap();
        checkpoints.push(started.elapsed());
    }
    for (name, times) in
        [("hash tiles", &mut hash_tiles), ("entry bundles", &mut bundles), ("checkpoints", &mut checkpoints)]
    {
        let n = times.len();
        println!(
            "{name:<14} {n:>5} requests (one client): p50 {:.2} ms, p99 {:.2} ms",
            percentile(times, 0.5).as_secs_f64() * 1e3,
            percentile(times, 0.99).as_secs_f64() * 1e3
        );
    }
}
