//! The PostgreSQL writes store what SQLite's store: the same batches, draws
//! and commitments published into a fresh SQLite and a fresh PostgreSQL give
//! the same answers (summaries; refusals with the same problems, storing
//! nothing), the same rows in every table (`copy_differences`) and the same
//! log, step by step.

use std::fmt::Debug;

use super::{PgStorage, create_test_database};
use crate::publish::{
    CommitmentSubmission, DrawSubmission, VerifiedCommitment, VerifiedDraw, verify_commitment, verify_draw,
};
use crate::storage::{
    Batch, Correction, ImportSummary, Level, NewDepartment, NewEnterprise, SqliteStorage, Storage as _, StorageError,
    copy_differences,
};

fn admin_url() -> String {
    std::env::var("GONGKAI_TEST_POSTGRES").expect(
        "GONGKAI_TEST_POSTGRES is not set: the PostgreSQL tests need a cluster \
         (scripts/test.sh starts one; by hand: eval \"$(scripts/pg.sh start)\")",
    )
}

/// The tables a publication writes, counted to show that a refused one wrote nothing.
const COUNTED: [&str; 20] = [
    "departments",
    "items",
    "inspectors",
    "enterprises",
    "enterprise_bigrams",
    "enterprises_superseded",
    "plans",
    "plan_lines",
    "draw_commitments",
    "draws",
    "draw_objects",
    "draw_recusals",
    "draw_sources",
    "results",
    "results_superseded",
    "log_entries",
    "log_keys",
    "log_runs",
    "log_hashes",
    "log_tiles",
];

/// A refusal as compared between the backends; a database error fails the test.
fn refusal(what: &str, e: StorageError) -> String {
    match e {
        StorageError::Database(_)
        | StorageError::Log(_)
        | StorageError::Json(_)
        | StorageError::Busy(_)
        | StorageError::Unavailable => {
            panic!("{what}: {e}")
        }
        e => format!("{e:?}"),
    }
}

/// The same database in both backends, written the same way.
struct Both {
    sqlite: SqliteStorage,
    pg: PgStorage,
}

impl Both {
    async fn new() -> Both {
        let sqlite = SqliteStorage::in_memory().await.unwrap();
        let pg = PgStorage::open(&create_test_database(&admin_url()).await.unwrap()).await.unwrap();
        Both { sqlite, pg }
    }

    /// Every table row by row, and the log's size and root.
    async fn assert_same(&self, what: &str) {
        assert_eq!(copy_differences(&self.sqlite, &self.pg).await.unwrap(), Vec::<String>::new(), "after {what}");
        assert_eq!(self.pg.log_head().await.unwrap(), self.sqlite.log_head().await.unwrap(), "log after {what}");
    }

    async fn pg_counts(&self) -> Vec<(&'static str, i64)> {
        let mut out = Vec::new();
        for table in COUNTED {
            let n: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(self.pg.pool()).await.unwrap();
            out.push((table, n));
        }
        out
    }

    /// Both answers, compared; then both databases.
    async fn agree<T: Debug + PartialEq>(
        &self,
        what: &str,
        sqlite: Result<T, StorageError>,
        pg: Result<T, StorageError>,
    ) -> Result<T, String> {
        let (sqlite, pg) = (sqlite.map_err(|e| refusal(what, e)), pg.map_err(|e| refusal(what, e)));
        assert_eq!(pg, sqlite, "{what}");
        self.assert_same(what).await;
        pg
    }

    async fn import(&self, what: &str, batch: &Batch) -> Result<ImportSummary, String> {
        let sqlite = self.sqlite.import(batch).await;
        let pg = self.pg.store_batch(batch).await;
        self.agree(what, sqlite, pg).await
    }

    async fn draw(&self, what: &str, draw: &VerifiedDraw) -> Result<(), String> {
        let sqlite = self.sqlite.insert_draw(draw).await;
        let pg = self.pg.store_draw(draw).await;
        self.agree(what, sqlite, pg).await
    }

    async fn commitment(&self, what: &str, c: &VerifiedCommitment) -> Result<(), String> {
        let sqlite = self.sqlite.insert_commitment(c).await;
        let pg = self.pg.store_commitment(c).await;
        self.agree(what, sqlite, pg).await
    }

    /// A refused publication: the same refusal, and nothing written (not even a log entry).
    async fn refused<T: Debug>(&self, what: &str, publish: impl AsyncFnOnce(&Both) -> Result<T, String>) -> String {
        let before = self.pg_counts().await;
        let size = self.pg.log_size().await.unwrap();
        let refusal = match publish(self).await {
            Ok(done) => panic!("{what}: stored ({done:?})"),
            Err(refusal) => refusal,
        };
        assert_eq!(self.pg_counts().await, before, "{what}: a refused publication stores nothing");
        assert_eq!(self.pg.log_size().await.unwrap(), size, "{what}: and logs nothing");
        refusal
    }

    /// The departments and draw count as `Storage` gives them.
    async fn assert_same_listings(&self) {
        assert_eq!(self.pg.count_draws().await.unwrap(), self.sqlite.draw_count().await.unwrap());
        assert_eq!(self.pg.list_department_rows().await.unwrap(), self.sqlite.departments().await.unwrap());
    }
}

fn summary(added: usize, corrected: usize) -> Result<ImportSummary, String> {
    Ok(ImportSummary { added, corrected })
}

/// The bigram rows of the enterprise version `id`.
async fn bigrams(pg: &PgStorage, id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT bigram FROM enterprise_bigrams WHERE enterprise_id = $1 ORDER BY bigram")
        .bind(id)
        .fetch_all(pg.pool())
        .await
        .unwrap()
}

/// The bigram rows as `storage::copy` builds them from the names, less the stored ones, and the other way.
async fn bigrams_unlike_the_copy(pg: &PgStorage) -> (i64, i64) {
    let built = "SELECT e.id, lower(substr(e.name, i, 2)) FROM enterprises e \
                 CROSS JOIN LATERAL generate_series(1, char_length(e.name) - 1) i";
    let stored = "SELECT enterprise_id, bigram FROM enterprise_bigrams";
    let count = |a: &str, b: &str| format!("SELECT COUNT(*) FROM ({a} EXCEPT {b}) x");
    let missing: i64 = sqlx::query_scalar(&count(built, stored)).fetch_one(pg.pool()).await.unwrap();
    let extra: i64 = sqlx::query_scalar(&count(stored, built)).fetch_one(pg.pool()).await.unwrap();
    (missing, extra)
}

#[tokio::test]
async fn the_demo_is_stored_the_same_batch_by_batch() {
    let both = Both::new().await;
    let demo = crate::demo::build().unwrap();
    let n = |v: usize| summary(v, 0);
    both.import("departments", &Batch::Departments(demo.departments.clone())).await.unwrap();
    assert_eq!(both.import("items", &Batch::Items(demo.items.clone())).await, n(demo.items.len()));
    let corrections = demo.item_corrections.len();
    assert_eq!(both.import("item corrections", &Batch::Items(demo.item_corrections)).await, summary(0, corrections));
    assert_eq!(both.import("inspectors", &Batch::Inspectors(demo.inspectors.clone())).await, n(demo.inspectors.len()));
    let enterprises = demo.enterprises.len();
    assert_eq!(both.import("enterprises", &Batch::Enterprises(demo.enterprises)).await, n(enterprises));
    assert_eq!(both.import("plans", &Batch::Plans(demo.plans.clone())).await, n(demo.plans.len()));
    for d in &demo.draws {
        let draw = verify_draw(d.to_submission().unwrap()).unwrap();
        both.draw(&draw.summary.id, &draw).await.unwrap();
    }
    assert_eq!(both.import("results", &Batch::Results(demo.results.clone())).await, n(demo.results.len()));
    for (what, batch) in [
        ("result corrections", Batch::Results(demo.result_corrections)),
        ("enterprise corrections", Batch::Enterprises(demo.enterprise_corrections)),
        ("inspector corrections", Batch::Inspectors(demo.inspector_corrections)),
        ("plan corrections", Batch::Plans(demo.plan_corrections)),
    ] {
        let rows = batch.len();
        assert_eq!(both.import(what, &batch).await, summary(0, rows), "{what}");
    }
    let awaiting = verify_commitment(demo.awaiting).unwrap();
    both.commitment("the awaiting commitment", &awaiting).await.unwrap();
    both.assert_same_listings().await;
    assert!(both.pg.count_draws().await.unwrap() >= 5);
    let (size, _) = both.pg.log_head().await.unwrap();
    assert!(size > 1000, "{size}");
    assert_eq!(crate::log::audit(&both.pg.log_audit().await.unwrap()), Vec::<String>::new());
    // The two-character name index: every pair of every name (of every version), as the copy builds it.
    assert_eq!(bigrams_unlike_the_copy(&both.pg).await, (0, 0));
    let superseded: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM enterprises_superseded").fetch_one(both.pg.pool()).await.unwrap();
    assert!(superseded > 0, "the triggers follow the corrections");
}

fn department(code: &str, name: &str, level: Level, parent: Option<&str>) -> NewDepartment {
    NewDepartment {
        code: code.to_owned(),
        name: name.to_owned(),
        level,
        parent_code: parent.map(str::to_owned),
        published_at: "2025-01-02T09:00:00+08:00".to_owned(),
    }
}

fn enterprise(n: u64, name: &str, department_code: &str) -> NewEnterprise {
    NewEnterprise {
        credit_code: draw::CreditCode::parse(&draw::synthetic::credit_code(n)).unwrap(),
        name: name.to_owned(),
        department_code: department_code.to_owned(),
        region: "东河区".to_owned(),
        industry: "食品制造".to_owned(),
        licences: vec!["食品生产许可".to_owned(), "SC123".to_owned()],
        abnormal: n.is_multiple_of(2),
        serious_violation: n.is_multiple_of(3),
        penalised: n.is_multiple_of(5),
        credit_class: 'C',
        published_at: "2025-06-01T09:00:00+08:00".to_owned(),
        correction: None,
    }
}

fn correction(reason: &str) -> Option<Correction> {
    Some(Correction { reason: reason.to_owned() })
}

#[tokio::test]
async fn refused_batches_store_nothing_and_the_next_rows_get_the_same_ids() {
    let both = Both::new().await;
    let demo = crate::demo::build().unwrap();
    both.import("departments", &Batch::Departments(demo.departments.clone())).await.unwrap();
    both.import("items", &Batch::Items(demo.items.clone())).await.unwrap();
    both.import("inspectors", &Batch::Inspectors(demo.inspectors.clone())).await.unwrap();
    both.import("enterprises", &Batch::Enterprises(demo.enterprises.clone())).await.unwrap();
    both.import("plans", &Batch::Plans(demo.plans.clone())).await.unwrap();
    let first = verify_draw(demo.draws[0].to_submission().unwrap()).unwrap();
    both.draw("a draw", &first).await.unwrap();
    let (top, district) = (demo.departments[0].code.clone(), demo.items[0].department_code.clone());

    // Each batch: a good first row (written, then rolled back), then refused rows.
    let departments = Batch::Departments(vec![
        department("159990", "河朔市新设局", Level::City, Some(&top)),
        department(&top, "另一个局", Level::Province, None),
        department("159991", "无上级局", Level::District, Some("000000")),
        department("159992", &demo.departments[1].name, Level::City, Some(&top)),
    ]);
    let mut new_item = demo.items[0].clone();
    new_item.item_code = "NEW-1".to_owned();
    let mut elsewhere = demo.items[0].clone();
    elsewhere.department_code = "999999".to_owned();
    let mut nothing_to_correct = new_item.clone();
    nothing_to_correct.item_code = "NEW-2".to_owned();
    nothing_to_correct.correction = correction("改正笔误");
    let items = Batch::Items(vec![new_item.clone(), elsewhere, demo.items[1].clone(), nothing_to_correct]);
    let mut new_inspector = demo.inspectors[0].clone();
    new_inspector.certificate = "99990001".to_owned();
    let mut empty_reason = demo.inspectors[1].clone();
    empty_reason.correction = correction("  ");
    let inspectors = Batch::Inspectors(vec![new_inspector.clone(), demo.inspectors[0].clone(), empty_reason]);
    let enterprises = Batch::Enterprises(vec![
        enterprise(990_001, "河朔市瑞丰食品有限公司", &district),
        enterprise(990_002, "无主企业", "999999"),
        demo.enterprises[0].clone(),
    ]);
    let mut new_plan = demo.plans[0].clone();
    new_plan.plan_code = format!("{}-NEW", new_plan.plan_code);
    let mut no_lines = new_plan.clone();
    no_lines.plan_code.push('2');
    no_lines.lines.clear();
    let mut unknown_item = new_plan.clone();
    unknown_item.plan_code.push('3');
    unknown_item.lines[0].item_code = "NO-SUCH-ITEM".to_owned();
    let plans = Batch::Plans(vec![new_plan.clone(), no_lines, unknown_item]);
    let drawn: Vec<_> = demo.results.iter().filter(|r| r.draw_id == first.summary.id).cloned().collect();
    assert!(drawn.len() >= 2, "the first draw has results");
    let mut undrawn = drawn[1].clone();
    undrawn.result_code.push_str("-x");
    undrawn.credit_code = draw::CreditCode::parse(&draw::synthetic::credit_code(990_003)).unwrap();
    let mut no_draw = drawn[1].clone();
    no_draw.result_code.push_str("-y");
    no_draw.draw_id = "NO-SUCH-DRAW".to_owned();
    let mut strangers = drawn[1].clone();
    strangers.inspectors = vec!["00000000".to_owned()];
    strangers.item_codes = vec!["NO-SUCH-ITEM".to_owned()];
    let results = Batch::Results(vec![drawn[0].clone(), undrawn, no_draw, strangers]);

    for (what, batch, rows) in [
        ("departments", &departments, vec![(1, "code"), (2, "parent_code"), (3, "name")]),
        ("items", &items, vec![(1, "department_code"), (2, "item_code"), (3, "item_code")]),
        ("inspectors", &inspectors, vec![(1, "certificate"), (2, "correction_reason")]),
        ("enterprises", &enterprises, vec![(1, "department_code"), (2, "credit_code")]),
        ("plans", &plans, vec![(1, "lines"), (2, "lines[0].item_code")]),
        ("results", &results, vec![(1, "credit_code"), (2, "draw_id"), (3, "item_codes"), (3, "inspectors")]),
    ] {
        let refusal = both.refused(what, async |b| b.import(what, batch).await).await;
        for (index, field) in rows {
            assert!(
                refusal.contains(&format!("index: {index}, field: \"{field}\"")),
                "{what}: row {index} {field} in {refusal}"
            );
        }
        assert!(!refusal.contains("index: 0,"), "{what}: the good row is not refused: {refusal}");
    }

    // The good rows alone: stored with the numbers SQLite gives them (no gap left by the refusals).
    let good = [
        ("department", Batch::Departments(vec![department("159990", "河朔市新设局", Level::City, Some(&top))])),
        ("item", Batch::Items(vec![new_item])),
        ("inspector", Batch::Inspectors(vec![new_inspector])),
        ("enterprise", Batch::Enterprises(vec![enterprise(990_001, "河朔市瑞丰食品有限公司", &district)])),
        ("plan", Batch::Plans(vec![new_plan])),
        ("result", Batch::Results(vec![drawn[0].clone()])),
    ];
    for (what, batch) in &good {
        assert_eq!(both.import(what, batch).await, summary(1, 0), "{what}");
    }
    // Corrections of each, and a second correction: versions 2 and 3, each replacing the one before.
    for (what, batch) in &good {
        let corrected = |reason: &str| match batch.clone() {
            Batch::Departments(_) => None,
            Batch::Items(mut v) => {
                v[0].correction = correction(reason);
                Some(Batch::Items(v))
            }
            Batch::Inspectors(mut v) => {
                v[0].correction = correction(reason);
                Some(Batch::Inspectors(v))
            }
            Batch::Enterprises(mut v) => {
                v[0].correction = correction(reason);
                v[0].name = format!("{}（{reason}）", v[0].name);
                Some(Batch::Enterprises(v))
            }
            Batch::Plans(mut v) => {
                v[0].correction = correction(reason);
                Some(Batch::Plans(v))
            }
            Batch::Results(mut v) => {
                v[0].correction = correction(reason);
                Some(Batch::Results(v))
            }
        };
        for reason in ["第一次更正", "第二次更正"] {
            if let Some(batch) = corrected(reason) {
                assert_eq!(both.import(what, &batch).await, summary(0, 1), "{what} {reason}");
            }
        }
    }
    // A department already registered, the same again: nothing to do, nothing refused.
    assert_eq!(both.import("departments again", &Batch::Departments(demo.departments.clone())).await, summary(0, 0));
    assert_eq!(bigrams_unlike_the_copy(&both.pg).await, (0, 0));
    both.assert_same_listings().await;
}

/// An enterprise import is decided and stored 1,000 rows at a time; a row
/// may correct one of the same import, in its own thousand or an earlier one.
#[tokio::test]
async fn an_import_that_corrects_its_own_rows_stores_each_version_after_the_one_before() {
    let both = Both::new().await;
    let demo = crate::demo::build().unwrap();
    both.import("departments", &Batch::Departments(demo.departments.clone())).await.unwrap();
    both.import("enterprises", &Batch::Enterprises(demo.enterprises.clone())).await.unwrap();
    let district = demo.enterprises[0].department_code.clone();
    let fixed = |mut e: NewEnterprise, reason: &str| {
        e.correction = correction(reason);
        e.name = format!("{}（{reason}）", e.name);
        e
    };
    let mut rows: Vec<NewEnterprise> =
        (0..2_500).map(|n| enterprise(980_000 + n, &format!("河朔市第{n}号食品有限公司"), &district)).collect();
    let first = rows[0].clone();
    rows.insert(5, fixed(first.clone(), "第一次更正"));
    rows.insert(1_001, fixed(demo.enterprises[0].clone(), "更正名称"));
    rows.insert(1_200, fixed(first.clone(), "第二次更正"));

    // The same code again without a reason, a thousand rows after its first version: refused.
    let mut twice = rows.clone();
    twice.insert(1_500, rows[7].clone());
    let refusal = both.refused("twice", async |b| b.import("twice", &Batch::Enterprises(twice)).await).await;
    assert!(refusal.contains("index: 1500, field: \"credit_code\""), "{refusal}");
    assert!(refusal.contains("is already published (version 1)"), "{refusal}");
    assert_eq!(refusal.matches("index:").count(), 1, "{refusal}");

    assert_eq!(both.import("corrections within", &Batch::Enterprises(rows)).await, summary(2_500, 3));
    let code = first.credit_code.as_str().to_owned();
    let versions: Vec<(i64, i64, Option<i64>, String)> =
        sqlx::query_as("SELECT id, version, replaces, name FROM enterprises WHERE credit_code = $1 ORDER BY version")
            .bind(&code)
            .fetch_all(both.pg.pool())
            .await
            .unwrap();
    let base = demo.enterprises.len() as i64;
    assert_eq!(
        versions,
        [
            (base + 1, 1, None, "河朔市第0号食品有限公司".to_owned()),
            (base + 6, 2, Some(base + 1), "河朔市第0号食品有限公司（第一次更正）".to_owned()),
            (base + 1_201, 3, Some(base + 6), "河朔市第0号食品有限公司（第二次更正）".to_owned()),
        ]
    );
    assert_eq!(bigrams(&both.pg, base + 1_201).await.len(), 18);
    assert_eq!(bigrams_unlike_the_copy(&both.pg).await, (0, 0));
}

#[tokio::test]
async fn bigrams_are_the_lower_cased_pairs_of_each_name() {
    let both = Both::new().await;
    both.import("department", &Batch::Departments(vec![department("150102", "区局", Level::District, None)]))
        .await
        .unwrap();
    let names = ["河朔市瑞丰食品有限公司", "哈哈哈哈食品", "Mixed Case ABC", "ÉCLAIR Café", "壹", ""];
    let batch = Batch::Enterprises(
        names.iter().enumerate().map(|(i, name)| enterprise(800_000 + i as u64, name, "150102")).collect(),
    );
    both.import("enterprises", &batch).await.unwrap();
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM enterprises ORDER BY id").fetch_all(both.pg.pool()).await.unwrap();
    let expect = |pairs: &[&str]| {
        let mut v: Vec<String> = pairs.iter().map(|p| (*p).to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(
        bigrams(&both.pg, ids[0]).await,
        expect(&["河朔", "朔市", "市瑞", "瑞丰", "丰食", "食品", "品有", "有限", "限公", "公司"])
    );
    assert_eq!(bigrams(&both.pg, ids[1]).await, expect(&["哈哈", "哈食", "食品"]), "a repeated pair once");
    assert_eq!(
        bigrams(&both.pg, ids[2]).await,
        expect(&["mi", "ix", "xe", "ed", "d ", " c", "ca", "as", "se", "e ", " a", "ab", "bc"])
    );
    // `lower` over the COLLATE "C" column folds ASCII only, as the copy builds the index.
    assert_eq!(bigrams(&both.pg, ids[3]).await, expect(&["Éc", "cl", "la", "ai", "ir", "r ", " c", "ca", "af", "fé"]));
    assert_eq!(bigrams(&both.pg, ids[4]).await, Vec::<String>::new());
    assert_eq!(bigrams(&both.pg, ids[5]).await, Vec::<String>::new());
    assert_eq!(bigrams_unlike_the_copy(&both.pg).await, (0, 0));
    // The same enterprises found by a two-character query in both.
    for q in ["瑞丰", "食品", "哈哈", "ab", "AB"] {
        let in_sqlite: Vec<i64> =
            sqlx::query_scalar("SELECT rowid FROM enterprise_bigrams WHERE enterprise_bigrams MATCH ? ORDER BY rowid")
                .bind(format!("\"{q}\""))
                .fetch_all(both.sqlite.pool())
                .await
                .unwrap();
        let in_pg: Vec<i64> =
            sqlx::query_scalar("SELECT enterprise_id FROM enterprise_bigrams WHERE bigram = $1 ORDER BY enterprise_id")
                .bind(q.to_lowercase())
                .fetch_all(both.pg.pool())
                .await
                .unwrap();
        assert_eq!(in_pg, in_sqlite, "{q}");
        assert!(!in_pg.is_empty(), "{q}");
    }
}

fn record(seed: u64) -> draw::DrawRecord {
    let shape = draw::synthetic::Shape {
        objects: 40,
        strata: 2,
        inspectors: 12,
        select: 6,
        team_size: 2,
        load_cap: 3,
        history: 3,
        seed,
    };
    let mut input = draw::synthetic::input(&shape);
    input.title = "测试抽取".to_owned();
    draw::draw(input, draw::Randomness::Demo { value: "00".repeat(32) }).unwrap()
}

fn verified(record: &draw::DrawRecord, path: Option<&[&str]>) -> VerifiedDraw {
    verify_draw(DrawSubmission {
        record_json: serde_json::to_string(record).unwrap(),
        department_path: path.map(|p| p.iter().map(|d| (*d).to_owned()).collect()),
        committed_at: Some("2025-05-26T09:00:00+08:00".to_owned()),
        published_at: "2025-05-28T10:00:00+08:00".to_owned(),
        plan_code: None,
    })
    .unwrap()
}

fn commitment(record: &draw::DrawRecord, department_code: &str) -> VerifiedCommitment {
    verify_commitment(CommitmentSubmission {
        input_json: serde_json::to_string(&record.input).unwrap(),
        department_code: department_code.to_owned(),
        plan_code: Some("150102-2025-Q".to_owned()),
        committed_at: "2025-05-26T09:00:00+08:00".to_owned(),
    })
    .unwrap()
}

#[tokio::test]
async fn draws_and_commitments_are_refused_and_stored_alike() {
    let both = Both::new().await;
    let chain: &[&str] = &["省局", "市局", "区局"];
    // Before any department is imported: the chain is created by name.
    let first = verified(&record(1), Some(chain));
    both.draw("a first draw", &first).await.unwrap();
    both.draw("another draw in the same chain", &verified(&record(2), Some(chain))).await.unwrap();
    both.assert_same_listings().await;
    assert_eq!(both.pg.list_department_rows().await.unwrap().len(), 3);

    // The same draw again, also under a new chain (created, then rolled back).
    let again = both.refused("a duplicate", async |b| b.draw("a duplicate", &first).await).await;
    assert_eq!(again, format!("DuplicateDraw({:?})", first.summary.id));
    let mut elsewhere = first.clone();
    elsewhere.department_path = vec!["外省局".to_owned(), "外市局".to_owned()];
    let again =
        both.refused("a duplicate elsewhere", async |b| b.draw("a duplicate elsewhere", &elsewhere).await).await;
    assert_eq!(again, format!("DuplicateDraw({:?})", first.summary.id));
    let mut nowhere = verified(&record(9), Some(chain));
    nowhere.department_path.clear();
    let refused = both.refused("no department", async |b| b.draw("no department", &nowhere).await).await;
    assert_eq!(refused, "NoDepartment");

    // Importing the departments completes the chain with codes.
    let departments = Batch::Departments(vec![
        department("150000", "省局", Level::Province, None),
        department("150100", "市局", Level::City, Some("150000")),
        department("150102", "区局", Level::District, Some("150100")),
        department("150200", "外市局", Level::City, Some("150000")),
    ]);
    assert_eq!(both.import("departments", &departments).await, summary(4, 0));
    both.assert_same_listings().await;

    // A commitment: an unknown department code, another department than the input's, then stored.
    let third = record(3);
    let unknown =
        both.refused("unknown code", async |b| b.commitment("unknown code", &commitment(&third, "159999")).await).await;
    assert!(unknown.contains("部门代码 159999 不存在 / no department with code 159999"), "{unknown}");
    let other = both
        .refused("other department", async |b| b.commitment("other department", &commitment(&third, "150100")).await)
        .await;
    assert!(
        other.contains(
            "部门代码 150100 是市局，而输入的抽取部门是区局 / department code 150100 is 市局, but the input's drawing \
             department is 区局"
        ),
        "{other}"
    );
    both.commitment("a commitment", &commitment(&third, "150102")).await.unwrap();
    let twice = both
        .refused("committed twice", async |b| b.commitment("committed twice", &commitment(&third, "150102")).await)
        .await;
    assert_eq!(twice, format!("DuplicateDraw({:?})", third.input.draw_id));
    let drawn =
        both.refused("a drawn id", async |b| b.commitment("a drawn id", &commitment(&record(1), "150102")).await).await;
    assert_eq!(drawn, format!("DuplicateDraw({:?})", first.summary.id));

    // A record whose commitment differs from the one published: refused (its new chain too).
    let mut changed = third.clone();
    changed.input.title = "另一次抽取".to_owned();
    let changed = draw::draw(changed.input, draw::Randomness::Demo { value: "00".repeat(32) }).unwrap();
    let mut changed = verified(&changed, None);
    changed.department_path = vec!["新省局".to_owned(), "区局".to_owned()];
    let differs = both.refused("commitment differs", async |b| b.draw("commitment differs", &changed).await).await;
    assert!(differs.starts_with("CommitmentDiffers"), "{differs}");
    assert!(differs.contains(&third.commitment), "{differs}");

    // Next, a draw naming its own plan keeps it; the new department of its chain is numbered as in
    // SQLite (no gap left by the chain refused just before).
    let mut fourth = verified(&record(4), Some(&["新省局", "区局"]));
    fourth.plan_code = Some("150102-2025-R".to_owned());
    both.draw("a draw with its plan", &fourth).await.unwrap();
    // The committed draw: stored with the plan its commitment named.
    both.draw("the committed draw", &verified(&third, None)).await.unwrap();
    let plan = "SELECT plan_code FROM draws WHERE id = $1";
    for (draw_id, expected) in [(&third.input.draw_id, "150102-2025-Q"), (&fourth.summary.id, "150102-2025-R")] {
        let plan: Option<String> = sqlx::query_scalar(plan).bind(draw_id).fetch_one(both.pg.pool()).await.unwrap();
        assert_eq!(plan.as_deref(), Some(expected));
    }
    both.assert_same_listings().await;
    assert_eq!(both.pg.count_draws().await.unwrap(), 4);
    assert_eq!(crate::log::audit(&both.pg.log_audit().await.unwrap()), Vec::<String>::new());
}
