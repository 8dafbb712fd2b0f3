//! The PostgreSQL reads answer as SQLite's: the demo (with its feedback and
//! calendar, and a few rows that make the edge cases appear) is published
//! into SQLite, copied into PostgreSQL, and every read of [`DrawSource`] and
//! [`PortalSource`] is asked the same questions of both.

use std::collections::BTreeSet;
use std::fmt::Debug;

use app::ssr::{DrawSource, PortalSource, StorageError};
use app::types::{
    DrawSummary, EnterpriseRow, InspectorRow, ItemRow, ListQuery, Paged, PlanRow, ResultCategory, ResultRow,
};
use futures_util::future::BoxFuture;

use super::{PgStorage, create_test_database};
use crate::storage::{Batch, NewEnterprise, SqliteStorage, Storage as _};

fn admin_url() -> String {
    std::env::var("GONGKAI_TEST_POSTGRES").expect(
        "GONGKAI_TEST_POSTGRES is not set: the PostgreSQL tests need a cluster \
         (scripts/test.sh starts one; by hand: eval \"$(scripts/pg.sh start)\")",
    )
}

struct Fixture {
    sqlite: SqliteStorage,
    pg: PgStorage,
    _dir: tempfile::TempDir,
}

/// Enterprise names that make the search's edge cases appear (case beyond
/// ASCII, wildcards, quotes, a repeated pair).
const EXTRA_NAMES: [&str; 11] = [
    "ÉCLAIR Café有限公司",
    "éclair bakery",
    "ＡＢＣ贸易有限公司",
    "ａｂｃ商行",
    "100%纯净水公司",
    "a_b食品店",
    "反斜杠\\公司",
    "引号'\"公司",
    "Mixed Case ABC Ltd",
    "哈哈哈哈食品",
    "ΣΟΦΙΑ食品",
];

/// Enterprises named `批量测试企业 Bulk0001 号`….
const BULK: u64 = 4100;

async fn fixture() -> Fixture {
    let sqlite = SqliteStorage::in_memory().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = crate::feedback::FeedbackKey::load_or_create(&dir.path().join("feedback.key")).unwrap();
    crate::publish::seed_calendar(&sqlite, "2025-01-02T09:00:00+08:00").await.unwrap();
    let today = app::calendar::day("2025-12-15").unwrap();
    assert!(crate::demo::seed_if_empty(&sqlite, Some(&key), today).await.unwrap() >= 6);
    extra_rows(&sqlite).await;
    let pg = PgStorage::open(&create_test_database(&admin_url()).await.unwrap()).await.unwrap();
    crate::storage::copy::sqlite_to_postgres(&sqlite, &pg).await.unwrap();
    Fixture { sqlite, pg, _dir: dir }
}

/// Rows the demo lacks: enterprises with unusual names, recusals that tie
/// on date and draw, cosignatures, declared reports, an unpublished
/// department, a demo code of a result not delivered.
async fn extra_rows(s: &SqliteStorage) {
    let department: String =
        sqlx::query_scalar("SELECT code FROM departments WHERE level = 'district'").fetch_one(s.pool()).await.unwrap();
    let enterprises: Vec<NewEnterprise> = EXTRA_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| NewEnterprise {
            credit_code: draw::CreditCode::parse(&draw::synthetic::credit_code(900_000 + i as u64)).unwrap(),
            name: (*name).to_owned(),
            department_code: department.clone(),
            region: "东河区".to_owned(),
            industry: "食品制造".to_owned(),
            licences: Vec::new(),
            abnormal: i % 2 == 0,
            serious_violation: i % 3 == 0,
            penalised: false,
            credit_class: 'B',
            published_at: "2025-06-01T09:00:00+08:00".to_owned(),
            correction: None,
        })
        .collect();
    s.import(&Batch::Enterprises(enterprises)).await.unwrap();
    // More names with a common part than the searches take from the name
    // indexes (2,000 for the lists, 4,000 for results): those scan instead.
    let bulk: Vec<NewEnterprise> = (0..BULK)
        .map(|i| NewEnterprise {
            credit_code: draw::CreditCode::parse(&draw::synthetic::credit_code(1_000_000 + i)).unwrap(),
            name: format!("批量测试企业 Bulk{i:04} 号"),
            department_code: department.clone(),
            region: "东河区".to_owned(),
            industry: "批发业".to_owned(),
            licences: Vec::new(),
            abnormal: false,
            serious_violation: false,
            penalised: i % 5 == 0,
            credit_class: 'A',
            published_at: "2025-07-01T09:00:00+08:00".to_owned(),
            correction: None,
        })
        .collect();
    s.import(&Batch::Enterprises(bulk)).await.unwrap();
    for sql in [
        // Ties on (date, draw): in one part (seq), and across the two parts of
        // an inspector's recusals (recused in one row, replacement in another).
        "INSERT INTO draw_recusals (draw_id, seq, credit_code, inspector, replacement, reason, date) \
         SELECT draw_id, seq + 10, credit_code, inspector, replacement, reason || '（二）', date FROM draw_recusals",
        "INSERT INTO draw_recusals (draw_id, seq, credit_code, inspector, replacement, reason, date) \
         SELECT draw_id, seq + 20, credit_code, replacement, inspector, reason || '（三）', date FROM draw_recusals \
         WHERE seq < 10",
        "INSERT INTO log_cosignatures (size, witness, time, line, received_at) VALUES \
         (5, 'witness.example/w1', 1700000100, '— w1 AAAA', '2025-01-01T00:00:00Z'), \
         (50, 'witness.example/w1', 1700000050, '— w1 BBBB', '2025-01-01T00:00:00Z'), \
         (10, 'witness.example/w2', 1700000200, '— w2 CCCC', '2025-01-01T00:00:00Z'), \
         (100000000, 'witness.example/w3', 1700000300, '— w3 DDDD', '2025-01-01T00:00:00Z')",
        "INSERT INTO declared_reports (department_id, year, version, title, text, figures_json, published_at) \
         SELECT id, 2022, 1, '2022年执行情况', '正文', '{\"drawn\": 70, \"problem_rate\": 12.5}', \
         '2026-01-10T09:00:00+08:00' FROM departments WHERE level = 'district'",
        "INSERT INTO declared_reports (department_id, year, version, title, text, figures_json, published_at, \
         replaces, correction_reason) \
         SELECT department_id, 2022, 2, '2022年执行情况（更正）', '正文', '{\"drawn\": 71}', \
         '2026-01-12T09:00:00+08:00', id, '数字有误' FROM declared_reports WHERE year = 2022",
        "INSERT INTO declared_reports (department_id, year, version, title, text, figures_json, published_at) \
         SELECT id, 2023, 1, '2023年执行情况', '正文', '{}', '2024-01-10T09:00:00+08:00' \
         FROM departments WHERE level = 'province'",
        "INSERT INTO departments (name) VALUES ('尚未公布的部门')",
        // Results of a few of those enterprises.
        "INSERT INTO results (result_code, version, draw_id, credit_code, enterprise_name, department_id, year, \
           item_codes, inspectors, inspected_on, reported_on, delivered_on, entered_on, category, findings, \
           rectification_deadline, rectification_status, penalty_case, published_at) \
         SELECT 'BULK-' || e.id, 1, r.draw_id, e.credit_code, e.name, r.department_id, r.year, r.item_codes, \
           r.inspectors, r.inspected_on, r.reported_on, r.delivered_on, r.entered_on, r.category, r.findings, \
           r.rectification_deadline, r.rectification_status, r.penalty_case, r.published_at \
         FROM (SELECT id, credit_code, name FROM enterprises WHERE name LIKE '批量测试企业%' ORDER BY id LIMIT 9) e \
         CROSS JOIN (SELECT * FROM results ORDER BY id DESC LIMIT 1) r",
        // An object of a district draw that higher departments inspected three
        // times that year before the draw: rows that tie in the report's order.
        "WITH pick AS (SELECT d.id AS draw_id, d.draw_date, o.credit_code, dd.parent_id AS city, \
           (SELECT parent_id FROM departments WHERE id = dd.parent_id) AS province \
           FROM draws d JOIN departments dd ON dd.id = d.department_id \
           JOIN draw_objects o ON o.draw_id = d.id AND o.outcome = 'selected' \
           WHERE dd.level = 'district' AND d.plan_code IS NOT NULL ORDER BY d.draw_date DESC, o.credit_code LIMIT 1), \
         higher AS (SELECT 1 AS k, 'city' AS level, '未发现问题' AS category \
           UNION ALL SELECT 2, 'province', '发现问题已责令改正' UNION ALL SELECT 3, 'city', '不配合检查情节严重') \
         INSERT INTO results (result_code, version, draw_id, credit_code, enterprise_name, department_id, year, \
           item_codes, inspectors, inspected_on, reported_on, delivered_on, entered_on, category, findings, \
           rectification_deadline, rectification_status, penalty_case, published_at) \
         SELECT 'HIGHER-' || k, 1, draw_id, credit_code, '上级检查的企业', \
           CASE level WHEN 'city' THEN city ELSE COALESCE(province, city) END, \
           CAST(substr(draw_date, 1, 4) AS INTEGER), '', '', substr(draw_date, 1, 4) || '-01-02', \
           substr(draw_date, 1, 4) || '-01-05', NULL, NULL, category, '', NULL, 'none', NULL, \
           '2025-01-06T09:00:00+08:00' FROM pick, higher ORDER BY k",
    ] {
        sqlx::query(sql).execute(s.pool()).await.unwrap();
    }
    // A result not (yet) delivered, with a demo code: sorted last, as SQLite sorts NULL in DESC.
    let (result_code, credit_code, department_id): (String, String, i64) = sqlx::query_as(
        "INSERT INTO results (result_code, version, draw_id, credit_code, enterprise_name, department_id, year, \
         item_codes, inspectors, inspected_on, reported_on, delivered_on, entered_on, category, findings, \
         rectification_deadline, rectification_status, penalty_case, published_at) \
         SELECT result_code || 'X', 1, draw_id, credit_code, enterprise_name, department_id, year, item_codes, \
         inspectors, inspected_on, reported_on, NULL, NULL, category, findings, rectification_deadline, \
         rectification_status, penalty_case, published_at FROM results ORDER BY id LIMIT 1 \
         RETURNING result_code, credit_code, department_id",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO feedback_codes (result_code, credit_code, department_id, code_hmac, issued_at) \
         VALUES (?, ?, ?, ?, '2025-12-01T09:00:00+08:00')",
    )
    .bind(&result_code)
    .bind(&credit_code)
    .bind(department_id)
    .bind("ab".repeat(32))
    .execute(s.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO demo_feedback_codes (result_code, code) VALUES (?, 'UNDELIVERED')")
        .bind(&result_code)
        .execute(s.pool())
        .await
        .unwrap();
}

/// The answers of both backends to one question, for comparison.
struct Both<'a> {
    f: &'a Fixture,
    /// Questions asked, and those SQLite could not answer (with its error).
    asked: usize,
    sqlite_failed: Vec<(String, String)>,
}

impl Both<'_> {
    /// Asserts that both answer `label` alike: equal values (Debug and JSON),
    /// or an error from SQLite (recorded) while PostgreSQL answers.
    fn same<T: Debug + PartialEq + serde::Serialize>(
        &mut self,
        label: &str,
        s: Result<T, StorageError>,
        p: Result<T, StorageError>,
    ) -> Option<T> {
        self.asked += 1;
        let p = p.unwrap_or_else(|e| panic!("{label}: PostgreSQL failed: {e:?}"));
        match s {
            Ok(s) => {
                assert_eq!(format!("{s:?}"), format!("{p:?}"), "{label}");
                assert_eq!(serde_json::to_string(&s).unwrap(), serde_json::to_string(&p).unwrap(), "{label}");
                assert!(s == p, "{label}");
                Some(p)
            }
            Err(e) => {
                self.sqlite_failed.push((label.to_owned(), e.to_string()));
                None
            }
        }
    }
}

macro_rules! both {
    ($b:expr, $label:expr, |$s:ident| $call:expr) => {{
        let label: String = $label;
        let s = {
            let $s: &dyn PortalSource = &$b.f.sqlite;
            $call.await
        };
        let p = {
            let $s: &dyn PortalSource = &$b.f.pg;
            $call.await
        };
        $b.same(&label, s, p)
    }};
}

macro_rules! both_draws {
    ($b:expr, $label:expr, |$s:ident| $call:expr) => {{
        let label: String = $label;
        let s = {
            let $s: &dyn DrawSource = &$b.f.sqlite;
            $call.await
        };
        let p = {
            let $s: &dyn DrawSource = &$b.f.pg;
            $call.await
        };
        $b.same(&label, s, p)
    }};
}

fn query(pairs: &[(&str, &str)]) -> ListQuery {
    ListQuery::from_pairs(pairs.iter().copied())
}

/// Search texts: 1, 2, 3 and more characters, Chinese and Latin, case,
/// wildcards, quotes, SQL, NUL, empty, very long.
fn search_texts() -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        " ",
        "食",
        "品",
        "公司",
        "食品",
        "河朔",
        "有限公司",
        "有限",
        "有限责任公司",
        "食品有限公司",
        "瑞丰",
        "a",
        "A",
        "ab",
        "AB",
        "Ab",
        "abc",
        "ABC",
        "aBc",
        "éclair",
        "ÉCLAIR",
        "Éclair",
        "café",
        "CAFÉ",
        "ＡＢＣ",
        "ａｂｃ",
        "ΣΟΦΙΑ",
        "σοφια",
        "ΣΟ",
        "σο",
        "Σο",
        "ＡＢ",
        "ａｂ",
        "Ａｂ",
        "Éc",
        "éC",
        "ÉC",
        "Ltd",
        "lTD",
        "mixed case",
        "哈哈",
        "哈哈哈",
        "%",
        "_",
        "%%",
        "__",
        "\\",
        "\\%",
        "a%b",
        "100%",
        "100%纯",
        "a_b",
        "_b",
        "'",
        "\"",
        "''",
        "引号'\"",
        ") OR 1=1 --",
        "' OR '1'='1",
        "'; DROP TABLE results; --",
        "\0",
        "a\0b",
        "食品\0",
        "\0食品有限",
        "有限\0公司",
        "%\0",
        "*",
        "\"食品\"",
        "食品 OR 公司",
        "NEAR(食品 公司)",
        "食品*",
        "^食品",
        "1",
        "12",
        "2025",
        "159902-2025-01",
        "  食品  ",
        "\t食品\n",
        "A1",
        "a1",
        "10",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    out.push("食".repeat(5000));
    out.push("a".repeat(60_000));
    out.push("有限公司".repeat(1000));
    out
}

/// Page settings: the first page, a small one and the next pages, a page
/// past the end, invalid values.
const PAGES: [(&str, &str); 9] =
    [("", ""), ("1", "7"), ("2", "7"), ("3", "7"), ("1", "1"), ("400", "50"), ("0", "0"), ("x", "-3"), ("2", "1000")];

type ListFn<T> = for<'a> fn(&'a dyn PortalSource, ListQuery) -> BoxFuture<'a, Result<Paged<T>, StorageError>>;

macro_rules! list_fn {
    ($name:ident, $row:ty, $method:ident) => {
        fn $name(s: &dyn PortalSource, q: ListQuery) -> BoxFuture<'_, Result<Paged<$row>, StorageError>> {
            Box::pin(async move { s.$method(&q).await })
        }
    };
}
list_fn!(items, ItemRow, list_items);
list_fn!(inspectors, InspectorRow, list_inspectors);
list_fn!(plans, PlanRow, list_plans);
list_fn!(draws, DrawSummary, search_draws);
list_fn!(results, ResultRow, list_results);
list_fn!(enterprises, EnterpriseRow, list_enterprises);

/// Walks a list by `after` from the start to its end on both, comparing each
/// stretch; returns the rows walked (from PostgreSQL).
async fn walk<T>(b: &mut Both<'_>, label: &str, base: &[(&str, &str)], list: ListFn<T>) -> Vec<T>
where
    T: Debug + PartialEq + serde::Serialize,
{
    let mut after = i64::MAX.to_string();
    let mut rows = Vec::new();
    for step in 0.. {
        let mut pairs = base.to_vec();
        pairs.push(("after", &after));
        pairs.push(("per_page", "7"));
        let q = query(&pairs);
        let s = list(&b.f.sqlite, q.clone()).await;
        let p = list(&b.f.pg, q).await;
        let page = b.same(&format!("{label} {base:?} walk step {step}"), s, p).expect("SQLite walks the list");
        let next = page.next_after;
        rows.extend(page.rows);
        match next {
            Some(next) => after = next.to_string(),
            None => break,
        }
    }
    rows
}

/// Asks one list the same question on both.
async fn ask<T>(b: &mut Both<'_>, label: &str, pairs: &[(&str, &str)], list: ListFn<T>) -> Option<Paged<T>>
where
    T: Debug + PartialEq + serde::Serialize,
{
    let q = query(pairs);
    let s = list(&b.f.sqlite, q.clone()).await;
    let p = list(&b.f.pg, q).await;
    b.same(&format!("{label} {pairs:?}"), s, p)
}

/// The keys of the demo's records, read from SQLite.
struct Keys {
    departments: Vec<String>,
    items: Vec<(String, String)>,
    item_names: Vec<String>,
    certificates: Vec<String>,
    units: Vec<String>,
    qualifications: Vec<String>,
    plans: Vec<String>,
    draws: Vec<String>,
    commitments: Vec<String>,
    results: Vec<String>,
    credit_codes: Vec<String>,
    result_names: Vec<String>,
    log: Vec<(String, String, i64)>,
}

async fn keys(s: &SqliteStorage) -> Keys {
    let pool = s.pool();
    let all = |sql: &'static str| async move { sqlx::query_scalar::<_, String>(sql).fetch_all(pool).await.unwrap() };
    let (units, qualifications) = s.inspector_facets().await.unwrap();
    Keys {
        departments: all("SELECT code FROM departments WHERE code IS NOT NULL ORDER BY code").await,
        items: sqlx::query_as(
            "SELECT DISTINCT d.code, i.item_code FROM items i JOIN departments d ON d.id = i.department_id ORDER BY 1, 2",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        item_names: all("SELECT DISTINCT name FROM items ORDER BY name").await,
        certificates: all("SELECT DISTINCT certificate FROM inspectors UNION SELECT inspector FROM draw_recusals \
             UNION SELECT replacement FROM draw_recusals ORDER BY 1")
        .await,
        units,
        qualifications,
        plans: all("SELECT DISTINCT plan_code FROM plans ORDER BY 1").await,
        draws: all("SELECT id FROM draws ORDER BY 1").await,
        commitments: all("SELECT draw_id FROM draw_commitments ORDER BY 1").await,
        results: all("SELECT DISTINCT result_code FROM results ORDER BY 1").await,
        credit_codes: all("SELECT credit_code FROM enterprises UNION SELECT credit_code FROM draw_objects \
             UNION SELECT credit_code FROM results ORDER BY 1")
        .await,
        result_names: all("SELECT DISTINCT enterprise_name FROM results ORDER BY 1 LIMIT 5").await,
        log: sqlx::query_as("SELECT kind, key, version FROM log_entries ORDER BY idx").fetch_all(pool).await.unwrap(),
    }
}

/// Keys that are no record's: unknown, empty, wildcards, SQL, NUL, long.
fn unknown_keys() -> Vec<String> {
    let mut out: Vec<String> =
        ["", "unknown", "000000", "%", "_", "\\", "'", "\"", ") OR 1=1 --", "\0", "a\0b", "159902\0"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
    out.push("x".repeat(10_000));
    out
}

#[tokio::test]
async fn every_list_answers_as_sqlite_on_the_demo() {
    let f = fixture().await;
    let k = keys(&f.sqlite).await;
    let mut b = Both { f: &f, asked: 0, sqlite_failed: Vec::new() };
    let searches = search_texts();
    let few_pages: [(&str, &str); 3] = [("", ""), ("2", "7"), ("1", "1")];
    let mut departments: Vec<String> = k.departments.clone();
    departments.extend(unknown_keys());
    let years = ["2023", "2024", "2025", "2026", "1999", "abc", "-1", "0", "99999", " 2025 ", "2025.0"];
    let bogus = ["bogus", "%", "\0", "' OR 1=1 --"];

    macro_rules! each_list {
        ($body:ident) => {
            $body!("items", items);
            $body!("inspectors", inspectors);
            $body!("plans", plans);
            $body!("draws", draws);
            $body!("results", results);
            $body!("enterprises", enterprises);
        };
    }
    macro_rules! common {
        ($label:expr, $list:expr) => {{
            for (page, per) in PAGES {
                ask(&mut b, $label, &[("page", page), ("per_page", per)], $list).await;
            }
            for q in &searches {
                for (page, per) in few_pages {
                    ask(&mut b, $label, &[("q", q.as_str()), ("page", page), ("per_page", per)], $list).await;
                }
            }
            for d in &departments {
                for (page, per) in few_pages {
                    ask(&mut b, $label, &[("department", d.as_str()), ("page", page), ("per_page", per)], $list).await;
                }
                for q in ["食品", "公司", "a", "有限公司", "检查"] {
                    ask(&mut b, $label, &[("department", d.as_str()), ("q", q)], $list).await;
                }
            }
            for y in years {
                for (page, per) in few_pages {
                    ask(&mut b, $label, &[("year", y), ("page", page), ("per_page", per)], $list).await;
                }
            }
            for status in
                ["active", "withdrawn", "expired", "left", "drawn", "awaiting_randomness"].iter().chain(&bogus)
            {
                for (page, per) in few_pages {
                    ask(&mut b, $label, &[("status", status), ("page", page), ("per_page", per)], $list).await;
                }
            }
            walk(&mut b, $label, &[], $list).await;
            for d in k.departments.iter().take(2) {
                walk(&mut b, $label, &[("department", d.as_str())], $list).await;
            }
            walk(&mut b, $label, &[("q", "食品")], $list).await;
            walk(&mut b, $label, &[("q", "有限")], $list).await;
            walk(&mut b, $label, &[("q", "a")], $list).await;
            walk(&mut b, $label, &[("year", "2025")], $list).await;
            for after in ["0", "1", "5", "-1", "x", "9223372036854775807", "99999999999999999999"] {
                ask(&mut b, $label, &[("after", after)], $list).await;
                ask(&mut b, $label, &[("after", after), ("per_page", "3"), ("q", "食品")], $list).await;
            }
        }};
    }
    each_list!(common);

    // The lists' own filters.
    for name in &k.item_names {
        let part: String = name.chars().skip(1).take(3).collect();
        for q in [name.as_str(), part.as_str()] {
            ask(&mut b, "items", &[("q", q)], items).await;
        }
    }
    for (department, item) in &k.items {
        ask(&mut b, "items", &[("q", item.as_str())], items).await;
        ask(&mut b, "items", &[("q", item.as_str()), ("department", department.as_str())], items).await;
    }
    for status in ["active", "withdrawn"] {
        for d in &k.departments {
            ask(&mut b, "items", &[("status", status), ("department", d.as_str()), ("per_page", "5")], items).await;
        }
    }
    let mut units = k.units.clone();
    units.extend(unknown_keys());
    for unit in &units {
        ask(&mut b, "inspectors", &[("unit", unit.as_str())], inspectors).await;
        ask(&mut b, "inspectors", &[("unit", unit.as_str()), ("status", "active"), ("per_page", "3")], inspectors)
            .await;
    }
    let mut qualifications = k.qualifications.clone();
    qualifications.extend(k.qualifications.iter().map(|q| q.chars().take(2).collect::<String>()));
    qualifications.extend(unknown_keys());
    qualifications.extend([";".to_owned(), "；".to_owned(), " ".to_owned()]);
    for qualification in &qualifications {
        for status in ["", "active", "expired", "left"] {
            ask(&mut b, "inspectors", &[("qualification", qualification.as_str()), ("status", status)], inspectors)
                .await;
        }
    }
    for cert in k.certificates.iter().take(20) {
        ask(&mut b, "inspectors", &[("q", cert.as_str())], inspectors).await;
    }
    for d in &k.departments {
        for y in years {
            ask(&mut b, "plans", &[("department", d.as_str()), ("year", y)], plans).await;
            ask(&mut b, "draws", &[("department", d.as_str()), ("year", y)], draws).await;
            for status in ["drawn", "awaiting_randomness"] {
                ask(&mut b, "draws", &[("department", d.as_str()), ("year", y), ("status", status)], draws).await;
            }
        }
    }
    for id in k.draws.iter().chain(&k.commitments) {
        ask(&mut b, "draws", &[("q", id.as_str())], draws).await;
        ask(&mut b, "draws", &[("q", &id.to_lowercase())], draws).await;
    }
    let mut categories: Vec<String> = ResultCategory::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    categories.push(ResultCategory::PROBLEMS.to_owned());
    categories.extend(bogus.iter().map(|s| (*s).to_owned()));
    let rectifications = ["none", "pending", "done", "overdue", "bogus", "\0"];
    let mut result_items: Vec<String> = k.items.iter().map(|(_, i)| i.clone()).collect();
    result_items
        .extend(["1", "2", "3", "14", "0", "-1", "检查", "监督", "%", "_", "\0", "a\0b", ""].map(str::to_owned));
    result_items.extend(k.item_names.iter().map(|n| n.chars().take(4).collect::<String>()));
    for category in &categories {
        for (page, per) in few_pages {
            ask(&mut b, "results", &[("category", category.as_str()), ("page", page), ("per_page", per)], results)
                .await;
        }
        for y in ["2024", "2025"] {
            for d in k.departments.iter().take(3) {
                let pairs = [("category", category.as_str()), ("year", y), ("department", d.as_str())];
                ask(&mut b, "results", &pairs, results).await;
            }
        }
    }
    for r in rectifications {
        ask(&mut b, "results", &[("rectification", r)], results).await;
        ask(&mut b, "results", &[("rectification", r), ("category", "problems"), ("per_page", "2")], results).await;
    }
    for item in &result_items {
        ask(&mut b, "results", &[("item", item.as_str())], results).await;
        ask(&mut b, "results", &[("item", item.as_str()), ("year", "2025"), ("per_page", "3"), ("page", "2")], results)
            .await;
    }
    for code in k.credit_codes.iter().step_by(7).take(60) {
        for q in [code.clone(), code.to_lowercase(), code[..10].to_owned()] {
            ask(&mut b, "results", &[("q", q.as_str())], results).await;
            ask(&mut b, "enterprises", &[("q", q.as_str())], enterprises).await;
        }
    }
    for name in &k.result_names {
        let part: String = name.chars().skip(2).take(4).collect();
        for q in [name.as_str(), part.as_str()] {
            ask(&mut b, "results", &[("q", q)], results).await;
            walk(&mut b, "results", &[("q", q)], results).await;
        }
    }
    // Every filter at once.
    ask(
        &mut b,
        "results",
        &[
            ("q", "公司"),
            ("department", &k.departments[0]),
            ("year", "2025"),
            ("category", "problems"),
            ("rectification", "done"),
            ("item", "1"),
        ],
        results,
    )
    .await;

    eprintln!("{} questions; SQLite failed {} of them", b.asked, b.sqlite_failed.len());
    for (label, error) in &b.sqlite_failed {
        eprintln!("  SQLite failed: {:.120} … {error}", label);
    }
    sqlite_failed_only_where_expected(&b.sqlite_failed);
    assert!(b.asked > 4000, "{}", b.asked);
}

/// SQLite itself fails on two kinds of search text, where PostgreSQL answers:
/// a name search (3 characters or more) with a NUL character (FTS5:
/// "unterminated string"), and a LIKE pattern of more than 50,000 bytes.
fn sqlite_failed_only_where_expected(failed: &[(String, String)]) {
    for (label, error) in failed {
        let nul = error.contains("unterminated string") && label.contains("\\0");
        let long = error.contains("LIKE or GLOB pattern too complex") && label.len() > 50_000;
        assert!(nul || long, "SQLite failed unexpectedly: {} … {error}", &label[..label.len().min(300)]);
    }
}

#[tokio::test]
async fn every_detail_answers_as_sqlite_on_the_demo() {
    let f = fixture().await;
    let k = keys(&f.sqlite).await;
    let mut b = Both { f: &f, asked: 0, sqlite_failed: Vec::new() };
    let unknown = unknown_keys();

    both_draws!(b, "list_draws".into(), |s| s.list_draws());
    for id in k.draws.iter().chain(&k.commitments).chain(&unknown) {
        both_draws!(b, format!("find_draw {id:.40?}"), |s| s.find_draw(id));
        both_draws!(b, format!("find_draw_view {id:.40?}"), |s| s.find_draw_view(id));
        both_draws!(b, format!("find_commitment {id:.40?}"), |s| s.find_commitment(id));
        both!(b, format!("draw_links {id:.40?}"), |s| s.draw_links(id));
    }
    for n in [0, 1, 3, 20, 600] {
        both!(b, format!("latest {n}"), |s| s.latest(n));
    }
    both!(b, "list_departments".into(), |s| s.list_departments());
    for code in k.departments.iter().chain(&unknown) {
        both!(b, format!("find_department {code:.40?}"), |s| s.find_department(code));
    }
    for (department, item) in &k.items {
        both!(b, format!("item_versions {department} {item}"), |s| s.item_versions(department, item));
        for other in k.departments.iter().chain(&unknown) {
            both!(b, format!("item_versions {other:.40?} {item}"), |s| s.item_versions(other, item));
        }
    }
    for code in &unknown {
        both!(b, format!("item_versions {code:.40?} x2"), |s| s.item_versions(code, code));
    }
    for cert in k.certificates.iter().chain(&unknown) {
        both!(b, format!("inspector_versions {cert:.40?}"), |s| s.inspector_versions(cert));
        both!(b, format!("inspector_recusals {cert:.40?}"), |s| s.inspector_recusals(cert));
    }
    both!(b, "inspector_facets".into(), |s| s.inspector_facets());
    for code in k.plans.iter().chain(&unknown) {
        both!(b, format!("find_plan {code:.40?}"), |s| s.find_plan(code));
    }
    for code in k.results.iter().chain(&unknown) {
        both!(b, format!("result_versions {code:.40?}"), |s| s.result_versions(code));
    }
    for code in k.credit_codes.iter().chain(&unknown) {
        both!(b, format!("find_enterprise {code:.40?}"), |s| s.find_enterprise(code));
    }
    for code in k.credit_codes.iter().step_by(5) {
        let lower = code.to_lowercase();
        both!(b, format!("find_enterprise {lower}"), |s| s.find_enterprise(&lower));
    }
    let mut codes: Vec<String> = k.credit_codes.clone();
    codes.extend(unknown.iter().cloned());
    let mut certs: Vec<String> = k.certificates.clone();
    certs.extend(unknown.iter().cloned());
    both!(b, "directory_names all".into(), |s| s.directory_names(&codes, &certs));
    both!(b, "directory_names none".into(), |s| s.directory_names(&[], &[]));
    both!(b, "directory_names unknown".into(), |s| s.directory_names(&unknown, &unknown));
    both!(b, "directory_names one".into(), |s| s.directory_names(&codes[..1], &certs[..1]));
    let many: Vec<String> = codes.iter().cycle().take(1500).cloned().collect();
    both!(b, "directory_names 1500".into(), |s| s.directory_names(&many, &[]));
    both!(b, "calendar_years".into(), |s| s.calendar_years());
    both!(b, "demo_feedback_codes".into(), |s| s.demo_feedback_codes());
    let departments: Vec<Option<&str>> =
        std::iter::once(None).chain(k.departments.iter().chain(&unknown).map(|d| Some(d.as_str()))).collect();
    let certificates: Vec<Option<&str>> = std::iter::once(None)
        .chain(k.certificates.iter().step_by(9).chain(&unknown).map(|c| Some(c.as_str())))
        .collect();
    for closed_before in ["2025-06-01", "2025-12-31", "2026-03-01", "2099-01-01", "", "2025-12-31\0x", "\0"] {
        for department in &departments {
            for year in [None, Some(2024), Some(2025), Some(2026), Some(-1)] {
                let label = format!("feedback_facts {department:.40?} {year:?} None {closed_before:?}");
                both!(b, label, |s| s.feedback_facts(*department, year, None, closed_before));
            }
        }
        for certificate in &certificates {
            let label = format!("feedback_facts None None {certificate:.40?} {closed_before:?}");
            both!(b, label, |s| s.feedback_facts(None, None, *certificate, closed_before));
            let label = format!("feedback_facts first 2025 {certificate:.40?} {closed_before:?}");
            both!(b, label, |s| s.feedback_facts(departments[1], Some(2025), *certificate, closed_before));
        }
    }
    let report_keys = both!(b, "report_keys".into(), |s| s.report_keys()).unwrap();
    for (department, year) in &report_keys {
        for y in [*year, year - 1, year + 1] {
            both!(b, format!("report_rows {} {y}", department.code), |s| s.report_rows(&department.code, y));
        }
    }
    for code in &unknown {
        both!(b, format!("report_rows {code:.40?}"), |s| s.report_rows(code, 2025));
    }
    for years in [vec![2025, 2024], vec![], vec![2023, 2024, 2025, 2026, 2027], vec![-5, 0, 9999]] {
        both!(b, format!("year_figures {years:?}"), |s| s.year_figures(&years));
    }
    let mut item_codes: Vec<String> = k.items.iter().map(|(_, i)| i.clone()).collect();
    both!(b, "item_names all".into(), |s| s.item_names(&item_codes));
    both!(b, "item_names none".into(), |s| s.item_names(&[]));
    both!(b, "item_names unknown".into(), |s| s.item_names(&unknown));
    item_codes.extend(unknown.iter().cloned());
    both!(b, "item_names all and unknown".into(), |s| s.item_names(&item_codes));
    both!(b, "publication_mark".into(), |s| s.publication_mark());
    for (kind, key, version) in &k.log {
        both!(b, format!("log_entry {kind} {key} {version}"), |s| s.log_entry(kind, key, *version));
    }
    let (kind, key, _) = &k.log[k.log.len() / 2];
    for version in [0, 2, 99, -1, i64::MAX] {
        both!(b, format!("log_entry {kind} {key} {version}"), |s| s.log_entry(kind, key, version));
    }
    for bad in &unknown {
        both!(b, format!("log_entry {bad:.40?}"), |s| s.log_entry(bad, key, 1));
        both!(b, format!("log_entry key {bad:.40?}"), |s| s.log_entry(kind, bad, 1));
    }
    eprintln!("{} questions; SQLite failed {:?}", b.asked, b.sqlite_failed);
    assert!(b.sqlite_failed.is_empty());
}

/// Not only equal: right. The demo's known counts, and searches checked
/// against the names themselves, so that both backends cannot be wrong alike.
#[tokio::test]
async fn the_answers_are_right() {
    let f = fixture().await;
    let pg: &dyn PortalSource = &f.pg;
    let all = |n: u64| ListQuery { per_page: Some("1000".into()), page: Some(n.to_string()), ..ListQuery::default() };

    // The demo: 850 enterprises (and the test's own), 74 inspectors, 4 published departments.
    let listed = pg.list_enterprises(&ListQuery::default()).await.unwrap();
    assert_eq!((listed.total, listed.total_is_lower_bound), (850 + EXTRA_NAMES.len() as u64 + BULK, false));
    let inspectors = pg.list_inspectors(&ListQuery::default()).await.unwrap();
    assert_eq!((inspectors.total, inspectors.total_is_lower_bound), (74, false));
    let departments = pg.list_departments().await.unwrap();
    assert_eq!(departments.iter().filter(|d| d.code.is_some()).count(), 4);
    assert_eq!(departments.last().map(|d| d.name.as_str()), Some("尚未公布的部门"), "no code: last");
    let province = pg.find_department("150000").await.unwrap().unwrap();
    assert_eq!(province.items.len(), 14);
    assert!(pg.find_department("\0").await.unwrap().is_none());

    // Every current enterprise, then searches checked against their names.
    let mut current: Vec<EnterpriseRow> = Vec::new();
    for page in 1.. {
        let rows = pg.list_enterprises(&all(page)).await.unwrap().rows;
        if rows.is_empty() {
            break;
        }
        current.extend(rows);
    }
    assert_eq!(current.len(), 850 + EXTRA_NAMES.len() + BULK as usize);
    let by_name = |q: &str, fold: fn(&str) -> String| -> BTreeSet<String> {
        current.iter().filter(|e| fold(&e.name).contains(&fold(q))).map(|e| e.credit_code.clone()).collect()
    };
    // Every page of a search: the credit codes, and the first page's total.
    let found = |q: String| async move {
        let mut codes = BTreeSet::new();
        let mut first_total = None;
        for page in 1.. {
            let query = ListQuery { q: Some(q.clone()), ..all(page) };
            let answer = pg.list_enterprises(&query).await.unwrap();
            first_total.get_or_insert(answer.total);
            if answer.rows.is_empty() {
                break;
            }
            codes.extend(answer.rows.into_iter().map(|e| e.credit_code));
        }
        (codes, first_total.unwrap_or_default())
    };
    for q in [
        "食品",
        "有限公司",
        "公司",
        "哈哈",
        "哈哈哈",
        "瑞丰",
        "ab",
        "AB",
        "ÉCLAIR",
        "café",
        "ａｂｃ",
        "σοφια",
        "Ltd",
        "ＡＢ",
        "ΣΟ",
        "éC",
    ] {
        // From two letters or digits the name index answers: case folded like FTS5 (every letter).
        let expected = by_name(q, |s| s.to_lowercase());
        let (got, total) = found(q.to_owned()).await;
        assert_eq!(got, expected, "{q}");
        assert_eq!(total, expected.len() as u64, "{q}");
    }
    for q in ["%", "_", "\\", "'", "\"", "a", "A", "食", "a_b", "100%", "\0", "%\0", "' OR '1'='1", ") OR 1=1 --"] {
        // Below that, LIKE: ASCII case folded; the text up to a NUL, as SQLite's LIKE reads it.
        let upto = q.split('\0').next().unwrap_or_default();
        let expected = if q == "%\0" {
            // `%` + NUL: the pattern `%\%`, names ending with `%`.
            current.iter().filter(|e| e.name.ends_with('%')).map(|e| e.credit_code.clone()).collect()
        } else {
            by_name(upto, |s| s.to_ascii_lowercase())
        };
        assert_eq!(found(q.to_owned()).await.0, expected, "{q:?}");
    }
    assert_eq!(found("%".into()).await.0.len(), 1, "a wildcard is a character");
    assert_eq!(found("ÉCLAIR".into()).await.0.len(), 2, "É is é");
    assert_eq!(found("ABC".into()).await.0.len(), 1, "ＡＢＣ is not ABC");
    assert_eq!(found("ａｂｃ".into()).await.0.len(), 2, "ａｂｃ is ＡＢＣ");
    assert_eq!(found("' OR '1'='1".into()).await.0.len(), 0);
    assert_eq!(found("a\0b".into()).await, (BTreeSet::new(), 0), "no name holds a NUL");
    assert_eq!(found("ａＢ".into()).await.0.len(), 2, "a pair in any case");
    // Very many matches: scanned in list order, not counted.
    for q in ["批量", "批量测试", "bulk", "BULK", "Bu"] {
        let first = pg.list_enterprises(&ListQuery { q: Some(q.into()), ..all(1) }).await.unwrap();
        assert_eq!((first.rows.len(), first.total_is_lower_bound), (1000, true), "{q}");
        let (got, _) = found(q.to_owned()).await;
        assert_eq!(got, by_name(q, |s| s.to_ascii_lowercase()), "{q}");
        assert!(got.len() > 2000, "{q}");
    }

    // A known difference: SQLite's two-character index (unicode61) also removes
    // diacritics, so there `fe` finds Café; the bigram table keeps them.
    let fe = ListQuery { q: Some("fe".into()), ..ListQuery::default() };
    let names = |p: Paged<EnterpriseRow>| p.rows.into_iter().map(|e| e.name).collect::<Vec<_>>();
    assert_eq!(names(f.sqlite.list_enterprises(&fe).await.unwrap()), ["ÉCLAIR Café有限公司"]);
    assert_eq!(names(pg.list_enterprises(&fe).await.unwrap()), Vec::<String>::new());

    // Results of a year: the rows whose inspection was in it.
    let mut every: Vec<ResultRow> = Vec::new();
    for page in 1.. {
        let rows = pg.list_results(&all(page)).await.unwrap().rows;
        if rows.is_empty() {
            break;
        }
        every.extend(rows);
    }
    assert!(every.len() > 50, "{}", every.len());
    for year in [2024, 2025] {
        let q = ListQuery { year: Some(year.to_string()), per_page: Some("1000".into()), ..ListQuery::default() };
        let page = pg.list_results(&q).await.unwrap();
        let expected = every.iter().filter(|r| r.inspected_on.starts_with(&format!("{year}-"))).count();
        assert_eq!((page.rows.len(), page.total), (expected, expected as u64), "{year}");
        assert!(page.rows.windows(2).all(|w| w[0].inspected_on >= w[1].inspected_on), "newest first");
    }
    let bulk = ListQuery { q: Some("批量测试".into()), ..ListQuery::default() };
    let answer = pg.list_results(&bulk).await.unwrap();
    assert_eq!((answer.rows.len(), answer.total_is_lower_bound), (9, false));
    assert!(answer.rows.iter().all(|r| r.enterprise_name.starts_with("批量测试企业")));
    let problems =
        ListQuery { category: Some("problems".into()), per_page: Some("1000".into()), ..ListQuery::default() };
    let expected = every.iter().filter(|r| r.category.is_problem()).count();
    assert_eq!(pg.list_results(&problems).await.unwrap().rows.len(), expected);

    // Pages: seven at a time, the same rows as one page of all; the walk, all of them newest first.
    for (per, pages) in [("7", 200), ("50", 30)] {
        let mut paged = Vec::new();
        for page in 1..=pages {
            let q = ListQuery { per_page: Some(per.into()), page: Some(page.to_string()), ..ListQuery::default() };
            paged.extend(pg.list_results(&q).await.unwrap().rows);
        }
        assert_eq!(paged, every, "per_page {per}");
    }
    let mut walked = Vec::new();
    let mut after = Some(i64::MAX);
    while let Some(a) = after {
        let q = ListQuery { after: Some(a.to_string()), per_page: Some("9".into()), ..ListQuery::default() };
        let page = pg.list_results(&q).await.unwrap();
        walked.extend(page.rows);
        after = page.next_after;
    }
    assert_eq!(walked.len(), every.len());

    // Inspectors whose certificate expired before today in Beijing.
    let today = gongkai_cli::clock::beijing(gongkai_cli::clock::now().unwrap())[..10].to_owned();
    let q = ListQuery { status: Some("expired".into()), per_page: Some("1000".into()), ..ListQuery::default() };
    let expired = pg.list_inspectors(&q).await.unwrap().rows;
    assert!(expired.iter().all(|i| i.expired && i.valid_until < today));
    let q = ListQuery { per_page: Some("1000".into()), ..ListQuery::default() };
    let every_inspector = pg.list_inspectors(&q).await.unwrap().rows;
    assert_eq!(expired.len(), every_inspector.iter().filter(|i| i.valid_until < today).count());

    // Draws: each published one, and the commitments without their draw.
    let counted: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM draws) + \
         (SELECT COUNT(*) FROM draw_commitments c WHERE NOT EXISTS (SELECT 1 FROM draws d WHERE d.id = c.draw_id))",
    )
    .fetch_one(f.pg.pool())
    .await
    .unwrap();
    let listed = DrawSource::list_draws(&f.pg).await.unwrap();
    assert_eq!(listed.len() as i64, counted);
    assert!(listed.iter().any(DrawSummary::is_awaiting));
    assert!(listed.windows(2).all(|w| w[0].draw_date >= w[1].draw_date));

    // The recusals that tie on date and draw: the recusing part first, by `seq`.
    let (certificate, draw): (String, String) =
        sqlx::query_as("SELECT inspector, draw_id FROM draw_recusals WHERE seq > 20 LIMIT 1")
            .fetch_one(f.pg.pool())
            .await
            .unwrap();
    let recusals = pg.inspector_recusals(&certificate).await.unwrap();
    assert!(recusals.len() >= 2 && recusals.iter().all(|r| r.draw_id == draw), "{recusals:?}");
    assert_eq!(recusals[0].inspector, certificate);
    assert!(recusals.iter().any(|r| r.replacement == certificate));

    // An object inspected three times by higher departments before the district drew it.
    let (district, year): (String, i64) = sqlx::query_as(
        "SELECT dep.code, r.year FROM results r JOIN draws d ON d.id = r.draw_id \
         JOIN departments dep ON dep.id = d.department_id WHERE r.result_code = 'HIGHER-1'",
    )
    .fetch_one(f.pg.pool())
    .await
    .unwrap();
    let rows = pg.report_rows(&district, year).await.unwrap().unwrap();
    let higher: BTreeSet<&str> = rows.higher.iter().map(|h| h.result_code.as_str()).collect();
    assert_eq!(higher, BTreeSet::from(["HIGHER-1", "HIGHER-2", "HIGHER-3"]), "{:?}", rows.higher);
    assert!(rows.unprotected.contains_key(&rows.higher[0].credit_code));

    // The log: the entry's bytes, and each witness's earliest cosignature of a checkpoint holding it.
    let (kind, key, version, idx, bytes): (String, String, i64, i64, Vec<u8>) =
        sqlx::query_as("SELECT kind, key, version, idx, entry FROM log_entries ORDER BY idx LIMIT 1 OFFSET 7")
            .fetch_one(f.pg.pool())
            .await
            .unwrap();
    let entry = pg.log_entry(&kind, &key, version).await.unwrap().unwrap();
    assert_eq!((entry.index, entry.entry.as_bytes()), (idx as u64, bytes.as_slice()));
    assert_eq!(
        entry.cosigned,
        [
            ("witness.example/w1".to_owned(), 1_700_000_050),
            ("witness.example/w2".to_owned(), 1_700_000_200),
            ("witness.example/w3".to_owned(), 1_700_000_300)
        ]
    );
    assert!(pg.log_entry(&kind, &key, version + 1).await.unwrap().is_none());

    // The demo's feedback: a fact for every code of a current result, and the undelivered demo code last.
    let codes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback_codes f JOIN results r ON r.result_code = f.result_code \
         WHERE r.id NOT IN (SELECT id FROM results_superseded)",
    )
    .fetch_one(f.pg.pool())
    .await
    .unwrap();
    let facts = pg.feedback_facts(None, None, None, "2099-01-01").await.unwrap();
    assert_eq!(facts.len() as i64, codes);
    assert!(facts.iter().any(|f| f.submission.as_ref().is_some_and(|s| s.len() > 1)), "several ratings");
    let demo = pg.demo_feedback_codes().await.unwrap();
    assert!(demo.len() > 1);
    assert_eq!(demo.last().map(|d| d.code.as_str()), Some("UNDELIVERED"));
    assert!(demo.windows(2).all(|w| w[0].delivered_on.is_none() || w[0].delivered_on >= w[1].delivered_on));
}

/// Every connection plans each statement for its parameters (`connect_options`):
/// with a plan made once for any name, a name search on 10 million enterprises
/// took 10 s instead of 0.2 s.
#[tokio::test]
async fn every_connection_plans_statements_for_their_parameters() {
    let pg = PgStorage::open(&create_test_database(&admin_url()).await.unwrap()).await.unwrap();
    for _ in 0..3 {
        let mode: String = sqlx::query_scalar("SHOW plan_cache_mode").fetch_one(pg.pool()).await.unwrap();
        assert_eq!(mode, "force_custom_plan");
    }
}

#[tokio::test]
async fn a_whole_name_is_looked_up_by_its_rare_trigrams() {
    let f = fixture().await;
    let q = "批量测试企业 Bulk0042 号";
    // 4,100 names have 批量测试企业 and Bulk; 004 and 042 are in 15 each, and only Bulk0042
    // has both: the index is asked about those two, not about the trigrams every bulk name has.
    let picked = f.pg.trigram_stats().await.unwrap().selective(q);
    assert_eq!(picked.map(BTreeSet::from_iter), Some(BTreeSet::from(["004".to_owned(), "042".to_owned()])));
    // And the whole name is still what is matched, on both backends.
    let query = ListQuery { q: Some(q.into()), ..ListQuery::default() };
    for page in [f.pg.list_enterprises(&query).await.unwrap(), f.sqlite.list_enterprises(&query).await.unwrap()] {
        let names: Vec<String> = page.rows.into_iter().map(|e| e.name).collect();
        assert_eq!((names, page.total), (vec![q.to_owned()], 1));
    }
    let part = ListQuery { q: Some("Bulk004".into()), ..ListQuery::default() };
    let (pg, sqlite) = (f.pg.list_enterprises(&part).await.unwrap(), f.sqlite.list_enterprises(&part).await.unwrap());
    assert_eq!(pg.total, 10, "Bulk0040 to Bulk0049");
    assert_eq!(
        pg.rows.iter().map(|e| &e.name).collect::<Vec<_>>(),
        sqlite.rows.iter().map(|e| &e.name).collect::<Vec<_>>()
    );
}
