//! The facts behind the yearly reports and the feedback counts, made from the
//! rows either backend reads: the SQL both run alike (written with `?`, which
//! PostgreSQL numbers with `listing::numbered`) and the rows' conversion.

use std::collections::BTreeMap;

use app::feedback::{Conduct, DemoCode, FeedbackFact, Rating, Satisfaction};
use app::report::{
    CertificateFact, DeclaredReport, DepartmentRef, HigherInspection, PlanFact, PlanLineFact, ResultFact,
};
use app::ssr::StorageError;
use app::types::ResultCategory;

/// Columns of a [`ResultFact`] from `results r`.
const RESULT_FACT: &str = "r.result_code, r.draw_id, r.credit_code, r.enterprise_name, r.inspectors, \
     r.inspected_on, r.reported_on, r.delivered_on, r.entered_on, substr(r.published_at, 1, 10), \
     CASE WHEN r.version = 1 THEN substr(r.published_at, 1, 10) ELSE \
       (SELECT substr(f.published_at, 1, 10) FROM results f WHERE f.result_code = r.result_code AND f.version = 1) END, \
     r.category, r.rectification_deadline, r.rectification_status, r.penalty_case";

/// The current results of a department (`?`) and year (`?`), as [`ResultTuple`]s.
pub(crate) fn results_sql() -> String {
    format!(
        "SELECT {RESULT_FACT} FROM results r WHERE r.department_id = ? AND r.year = ? \
         AND r.id NOT IN (SELECT id FROM results_superseded) ORDER BY r.result_code"
    )
}

pub(crate) type ResultTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    ResultCategory,
    Option<String>,
    app::types::Rectification,
    Option<String>,
);

fn split(list: &str) -> Vec<String> {
    list.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

pub(crate) fn result_fact(r: ResultTuple) -> ResultFact {
    ResultFact {
        result_code: r.0,
        draw_id: r.1,
        credit_code: r.2,
        enterprise_name: r.3,
        inspectors: split(&r.4),
        inspected_on: r.5,
        reported_on: r.6,
        delivered_on: r.7,
        entered_on: r.8,
        published_on: r.9.clone(),
        first_published_on: r.10.unwrap_or(r.9),
        category: r.11,
        rectification_deadline: r.12,
        rectification_status: r.13,
        penalty_case: r.14,
    }
}

/// The current version of each plan of a department (`?`) and year (`?`);
/// "published" is when its first version was.
pub(crate) const PLANS_SQL: &str = "SELECT p.id, p.plan_code, p.title, \
     (SELECT f.published_at FROM plans f WHERE f.plan_code = p.plan_code AND f.version = 1), \
     p.window_start, p.window_end, p.max_inspections_per_year, p.min_per_stratum \
     FROM plans p WHERE p.department_id = ? AND p.year = ? \
       AND p.version = (SELECT MAX(q.version) FROM plans q WHERE q.plan_code = p.plan_code) \
     ORDER BY p.plan_code";

pub(crate) type PlanTuple = (i64, String, String, String, String, String, Option<i64>, Option<i64>);

/// The lines of a plan (`?`: its id).
pub(crate) const PLAN_LINES_SQL: &str =
    "SELECT item_code, stratum, ratio FROM plan_lines WHERE plan_id = ? ORDER BY line";

/// A plan's facts from its row (without the id) and its lines.
pub(crate) fn plan_fact(
    (_, plan_code, title, published_at, window_start, window_end, max, min): PlanTuple,
    lines: Vec<(String, String, String)>,
) -> PlanFact {
    PlanFact {
        plan_code,
        title,
        published_at,
        window_start,
        window_end,
        max_inspections_per_year: max.and_then(|m| u64::try_from(m).ok()),
        min_per_stratum: min.and_then(|m| u64::try_from(m).ok()),
        lines: lines
            .into_iter()
            .map(|(item_code, stratum, ratio)| PlanLineFact { item_code, stratum, ratio })
            .collect(),
    }
}

/// The current version of every inspector's certificate.
pub(crate) const CERTIFICATES_SQL: &str = "SELECT i.certificate, i.name, i.valid_from, i.valid_until FROM inspectors i \
     WHERE i.version = (SELECT MAX(j.version) FROM inspectors j WHERE j.certificate = i.certificate)";

pub(crate) fn certificates(rows: Vec<(String, String, String, String)>) -> BTreeMap<String, CertificateFact> {
    rows.into_iter()
        .map(|(c, name, valid_from, valid_until)| (c, CertificateFact { name, valid_from, valid_until }))
        .collect()
}

pub(crate) fn higher(rows: Vec<(String, String, String, String, String)>) -> Vec<HigherInspection> {
    rows.into_iter()
        .map(|(draw_id, credit_code, result_code, department, inspected_on)| HigherInspection {
            draw_id,
            credit_code,
            result_code,
            department,
            inspected_on,
        })
        .collect()
}

/// The latest declared report of a department (`?`) and year (`?`).
pub(crate) const DECLARED_SQL: &str = "SELECT version, title, text, figures_json, published_at FROM declared_reports \
     WHERE department_id = ? AND year = ? ORDER BY version DESC LIMIT 1";

pub(crate) fn declared(
    row: Option<(i64, String, String, String, String)>,
) -> Result<Option<DeclaredReport>, StorageError> {
    Ok(match row {
        None => None,
        Some((version, title, text, figures, published_at)) => {
            Some(DeclaredReport { version, title, text, published_at, figures: serde_json::from_str(&figures)? })
        }
    })
}

pub(crate) fn report_keys(rows: Vec<(String, String, i64)>) -> Vec<(DepartmentRef, i64)> {
    rows.into_iter().map(|(code, name, year)| (DepartmentRef { code, name }, year)).collect()
}

/// The tables whose newest row marks a publication.
pub(crate) const MARKED_TABLES: [&str; 8] = [
    "results",
    "plans",
    "draws",
    "draw_commitments",
    "inspectors",
    "enterprises",
    "declared_reports",
    "calendar_years",
];

/// The rating columns `fr.…` of the conduct questions, in the order of [`Conduct::ALL`].
pub(crate) fn conduct_select() -> String {
    Conduct::ALL.iter().map(|c| format!("fr.{}", c.key())).collect::<Vec<_>>().join(", ")
}

/// A code of a current result, with a rating of its latest submission (when closed).
pub(crate) type FeedbackRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// The facts of the codes, from their rows in code order.
pub(crate) fn feedback_facts(rows: Vec<FeedbackRow>) -> Vec<FeedbackFact> {
    let mut facts: Vec<(String, FeedbackFact)> = Vec::new();
    for row in rows {
        let (result_code, dep_code, dep_name, year, inspectors, cert, level) =
            (row.0, row.1, row.2, row.3, row.4, row.5, row.6);
        let conduct: Vec<Option<bool>> =
            [row.7, row.8, row.9, row.10, row.11, row.12].iter().map(|a| a.map(|v| v == 1)).collect();
        if facts.last().is_none_or(|(code, _)| *code != result_code) {
            facts.push((
                result_code.clone(),
                FeedbackFact {
                    department_code: dep_code,
                    department: dep_name,
                    year,
                    team: inspectors.split(';').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
                    submission: None,
                },
            ));
        }
        if let (Some(cert), Some(level)) = (cert, level.and_then(|l| u8::try_from(l).ok())) {
            let Some(level) = Satisfaction::from_value(level) else { continue };
            if let Some((_, fact)) = facts.last_mut() {
                fact.submission.get_or_insert_with(Vec::new).push(Rating {
                    certificate: (!cert.is_empty()).then_some(cert),
                    level,
                    conduct,
                });
            }
        }
    }
    facts.into_iter().map(|(_, f)| f).collect()
}

/// The demo's clear-text codes, before their order (the backend's `ORDER BY`).
pub(crate) const DEMO_CODES_SQL: &str = "SELECT d.result_code, d.code, r.credit_code, r.enterprise_name, \
     r.delivered_on, (SELECT COUNT(*) FROM feedback_submissions s WHERE s.result_code = d.result_code) \
     FROM demo_feedback_codes d \
     JOIN results r ON r.result_code = d.result_code AND r.id NOT IN (SELECT id FROM results_superseded)";

pub(crate) type DemoCodeRow = (String, String, String, String, Option<String>, i64);

pub(crate) fn demo_code(
    (result_code, code, credit_code, enterprise_name, delivered_on, versions): DemoCodeRow,
) -> DemoCode {
    DemoCode {
        result_code,
        code,
        credit_code,
        enterprise_name,
        delivered_on,
        versions: u32::try_from(versions).unwrap_or(0),
    }
}
