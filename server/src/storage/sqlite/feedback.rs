//! Feedback (001 art. 24): finding a code's result, storing a submission as
//! its next version, the facts behind the published counts, the supervisory
//! export, and the demo's clear-text codes; and the tables of a publishing
//! transaction, [`SqliteWrites`] (what is refused and why is decided in
//! `storage::publishing`).

use app::feedback::{Conduct, FeedbackFact};
use app::ssr::StorageError;
use sqlx::SqliteConnection;

use super::SqliteStorage;
use crate::log::Kind;
use crate::storage::facts::{self, DemoCodeRow, FeedbackRow};
use crate::storage::publishing::{self, DemoCodeTables, FeedbackCodeTables, FeedbackTables, LoggedRows, StoredRating};
use crate::storage::{FeedbackExportRow, FeedbackTarget, IssuedFeedbackCode, NewFeedback};

/// The conduct columns of `feedback_ratings`, in the order of [`Conduct::ALL`].
fn conduct_columns() -> String {
    Conduct::ALL.iter().map(|c| c.key()).collect::<Vec<_>>().join(", ")
}

type RatingRow = (String, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// The tables of a publishing transaction (begun with
/// [`SqliteStorage::begin_write`]), for `storage::publishing`'s decisions:
/// feedback here, the calendar and declared reports in `report.rs`.
pub(super) struct SqliteWrites<'a> {
    pub(super) conn: &'a mut SqliteConnection,
    /// Whose lock a write may meet ([`SqliteStorage::busy_or`]).
    pub(super) storage: &'a SqliteStorage,
}

#[async_trait::async_trait]
impl LoggedRows for SqliteWrites<'_> {
    async fn last_row(&mut self, kind: Kind) -> Result<i64, StorageError> {
        super::log::last_row(self.conn, kind).await
    }

    async fn append_rows_after(&mut self, kind: Kind, before: i64) -> Result<usize, StorageError> {
        super::log::append_rows_after(self.conn, kind, before).await
    }
}

#[async_trait::async_trait]
impl FeedbackCodeTables for SqliteWrites<'_> {
    async fn feedback_code_taken(&mut self, result_code: &str, code_hmac: &str) -> Result<bool, StorageError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM feedback_codes WHERE result_code = ? OR code_hmac = ?)")
            .bind(result_code)
            .bind(code_hmac)
            .fetch_one(&mut *self.conn)
            .await?)
    }

    async fn insert_feedback_code(&mut self, c: &IssuedFeedbackCode, issued_at: &str) -> Result<bool, StorageError> {
        let inserted = sqlx::query(
            "INSERT OR IGNORE INTO feedback_codes (result_code, credit_code, department_id, code_hmac, issued_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&c.result_code)
        .bind(&c.credit_code)
        .bind(c.department_id)
        .bind(&c.code_hmac)
        .bind(issued_at)
        .execute(&mut *self.conn)
        .await?;
        Ok(inserted.rows_affected() > 0)
    }
}

#[async_trait::async_trait]
impl FeedbackTables for SqliteWrites<'_> {
    async fn feedback_versions(&mut self, result_code: &str) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM feedback_submissions WHERE result_code = ?")
            .bind(result_code)
            .fetch_one(&mut *self.conn)
            .await?)
    }

    async fn insert_feedback_submission(&mut self, f: &NewFeedback) -> Result<i64, StorageError> {
        sqlx::query_scalar(
            "INSERT INTO feedback_submissions \
             (result_code, version, receipt, submitted_at, window_closes, canonical, sha256, text, contact) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&f.result_code)
        .bind(i64::from(f.receipt.version))
        .bind(&f.receipt.number)
        .bind(&f.receipt.submitted_at)
        .bind(&f.window_closes)
        .bind(&f.receipt.canonical)
        .bind(&f.receipt.sha256)
        .bind(&f.text)
        .bind(&f.contact)
        .fetch_one(&mut *self.conn)
        .await
        .map_err(|e| self.storage.busy_or(e))
    }

    async fn insert_feedback_rating(&mut self, submission: i64, r: &StoredRating) -> Result<(), StorageError> {
        let sql = format!(
            "INSERT INTO feedback_ratings (submission_id, certificate, level, {}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            conduct_columns()
        );
        let mut q = sqlx::query(&sql).bind(submission).bind(&r.certificate).bind(r.level);
        for answer in &r.conduct {
            q = q.bind(*answer);
        }
        q.execute(&mut *self.conn).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl DemoCodeTables for SqliteWrites<'_> {
    async fn insert_demo_code(&mut self, result_code: &str, code: &str) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO demo_feedback_codes (result_code, code) VALUES (?, ?)")
            .bind(result_code)
            .bind(code)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }
}

impl SqliteStorage {
    pub(super) async fn feedback_target_by_hash(
        &self,
        code_hmac: &str,
    ) -> Result<Option<FeedbackTarget>, StorageError> {
        let Some((result_code, credit_code)) = sqlx::query_as::<_, (String, String)>(
            "SELECT result_code, credit_code FROM feedback_codes WHERE code_hmac = ?",
        )
        .bind(code_hmac)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let latest = sqlx::query_as::<_, (i64, String, String, String, String)>(
            "SELECT version, receipt, submitted_at, sha256, canonical FROM feedback_submissions \
             WHERE result_code = ? ORDER BY version DESC LIMIT 1",
        )
        .bind(&result_code)
        .fetch_optional(&self.pool)
        .await?
        .map(|(version, number, submitted_at, sha256, canonical)| {
            publishing::receipt(version, number, submitted_at, sha256, canonical)
        });
        Ok(Some(FeedbackTarget { result_code, credit_code, latest }))
    }

    pub(super) async fn insert_feedback_submission(&self, f: &NewFeedback) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        publishing::feedback(&mut SqliteWrites { conn: &mut tx, storage: self }, f).await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(())
    }

    pub(super) async fn feedback_fact_rows(
        &self,
        department: Option<&str>,
        year: Option<i64>,
        certificate: Option<&str>,
        closed_before: &str,
    ) -> Result<Vec<FeedbackFact>, StorageError> {
        // Every code of a current result, with the ratings of its latest
        // submission if that submission's window closed before `closed_before`.
        let sql = format!(
            "SELECT f.result_code, dep.code, dep.name, r.year, r.inspectors, fr.certificate, fr.level, {} \
             FROM feedback_codes f \
             JOIN results r ON r.result_code = f.result_code AND r.id NOT IN (SELECT id FROM results_superseded) \
             JOIN departments dep ON dep.id = r.department_id \
             LEFT JOIN feedback_submissions s ON s.result_code = f.result_code \
               AND s.version = (SELECT MAX(version) FROM feedback_submissions WHERE result_code = f.result_code) \
               AND s.window_closes IS NOT NULL AND s.window_closes < ?4 \
             LEFT JOIN feedback_ratings fr ON fr.submission_id = s.id \
             WHERE (?1 IS NULL OR dep.code = ?1) AND (?2 IS NULL OR r.year = ?2) \
               AND (?3 IS NULL OR instr(';' || r.inspectors || ';', ';' || ?3 || ';') > 0) \
             ORDER BY f.result_code",
            facts::conduct_select()
        );
        let rows: Vec<FeedbackRow> = sqlx::query_as(&sql)
            .bind(department)
            .bind(year)
            .bind(certificate)
            .bind(closed_before)
            .fetch_all(&self.pool)
            .await?;
        Ok(facts::feedback_facts(rows))
    }

    pub(super) async fn feedback_export_rows(&self, department: &str) -> Result<Vec<FeedbackExportRow>, StorageError> {
        let submissions = sqlx::query_as::<_, (i64, String, String, i64, String, String, String, String, String)>(
            "SELECT s.id, s.result_code, f.credit_code, s.version, s.receipt, s.submitted_at, s.sha256, s.text, s.contact \
             FROM feedback_submissions s JOIN feedback_codes f ON f.result_code = s.result_code \
             JOIN departments dep ON dep.id = f.department_id \
             WHERE dep.code = ? ORDER BY s.submitted_at, s.result_code, s.version",
        )
        .bind(department)
        .fetch_all(&self.pool)
        .await?;
        let sql = format!(
            "SELECT certificate, level, {} FROM feedback_ratings WHERE submission_id = ? ORDER BY certificate",
            conduct_columns()
        );
        let mut out = Vec::with_capacity(submissions.len());
        for (id, result_code, credit_code, version, receipt, submitted_at, sha256, text, contact) in submissions {
            let ratings: Vec<RatingRow> = sqlx::query_as(&sql).bind(id).fetch_all(&self.pool).await?;
            out.push(FeedbackExportRow {
                result_code,
                credit_code,
                version: u32::try_from(version).unwrap_or(u32::MAX),
                receipt,
                submitted_at,
                sha256,
                text,
                contact,
                ratings: ratings
                    .into_iter()
                    .filter_map(|r| {
                        StoredRating { certificate: r.0, level: r.1, conduct: vec![r.2, r.3, r.4, r.5, r.6, r.7] }
                            .rating()
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    pub(super) async fn insert_demo_codes(&self, codes: &[(String, String)]) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        publishing::demo_codes(&mut SqliteWrites { conn: &mut tx, storage: self }, codes).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn demo_code_rows(&self) -> Result<Vec<app::feedback::DemoCode>, StorageError> {
        let sql = format!("{} ORDER BY r.delivered_on DESC, d.result_code", facts::DEMO_CODES_SQL);
        Ok(sqlx::query_as::<_, DemoCodeRow>(&sql)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(facts::demo_code)
            .collect())
    }
}
