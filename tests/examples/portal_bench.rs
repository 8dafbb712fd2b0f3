//! The portal at scale: generates a database of 1,000,000 enterprises,
//! 100,000 draws and 1,000,000 inspection results, and measures a running
//! server on it. Run through `scripts/bench-portal.sh`, which builds the
//! release server, generates the database once (target/bench/portal.db),
//! starts the server on it and calls `measure`.
//!
//!   portal_bench generate DB [--enterprises N] [--draws N]
//!   portal_bench measure URL DB
//!   portal_bench mixed URL DB
//!   portal_bench addresses DB FILE
//!   portal_bench generate-report DB [--results N]
//!   portal_bench measure-report URL
//!   portal_bench generate-scale POSTGRES_URL [--enterprises N] [--draws N] [--report-results N]
//!   portal_bench measure-scale URL POSTGRES_URL
//!
//! `generate-report` and `measure-report` are the execution report at scale: one district's year with
//! 1,000,000 results (1,000 draws of 1,200 enterprises, 1,000 drawn from each),
//! and the latency of its report page and JSON, cold and warm. `addresses`
//! writes the mixed load's addresses, interleaved as `mixed` visits them, for
//! wrk (`scripts/wrk-mix.lua`).
//!
//! `generate-scale` and `measure-scale` are the key queries at national scale on PostgreSQL
//! (`scripts/bench-scale-pg.sh`): the same jurisdiction published straight
//! into PostgreSQL with 10,000,000 enterprises and the report district, then
//! credit-code lookups, name searches, enterprise pages and the report, each
//! address asked once, and the sizes of the tables.
//!
//! Every draw is a real draw made with the draw crate and re-run by the
//! storage layer before it is stored, as in production; every result refers
//! to an enterprise selected in its draw. Names are generated, fictional.
// A benchmark tool: a failed step should stop it with its message.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use draw::{Allocation, DrawInput, Inspector, Object, Plan, Randomness, RandomnessSource, Ratio, Stratum, TeamRule};
use gongkai_server::publish::{self, DrawSubmission};
use gongkai_server::storage::{
    Batch, Level, NewDepartment, NewEnterprise, NewInspector, NewItem, NewResult, PgStorage, Rectification,
    ResultCategory, SqliteStorage, Storage,
};

const CITIES: [&str; 10] = ["河朔", "云岭", "青川", "白水", "临江", "石门", "宁原", "丰台岭", "长泽", "南屏"];
const TRADE: [&str; 40] = [
    "瑞丰", "恒达", "鑫源", "华泰", "永盛", "金科", "宏远", "嘉禾", "德润", "兴隆", "润丰", "天成", "博远", "安泰",
    "晟华", "锦程", "汇通", "凯旋", "盛和", "龙腾", "森茂", "信诚", "泽润", "弘业", "明辉", "启航", "丰源", "佳美",
    "同心", "立信", "长青", "宝丰", "康宁", "乐居", "星河", "远航", "正通", "众和", "和顺", "青禾",
];
const SUFFIX: [&str; 10] = [
    "食品有限公司",
    "包装制品有限公司",
    "化工有限公司",
    "建材有限公司",
    "机电设备有限公司",
    "电缆有限公司",
    "服饰有限公司",
    "日化有限公司",
    "农资有限公司",
    "商贸有限公司",
];
const DISTRICTS_PER_CITY: usize = 10;
const OBJECTS_PER_DRAW: usize = 12;
const INSPECTORS_PER_DRAW: usize = 6;
const PUBLISHED: &str = "2025-01-10T09:00:00+08:00";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    match args.first().map(String::as_str) {
        Some("generate") => {
            let db = args.get(1).expect("generate DB");
            let enterprises = flag(&args, "--enterprises").unwrap_or(1_000_000);
            let draws = flag(&args, "--draws").unwrap_or(100_000);
            runtime.block_on(generate(Path::new(db), enterprises, draws));
        }
        Some("generate-report") => {
            let db = args.get(1).expect("generate-report DB");
            let results = flag(&args, "--results").unwrap_or(1_000_000);
            runtime.block_on(generate_report(Path::new(db), results));
        }
        Some("measure-report") => {
            let url = args.get(1).expect("measure-report URL").trim_end_matches('/').to_owned();
            runtime.block_on(measure_report(&url));
        }
        Some("measure") => {
            let url = args.get(1).expect("measure URL DB").trim_end_matches('/').to_owned();
            let db = args.get(2).expect("measure URL DB");
            runtime.block_on(measure(&url, Path::new(db)));
        }
        Some("addresses") => {
            let db = args.get(1).expect("addresses DB FILE");
            let file = args.get(2).expect("addresses DB FILE");
            runtime.block_on(addresses(Path::new(db), Path::new(file)));
        }
        Some("generate-scale") => {
            let url = args.get(1).expect("generate-scale POSTGRES_URL");
            let enterprises = flag(&args, "--enterprises").unwrap_or(10_000_000);
            let draws = flag(&args, "--draws").unwrap_or(10_000);
            let results = flag(&args, "--report-results").unwrap_or(100_000);
            runtime.block_on(generate_scale(url, enterprises, draws, results));
        }
        Some("measure-scale") => {
            let base = args.get(1).expect("measure-scale URL POSTGRES_URL").trim_end_matches('/').to_owned();
            let database = args.get(2).expect("measure-scale URL POSTGRES_URL");
            runtime.block_on(measure_scale(&base, database));
        }
        Some("mixed") => {
            let url = args.get(1).expect("mixed URL DB").trim_end_matches('/').to_owned();
            let db = args.get(2).expect("mixed URL DB");
            runtime.block_on(async {
                let client = client(&url).await;
                let patterns = patterns(Path::new(db)).await;
                mixed(&client, &url, &patterns).await;
            });
        }
        _ => {
            eprintln!(
                "usage: portal_bench generate DB [--enterprises N] [--draws N] | portal_bench measure URL DB \
                 | portal_bench mixed URL DB | portal_bench addresses DB FILE \
                 | portal_bench generate-report DB [--results N] | portal_bench measure-report URL \
                 | portal_bench generate-scale POSTGRES_URL [--enterprises N] [--draws N] [--report-results N] \
                 | portal_bench measure-scale URL POSTGRES_URL"
            );
            std::process::exit(2);
        }
    }
}

fn flag(args: &[String], name: &str) -> Option<usize> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

fn city_code(c: usize) -> String {
    format!("16{:02}00", c + 1)
}

fn district_code(d: usize) -> String {
    format!("16{:02}{:02}", d / DISTRICTS_PER_CITY + 1, d % DISTRICTS_PER_CITY + 1)
}

fn district_name(d: usize) -> String {
    format!("{}市第{}区市场监督管理局", CITIES[d / DISTRICTS_PER_CITY], d % DISTRICTS_PER_CITY + 1)
}

const PROVINCE: &str = "基准省市场监督管理局";

/// The i-th enterprise's name: distinct, Chinese, searchable by substring.
fn enterprise_name(i: usize) -> String {
    let city = CITIES[i % CITIES.len()];
    let a = TRADE[(i / 10) % TRADE.len()];
    let b = TRADE[(i / 400) % TRADE.len()];
    let suffix = SUFFIX[(i / 16_000) % SUFFIX.len()];
    let branch = i / 160_000;
    if branch == 0 {
        format!("{city}市{a}{b}{suffix}")
    } else {
        format!("{city}市{a}{b}{suffix}第{branch}分公司")
    }
}

fn code(i: usize) -> draw::CreditCode {
    draw::CreditCode::parse(&draw::synthetic::credit_code(i as u64)).expect("synthetic codes are valid")
}

async fn generate(db: &Path, enterprises: usize, draws: usize) {
    if db.exists() {
        eprintln!("{} exists: delete it to generate again", db.display());
        return;
    }
    let started = Instant::now();
    let storage = SqliteStorage::open(db).await.expect("open the database");
    populate(&storage, enterprises, draws, started).await;
    sqlx::query("PRAGMA optimize").execute(storage.pool()).await.expect("optimize");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(storage.pool()).await.expect("checkpoint");
    let results: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM results").fetch_one(storage.pool()).await.expect("count");
    eprintln!(
        "[{:>6.1} s] done: {enterprises} enterprises, {draws} draws, {results} results",
        started.elapsed().as_secs_f64()
    );
}

/// Publishes the benchmark jurisdiction into `storage` (either backend), through
/// the same imports and draw checks as production: departments, items and
/// inspectors of 100 districts, `enterprises` enterprises (50,000 per import)
/// and `draws` draws with a result for every enterprise drawn.
async fn populate(storage: &dyn Storage, enterprises: usize, draws: usize, started: Instant) {
    let districts = CITIES.len() * DISTRICTS_PER_CITY;

    let mut departments = vec![NewDepartment {
        code: "160000".to_owned(),
        name: PROVINCE.to_owned(),
        level: Level::Province,
        parent_code: None,
        published_at: "2024-01-02T09:00:00+08:00".to_owned(),
    }];
    for (c, city) in CITIES.iter().enumerate() {
        departments.push(NewDepartment {
            code: city_code(c),
            name: format!("{city}市市场监督管理局"),
            level: Level::City,
            parent_code: Some("160000".to_owned()),
            published_at: "2024-01-02T09:00:00+08:00".to_owned(),
        });
    }
    for d in 0..districts {
        departments.push(NewDepartment {
            code: district_code(d),
            name: district_name(d),
            level: Level::District,
            parent_code: Some(city_code(d / DISTRICTS_PER_CITY)),
            published_at: "2024-01-02T09:00:00+08:00".to_owned(),
        });
    }
    storage.import(&Batch::Departments(departments)).await.expect("departments");

    let items: Vec<NewItem> = (0..districts)
        .flat_map(|d| {
            ["产品质量监督检查", "计量监督检查", "企业公示信息抽查"].into_iter().enumerate().map(move |(k, name)| {
                NewItem {
                    department_code: district_code(d),
                    item_code: format!("{}", k + 1),
                    seq: k as u32 + 1,
                    name: name.to_owned(),
                    content: format!("{name}。"),
                    legal_basis: "《中华人民共和国产品质量法》".to_owned(),
                    qualification: "持有行政执法证".to_owned(),
                    method: vec!["现场核查".to_owned()],
                    withdrawn: false,
                    effective_from: "2024-01-01".to_owned(),
                    published_at: PUBLISHED.to_owned(),
                    correction: None,
                }
            })
        })
        .collect();
    storage.import(&Batch::Items(items)).await.expect("items");

    // 50 inspectors per district.
    let inspectors: Vec<NewInspector> = (0..districts * 50)
        .map(|i| NewInspector {
            department_code: district_code(i / 50),
            certificate: format!("BJ{i:07}"),
            name: format!("{}{}", ["王", "李", "张", "刘", "陈"][i % 5], ["伟", "芳", "娜", "敏", "静", "强"][i % 6]),
            unit: ["综合执法大队", "城东市场监管所", "城西市场监管所"][i % 3].to_owned(),
            post: "执法队员".to_owned(),
            qualifications: vec!["产品质量".to_owned(), "计量".to_owned()],
            valid_from: "2015-01-01".to_owned(),
            valid_until: if i % 97 == 0 { "2024-12-31" } else { "2029-12-31" }.to_owned(),
            conflicts: Vec::new(),
            left: false,
            published_at: PUBLISHED.to_owned(),
            correction: None,
        })
        .collect();
    storage.import(&Batch::Inspectors(inspectors)).await.expect("inspectors");
    eprintln!("[{:>6.1} s] departments, items, inspectors", started.elapsed().as_secs_f64());

    let mut next = 0;
    while next < enterprises {
        let end = (next + 50_000).min(enterprises);
        let batch: Vec<NewEnterprise> = (next..end)
            .map(|i| NewEnterprise {
                credit_code: code(i),
                name: enterprise_name(i),
                department_code: district_code(i % districts),
                region: district_name(i % districts).replace("市场监督管理局", ""),
                industry: SUFFIX[(i / 16_000) % SUFFIX.len()].replace("有限公司", ""),
                licences: Vec::new(),
                abnormal: i % 50 == 0,
                serious_violation: i % 500 == 0,
                penalised: i % 200 == 0,
                credit_class: ['A', 'B', 'C', 'D'][i % 4],
                published_at: PUBLISHED.to_owned(),
                correction: None,
            })
            .collect();
        storage.import(&Batch::Enterprises(batch)).await.expect("enterprises");
        next = end;
        if next % 1_000_000 == 0 && next < enterprises {
            eprintln!("[{:>6.1} s] {next} enterprises", started.elapsed().as_secs_f64());
        }
    }
    eprintln!("[{:>6.1} s] {enterprises} enterprises", started.elapsed().as_secs_f64());

    let mut results = Vec::new();
    for n in 0..draws {
        let district = n % districts;
        // Enterprises of this district, a different window for each of its draws.
        let round = n / districts;
        let members: Vec<usize> = (0..OBJECTS_PER_DRAW)
            .map(|k| ((round * OBJECTS_PER_DRAW + k) * districts + district) % enterprises)
            .collect();
        let unique: BTreeSet<usize> = members.iter().copied().collect();
        let objects: Vec<Object> = unique
            .iter()
            .map(|&i| Object {
                id: code(i).as_str().to_owned(),
                stratum: "A".to_owned(),
                categories: Vec::new(),
                abnormal: false,
                serious_violation: false,
                penalised: false,
            })
            .collect();
        let first_inspector = district * 50 + (round * INSPECTORS_PER_DRAW) % 48;
        let inspectors: Vec<Inspector> = (first_inspector..first_inspector + INSPECTORS_PER_DRAW)
            .map(|i| Inspector {
                cert: format!("BJ{i:07}"),
                unit: "综合执法大队".to_owned(),
                qualifications: vec!["产品质量".to_owned()],
                valid_from: "2015-01-01".to_owned(),
                valid_until: "2029-12-31".to_owned(),
                conflicts: Vec::new(),
            })
            .collect();
        let month = 1 + (n % 12);
        let year = 2016 + (n % 10);
        let date = format!("{year}-{month:02}-15");
        let id = format!("{}-{year}-{n:06}", district_code(district));
        let input = DrawInput {
            version: "v1".to_owned(),
            draw_id: id.clone(),
            title: format!("{year}年{month}月“双随机、一公开”抽查"),
            department: district_name(district),
            unit: "综合执法大队".to_owned(),
            ancestors: vec![PROVINCE.to_owned(), format!("{}市市场监督管理局", CITIES[district / DISTRICTS_PER_CITY])],
            draw_date: date.clone(),
            randomness_source: RandomnessSource::Demo { label: format!("基准 {n}") },
            plan: Plan {
                strata: vec![Stratum {
                    id: "A".to_owned(),
                    name: "全部".to_owned(),
                    ratio: Ratio { num: 5, den: 6 },
                    qualification: None,
                }],
                allocation: Allocation::Ratio,
                team: TeamRule {
                    size: 2, load_cap: 4, qualification: None, units: vec!["综合执法大队".to_owned()]
                },
                directed: None,
            },
            objects,
            inspectors,
            history: Vec::new(),
        };
        let value = format!("{:064x}", n as u128 * 0x9e37_79b9_7f4a_7c15);
        let record = draw::draw(input, Randomness::Demo { value }).expect("benchmark draws are feasible");
        let names: std::collections::BTreeMap<String, String> =
            unique.iter().map(|&i| (code(i).as_str().to_owned(), enterprise_name(i))).collect();
        for s in &record.result.strata {
            for sel in &s.selected {
                results.push(NewResult {
                    result_code: format!("{id}-{}", sel.object),
                    draw_id: id.clone(),
                    credit_code: draw::CreditCode::parse(&sel.object).expect("selected code"),
                    enterprise_name: names.get(&sel.object).cloned().unwrap_or_default(),
                    department_code: district_code(district),
                    item_codes: vec![format!("{}", 1 + n % 3)],
                    inspectors: sel.team.clone(),
                    inspected_on: format!("{year}-{month:02}-20"),
                    reported_on: format!("{year}-{month:02}-24"),
                    delivered_on: Some(format!("{year}-{month:02}-26")),
                    entered_on: Some(format!("{year}-{month:02}-28")),
                    category: if n % 7 == 0 { ResultCategory::CorrectedOnOrder } else { ResultCategory::NoProblem },
                    findings: "按要求检查。".to_owned(),
                    rectification_deadline: None,
                    rectification: if n % 7 == 0 { Rectification::Done } else { Rectification::None },
                    penalty_case: None,
                    published_at: format!("{year}-{month:02}-28T16:00:00+08:00"),
                    correction: None,
                });
            }
        }
        storage
            .insert_draw(
                &publish::verify_draw(DrawSubmission {
                    department_path: None,
                    record_json: serde_json::to_string(&record).expect("record JSON"),
                    committed_at: Some(format!("{year}-{month:02}-12T09:00:00+08:00")),
                    published_at: format!("{date}T10:00:00+08:00"),
                    plan_code: None,
                })
                .expect("the draw verifies"),
            )
            .await
            .expect("draw");
        if results.len() >= 50_000 || n + 1 == draws {
            storage.import(&Batch::Results(std::mem::take(&mut results))).await.expect("results");
        }
        if (n + 1) % 10_000 == 0 {
            eprintln!("[{:>6.1} s] {} draws", started.elapsed().as_secs_f64(), n + 1);
        }
    }
}

/// Latency of one URL pattern over sequential requests (a single client).
struct Series {
    name: String,
    times: Vec<Duration>,
    bytes: u64,
}

impl Series {
    fn percentile(&self, p: f64) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        t[((t.len() as f64 * p).ceil() as usize).saturating_sub(1).min(t.len() - 1)]
    }

    /// One line of a table: requests, p50, p99 and max in ms, average size in KiB.
    fn print(&self, width: usize) {
        println!(
            "{:<width$} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>9.1}",
            self.name,
            self.times.len(),
            self.percentile(0.50).as_secs_f64() * 1e3,
            self.percentile(0.99).as_secs_f64() * 1e3,
            self.percentile(1.0).as_secs_f64() * 1e3,
            self.bytes as f64 / self.times.len() as f64 / 1024.0,
        );
    }
}

async fn fetch(client: &reqwest::Client, url: &str) -> (Duration, u64) {
    let start = Instant::now();
    let resp = client.get(url).send().await.expect("request");
    let status = resp.status();
    let body = resp.bytes().await.expect("body");
    assert!(status.is_success(), "{url}: {status}");
    (start.elapsed(), body.len() as u64)
}

/// A client for `base`, once the server answers (it migrates the database first).
async fn client(base: &str) -> reqwest::Client {
    let client = reqwest::Client::builder().pool_max_idle_per_host(128).build().expect("client");
    let started = Instant::now();
    while client.get(format!("{base}/")).send().await.map(|r| !r.status().is_success()).unwrap_or(true) {
        assert!(started.elapsed() < Duration::from_secs(300), "the server at {base} does not answer");
        std::thread::sleep(Duration::from_millis(500));
    }
    client
}

/// The pages measured, each with the addresses it is measured on (records and
/// queries drawn from the database `db`).
async fn patterns(db: &Path) -> Vec<(String, Vec<String>)> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display())).await.expect("database");
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM draws ORDER BY random() LIMIT 500").fetch_all(&pool).await.expect("ids");
    let codes: Vec<String> = sqlx::query_scalar("SELECT credit_code FROM enterprises ORDER BY random() LIMIT 200")
        .fetch_all(&pool)
        .await
        .expect("codes");
    let certs: Vec<String> = sqlx::query_scalar("SELECT certificate FROM inspectors ORDER BY random() LIMIT 200")
        .fetch_all(&pool)
        .await
        .expect("certs");
    // Substrings of real names, 2 to 6 characters: trade names, city + trade, suffixes.
    let queries: Vec<String> = (0..200)
        .map(|i| {
            let a = TRADE[i * 7 % TRADE.len()];
            let b = TRADE[i * 13 % TRADE.len()];
            match i % 4 {
                0 => format!("{a}{b}"),
                1 => format!("{}市{a}", CITIES[i % CITIES.len()]),
                2 => a.to_owned(),
                _ => format!("{b}{}", &SUFFIX[i % SUFFIX.len()][..6]),
            }
        })
        .collect();
    let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    let n = 200;
    vec![
        ("/ (home)".into(), vec!["/".into()]),
        ("/draws".into(), (0..n).map(|i| format!("/draws?page={}", 1 + i * 37 % 2000)).collect()),
        ("/draws/{id}".into(), ids.iter().map(|id| format!("/draws/{id}")).collect()),
        ("/results".into(), (0..n).map(|i| format!("/results?page={}", 1 + i * 131 % 5000)).collect()),
        ("/results?q= (name)".into(), queries.iter().map(|q| format!("/results?q={}", enc(q))).collect()),
        ("/results?q= (code)".into(), codes.iter().map(|c| format!("/results?q={c}")).collect()),
        (
            "/results?year&category".into(),
            (0..n).map(|i| format!("/results?year={}&category={}", 2016 + i % 10, enc("未发现问题"))).collect(),
        ),
        ("/enterprises?q= (name)".into(), queries.iter().map(|q| format!("/enterprises?q={}", enc(q))).collect()),
        ("/enterprises/{code}".into(), codes.iter().map(|c| format!("/enterprises/{c}")).collect()),
        ("/inspectors".into(), (0..n).map(|i| format!("/inspectors?page={}", 1 + i % 50)).collect()),
        ("/inspectors/{cert}".into(), certs.iter().map(|c| format!("/inspectors/{c}")).collect()),
        ("/items".into(), vec!["/items".into()]),
        ("/plans".into(), vec!["/plans".into()]),
        ("/api/results?q= (name)".into(), queries.iter().map(|q| format!("/api/results?q={}", enc(q))).collect()),
        ("/api/enterprises?q=".into(), queries.iter().map(|q| format!("/api/enterprises?q={}", enc(q))).collect()),
    ]
}

async fn measure(base: &str, db: &Path) {
    let client = client(base).await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display())).await.expect("database");
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.expect("count") }
    };
    let (enterprises, draws, results) = (
        count("SELECT COUNT(*) FROM enterprises").await,
        count("SELECT COUNT(*) FROM draws").await,
        count("SELECT COUNT(*) FROM results").await,
    );
    println!("database: {enterprises} enterprises, {draws} draws, {results} results ({})", db.display());
    let patterns = patterns(db).await;
    let n = 200;
    println!();
    println!("single client, sequential requests (each URL once warmed):");
    println!("{:<28} {:>6} {:>9} {:>9} {:>9} {:>9}", "page", "reqs", "p50 ms", "p99 ms", "max ms", "KiB avg");
    for (name, urls) in &patterns {
        let mut series = Series { name: name.clone(), times: Vec::new(), bytes: 0 };
        let urls: Vec<String> = urls.iter().cycle().take(n).map(|u| format!("{base}{u}")).collect();
        let status = client.get(&urls[0]).send().await.expect("request").status();
        if !status.is_success() {
            println!("{:<28} {status} — not measured", series.name);
            continue;
        }
        for url in &urls {
            let (t, b) = fetch(&client, url).await;
            series.times.push(t);
            series.bytes += b;
        }
        series.print(28);
    }

    let seconds = 10;
    let clients = 64;
    println!();
    println!(
        "draw page /draws/{{id}}: {clients} concurrent clients for {seconds} s (client and server share the 2 cores):"
    );
    let ids: Vec<String> = patterns
        .iter()
        .find(|(name, _)| name == "/draws/{id}")
        .map(|(_, urls)| urls.iter().map(|u| u.trim_start_matches("/draws/").to_owned()).collect())
        .expect("the draw pages");
    let ids = Arc::new(ids);
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, ids, done, base) = (client.clone(), ids.clone(), done.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut i = c * 7;
            while Instant::now() < deadline {
                let url = format!("{base}/draws/{}", ids[i % ids.len()]);
                times.push(fetch(&client, &url).await.0);
                done.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.expect("client task"));
    }
    let series = Series { name: "draw page".into(), times, bytes: 0 };
    let total = done.load(Ordering::Relaxed);
    println!(
        "{}: {total} requests, {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms",
        series.name,
        total as f64 / seconds as f64,
        series.percentile(0.50).as_secs_f64() * 1e3,
        series.percentile(0.99).as_secs_f64() * 1e3
    );
    mixed(&client, base, &patterns).await;
}

/// Visitors spread over every page measured: 64 clients for 10 s, each going
/// round the pages in turn (from a different one), an address of the page's
/// own list each time. Prints requests per second and the latency.
async fn mixed(client: &reqwest::Client, base: &str, patterns: &[(String, Vec<String>)]) {
    let (seconds, clients) = (10, 64);
    println!();
    println!(
        "mixed load: {clients} concurrent clients for {seconds} s over the {} pages above, {} addresses \
         (client and server share the 2 cores):",
        patterns.len(),
        patterns.iter().map(|(_, u)| u.len()).sum::<usize>()
    );
    let patterns = Arc::new(patterns.to_vec());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, patterns, base) = (client.clone(), patterns.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut i = c;
            while Instant::now() < deadline {
                let (_, urls) = &patterns[i % patterns.len()];
                let url = format!("{base}{}", urls[(i / patterns.len() * 7 + c) % urls.len()]);
                times.push(fetch(&client, &url).await.0);
                i += 1;
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.expect("client task"));
    }
    let total = times.len();
    let series = Series { name: "mixed".into(), times, bytes: 0 };
    println!(
        "mixed: {total} requests, {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms",
        total as f64 / seconds as f64,
        series.percentile(0.50).as_secs_f64() * 1e3,
        series.percentile(0.99).as_secs_f64() * 1e3
    );
}

/// The district whose year the report benchmark reads, and its province (of
/// another name than the portal benchmark's, as both share a database in `generate-scale`).
const REPORT_DISTRICT: &str = "170101";
const REPORT_PROVINCE: &str = "报告基准省市场监督管理局";
const REPORT_POOL: usize = 1_200;
const REPORT_DRAWN: usize = 1_000;

/// One district's 2025: a plan, `results / 1000` draws of 1,200 enterprises
/// (5/6 drawn, teams of 2 from 60 inspectors) and a result for every
/// enterprise drawn, a few of them reported late.
async fn generate_report(db: &Path, results: usize) {
    if db.exists() {
        eprintln!("{} exists: delete it to generate again", db.display());
        return;
    }
    let started = Instant::now();
    let storage = SqliteStorage::open(db).await.expect("open the database");
    populate_report(&storage, results, started).await;
    sqlx::query("PRAGMA optimize").execute(storage.pool()).await.expect("optimize");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(storage.pool()).await.expect("checkpoint");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM results").fetch_one(storage.pool()).await.expect("count");
    eprintln!("[{:>6.1} s] done: {count} results", started.elapsed().as_secs_f64());
}

/// Publishes the report district's 2025 into `storage` (either backend): its
/// department, item, 60 inspectors, plan, `results / 1000` draws and their results.
async fn populate_report(storage: &dyn Storage, results: usize, started: Instant) {
    let district = "基准区市场监督管理局";
    storage
        .import(&Batch::Departments(vec![
            NewDepartment {
                code: "170000".to_owned(),
                name: REPORT_PROVINCE.to_owned(),
                level: Level::Province,
                parent_code: None,
                published_at: "2024-01-02T09:00:00+08:00".to_owned(),
            },
            NewDepartment {
                code: REPORT_DISTRICT.to_owned(),
                name: district.to_owned(),
                level: Level::District,
                parent_code: Some("170000".to_owned()),
                published_at: "2024-01-02T09:00:00+08:00".to_owned(),
            },
        ]))
        .await
        .expect("departments");
    storage
        .import(&Batch::Items(vec![NewItem {
            department_code: REPORT_DISTRICT.to_owned(),
            item_code: "1".to_owned(),
            seq: 1,
            name: "产品质量监督抽查".to_owned(),
            content: "产品质量".to_owned(),
            legal_basis: "《中华人民共和国产品质量法》".to_owned(),
            qualification: String::new(),
            method: vec!["现场核查".to_owned()],
            withdrawn: false,
            effective_from: "2024-01-01".to_owned(),
            published_at: PUBLISHED.to_owned(),
            correction: None,
        }]))
        .await
        .expect("items");
    let certs: Vec<String> = (0..60).map(|i| format!("BR{i:07}")).collect();
    storage
        .import(&Batch::Inspectors(
            certs
                .iter()
                .map(|c| NewInspector {
                    department_code: REPORT_DISTRICT.to_owned(),
                    certificate: c.clone(),
                    name: format!("检查员{}", &c[6..]),
                    unit: "综合执法大队".to_owned(),
                    post: "执法检查".to_owned(),
                    qualifications: vec!["产品质量".to_owned()],
                    valid_from: "2015-01-01".to_owned(),
                    valid_until: "2029-12-31".to_owned(),
                    conflicts: Vec::new(),
                    left: false,
                    published_at: PUBLISHED.to_owned(),
                    correction: None,
                })
                .collect(),
        ))
        .await
        .expect("inspectors");
    storage
        .import(&Batch::Plans(vec![gongkai_server::storage::NewPlan {
            department_code: REPORT_DISTRICT.to_owned(),
            plan_code: format!("{REPORT_DISTRICT}-2025-P"),
            year: 2025,
            title: "2025年产品质量“双随机、一公开”抽查计划".to_owned(),
            scope: "辖区内生产企业".to_owned(),
            inspector_requirements: "每户 2 名检查人员".to_owned(),
            window_start: "2025-01-01".to_owned(),
            window_end: "2025-12-31".to_owned(),
            published_at: "2025-03-10T09:00:00+08:00".to_owned(),
            max_inspections_per_year: None,
            min_per_stratum: None,
            lines: vec![gongkai_server::storage::NewPlanLine {
                item_code: "1".to_owned(),
                stratum: "生产企业".to_owned(),
                ratio: "≥80%".to_owned(),
                frequency: "每年 1 次".to_owned(),
                object_count: None,
            }],
            correction: None,
        }]))
        .await
        .expect("plan");
    let draws = results.div_ceil(REPORT_DRAWN);
    let mut batch = Vec::new();
    for n in 0..draws {
        let month = 1 + n * 11 / draws.max(1);
        let id = format!("{REPORT_DISTRICT}-2025-{n:04}");
        let objects: Vec<Object> = (n * REPORT_POOL..(n + 1) * REPORT_POOL)
            .map(|i| Object {
                id: code(i).as_str().to_owned(),
                stratum: "P".to_owned(),
                categories: Vec::new(),
                abnormal: false,
                serious_violation: false,
                penalised: false,
            })
            .collect();
        let input = DrawInput {
            version: "v1".to_owned(),
            draw_id: id.clone(),
            title: format!("2025年第{}批产品质量抽查", n + 1),
            department: district.to_owned(),
            unit: "综合执法大队".to_owned(),
            ancestors: vec![REPORT_PROVINCE.to_owned()],
            draw_date: format!("2025-{month:02}-05"),
            randomness_source: RandomnessSource::Demo { label: format!("基准 {n}") },
            plan: Plan {
                strata: vec![Stratum {
                    id: "P".to_owned(),
                    name: "生产企业".to_owned(),
                    ratio: Ratio { num: 5, den: 6 },
                    qualification: None,
                }],
                allocation: Allocation::Ratio,
                team: TeamRule {
                    size: 2, load_cap: 40, qualification: None, units: vec!["综合执法大队".to_owned()]
                },
                directed: None,
            },
            objects,
            inspectors: certs
                .iter()
                .map(|c| Inspector {
                    cert: c.clone(),
                    unit: "综合执法大队".to_owned(),
                    qualifications: vec!["产品质量".to_owned()],
                    valid_from: "2015-01-01".to_owned(),
                    valid_until: "2029-12-31".to_owned(),
                    conflicts: Vec::new(),
                })
                .collect(),
            history: Vec::new(),
        };
        let value = format!("{:064x}", (n as u128 + 7) * 0x9e37_79b9_7f4a_7c15);
        let record = draw::draw(input, Randomness::Demo { value }).expect("benchmark draws are feasible");
        for (k, sel) in record.result.strata.iter().flat_map(|s| &s.selected).enumerate() {
            // Working days in 2025: inspected on the 10th (or the next working day in the
            // data: the report only reads the dates), reported 2–4 days later; one in 997 late.
            let late = (n * REPORT_DRAWN + k).is_multiple_of(997);
            let problem = k.is_multiple_of(9);
            batch.push(NewResult {
                result_code: format!("{id}-{}", sel.object),
                draw_id: id.clone(),
                credit_code: draw::CreditCode::parse(&sel.object).expect("selected code"),
                enterprise_name: format!("基准企业{}", sel.object),
                department_code: REPORT_DISTRICT.to_owned(),
                item_codes: vec!["1".to_owned()],
                inspectors: sel.team.clone(),
                inspected_on: format!("2025-{month:02}-10"),
                reported_on: format!("2025-{month:02}-{}", if late { 24 } else { 13 }),
                delivered_on: Some(format!("2025-{month:02}-{}", if late { 25 } else { 16 })),
                entered_on: Some(format!("2025-{month:02}-{}", if late { 26 } else { 20 })),
                category: if problem { ResultCategory::CorrectedOnOrder } else { ResultCategory::NoProblem },
                findings: "按要求检查。".to_owned(),
                rectification_deadline: problem.then(|| format!("2025-{:02}-10", month + 1)),
                rectification: if problem { Rectification::Done } else { Rectification::None },
                penalty_case: None,
                published_at: format!("2025-{month:02}-{}T16:00:00+08:00", if late { 26 } else { 20 }),
                correction: None,
            });
        }
        storage
            .insert_draw(
                &publish::verify_draw(DrawSubmission {
                    department_path: None,
                    record_json: serde_json::to_string(&record).expect("record JSON"),
                    committed_at: Some(format!("2025-{month:02}-03T09:00:00+08:00")),
                    published_at: format!("2025-{month:02}-05T10:00:00+08:00"),
                    plan_code: Some(format!("{REPORT_DISTRICT}-2025-P")),
                })
                .expect("the draw verifies"),
            )
            .await
            .expect("draw");
        if batch.len() >= 50_000 || n + 1 == draws {
            storage.import(&Batch::Results(std::mem::take(&mut batch))).await.expect("results");
            eprintln!("[{:>6.1} s] {} report draws", started.elapsed().as_secs_f64(), n + 1);
        }
    }
}

/// The report of the benchmark district's 2025: the first request (computed
/// and kept), then sequential warm requests of the page and the JSON.
async fn measure_report(base: &str) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(600)).build().expect("client");
    let started = Instant::now();
    while client.get(format!("{base}/")).send().await.map(|r| !r.status().is_success()).unwrap_or(true) {
        assert!(started.elapsed() < Duration::from_secs(300), "the server at {base} does not answer");
        std::thread::sleep(Duration::from_millis(500));
    }
    let page = format!("{base}/reports/{REPORT_DISTRICT}/2025");
    let api = format!("{base}/api/reports/{REPORT_DISTRICT}/2025");
    let (cold, bytes) = fetch(&client, &page).await;
    let json: serde_json::Value =
        client.get(&api).send().await.expect("report JSON").json().await.expect("report JSON parses");
    let inspected = json["results"]["inspected"].as_u64().unwrap_or(0);
    println!();
    println!(
        "execution report of one district-year with {inspected} results: first request (computed) {:.1} s, {:.0} KiB",
        cold.as_secs_f64(),
        bytes as f64 / 1024.0
    );
    println!("{:<36} {:>6} {:>9} {:>9} {:>9}", "warm, single client", "reqs", "p50 ms", "p99 ms", "max ms");
    for (name, url) in [("/reports/{department}/{year}", &page), ("/api/reports/{department}/{year}", &api)] {
        let mut series = Series { name: name.to_owned(), times: Vec::new(), bytes: 0 };
        for _ in 0..100 {
            let (t, b) = fetch(&client, url).await;
            series.times.push(t);
            series.bytes += b;
        }
        println!(
            "{:<36} {:>6} {:>9.2} {:>9.2} {:>9.2}",
            series.name,
            series.times.len(),
            series.percentile(0.50).as_secs_f64() * 1e3,
            series.percentile(0.99).as_secs_f64() * 1e3,
            series.percentile(1.0).as_secs_f64() * 1e3,
        );
    }
}

/// The mixed load's addresses, one path per line, in the order `mixed` goes
/// round the pages (a page after another, a different address of each page
/// every round), for wrk and `scripts/wrk-mix.lua`.
async fn addresses(db: &Path, file: &Path) {
    let patterns = patterns(db).await;
    let rounds = patterns.iter().map(|(_, urls)| urls.len()).max().unwrap_or(1);
    let mut out = String::new();
    for round in 0..rounds {
        for (_, urls) in &patterns {
            out.push_str(&urls[(round * 7) % urls.len()]);
            out.push('\n');
        }
    }
    std::fs::write(file, out).expect("write the addresses");
}

/// The benchmark jurisdiction with `enterprises` enterprises and `draws` draws,
/// and the report district's year with `report_results` results, published into
/// the PostgreSQL database at `url` (created empty), by the same imports as production.
async fn generate_scale(url: &str, enterprises: usize, draws: usize, report_results: usize) {
    let started = Instant::now();
    let storage = PgStorage::open(url).await.expect("open the database");
    assert_eq!(storage.draw_count().await.expect("count draws"), 0, "{url} is not empty: use a new database");
    populate(&storage, enterprises, draws, started).await;
    populate_report(&storage, report_results, started).await;
    eprintln!(
        "[{:>6.1} s] done: {enterprises} enterprises, {draws} draws and the report district's {report_results} results",
        started.elapsed().as_secs_f64()
    );
}

/// A well-mixed sequence of numbers (SplitMix64), for picking records without a random crate.
fn mixed_number(n: u64) -> u64 {
    let mut z = n.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The key queries on the database made by `generate_scale`, served at `base`
/// (with the page cache off, so that every answer is read from the database):
/// every address asked once, single client; then the sizes of the tables.
async fn measure_scale(base: &str, database: &str) {
    let client = client(base).await;
    let pool = sqlx::PgPool::connect(database).await.expect("database");
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.expect("count") }
    };
    let enterprises = count("SELECT COUNT(*) FROM enterprises").await;
    let (draws, results) = (count("SELECT COUNT(*) FROM draws").await, count("SELECT COUNT(*) FROM results").await);
    let entries = count("SELECT COUNT(*) FROM log_entries").await;
    println!("database: {enterprises} enterprises, {draws} draws, {results} results, {entries} log entries");
    let n = 300;
    let picked: Vec<usize> = (0..n).map(|k| (mixed_number(k as u64) % enterprises as u64) as usize).collect();
    let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    // Name parts of 2 to 9 characters, each asked once: whole trade names (2 characters),
    // two trade names (4), city + trade name (4–5), a name's start and a whole name.
    let names: Vec<String> = (0..n)
        .map(|k| {
            let i = picked[k];
            let (a, b) = (TRADE[k % TRADE.len()], TRADE[(k / TRADE.len() + k) % TRADE.len()]);
            match k % 5 {
                0 => a.to_owned(),
                1 => format!("{a}{b}"),
                2 => format!("{}市{a}", CITIES[k % CITIES.len()]),
                3 => enterprise_name(i).chars().take(7).collect(),
                _ => enterprise_name(i),
            }
        })
        .collect();
    let codes: Vec<String> = picked.iter().map(|&i| code(i).as_str().to_owned()).collect();
    let report = format!("/reports/{REPORT_DISTRICT}/2025");
    let (cold, bytes) = fetch(&client, &format!("{base}{report}")).await;
    println!();
    println!(
        "the department-year report ({REPORT_DISTRICT}, 2025): first request (computed) {:.2} s, {:.0} KiB",
        cold.as_secs_f64(),
        bytes as f64 / 1024.0
    );
    let pages: Vec<(&str, Vec<String>)> = vec![
        ("/enterprises/{code}", codes.iter().map(|c| format!("/enterprises/{c}")).collect()),
        ("/enterprises?q= (credit code)", codes.iter().map(|c| format!("/enterprises?q={c}")).collect()),
        ("/results?q= (credit code)", codes.iter().map(|c| format!("/results?q={c}")).collect()),
        ("/api/enterprises?q= (code)", codes.iter().map(|c| format!("/api/enterprises?q={c}")).collect()),
        ("/enterprises?q= (name part)", names.iter().map(|q| format!("/enterprises?q={}", enc(q))).collect()),
        ("/api/enterprises?q= (name)", names.iter().map(|q| format!("/api/enterprises?q={}", enc(q))).collect()),
        ("/reports/{dept}/{year}", vec![report.clone(); 100]),
        ("/api/reports/{dept}/{year}", vec![format!("/api{report}"); 100]),
    ];
    println!();
    println!("single client, each address once (page cache off):");
    println!("{:<30} {:>6} {:>9} {:>9} {:>9} {:>9}", "query", "reqs", "p50 ms", "p99 ms", "max ms", "KiB avg");
    for (name, urls) in pages {
        let mut series = Series { name: name.to_owned(), times: Vec::new(), bytes: 0 };
        for url in &urls {
            let (t, b) = fetch(&client, &format!("{base}{url}")).await;
            series.times.push(t);
            series.bytes += b;
        }
        series.print(30);
    }
    println!();
    println!("sizes (tables with their indexes; the largest):");
    let sizes: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT c.relname::text, pg_total_relation_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' \
         ORDER BY 2 DESC LIMIT 12",
    )
    .fetch_all(&pool)
    .await
    .expect("sizes");
    for (table, total, indexes) in sizes {
        println!("{table:<28} {:>9.1} MiB  (indexes {:.1} MiB)", total as f64 / 1048576.0, indexes as f64 / 1048576.0);
    }
    let total: i64 =
        sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(&pool).await.expect("size");
    println!("{:<28} {:>9.1} MiB", "the whole database", total as f64 / 1048576.0);
}
