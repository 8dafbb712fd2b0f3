//! The PostgreSQL publishing writes (`publishing.rs`) do what SQLite's do:
//! the demo is published into SQLite and copied into PostgreSQL, then the
//! same calendar years, feedback codes, submissions, demo codes and declared
//! reports are published into both (and the same ones refused, with the same
//! problems); after each step both databases hold the same rows, table by
//! table, and the same log.

use std::collections::BTreeMap;
use std::fmt::Debug;

use app::feedback::{Rating, Receipt, Satisfaction};
use app::ssr::PortalSource as _;
use sha2::{Digest, Sha256};

use super::{PgStorage, create_test_database};
use crate::publish::{VerifiedCalendarYear, verify_calendar_year};
use crate::storage::{
    FeedbackCodeDue, IssuedFeedbackCode, NewDeclaredReport, NewFeedback, RowProblem, SqliteStorage, Storage as _,
    StorageError, copy_differences, sqlite_to_postgres,
};

fn admin_url() -> String {
    std::env::var("GONGKAI_TEST_POSTGRES").expect(
        "GONGKAI_TEST_POSTGRES is not set: the PostgreSQL tests need a cluster \
         (scripts/test.sh starts one; by hand: eval \"$(scripts/pg.sh start)\")",
    )
}

/// The demo in SQLite and its copy in PostgreSQL.
struct Both {
    sqlite: SqliteStorage,
    pg: PgStorage,
    /// The demo district's code.
    district: String,
}

async fn both() -> Both {
    let sqlite = SqliteStorage::in_memory().await.unwrap();
    crate::demo::seed_if_empty(&sqlite, None, 0).await.unwrap();
    let pg = PgStorage::open(&create_test_database(&admin_url()).await.unwrap()).await.unwrap();
    sqlite_to_postgres(&sqlite, &pg).await.unwrap();
    let district: String = sqlx::query_scalar("SELECT code FROM departments WHERE level = 'district'")
        .fetch_one(sqlite.pool())
        .await
        .unwrap();
    let both = Both { sqlite, pg, district };
    both.same("the copy").await;
    both
}

impl Both {
    /// Both databases hold the same rows in every table, and the same log.
    async fn same(&self, step: &str) {
        assert_eq!(copy_differences(&self.sqlite, &self.pg).await.unwrap(), Vec::<String>::new(), "after {step}");
        assert_eq!(self.pg.log_head().await.unwrap(), self.sqlite.log_head().await.unwrap(), "the log after {step}");
    }

    async fn log_size(&self) -> u64 {
        self.sqlite.log_head().await.unwrap().0
    }
}

/// What a write answered, comparable across backends: its value, or the
/// problems it was refused with (any other error fails the test).
fn outcome<T: Debug>(r: Result<T, StorageError>) -> Result<String, Vec<RowProblem>> {
    match r {
        Ok(v) => Ok(format!("{v:?}")),
        Err(StorageError::Rejected(problems)) => Err(problems),
        Err(e) => panic!("neither stored nor refused: {e}"),
    }
}

/// Asserts that both backends answered `expected`, and that their databases are the same after.
macro_rules! both_answer {
    ($b:expr, $step:expr, |$s:ident| $sqlite:expr, |$p:ident| $pg:expr, $expected:expr) => {{
        let b: &Both = $b;
        let in_sqlite = {
            let $s = &b.sqlite;
            outcome($sqlite.await)
        };
        let in_pg = {
            let $p = &b.pg;
            outcome($pg.await)
        };
        assert_eq!(in_sqlite, in_pg, "{}: SQLite and PostgreSQL answer alike", $step);
        let expected: Result<String, Vec<RowProblem>> = $expected;
        assert_eq!(in_sqlite, expected, "{}", $step);
        b.same($step).await;
    }};
}

/// The identity sequence of `table` continues after the numbers the inserts named.
async fn follows(pg: &PgStorage, table: &str, column: &str) {
    let (next, largest): (i64, i64) = sqlx::query_as(&format!(
        "SELECT nextval(pg_get_serial_sequence('{table}', '{column}')), (SELECT MAX({column}) FROM {table})"
    ))
    .fetch_one(pg.pool())
    .await
    .unwrap();
    assert_eq!(next, largest + 1, "{table}");
}

fn problem(index: usize, field: &str, message: &str) -> RowProblem {
    RowProblem { index, field: field.to_owned(), message: message.to_owned() }
}

fn calendar_year(year: i32) -> VerifiedCalendarYear {
    let years = app::calendar::Calendar::bundled_years();
    verify_calendar_year(years.iter().find(|y| y.year == year).expect("a bundled year")).unwrap()
}

#[tokio::test]
async fn calendar_years_are_published_corrected_and_refused_alike() {
    let b = &both().await;
    let years: Vec<i32> = app::calendar::Calendar::bundled_years().iter().map(|y| y.year).collect();
    assert!(years.len() >= 2, "{years:?}");
    let (first, other) = (calendar_year(years[0]), calendar_year(years[1]));
    let y = years[0];
    let at = "2025-01-02T09:00:00+08:00";
    let log = b.log_size().await;
    both_answer!(
        b,
        "a first version",
        |s| s.insert_calendar_year(&first, at, None),
        |p| p.store_calendar_year(&first, at, None),
        Ok("1".to_owned())
    );
    assert_eq!(b.log_size().await, log + 1, "logged");
    both_answer!(
        b,
        "the year again without a reason",
        |s| s.insert_calendar_year(&first, at, None),
        |p| p.store_calendar_year(&first, at, None),
        Err(vec![problem(
            0,
            "year",
            &format!(
                "{y} 年已公布；更正须给出理由（--correction-reason） / {y} is already published; a correction needs a \
                 reason (--correction-reason)"
            )
        )])
    );
    both_answer!(
        b,
        "a correction",
        |s| s.insert_calendar_year(&first, "2025-02-01T09:00:00+08:00", Some("调休安排有误")),
        |p| p.store_calendar_year(&first, "2025-02-01T09:00:00+08:00", Some("调休安排有误")),
        Ok("2".to_owned())
    );
    both_answer!(
        b,
        "a second correction",
        |s| s.insert_calendar_year(&first, "2025-02-02T09:00:00+08:00", Some("再次更正")),
        |p| p.store_calendar_year(&first, "2025-02-02T09:00:00+08:00", Some("再次更正")),
        Ok("3".to_owned())
    );
    let z = years[1];
    both_answer!(
        b,
        "a correction of a year not published",
        |s| s.insert_calendar_year(&other, at, Some("更正")),
        |p| p.store_calendar_year(&other, at, Some("更正")),
        Err(vec![problem(
            0,
            "year",
            &format!("{z} 年尚未公布，不能更正 / {z} is not published yet, so it cannot be corrected")
        )])
    );
    both_answer!(
        b,
        "another year",
        |s| s.insert_calendar_year(&other, at, None),
        |p| p.store_calendar_year(&other, at, None),
        Ok("1".to_owned())
    );
    assert_eq!(b.log_size().await, log + 4, "each version logged, nothing refused");
    assert_eq!(b.pg.calendar_years().await.unwrap(), b.sqlite.calendar_years().await.unwrap());
    follows(&b.pg, "calendar_years", "rowid").await;
}

/// A keyed hash as the portal stores one (64 hex digits), of `seed`.
fn hmac(seed: &str) -> String {
    hex::encode(Sha256::digest(seed.as_bytes()))
}

fn issued(due: &FeedbackCodeDue, code_hmac: String) -> IssuedFeedbackCode {
    IssuedFeedbackCode {
        result_code: due.result_code.clone(),
        credit_code: due.credit_code.clone(),
        department_id: due.department_id,
        code_hmac,
    }
}

fn taken(index: usize, result_code: &str) -> RowProblem {
    problem(
        index,
        "result_code",
        &format!("检查结果 {result_code} 已有评价码 / result {result_code} already has a feedback code"),
    )
}

fn submission(result_code: &str, version: u32, number: &str) -> NewFeedback {
    let canonical = format!("{{\"result\":\"{result_code}\",\"version\":{version}}}");
    NewFeedback {
        result_code: result_code.to_owned(),
        receipt: Receipt {
            number: number.to_owned(),
            version,
            submitted_at: format!("2025-06-1{version}T10:00:00+08:00"),
            sha256: hex::encode(Sha256::digest(canonical.as_bytes())),
            canonical,
        },
        window_closes: Some("2025-07-01".to_owned()),
        ratings: vec![
            Rating { certificate: None, level: Satisfaction::Satisfied, conduct: Vec::new() },
            Rating {
                certificate: Some("ZF-0002".to_owned()),
                level: Satisfaction::Dissatisfied,
                conduct: vec![Some(true), None, Some(false), Some(true), None, Some(false)],
            },
            Rating {
                certificate: Some("ZF-0001".to_owned()),
                level: Satisfaction::VerySatisfied,
                conduct: vec![Some(true); 6],
            },
        ],
        text: format!("第 {version} 版"),
        contact: "13800000000".to_owned(),
    }
}

fn replayed(versions: i64) -> RowProblem {
    problem(
        0,
        "based_on",
        &format!(
            "此表单已提交过，或评价已在别处修改（现有 {versions} 个版本）/ this form was sent before, or the feedback \
             was changed elsewhere (it has {versions} version(s))"
        ),
    )
}

#[tokio::test]
async fn feedback_is_issued_submitted_refused_and_exported_alike() {
    let b = &both().await;
    let d = b.district.clone();
    let due = b.sqlite.results_without_feedback_code(&d, 2025).await.unwrap();
    assert!(due.len() >= 6, "{due:?}");
    assert_eq!(b.pg.results_due_codes(&d, 2025).await.unwrap(), due);
    assert_eq!(b.pg.results_due_codes("no such department", 2025).await.unwrap(), []);
    assert_eq!(b.pg.results_due_codes("15\u{0}", 2025).await.unwrap(), []);
    let at = "2025-06-02T09:00:00+08:00";
    let log = b.log_size().await;

    // Codes: issued, then refused for a result or a hash that has one (stored, or earlier in the batch).
    let codes: Vec<IssuedFeedbackCode> = due[..3].iter().map(|r| issued(r, hmac(&r.result_code))).collect();
    both_answer!(
        b,
        "codes issued",
        |s| s.insert_feedback_codes(&codes, at),
        |p| p.store_feedback_codes(&codes, at),
        Ok("()".to_owned())
    );
    both_answer!(
        b,
        "a code for a result that has one",
        |s| s.insert_feedback_codes(&codes[..1], at),
        |p| p.store_feedback_codes(&codes[..1], at),
        Err(vec![taken(0, &due[0].result_code)])
    );
    let again = [issued(&due[3], hmac("fresh")), issued(&due[1], hmac("other")), issued(&due[3], hmac("third"))];
    both_answer!(
        b,
        "a batch with a result twice and a result that has a code",
        |s| s.insert_feedback_codes(&again, at),
        |p| p.store_feedback_codes(&again, at),
        Err(vec![taken(1, &due[1].result_code), taken(2, &due[3].result_code)])
    );
    let same_hash = [issued(&due[4], hmac(&due[0].result_code)), issued(&due[5], "short".to_owned())];
    both_answer!(
        b,
        "a hash that is taken, and one that is not a hash",
        |s| s.insert_feedback_codes(&same_hash, at),
        |p| p.store_feedback_codes(&same_hash, at),
        Err(vec![taken(0, &due[4].result_code), taken(1, &due[5].result_code)])
    );
    // Nothing of the refused batches was kept, not even a row number: the next code gets the same one in both.
    let fourth = [issued(&due[3], hmac("fresh"))];
    both_answer!(
        b,
        "a code after refusals",
        |s| s.insert_feedback_codes(&fourth, at),
        |p| p.store_feedback_codes(&fourth, at),
        Ok("()".to_owned())
    );
    assert_eq!(b.log_size().await, log, "codes are not published");
    assert_eq!(b.pg.generation().await.unwrap(), b.sqlite.generation().await.unwrap());
    let left = b.sqlite.results_without_feedback_code(&d, 2025).await.unwrap();
    assert_eq!(left.len(), due.len() - 4);
    assert_eq!(b.pg.results_due_codes(&d, 2025).await.unwrap(), left);

    // Targets.
    let code = hmac(&due[0].result_code);
    for h in [code.as_str(), &hmac("fresh"), &hmac("unknown"), "", "a\u{0}b"] {
        assert_eq!(b.pg.find_feedback_target(h).await.unwrap(), b.sqlite.feedback_target(h).await.unwrap(), "{h}");
    }
    let target = b.pg.find_feedback_target(&code).await.unwrap().unwrap();
    assert_eq!((target.result_code.as_str(), target.latest), (due[0].result_code.as_str(), None));

    // Submissions: the next version is stored (and its receipt logged); the same one again is refused.
    let first = submission(&due[0].result_code, 1, "FB-0001");
    both_answer!(b, "a submission", |s| s.insert_feedback(&first), |p| p.store_feedback(&first), Ok("()".to_owned()));
    assert_eq!(b.log_size().await, log + 1, "its receipt logged");
    let replay = submission(&due[0].result_code, 1, "FB-0002");
    both_answer!(
        b,
        "the same version again",
        |s| s.insert_feedback(&replay),
        |p| p.store_feedback(&replay),
        Err(vec![replayed(1)])
    );
    let ahead = submission(&due[0].result_code, 3, "FB-0003");
    both_answer!(
        b,
        "a version ahead",
        |s| s.insert_feedback(&ahead),
        |p| p.store_feedback(&ahead),
        Err(vec![replayed(1)])
    );
    let second = submission(&due[0].result_code, 2, "FB-0004");
    both_answer!(
        b,
        "the next version",
        |s| s.insert_feedback(&second),
        |p| p.store_feedback(&second),
        Ok("()".to_owned())
    );
    let other = submission(&due[3].result_code, 1, "FB-0005");
    both_answer!(
        b,
        "another code's first",
        |s| s.insert_feedback(&other),
        |p| p.store_feedback(&other),
        Ok("()".to_owned())
    );
    assert_eq!(b.log_size().await, log + 3);
    let target = b.pg.find_feedback_target(&code).await.unwrap();
    assert_eq!(target, b.sqlite.feedback_target(&code).await.unwrap());
    assert_eq!(target.unwrap().latest, Some(second.receipt.clone()));

    // The supervisory export.
    let export = b.sqlite.feedback_export(&d).await.unwrap();
    assert_eq!(export.len(), 3);
    assert_eq!(export[0].ratings.len(), 3);
    assert_eq!(export[0].ratings[1].certificate.as_deref(), Some("ZF-0001"), "by certificate");
    assert_eq!(b.pg.export_feedback(&d).await.unwrap(), export);
    for department in ["no such department", "", "15\u{0}"] {
        assert_eq!(
            b.pg.export_feedback(department).await.unwrap(),
            b.sqlite.feedback_export(department).await.unwrap()
        );
    }

    // The demo's clear-text codes.
    let demo = vec![(due[1].result_code.clone(), "ABCD-EFGH-JKLM".to_owned())];
    both_answer!(
        b,
        "demo codes",
        |s| s.insert_demo_feedback_codes(&demo),
        |p| p.store_demo_feedback_codes(&demo),
        Ok("()".to_owned())
    );
    assert_eq!(b.pg.demo_feedback_codes().await.unwrap(), b.sqlite.demo_feedback_codes().await.unwrap());
    assert_eq!(b.pg.generation().await.unwrap(), b.sqlite.generation().await.unwrap());
    for (table, column) in
        [("feedback_codes", "rowid"), ("feedback_submissions", "id"), ("demo_feedback_codes", "rowid")]
    {
        follows(&b.pg, table, column).await;
    }
}

fn report(department: &str, year: i64, title: &str, reason: Option<&str>) -> NewDeclaredReport {
    NewDeclaredReport {
        department_code: department.to_owned(),
        year,
        title: title.to_owned(),
        text: format!("{title}：正文"),
        figures: BTreeMap::from([("drawn".to_owned(), 70.0), ("problem_rate".to_owned(), 12.5)]),
        published_at: "2031-01-10T09:00:00+08:00".to_owned(),
        correction_reason: reason.map(str::to_owned),
    }
}

fn unknown(index: usize, code: &str) -> RowProblem {
    problem(index, "department_code", &format!("部门代码 {code} 不存在 / no department has the code {code}"))
}

fn unexplained(index: usize, year: i64) -> RowProblem {
    problem(
        index,
        "correction_reason",
        &format!(
            "{year} 年的执行情况报告已公布，再次公布须写明更正原因 / the report for {year} is already published; \
             publishing it again needs a correction_reason"
        ),
    )
}

#[tokio::test]
async fn declared_reports_are_published_corrected_and_refused_alike() {
    let b = &both().await;
    let d = b.district.clone();
    let log = b.log_size().await;
    let first = [report(&d, 2030, "2030年执行情况", Some("首次公布不需要理由"))];
    both_answer!(
        b,
        "a first version (a reason is not kept)",
        |s| s.insert_declared_reports(&first),
        |p| p.store_declared_reports(&first),
        Ok("()".to_owned())
    );
    assert_eq!(b.log_size().await, log + 1);
    for (step, reason) in [("again without a reason", None), ("again with a blank reason", Some("  "))] {
        let again = [report(&d, 2030, "2030年执行情况（二）", reason)];
        both_answer!(
            b,
            step,
            |s| s.insert_declared_reports(&again),
            |p| p.store_declared_reports(&again),
            Err(vec![unexplained(0, 2030)])
        );
    }
    let corrected = [report(&d, 2030, "2030年执行情况（更正）", Some(" 数字有误 "))];
    both_answer!(
        b,
        "a correction",
        |s| s.insert_declared_reports(&corrected),
        |p| p.store_declared_reports(&corrected),
        Ok("()".to_owned())
    );
    let stored: (i64, Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT version, replaces, correction_reason FROM declared_reports WHERE year = 2030 ORDER BY version DESC",
    )
    .fetch_one(b.pg.pool())
    .await
    .unwrap();
    assert_eq!((stored.0, stored.1.is_some(), stored.2.as_deref()), (2, true, Some("数字有误")));
    // Refused batches write nothing: the next report gets the same id in both.
    let mixed = [report(&d, 2031, "2031年", None), report("999999", 2031, "2031年", None), report("", 2031, "x", None)];
    both_answer!(
        b,
        "a batch with unknown departments",
        |s| s.insert_declared_reports(&mixed),
        |p| p.store_declared_reports(&mixed),
        Err(vec![unknown(1, "999999"), unknown(2, "")])
    );
    let nul = [report("1599\u{0}02", 2031, "2031年", None)];
    both_answer!(
        b,
        "a department code with a NUL character",
        |s| s.insert_declared_reports(&nul),
        |p| p.store_declared_reports(&nul),
        Err(vec![unknown(0, "1599\u{0}02")])
    );
    let twice = [report(&d, 2032, "2032年", None), report(&d, 2032, "2032年（二）", None)];
    both_answer!(
        b,
        "a department-year twice in a batch without a reason",
        |s| s.insert_declared_reports(&twice),
        |p| p.store_declared_reports(&twice),
        Err(vec![unexplained(1, 2032)])
    );
    let batch = [
        report(&d, 2031, "2031年", None),
        report(&d, 2032, "2032年", None),
        report(&d, 2032, "2032年（更正）", Some("同批更正")),
    ];
    both_answer!(
        b,
        "a batch with a first version and its correction",
        |s| s.insert_declared_reports(&batch),
        |p| p.store_declared_reports(&batch),
        Ok("()".to_owned())
    );
    assert_eq!(b.log_size().await, log + 5, "each version logged, nothing refused");
    assert_eq!(b.pg.report_rows(&d, 2032).await.unwrap(), b.sqlite.report_rows(&d, 2032).await.unwrap());
    follows(&b.pg, "declared_reports", "id").await;
}

#[tokio::test]
async fn concurrent_submissions_of_the_same_version_store_one() {
    let b = both().await;
    let due = b.pg.results_due_codes(&b.district, 2025).await.unwrap();
    let code = issued(&due[0], hmac("concurrent"));
    b.pg.store_feedback_codes(std::slice::from_ref(&code), "2025-06-02T09:00:00+08:00").await.unwrap();
    let log = b.pg.log_size().await.unwrap();
    const ROUNDS: u32 = 4;
    const AT_ONCE: usize = 6;
    for version in 1..=ROUNDS {
        // Several tabs send version `version` at the same moment.
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(AT_ONCE));
        let sent: Vec<_> = (0..AT_ONCE)
            .map(|tab| {
                let (pg, barrier) = (b.pg.clone(), barrier.clone());
                let f = submission(&code.result_code, version, &format!("FB-{version}-{tab}"));
                tokio::spawn(async move {
                    barrier.wait().await;
                    pg.store_feedback(&f).await
                })
            })
            .collect();
        let mut stored = 0;
        for s in sent {
            match s.await.unwrap() {
                Ok(()) => stored += 1,
                Err(StorageError::Rejected(p)) => assert_eq!(p, [replayed(i64::from(version))], "round {version}"),
                Err(e) => panic!("round {version}: {e}"),
            }
        }
        assert_eq!(stored, 1, "round {version}: exactly one stored");
    }
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM feedback_submissions ORDER BY version")
        .fetch_all(b.pg.pool())
        .await
        .unwrap();
    assert_eq!(versions, (1..=i64::from(ROUNDS)).collect::<Vec<_>>());
    assert_eq!(b.pg.log_size().await.unwrap(), log + u64::from(ROUNDS), "each stored receipt logged once");
    let audit = b.pg.log_audit().await.unwrap();
    assert_eq!(crate::log::audit(&audit), Vec::<String>::new());
}
