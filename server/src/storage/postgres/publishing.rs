//! Publishing the working-day calendar, feedback and declared reports on
//! PostgreSQL: the tables of a publishing transaction ([`PgWrites`]) for
//! `storage::publishing`, which decides what is refused and which version is
//! stored, and the feedback reads that go with them. The same rows as
//! SQLite's (`storage/sqlite/feedback.rs`, `report.rs`, `write.rs`).
//!
//! Row numbers, as in `write.rs`: SQLite numbers a new row its table's
//! largest rowid + 1, also after a rolled-back transaction, where an identity
//! sequence does not go back. So every insert here names its number (`id`,
//! or `rowid` where SQLite's is hidden) as the largest + 1 (every publishing
//! transaction holds the publishing lock), and before commit the tables'
//! identity sequences are brought to their largest number
//! ([`follow_numbers`]), for an insert that leaves it to its default.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::PgStorage;
use super::read::key;
use crate::log::Kind;
use crate::publish::VerifiedCalendarYear;
use crate::storage::import::{Latest, RowVersion};
use crate::storage::publishing::{
    self, CalendarTables, DeclaredReportTables, DemoCodeTables, FeedbackCodeTables, FeedbackTables, LoggedRows,
    StoredRating,
};
use crate::storage::{
    FeedbackCodeDue, FeedbackExportRow, FeedbackTarget, IssuedFeedbackCode, NewDeclaredReport, NewFeedback,
    StorageError,
};

/// Brings the identity sequence of each (table, numbering column) to the table's largest number.
async fn follow_numbers(conn: &mut PgConnection, numbered: &[(&str, &str)]) -> Result<(), StorageError> {
    for (table, column) in numbered {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), MAX({column})) FROM {table}"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The conduct columns of `feedback_ratings`, in the order of [`app::feedback::Conduct::ALL`].
fn conduct_columns() -> String {
    app::feedback::Conduct::ALL.iter().map(|c| c.key()).collect::<Vec<_>>().join(", ")
}

/// The tables of a publishing transaction (begun with [`PgStorage::begin_write`],
/// which holds the publishing lock until it ends).
struct PgWrites<'a>(&'a mut PgConnection);

#[async_trait::async_trait]
impl LoggedRows for PgWrites<'_> {
    async fn last_row(&mut self, kind: Kind) -> Result<i64, StorageError> {
        super::log::last_row(self.0, kind).await
    }

    async fn append_rows_after(&mut self, kind: Kind, before: i64) -> Result<usize, StorageError> {
        super::log::append_rows_after(self.0, kind, before).await
    }
}

#[async_trait::async_trait]
impl CalendarTables for PgWrites<'_> {
    async fn latest_calendar_version(&mut self, year: i32) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar("SELECT MAX(version) FROM calendar_years WHERE year = $1")
            .bind(i64::from(year))
            .fetch_one(&mut *self.0)
            .await?)
    }

    async fn insert_calendar_year(
        &mut self,
        year: &VerifiedCalendarYear,
        version: i64,
        published_at: &str,
        correction_reason: Option<&str>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO calendar_years (rowid, year, version, document, published_at, correction_reason) \
             VALUES ((SELECT COALESCE(MAX(rowid), 0) + 1 FROM calendar_years), $1, $2, $3, $4, $5)",
        )
        .bind(i64::from(year.year()))
        .bind(version)
        .bind(year.document())
        .bind(published_at)
        .bind(correction_reason)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl FeedbackCodeTables for PgWrites<'_> {
    async fn feedback_code_taken(&mut self, result_code: &str, code_hmac: &str) -> Result<bool, StorageError> {
        // A text with a NUL character is no stored one (PostgreSQL text cannot hold it).
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM feedback_codes WHERE result_code = $1 OR code_hmac = $2)")
            .bind(key(result_code))
            .bind(key(code_hmac))
            .fetch_one(&mut *self.0)
            .await?)
    }

    /// `ON CONFLICT DO NOTHING`: SQLite's `INSERT OR IGNORE` for the two
    /// unique keys (the result, the hash).
    async fn insert_feedback_code(&mut self, c: &IssuedFeedbackCode, issued_at: &str) -> Result<bool, StorageError> {
        let inserted = sqlx::query(
            "INSERT INTO feedback_codes (rowid, result_code, credit_code, department_id, code_hmac, issued_at) \
             VALUES ((SELECT COALESCE(MAX(rowid), 0) + 1 FROM feedback_codes), $1, $2, $3, $4, $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&c.result_code)
        .bind(&c.credit_code)
        .bind(c.department_id)
        .bind(&c.code_hmac)
        .bind(issued_at)
        .execute(&mut *self.0)
        .await?;
        Ok(inserted.rows_affected() > 0)
    }
}

#[async_trait::async_trait]
impl FeedbackTables for PgWrites<'_> {
    async fn feedback_versions(&mut self, result_code: &str) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM feedback_submissions WHERE result_code = $1")
            .bind(key(result_code))
            .fetch_one(&mut *self.0)
            .await?)
    }

    async fn insert_feedback_submission(&mut self, f: &NewFeedback) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO feedback_submissions \
             (id, result_code, version, receipt, submitted_at, window_closes, canonical, sha256, text, contact) \
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM feedback_submissions), $1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING id",
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
        .fetch_one(&mut *self.0)
        .await?)
    }

    async fn insert_feedback_rating(&mut self, submission: i64, r: &StoredRating) -> Result<(), StorageError> {
        let sql = format!(
            "INSERT INTO feedback_ratings (submission_id, certificate, level, {}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            conduct_columns()
        );
        let mut q = sqlx::query(&sql).bind(submission).bind(&r.certificate).bind(r.level);
        for answer in &r.conduct {
            q = q.bind(*answer);
        }
        q.execute(&mut *self.0).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl DemoCodeTables for PgWrites<'_> {
    async fn insert_demo_code(&mut self, result_code: &str, code: &str) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO demo_feedback_codes (rowid, result_code, code) \
             VALUES ((SELECT COALESCE(MAX(rowid), 0) + 1 FROM demo_feedback_codes), $1, $2)",
        )
        .bind(result_code)
        .bind(code)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl DeclaredReportTables for PgWrites<'_> {
    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError> {
        let Some(code) = key(code) else { return Ok(None) };
        Ok(sqlx::query_scalar("SELECT id FROM departments WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn latest_declared_report(&mut self, department: i64, year: i64) -> Result<Option<Latest>, StorageError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, version FROM declared_reports WHERE department_id = $1 AND year = $2 \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(department)
        .bind(year)
        .fetch_optional(&mut *self.0)
        .await?;
        Ok(row.map(|(id, version)| Latest { id, version }))
    }

    async fn insert_declared_report(
        &mut self,
        department: i64,
        r: &NewDeclaredReport,
        figures_json: &str,
        v: RowVersion<'_>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO declared_reports (id, department_id, year, version, title, text, figures_json, \
             published_at, replaces, correction_reason) \
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM declared_reports), $1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(department)
        .bind(r.year)
        .bind(v.version)
        .bind(&r.title)
        .bind(&r.text)
        .bind(figures_json)
        .bind(&r.published_at)
        .bind(v.replaces)
        .bind(v.correction_reason)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }
}

/// The methods of `Storage` of the same meaning (`insert_calendar_year` …
/// `insert_declared_reports`), with the same signatures. Every publishing
/// write runs in one [`PgStorage::begin_write`] transaction: publications
/// never interleave, so a submission's version check and its insert see the
/// same feedback, as SQLite's write lock guarantees.
impl PgStorage {
    /// See `Storage::insert_calendar_year`.
    pub async fn store_calendar_year(
        &self,
        year: &VerifiedCalendarYear,
        published_at: &str,
        correction_reason: Option<&str>,
    ) -> Result<u32, StorageError> {
        let mut tx = self.begin_write().await?;
        let version = publishing::calendar_year(&mut PgWrites(&mut tx), year, published_at, correction_reason).await?;
        follow_numbers(&mut tx, &[("calendar_years", "rowid")]).await?;
        self.commit(tx).await?;
        Ok(version)
    }

    /// See `Storage::results_without_feedback_code`.
    pub async fn results_due_codes(&self, department: &str, year: i32) -> Result<Vec<FeedbackCodeDue>, StorageError> {
        let Some(department) = key(department) else { return Ok(Vec::new()) };
        Ok(sqlx::query_as::<_, FeedbackCodeDue>(
            "SELECT r.result_code, r.credit_code, r.enterprise_name, r.department_id, r.inspected_on, r.delivered_on \
             FROM results r JOIN departments dep ON dep.id = r.department_id \
             WHERE dep.code = $1 AND r.year = $2 AND r.id NOT IN (SELECT id FROM results_superseded) \
             AND r.result_code NOT IN (SELECT result_code FROM feedback_codes) \
             ORDER BY r.inspected_on, r.result_code",
        )
        .bind(department)
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?)
    }

    /// See `Storage::insert_feedback_codes`.
    pub async fn store_feedback_codes(
        &self,
        codes: &[IssuedFeedbackCode],
        issued_at: &str,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        publishing::feedback_codes(&mut PgWrites(&mut tx), codes, issued_at).await?;
        follow_numbers(&mut tx, &[("feedback_codes", "rowid")]).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// See `Storage::feedback_target`.
    pub async fn find_feedback_target(&self, code_hmac: &str) -> Result<Option<FeedbackTarget>, StorageError> {
        let Some(code_hmac) = key(code_hmac) else { return Ok(None) };
        let mut conn = self.reader().await?;
        let Some((result_code, credit_code)) = sqlx::query_as::<_, (String, String)>(
            "SELECT result_code, credit_code FROM feedback_codes WHERE code_hmac = $1",
        )
        .bind(code_hmac)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let latest = sqlx::query_as::<_, (i64, String, String, String, String)>(
            "SELECT version, receipt, submitted_at, sha256, canonical FROM feedback_submissions \
             WHERE result_code = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(&result_code)
        .fetch_optional(&mut *conn)
        .await?
        .map(|(version, number, submitted_at, sha256, canonical)| {
            publishing::receipt(version, number, submitted_at, sha256, canonical)
        });
        Ok(Some(FeedbackTarget { result_code, credit_code, latest }))
    }

    /// See `Storage::insert_feedback`.
    pub async fn store_feedback(&self, feedback: &NewFeedback) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        publishing::feedback(&mut PgWrites(&mut tx), feedback).await?;
        follow_numbers(&mut tx, &[("feedback_submissions", "id")]).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// See `Storage::feedback_export`: the submissions in SQLite's order, each
    /// with its ratings by certificate (read in one query, not one per submission).
    pub async fn export_feedback(&self, department: &str) -> Result<Vec<FeedbackExportRow>, StorageError> {
        let Some(department) = key(department) else { return Ok(Vec::new()) };
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        let submissions = sqlx::query_as::<_, (i64, String, String, i64, String, String, String, String, String)>(
            "SELECT s.id, s.result_code, f.credit_code, s.version, s.receipt, s.submitted_at, s.sha256, s.text, s.contact \
             FROM feedback_submissions s JOIN feedback_codes f ON f.result_code = s.result_code \
             JOIN departments dep ON dep.id = f.department_id \
             WHERE dep.code = $1 ORDER BY s.submitted_at, s.result_code, s.version",
        )
        .bind(department)
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<i64> = submissions.iter().map(|s| s.0).collect();
        type RatingRow =
            (i64, String, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
        let rows: Vec<RatingRow> = sqlx::query_as(&format!(
            "SELECT submission_id, certificate, level, {} FROM feedback_ratings \
             WHERE submission_id = ANY($1) ORDER BY submission_id, certificate",
            conduct_columns()
        ))
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut ratings: HashMap<i64, Vec<app::feedback::Rating>> = HashMap::new();
        for r in rows {
            let stored = StoredRating { certificate: r.1, level: r.2, conduct: vec![r.3, r.4, r.5, r.6, r.7, r.8] };
            if let Some(rating) = stored.rating() {
                ratings.entry(r.0).or_default().push(rating);
            }
        }
        Ok(submissions
            .into_iter()
            .map(|(id, result_code, credit_code, version, receipt, submitted_at, sha256, text, contact)| {
                FeedbackExportRow {
                    result_code,
                    credit_code,
                    version: u32::try_from(version).unwrap_or(u32::MAX),
                    receipt,
                    submitted_at,
                    sha256,
                    text,
                    contact,
                    ratings: ratings.remove(&id).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// See `Storage::insert_demo_feedback_codes`.
    pub async fn store_demo_feedback_codes(&self, codes: &[(String, String)]) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        publishing::demo_codes(&mut PgWrites(&mut tx), codes).await?;
        follow_numbers(&mut tx, &[("demo_feedback_codes", "rowid")]).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// See `Storage::insert_declared_reports`.
    pub async fn store_declared_reports(&self, reports: &[NewDeclaredReport]) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        publishing::declared_reports(&mut PgWrites(&mut tx), reports).await?;
        follow_numbers(&mut tx, &[("declared_reports", "id")]).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
