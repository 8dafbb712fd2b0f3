//! Feedback on PostgreSQL: the facts behind the published counts and the
//! demo's clear-text codes (the reads of `storage/sqlite/feedback.rs`, with
//! the same answers).

use app::feedback::FeedbackFact;
use app::ssr::StorageError;

use super::PgStorage;
use crate::storage::facts::{self, DemoCodeRow, FeedbackRow};

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
            facts::conduct_select()
        );
        let rows: Vec<FeedbackRow> = sqlx::query_as(&sql)
            .bind(department)
            .bind(year)
            .bind(certificate)
            .bind(closed_before)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        Ok(facts::feedback_facts(rows))
    }

    pub(super) async fn demo_code_rows(&self) -> Result<Vec<app::feedback::DemoCode>, StorageError> {
        // SQLite sorts NULL last in descending order, PostgreSQL first: NULLS LAST.
        let sql = format!("{} ORDER BY r.delivered_on DESC NULLS LAST, d.result_code", facts::DEMO_CODES_SQL);
        Ok(sqlx::query_as::<_, DemoCodeRow>(&sql)
            .fetch_all(&mut *self.reader().await?)
            .await?
            .into_iter()
            .map(facts::demo_code)
            .collect())
    }
}
