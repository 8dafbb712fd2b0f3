//! The feedback form (`/feedback`) under load and under `kill -9`, against the
//! release server. Run through `scripts/bench-feedback.sh` (the benchmark) and
//! `scripts/crash-feedback.sh` (the crash test, a phase of `scripts/test.sh`).
//!
//!   feedback_load prepare DB CODES.csv
//!   feedback_load bench URL CODES.csv [--clients 32] [--seconds 20]
//!   feedback_load crash SERVER_BINARY DB CODES.csv [--rounds 5] [--clients 16] [--seed N]
//!
//! `prepare` builds a database with the demo data, publishes corrections of
//! the district's (159902) 2024 results that say they were delivered today
//! (Beijing time), and issues their feedback codes with
//! `server feedback codes --department 159902 --year 2024` (in-process): about
//! 60 codes whose windows are open today.
//!
//! `bench` runs concurrent clients, each with its own connection and
//! anti-forgery cookie and its own codes: it identifies once per code, then
//! submits new versions in a loop (tracking `based_on` itself), and prints the
//! accepted submissions per second and the latency of the submissions.
//!
//! `crash` starts the server binary on the database, submits with concurrent
//! clients, kills the server with SIGKILL at a random moment, restarts it and
//! does it again; then checks the database: `integrity_check` is "ok", every
//! acknowledged receipt (a complete 200 answer with the receipt) is stored as
//! acknowledged, every submission has all its ratings, versions have no gaps.
//! A kill leaves the operating system's page cache in place, so this checks
//! the server's order of work (the answer only after the commit, a submission
//! and its ratings in one transaction), not the disk's: losing power is what
//! `synchronous = FULL` is for.
// A load tool: a failed setup step should stop it with its message.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gongkai_server::feedback::{FeedbackKey, key_path_from_env};
use gongkai_server::storage::{Batch, Correction, NewResult, PortalSource, SqliteStorage, Storage};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

/// The demo's district, whose 2024 results get codes.
const DEPARTMENT: &str = "159902";
const YEAR: &str = "2024";
/// Rate limits high enough never to be met by the load.
const NO_LIMIT: &str = "100000000";
const ACCEPTED: &str = "评价已提交并保存";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&str> = {
        let mut out = Vec::new();
        let mut i = 0;
        while i < args.len() {
            if args[i].starts_with("--") {
                i += 2;
            } else {
                out.push(args[i].as_str());
                i += 1;
            }
        }
        out
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    match positional.as_slice() {
        ["prepare", db, csv] => prepare(&runtime, Path::new(db), Path::new(csv)),
        ["bench", url, csv] => {
            let clients = flag(&args, "--clients").unwrap_or(32) as usize;
            let seconds = flag(&args, "--seconds").unwrap_or(20);
            runtime.block_on(bench(url.trim_end_matches('/'), Path::new(csv), clients, seconds))
        }
        ["crash", server, db, csv] => {
            let rounds = flag(&args, "--rounds").unwrap_or(5) as usize;
            let clients = flag(&args, "--clients").unwrap_or(16) as usize;
            let seed = flag(&args, "--seed");
            runtime.block_on(crash(Path::new(server), Path::new(db), Path::new(csv), rounds, clients, seed))
        }
        _ => {
            eprintln!(
                "usage: feedback_load prepare DB CODES.csv\n       \
                 feedback_load bench URL CODES.csv [--clients 32] [--seconds 20]\n       \
                 feedback_load crash SERVER_BINARY DB CODES.csv [--rounds 5] [--clients 16] [--seed N]"
            );
            ExitCode::from(2)
        }
    }
}

fn flag(args: &[String], name: &str) -> Option<u64> {
    let value = args.iter().position(|a| a == name).and_then(|i| args.get(i + 1))?;
    match value.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            eprintln!("{name}: not a number: {value}");
            std::process::exit(2);
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Now in Beijing time, `YYYY-MM-DDTHH:MM:SS+08:00`.
fn beijing_now() -> String {
    format!("{}+08:00", draw::id::format_beijing(unix_now()).replacen(' ', "T", 1))
}

// ---------------------------------------------------------------------------
// prepare

fn prepare(runtime: &tokio::runtime::Runtime, db: &Path, csv: &Path) -> ExitCode {
    if db.exists() || csv.exists() {
        eprintln!("{} or {} exists: prepare writes a new database and a new file", db.display(), csv.display());
        return ExitCode::FAILURE;
    }
    let started = Instant::now();
    let now = beijing_now();
    let today = now[..10].to_owned();
    let corrected = runtime.block_on(async {
        let storage = SqliteStorage::open(db).await.expect("open the database");
        let key = FeedbackKey::load_or_create(&key_path_from_env(db.parent().unwrap_or(Path::new(""))))
            .expect("the feedback key");
        gongkai_server::publish::seed_calendar(&storage, &now).await.expect("the bundled calendar");
        let day = app::calendar::day(&today).expect("today is a date");
        let draws = gongkai_server::demo::seed_if_empty(&storage, Some(&key), day).await.expect("the demo data");
        eprintln!("[{:>5.1} s] demo data: {draws} draws", started.elapsed().as_secs_f64());
        // The district's 2024 results, corrected: delivered today.
        let due = storage.results_without_feedback_code(DEPARTMENT, YEAR.parse().unwrap()).await.expect("results");
        let mut fixed = Vec::new();
        for r in &due {
            let current = storage.result_versions(&r.result_code).await.expect("versions").into_iter().next();
            let Some(c) = current else { continue };
            let list = |s: &str| s.split(';').filter(|x| !x.is_empty()).map(str::to_owned).collect::<Vec<_>>();
            fixed.push(NewResult {
                result_code: c.result_code.clone(),
                draw_id: c.draw_id.clone(),
                credit_code: draw::CreditCode::parse(&c.credit_code).expect("a stored credit code"),
                enterprise_name: c.enterprise_name.clone(),
                department_code: c.department_code.clone().unwrap_or_else(|| DEPARTMENT.to_owned()),
                item_codes: list(&c.item_codes),
                inspectors: list(&c.inspectors),
                // The inspection keeps its date (and so its year, 2024).
                inspected_on: c.inspected_on.clone(),
                reported_on: c.reported_on.clone(),
                delivered_on: Some(today.clone()),
                entered_on: Some(today.clone()),
                category: c.category,
                findings: c.findings.clone(),
                rectification_deadline: c.rectification_deadline.clone(),
                rectification: c.rectification_status,
                penalty_case: c.penalty_case.clone(),
                published_at: now.clone(),
                correction: Some(Correction {
                    reason: "送达日期更正（负载测试）/ delivery date corrected (load test)".to_owned(),
                }),
            });
        }
        let n = fixed.len();
        let summary = storage.import(&Batch::Results(fixed)).await.expect("the corrections");
        assert_eq!(summary.corrected, n, "every result corrected");
        storage.pool().close().await;
        n
    });
    eprintln!(
        "[{:>5.1} s] {corrected} results of {DEPARTMENT}/{YEAR} delivered on {today}",
        started.elapsed().as_secs_f64()
    );
    let (db_arg, csv_arg) = (db.display().to_string(), csv.display().to_string());
    let args =
        ["feedback", "codes", "--department", DEPARTMENT, "--year", YEAR, "--out", &csv_arg, "--database", &db_arg];
    if gongkai_tests::server_command(&args) != ExitCode::SUCCESS {
        eprintln!("server {} failed", args.join(" "));
        return ExitCode::FAILURE;
    }
    let codes = read_codes(csv);
    // A blank last day: next year's holidays are not published yet, and the window stays open.
    let open = codes
        .iter()
        .filter(|c| c.opens == today && (c.closes.is_empty() || c.closes.as_str() >= today.as_str()))
        .count();
    let closes: BTreeSet<&str> = codes.iter().map(|c| c.closes.as_str()).collect();
    println!(
        "prepared {}: {} codes in {}, {open} with their window open today ({today} to {}), {:.1} s",
        db.display(),
        codes.len(),
        csv.display(),
        closes.iter().copied().collect::<Vec<_>>().join(", "),
        started.elapsed().as_secs_f64()
    );
    if open == 0 || open != codes.len() {
        eprintln!("expected every code's window to be open today");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// One issued code, as the department's CSV lists it.
#[derive(Clone, Debug)]
struct Issued {
    result_code: String,
    credit_code: String,
    code: String,
    opens: String,
    closes: String,
}

/// The cells of one CSV line (quoted cells as the csv crate writes them).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

fn read_codes(csv: &Path) -> Vec<Issued> {
    let text = std::fs::read_to_string(csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
    let mut lines = text.trim_start_matches('\u{feff}').lines().filter(|l| !l.trim().is_empty());
    let header = csv_cells(lines.next().expect("a header row"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (rc, cc, code, opens, closes) = (
        column("result_code"),
        column("credit_code"),
        column("feedback_code"),
        column("feedback_opens"),
        column("feedback_closes"),
    );
    lines
        .map(|l| {
            let cells = csv_cells(l);
            Issued {
                result_code: cells[rc].clone(),
                credit_code: cells[cc].clone(),
                code: cells[code].clone(),
                opens: cells[opens].clone(),
                closes: cells[closes].clone(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// A client of the form

/// One visitor: its own connection, its anti-forgery cookie and token.
struct Session {
    client: reqwest::Client,
    base: String,
    cookie: String,
    token: String,
}

/// A complete answer, or why there is none.
type Answer = Result<(StatusCode, String), String>;

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    html[start..].split('"').next().map(str::to_owned)
}

fn encode(fields: &[(String, String)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

impl Session {
    /// Loads the form (`GET /feedback`) for its cookie and token.
    async fn open(base: &str, timeout: Duration) -> Result<Session, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|e| e.to_string())?;
        let resp = client.get(format!("{base}/feedback")).send().await.map_err(|e| format!("GET /feedback: {e}"))?;
        if resp.status() != StatusCode::OK {
            return Err(format!("GET /feedback: {}", resp.status()));
        }
        let cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("gongkai_form="))
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
            .ok_or("GET /feedback: no gongkai_form cookie")?;
        let html = resp.text().await.map_err(|e| format!("GET /feedback: {e}"))?;
        let token = hidden(&html, "csrf").ok_or("GET /feedback: no csrf field")?;
        Ok(Session { client, base: base.to_owned(), cookie, token })
    }

    async fn post(&self, fields: &[(String, String)]) -> Answer {
        let mut all = vec![("csrf".to_owned(), self.token.clone())];
        all.extend_from_slice(fields);
        let resp = self
            .client
            .post(format!("{}/feedback", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &self.cookie)
            .body(encode(&all))
            .send()
            .await
            .map_err(|e| format!("POST /feedback: {e}"))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| format!("POST /feedback ({status}), body: {e}"))?;
        Ok((status, body))
    }

    async fn identify(&self, issued: &Issued) -> Answer {
        self.post(&[
            ("step".to_owned(), "identify".to_owned()),
            ("credit_code".to_owned(), issued.credit_code.clone()),
            ("code".to_owned(), issued.code.clone()),
        ])
        .await
    }
}

/// A code a client owns, with what the form said of it.
struct Owned {
    issued: Issued,
    based_on: u32,
    inspectors: Vec<String>,
}

impl Owned {
    /// Reads `based_on` and the team from the form of an identify answer.
    fn from_form(issued: &Issued, html: &str) -> Option<Owned> {
        let based_on = hidden(html, "based_on")?.parse().ok()?;
        let inspectors = (0..).map_while(|i| hidden(html, &format!("inspector_{i}"))).collect::<Vec<_>>();
        (!inspectors.is_empty()).then(|| Owned { issued: issued.clone(), based_on, inspectors })
    }

    /// The next version's answers: the levels and texts vary with the version.
    fn answers(&self, client: usize) -> Vec<(String, String)> {
        let version = self.based_on + 1;
        let level = |k: usize| (1 + (version as usize + k) % 5).to_string();
        let mut fields = vec![
            ("step".to_owned(), "submit".to_owned()),
            ("credit_code".to_owned(), self.issued.credit_code.clone()),
            ("code".to_owned(), self.issued.code.clone()),
            ("based_on".to_owned(), self.based_on.to_string()),
            ("department".to_owned(), level(0)),
            (
                "text".to_owned(),
                format!("负载测试：客户端 {client}，第 {version} 版。\nload test, client {client}, version {version}"),
            ),
            ("contact".to_owned(), "0471-1234567".to_owned()),
        ];
        for (i, cert) in self.inspectors.iter().enumerate() {
            fields.push((format!("inspector_{i}"), cert.clone()));
            fields.push((format!("level_{i}"), level(i + 1)));
            fields.push((format!("conduct_{i}_showed_certificate"), "yes".to_owned()));
            let gifts = if version.is_multiple_of(7) { "no" } else { "yes" };
            fields.push((format!("conduct_{i}_no_gifts"), gifts.to_owned()));
        }
        fields
    }
}

/// An acknowledged submission, as its receipt page shows it.
#[derive(Clone, Debug)]
struct Ack {
    result_code: String,
    version: u32,
    number: String,
    sha256: String,
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The receipt of an accepted page, checked: its SHA-256 is of the canonical
/// submission shown, which is of this result and version.
fn receipt_of(html: &str, result_code: &str, version: u32) -> Result<Ack, String> {
    if !html.contains(ACCEPTED) {
        return Err("200 without the receipt".to_owned());
    }
    let number = html
        .match_indices("FK-")
        .map(|(at, _)| &html[at..(at + 17).min(html.len())])
        .find(|n| {
            n.len() == 17
                && n.char_indices()
                    .all(|(i, c)| if [2, 7, 12].contains(&i) { c == '-' } else { i < 2 || c.is_ascii_hexdigit() })
        })
        .ok_or("no receipt number")?
        .to_owned();
    let marker = "<code class=\"hash\">";
    let at = html.find(marker).ok_or("no SHA-256")? + marker.len();
    let sha256 = html.get(at..at + 64).ok_or("no SHA-256")?.to_owned();
    let start = html.find("<pre>").ok_or("no canonical submission")? + 5;
    let end = html[start..].find("</pre>").ok_or("no canonical submission")? + start;
    let canonical = unescape(&html[start..end]);
    if hex::encode(Sha256::digest(canonical.as_bytes())) != sha256 {
        return Err(format!("the SHA-256 {sha256} is not of the canonical submission shown"));
    }
    let doc: serde_json::Value = serde_json::from_str(&canonical).map_err(|e| format!("canonical: {e}"))?;
    if doc["result_code"] != result_code || doc["version"] != version {
        return Err(format!(
            "the receipt is of {} version {}, not {result_code} version {version}",
            doc["result_code"], doc["version"]
        ));
    }
    Ok(Ack { result_code: result_code.to_owned(), version, number, sha256 })
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1e3
}

async fn wait_ready(base: &str, mut alive: impl FnMut() -> Result<(), String>) -> Result<(), String> {
    let started = Instant::now();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().map_err(|e| e.to_string())?;
    loop {
        alive()?;
        if let Ok(r) = client.get(format!("{base}/feedback")).send().await
            && r.status() == StatusCode::OK
        {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(120) {
            return Err(format!("the server at {base} does not answer"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Codes dealt out to `clients` clients: client k owns codes k, k + clients, …
fn deal(codes: &[Issued], clients: usize) -> Vec<Vec<Issued>> {
    let mut hands = vec![Vec::new(); clients];
    for (i, c) in codes.iter().enumerate() {
        hands[i % clients].push(c.clone());
    }
    hands
}

// ---------------------------------------------------------------------------
// bench

#[derive(Default)]
struct ClientReport {
    accepted: u64,
    submits: Vec<Duration>,
    identifies: Vec<Duration>,
    statuses: BTreeMap<u16, u64>,
    failures: Vec<String>,
}

async fn bench_client(base: String, k: usize, hand: Vec<Issued>, deadline: Instant) -> ClientReport {
    let mut report = ClientReport::default();
    let session = match Session::open(&base, Duration::from_secs(30)).await {
        Ok(s) => s,
        Err(e) => {
            report.failures.push(format!("client {k}: {e}"));
            return report;
        }
    };
    let mut owned = Vec::new();
    for issued in &hand {
        let t = Instant::now();
        let answer = session.identify(issued).await;
        report.identifies.push(t.elapsed());
        match answer {
            Ok((StatusCode::OK, html)) => match Owned::from_form(issued, &html) {
                Some(o) => owned.push(o),
                None => report.failures.push(format!("client {k}: {}: no form in the answer", issued.result_code)),
            },
            Ok((status, _)) => {
                *report.statuses.entry(status.as_u16()).or_default() += 1;
                report.failures.push(format!("client {k}: identify {}: {status}", issued.result_code));
            }
            Err(e) => report.failures.push(format!("client {k}: identify {}: {e}", issued.result_code)),
        }
    }
    let mut next = 0;
    while !owned.is_empty() && Instant::now() < deadline {
        let at = next % owned.len();
        next += 1;
        let o = &mut owned[at];
        let fields = o.answers(k);
        let t = Instant::now();
        let answer = session.post(&fields).await;
        report.submits.push(t.elapsed());
        match answer {
            Ok((StatusCode::OK, html)) => match receipt_of(&html, &o.issued.result_code, o.based_on + 1) {
                Ok(_) => {
                    report.accepted += 1;
                    o.based_on += 1;
                }
                Err(e) => {
                    report.failures.push(format!("client {k}: {}: {e}", o.issued.result_code));
                    break;
                }
            },
            Ok((status, _)) => {
                *report.statuses.entry(status.as_u16()).or_default() += 1;
                report.failures.push(format!("client {k}: submit {}: {status}", o.issued.result_code));
                break;
            }
            Err(e) => {
                report.failures.push(format!("client {k}: submit {}: {e}", o.issued.result_code));
                break;
            }
        }
    }
    report
}

async fn bench(base: &str, csv: &Path, clients: usize, seconds: u64) -> ExitCode {
    let codes = read_codes(csv);
    let clients = clients.clamp(1, codes.len().max(1));
    if let Err(e) = wait_ready(base, || Ok(())).await {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    println!(
        "feedback bench: {clients} concurrent clients (each its own connection and codes), {} codes, {seconds} s, {base}",
        codes.len()
    );
    let hands = deal(&codes, clients);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = hands
        .into_iter()
        .enumerate()
        .map(|(k, hand)| tokio::spawn(bench_client(base.to_owned(), k, hand, deadline)))
        .collect();
    let mut all = ClientReport::default();
    for t in tasks {
        let r = t.await.expect("client task");
        all.accepted += r.accepted;
        all.submits.extend(r.submits);
        all.identifies.extend(r.identifies);
        for (s, n) in r.statuses {
            *all.statuses.entry(s).or_default() += n;
        }
        all.failures.extend(r.failures);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.submits.sort();
    all.identifies.sort();
    let s = &all.submits;
    println!("accepted submissions: {} in {elapsed:.1} s = {:.1}/s", all.accepted, all.accepted as f64 / elapsed);
    println!(
        "submit latency (ms, n={}): p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        s.len(),
        percentile(s, 0.50),
        percentile(s, 0.90),
        percentile(s, 0.99),
        percentile(s, 1.0)
    );
    let i = &all.identifies;
    println!(
        "identify latency (ms, n={}): p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        i.len(),
        percentile(i, 0.50),
        percentile(i, 0.90),
        percentile(i, 0.99),
        percentile(i, 1.0)
    );
    if all.statuses.is_empty() {
        println!("non-200 answers: none");
    } else {
        let list: Vec<String> = all.statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        println!("non-200 answers: {}", list.join(", "));
    }
    if all.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("{} submissions refused or failed:", all.failures.len());
        for f in all.failures.iter().take(20) {
            println!("  {f}");
        }
        ExitCode::FAILURE
    }
}

// ---------------------------------------------------------------------------
// crash

/// xorshift64*: enough to pick kill moments, and reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A whole number in `lo..hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// What the crash clients saw, shared by all of them.
#[derive(Default)]
struct Seen {
    acks: Vec<Ack>,
    /// Answers other than acknowledgements while the server was up: violations.
    unexpected: Vec<String>,
    /// Requests cut off by the kill (no complete answer).
    cut: u64,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn start_server(binary: &Path, db: &Path, port: u16, log: &Path) -> Child {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("the server log");
    let mut command = Command::new(binary);
    command
        .arg("serve")
        .env("GONGKAI_DATABASE", db)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("GONGKAI_DEMO", "0")
        .env("GONGKAI_FEEDBACK_ATTEMPTS_PER_ADDRESS", NO_LIMIT)
        .env("GONGKAI_FEEDBACK_ATTEMPTS_PER_CREDIT_CODE", NO_LIMIT)
        .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned()))
        .stdin(Stdio::null())
        .stdout(Stdio::from(file.try_clone().expect("the server log")))
        .stderr(Stdio::from(file));
    // The form needs no site files (the page is rendered without the bundle):
    // without LEPTOS_SITE_ROOT, a folder that does not exist.
    if std::env::var_os("LEPTOS_SITE_ROOT").is_none() {
        command.env("LEPTOS_SITE_ROOT", db.with_file_name("no-site"));
    }
    command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()))
}

/// Starts the server on a free port and waits until the form answers; tries
/// three ports (another program may take the free port first).
async fn start_ready(binary: &Path, db: &Path, log: &Path) -> Result<(Child, String, Duration), String> {
    let mut last = String::new();
    for _ in 0..3 {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let up = Instant::now();
        let mut child = start_server(binary, db, port, log);
        match wait_ready(&base, || alive(&mut child)).await {
            Ok(()) => return Ok((child, base, up.elapsed())),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                last = e;
            }
        }
    }
    Err(last)
}

fn alive(child: &mut Child) -> Result<(), String> {
    match child.try_wait() {
        Ok(None) => Ok(()),
        Ok(Some(status)) => Err(format!("the server stopped by itself: {status}")),
        Err(e) => Err(e.to_string()),
    }
}

/// One client's life while the server runs: identify its codes, submit until
/// the kill. Everything that arrives complete before the kill is recorded.
async fn crash_client(base: String, k: usize, hand: Vec<Issued>, killing: Arc<AtomicBool>, seen: Arc<Mutex<Seen>>) {
    let unexpected = |what: String| {
        let mut s = seen.lock().unwrap();
        if killing.load(Ordering::SeqCst) {
            s.cut += 1;
        } else {
            s.unexpected.push(format!("client {k}: {what}"));
        }
    };
    let session = match Session::open(&base, Duration::from_secs(10)).await {
        Ok(s) => s,
        Err(e) => return unexpected(e),
    };
    let mut owned = Vec::new();
    for issued in &hand {
        match session.identify(issued).await {
            Ok((StatusCode::OK, html)) => match Owned::from_form(issued, &html) {
                Some(o) => owned.push(o),
                None => return unexpected(format!("{}: no form in the answer", issued.result_code)),
            },
            Ok((status, _)) => return unexpected(format!("identify {}: {status}", issued.result_code)),
            Err(e) => return unexpected(format!("identify {}: {e}", issued.result_code)),
        }
    }
    let mut next = 0;
    while !owned.is_empty() && !killing.load(Ordering::SeqCst) {
        let at = next % owned.len();
        next += 1;
        let o = &mut owned[at];
        match session.post(&o.answers(k)).await {
            // A complete 200 with the receipt: acknowledged, whatever happens next.
            Ok((StatusCode::OK, html)) => match receipt_of(&html, &o.issued.result_code, o.based_on + 1) {
                Ok(ack) => {
                    seen.lock().unwrap().acks.push(ack);
                    o.based_on += 1;
                }
                Err(e) => return unexpected(format!("{}: {e}", o.issued.result_code)),
            },
            Ok((status, _)) => return unexpected(format!("submit {}: {status}", o.issued.result_code)),
            Err(e) => return unexpected(format!("submit {}: {e}", o.issued.result_code)),
        }
    }
}

async fn crash(binary: &Path, db: &Path, csv: &Path, rounds: usize, clients: usize, seed: Option<u64>) -> ExitCode {
    let started = Instant::now();
    let codes = read_codes(csv);
    let clients = clients.clamp(1, codes.len().max(1));
    let seed = seed.unwrap_or_else(|| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        (t.as_nanos() as u64) ^ u64::from(std::process::id()).rotate_left(32) | 1
    });
    let mut rng = Rng(seed.max(1));
    let log = db.with_file_name("server.log");
    println!(
        "feedback crash test: {rounds} rounds of kill -9, {clients} clients, {} codes, seed {seed} (--seed {seed} repeats \
         the kill moments), server log {}",
        codes.len(),
        log.display()
    );
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut violations: Vec<String> = Vec::new();
    let mut kills = 0;
    for round in 1..=rounds {
        let (mut child, base, ready_in) = match start_ready(binary, db, &log).await {
            Ok(started) => started,
            Err(e) => {
                violations.push(format!("round {round}: {e}"));
                break;
            }
        };
        let before = seen.lock().unwrap().acks.len();
        let killing = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = deal(&codes, clients)
            .into_iter()
            .enumerate()
            .map(|(k, hand)| tokio::spawn(crash_client(base.clone(), k, hand, killing.clone(), seen.clone())))
            .collect();
        let delay = Duration::from_millis(rng.range(300, 2001));
        tokio::time::sleep(delay).await;
        killing.store(true, Ordering::SeqCst);
        child.kill().expect("SIGKILL the server");
        let status = child.wait().expect("the killed server");
        kills += 1;
        for t in tasks {
            t.await.expect("client task");
        }
        let acked = seen.lock().unwrap().acks.len() - before;
        println!(
            "round {round}: server up in {:.2} s, killed after {:.2} s ({status}), {acked} submissions acknowledged",
            ready_in.as_secs_f64(),
            delay.as_secs_f64()
        );
    }

    // Once more: the server starts on what the last kill left, and every code's
    // form is based on at least its last acknowledged version.
    let acks = seen.lock().unwrap().acks.clone();
    let mut acked_max: BTreeMap<String, u32> = BTreeMap::new();
    for a in &acks {
        let v = acked_max.entry(a.result_code.clone()).or_default();
        *v = (*v).max(a.version);
    }
    let mut shown: BTreeMap<String, u32> = BTreeMap::new();
    let mut child = match start_ready(binary, db, &log).await {
        Ok((child, base, _)) => {
            check_forms(&base, &codes, &mut shown, &mut violations).await;
            Some(child)
        }
        Err(e) => {
            violations.push(format!("restart after the last kill: {e}"));
            None
        }
    };
    // A graceful stop (SIGTERM), then SIGKILL if it does not stop.
    if let Some(child) = child.as_mut() {
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let stop = Instant::now();
        while child.try_wait().ok().flatten().is_none() && stop.elapsed() < Duration::from_secs(15) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if child.try_wait().ok().flatten().is_none() {
            violations.push("the server did not stop within 15 s of SIGTERM".to_owned());
            let _ = child.kill();
        }
        let _ = child.wait();
    }
    for (code, v) in &acked_max {
        match shown.get(code) {
            Some(s) if s >= v => {}
            other => violations.push(format!(
                "{code}: version {v} was acknowledged, the form after the restart is based on {other:?}"
            )),
        }
    }

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    violations.extend(seen.unexpected.iter().cloned());
    let ours: BTreeSet<String> = codes.iter().map(|c| c.result_code.clone()).collect();
    let stored = check_database(db, &acks, &ours, &shown, &mut violations).await;

    println!(
        "summary: {rounds} rounds, {kills} kills, {} acknowledged, {stored} stored ({} in flight at a kill or cut off and \
         stored anyway), {} requests cut off by a kill, {:.1} s",
        acks.len(),
        stored.saturating_sub(acks.len() as i64),
        seen.cut,
        started.elapsed().as_secs_f64()
    );
    if violations.is_empty() && kills == rounds {
        println!(
            "ok: integrity_check ok, every acknowledged receipt stored as acknowledged, every submission whole, \
             versions without gaps"
        );
        ExitCode::SUCCESS
    } else {
        println!("{} violations:", violations.len());
        for v in &violations {
            println!("  {v}");
        }
        ExitCode::FAILURE
    }
}

/// Identifies every code on the restarted server: the version its form is based on.
async fn check_forms(base: &str, codes: &[Issued], shown: &mut BTreeMap<String, u32>, violations: &mut Vec<String>) {
    let session = match Session::open(base, Duration::from_secs(30)).await {
        Ok(s) => s,
        Err(e) => return violations.push(format!("restart after the last kill: {e}")),
    };
    for issued in codes {
        match session.identify(issued).await {
            Ok((StatusCode::OK, html)) => match Owned::from_form(issued, &html) {
                Some(o) => {
                    shown.insert(issued.result_code.clone(), o.based_on);
                }
                None => violations.push(format!("{}: no form after the restart", issued.result_code)),
            },
            Ok((status, _)) => violations.push(format!("{}: identify after the restart: {status}", issued.result_code)),
            Err(e) => violations.push(format!("{}: identify after the restart: {e}", issued.result_code)),
        }
    }
}

/// The database after the kills; returns how many submissions of `ours` are stored.
async fn check_database(
    db: &Path,
    acks: &[Ack],
    ours: &BTreeSet<String>,
    shown: &BTreeMap<String, u32>,
    violations: &mut Vec<String>,
) -> i64 {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db).create_if_missing(false);
    let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(options).await;
    let pool = match pool {
        Ok(p) => p,
        Err(e) => {
            violations.push(format!("cannot open {}: {e}", db.display()));
            return 0;
        }
    };
    let integrity: Vec<String> =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&pool).await.unwrap_or_else(|e| vec![e.to_string()]);
    if integrity != ["ok"] {
        violations.push(format!("integrity_check: {}", integrity.join("; ")));
    }
    let foreign: Vec<sqlx::sqlite::SqliteRow> =
        sqlx::query("PRAGMA foreign_key_check").fetch_all(&pool).await.unwrap_or_default();
    if !foreign.is_empty() {
        violations.push(format!("foreign_key_check: {} rows refer to nothing", foreign.len()));
    }

    // Every acknowledged receipt, as acknowledged.
    for a in acks {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT receipt, sha256, canonical FROM feedback_submissions WHERE result_code = ? AND version = ?",
        )
        .bind(&a.result_code)
        .bind(i64::from(a.version))
        .fetch_optional(&pool)
        .await
        .unwrap_or(None);
        match row {
            None => violations.push(format!(
                "{} version {} (receipt {}) was acknowledged and is not stored",
                a.result_code, a.version, a.number
            )),
            Some((number, sha256, canonical)) => {
                if number != a.number || sha256 != a.sha256 {
                    violations.push(format!(
                        "{} version {}: acknowledged as {} {}, stored as {number} {sha256}",
                        a.result_code, a.version, a.number, a.sha256
                    ));
                }
                if hex::encode(Sha256::digest(canonical.as_bytes())) != sha256 {
                    violations.push(format!(
                        "{} version {}: the stored canonical submission does not hash to {sha256}",
                        a.result_code, a.version
                    ));
                }
            }
        }
    }

    // Every submission whole: its department rating and one per inspector of the team it names.
    let submissions: Vec<(i64, String, i64, String, i64)> = sqlx::query_as(
        "SELECT s.id, s.result_code, s.version, s.canonical, \
           (SELECT COUNT(*) FROM feedback_ratings r WHERE r.submission_id = s.id) \
         FROM feedback_submissions s ORDER BY s.result_code, s.version",
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| {
        violations.push(format!("reading the submissions: {e}"));
        Vec::new()
    });
    let teams: BTreeMap<String, usize> = sqlx::query_as::<_, (String, String)>(
        "SELECT r.result_code, r.inspectors FROM results r \
         WHERE r.id NOT IN (SELECT id FROM results_superseded)",
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_default()
    .into_iter()
    .map(|(code, team)| (code, team.split(';').filter(|c| !c.is_empty()).count()))
    .collect();
    let mut versions: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut stored = 0;
    for (id, code, version, canonical, ratings) in &submissions {
        versions.entry(code.clone()).or_default().push(*version);
        let named = serde_json::from_str::<serde_json::Value>(canonical)
            .ok()
            .and_then(|d| d["inspectors"].as_array().map(Vec::len));
        let Some(named) = named else {
            violations.push(format!("submission {id} ({code} version {version}): its canonical form is not readable"));
            continue;
        };
        if *ratings != 1 + named as i64 {
            violations.push(format!(
                "submission {id} ({code} version {version}): {ratings} ratings for a team of {named} (half-written)"
            ));
        }
        if ours.contains(code) {
            stored += 1;
            if teams.get(code) != Some(&named) {
                violations.push(format!(
                    "submission {id} ({code} version {version}): rates {named} inspectors, the team has {:?}",
                    teams.get(code)
                ));
            }
        }
    }
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback_ratings WHERE submission_id NOT IN (SELECT id FROM feedback_submissions)",
    )
    .fetch_one(&pool)
    .await
    .unwrap_or(-1);
    if orphans != 0 {
        violations.push(format!("{orphans} ratings of no submission"));
    }
    // Versions 1..n, no gaps; and the restarted server's forms were based on n.
    for (code, vs) in &versions {
        let expected: Vec<i64> = (1..=vs.len() as i64).collect();
        if *vs != expected {
            violations.push(format!("{code}: versions {vs:?}, not 1..{}", vs.len()));
        }
        if let Some(&based_on) = shown.get(code)
            && i64::from(based_on) != vs.len() as i64
        {
            violations.push(format!(
                "{code}: {} versions stored, the form after the restart is based on {based_on}",
                vs.len()
            ));
        }
    }
    pool.close().await;
    stored
}
