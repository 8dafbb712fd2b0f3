//! Feedback on PostgreSQL: the facts behind the published counts and the
//! demo's clear-text codes (the reads of `storage/sqlite/feedback.rs`, with
//! the same answers).

use app::feedback::{Conduct, FeedbackFact, Rating, Satisfaction};
use app::ssr::StorageError;

use super::PgStorage;

impl PgStorage {
    pub(super) async fn feedback_fact_rows(
        &self,
        department: Option<&str>,
        year: Option<i64>,
        certificate: Option<&str>,
        closed_before: &str,
    ) -> Result<Vec<FeedbackFact>, StorageError> {
        // A department code or certificate with a NUL character is no stored
        // one (PostgreSQL text cannot hold it; in SQLite nothing equals it).
        if department.is_some_and(|d| d.contains('\0')) || certificate.is_some_and(|c| c.contains('\0')) {
            return Ok(Vec::new());
        }
        // SQLite compares `window_closes < ?` bytewise: below a text cut by a
        // NUL is what is at most the part before it.
        let (closes, closed_before) = match closed_before.split_once('\0') {
            Some((before, _)) => ("<=", before),
            None => ("<", closed_before),
        };
        // Every code of a current result, with the ratings of its latest
        // submission if that submission's window closed before `closed_before`.
        // The ratings of a submission in SQLite's order: its scan of the
        // primary key (submission_id, certificate).
        let sql = format!(
            "SELECT f.result_code, dep.code, dep.name, r.year, r.inspectors, fr.certificate, fr.level, {} \
             FROM feedback_codes f \
             JOIN results r ON r.result_code = f.result_code AND r.id NOT IN (SELECT id FROM results_superseded) \
             JOIN departments dep ON dep.id = r.department_id \
             LEFT JOIN feedback_submissions s ON s.result_code = f.result_code \
               AND s.version = (SELECT MAX(version) FROM feedback_submissions WHERE result_code = f.result_code) \
               AND s.window_closes IS NOT NULL AND s.window_closes {closes} $4 \
             LEFT JOIN feedback_ratings fr ON fr.submission_id = s.id \
             WHERE ($1::TEXT IS NULL OR dep.code = $1) AND ($2::BIGINT IS NULL OR r.year = $2) \
               AND ($3::TEXT IS NULL OR strpos(';' || r.inspectors || ';', ';' || $3 || ';') > 0) \
             ORDER BY f.result_code, fr.certificate",
            Conduct::ALL.iter().map(|c| format!("fr.{}", c.key())).collect::<Vec<_>>().join(", ")
        );
        type Row = (
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
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(department)
            .bind(year)
            .bind(certificate)
            .bind(closed_before)
            .fetch_all(&self.pool)
            .await?;
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
        Ok(facts.into_iter().map(|(_, f)| f).collect())
    }

    pub(super) async fn demo_code_rows(&self) -> Result<Vec<app::feedback::DemoCode>, StorageError> {
        // SQLite sorts NULL last in descending order, PostgreSQL first: NULLS LAST.
        Ok(sqlx::query_as::<_, (String, String, String, String, Option<String>, i64)>(
            "SELECT d.result_code, d.code, r.credit_code, r.enterprise_name, r.delivered_on, \
               (SELECT COUNT(*) FROM feedback_submissions s WHERE s.result_code = d.result_code) \
             FROM demo_feedback_codes d \
             JOIN results r ON r.result_code = d.result_code AND r.id NOT IN (SELECT id FROM results_superseded) \
             ORDER BY r.delivered_on DESC NULLS LAST, d.result_code",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|(result_code, code, credit_code, enterprise_name, delivered_on, versions)| app::feedback::DemoCode {
            result_code,
            code,
            credit_code,
            enterprise_name,
            delivered_on,
            versions: u32::try_from(versions).unwrap_or(0),
        })
        .collect())
    }
}
