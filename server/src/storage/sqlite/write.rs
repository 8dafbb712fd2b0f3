//! Persisting: imports (all or nothing), verified commitments and verified draws (`crate::publish` verifies them).

use sqlx::{Row, SqliteConnection};

use super::SqliteStorage;
use crate::log::Kind;
use crate::publish::{VerifiedCommitment, VerifiedDraw};
use crate::storage::draws::DrawTables;
use crate::storage::import::{
    ImportTables, Imported, Latest, RegisteredDepartment, RowVersion, inspector_status, item_status, joined,
};
use crate::storage::{
    Batch, FeedbackCodeDue, ImportSummary, IssuedFeedbackCode, NewDepartment, NewEnterprise, NewInspector, NewItem,
    NewPlan, NewResult, Storage, StorageError,
};

async fn department_id(conn: &mut SqliteConnection, code: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM departments WHERE code = ?").bind(code).fetch_optional(conn).await
}

/// The (id, version) row that `sql` selects, if any.
async fn latest(conn: &mut SqliteConnection, sql: &str, binds: &[&str]) -> Result<Option<Latest>, StorageError> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let row = q.fetch_optional(conn).await?;
    Ok(row.map(|r| Ok::<_, sqlx::Error>(Latest { id: r.try_get(0)?, version: r.try_get(1)? })).transpose()?)
}

/// An import's tables in a SQLite transaction, for [`crate::storage::import`]'s checks.
struct SqliteImport<'a>(&'a mut SqliteConnection);

#[async_trait::async_trait]
impl ImportTables for SqliteImport<'_> {
    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError> {
        Ok(department_id(self.0, code).await?)
    }

    async fn department_by_code(&mut self, code: &str) -> Result<Option<RegisteredDepartment>, StorageError> {
        let row = sqlx::query("SELECT id, name, level, parent_id FROM departments WHERE code = ?")
            .bind(code)
            .fetch_optional(&mut *self.0)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(RegisteredDepartment {
            name: row.try_get("name")?,
            level: row.try_get("level")?,
            parent_id: row.try_get("parent_id")?,
        }))
    }

    async fn department_by_name(&mut self, name: &str) -> Result<Option<(i64, Option<String>)>, StorageError> {
        Ok(sqlx::query_as("SELECT id, code FROM departments WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn complete_department(
        &mut self,
        id: i64,
        d: &NewDepartment,
        parent: Option<i64>,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE departments SET code = ?, level = ?, parent_id = ?, published_at = ? WHERE id = ?")
            .bind(&d.code)
            .bind(d.level.as_str())
            .bind(parent)
            .bind(&d.published_at)
            .bind(id)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn insert_department(&mut self, d: &NewDepartment, parent: Option<i64>) -> Result<i64, StorageError> {
        Ok(sqlx::query("INSERT INTO departments (name, parent_id, code, level, published_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&d.name)
            .bind(parent)
            .bind(&d.code)
            .bind(d.level.as_str())
            .bind(&d.published_at)
            .execute(&mut *self.0)
            .await?
            .last_insert_rowid())
    }

    async fn latest_item(&mut self, department: i64, item_code: &str) -> Result<Option<Latest>, StorageError> {
        latest(
            self.0,
            "SELECT id, version FROM items WHERE department_id = ?1 AND item_code = ?2 ORDER BY version DESC LIMIT 1",
            &[&department.to_string(), item_code],
        )
        .await
    }

    async fn insert_item(&mut self, dep: i64, it: &NewItem, v: RowVersion<'_>) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO items (department_id, item_code, version, seq, name, content, legal_basis, qualification, \
             method, status, effective_from, published_at, replaces, correction_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(dep)
        .bind(&it.item_code)
        .bind(v.version)
        .bind(it.seq)
        .bind(&it.name)
        .bind(&it.content)
        .bind(&it.legal_basis)
        .bind(&it.qualification)
        .bind(joined(&it.method))
        .bind(item_status(it))
        .bind(&it.effective_from)
        .bind(&it.published_at)
        .bind(v.replaces)
        .bind(v.correction_reason)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn latest_inspector(&mut self, certificate: &str) -> Result<Option<Latest>, StorageError> {
        latest(
            self.0,
            "SELECT id, version FROM inspectors WHERE certificate = ? ORDER BY version DESC LIMIT 1",
            &[certificate],
        )
        .await
    }

    async fn insert_inspector(&mut self, dep: i64, p: &NewInspector, v: RowVersion<'_>) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO inspectors (department_id, certificate, version, name, unit, post, qualifications, \
             valid_from, valid_until, conflicts, status, published_at, replaces, correction_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(dep)
        .bind(&p.certificate)
        .bind(v.version)
        .bind(&p.name)
        .bind(&p.unit)
        .bind(&p.post)
        .bind(joined(&p.qualifications))
        .bind(&p.valid_from)
        .bind(&p.valid_until)
        .bind(joined(&p.conflicts))
        .bind(inspector_status(p))
        .bind(&p.published_at)
        .bind(v.replaces)
        .bind(v.correction_reason)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn latest_enterprise(&mut self, credit_code: &str) -> Result<Option<Latest>, StorageError> {
        latest(
            self.0,
            "SELECT id, version FROM enterprises WHERE credit_code = ? ORDER BY version DESC LIMIT 1",
            &[credit_code],
        )
        .await
    }

    /// Fills the two-character name index (`enterprise_bigrams`, [`name_bigrams`]) too.
    async fn insert_enterprise(&mut self, dep: i64, e: &NewEnterprise, v: RowVersion<'_>) -> Result<(), StorageError> {
        let id = sqlx::query(
            "INSERT INTO enterprises (credit_code, version, name, department_id, region, industry, licences, abnormal, \
             serious_violation, penalised, credit_class, published_at, replaces, correction_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.credit_code.as_str())
        .bind(v.version)
        .bind(&e.name)
        .bind(dep)
        .bind(&e.region)
        .bind(&e.industry)
        .bind(joined(&e.licences))
        .bind(e.abnormal)
        .bind(e.serious_violation)
        .bind(e.penalised)
        .bind(e.credit_class.to_string())
        .bind(&e.published_at)
        .bind(v.replaces)
        .bind(v.correction_reason)
        .execute(&mut *self.0)
        .await?
        .last_insert_rowid();
        sqlx::query("INSERT INTO enterprise_bigrams (rowid, grams) VALUES (?, ?)")
            .bind(id)
            .bind(name_bigrams(&e.name))
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn item_exists(&mut self, department: i64, item_code: &str) -> Result<bool, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE department_id = ? AND item_code = ?")
            .bind(department)
            .bind(item_code)
            .fetch_one(&mut *self.0)
            .await?;
        Ok(n > 0)
    }

    async fn latest_plan(&mut self, plan_code: &str) -> Result<Option<Latest>, StorageError> {
        latest(self.0, "SELECT id, version FROM plans WHERE plan_code = ? ORDER BY version DESC LIMIT 1", &[plan_code])
            .await
    }

    async fn insert_plan(&mut self, dep: i64, p: &NewPlan, v: RowVersion<'_>) -> Result<(), StorageError> {
        let plan_id = sqlx::query(
            "INSERT INTO plans (department_id, plan_code, version, year, title, scope, inspector_requirements, \
             window_start, window_end, published_at, replaces, correction_reason, max_inspections_per_year, \
             min_per_stratum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(dep)
        .bind(&p.plan_code)
        .bind(v.version)
        .bind(p.year)
        .bind(&p.title)
        .bind(&p.scope)
        .bind(&p.inspector_requirements)
        .bind(&p.window_start)
        .bind(&p.window_end)
        .bind(&p.published_at)
        .bind(v.replaces)
        .bind(v.correction_reason)
        .bind(p.max_inspections_per_year)
        .bind(p.min_per_stratum)
        .execute(&mut *self.0)
        .await?
        .last_insert_rowid();
        for (k, line) in p.lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO plan_lines (plan_id, line, item_code, stratum, ratio, frequency, object_count) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(plan_id)
            .bind(k as i64 + 1)
            .bind(&line.item_code)
            .bind(&line.stratum)
            .bind(&line.ratio)
            .bind(&line.frequency)
            .bind(line.object_count)
            .execute(&mut *self.0)
            .await?;
        }
        Ok(())
    }

    async fn draw_outcome(&mut self, draw_id: &str, credit_code: &str) -> Result<Option<Option<String>>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT o.outcome FROM draws d LEFT JOIN draw_objects o ON o.draw_id = d.id AND o.credit_code = ? \
             WHERE d.id = ?",
        )
        .bind(credit_code)
        .bind(draw_id)
        .fetch_optional(&mut *self.0)
        .await?)
    }

    async fn inspector_exists(&mut self, certificate: &str) -> Result<bool, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inspectors WHERE certificate = ?")
            .bind(certificate)
            .fetch_one(&mut *self.0)
            .await?;
        Ok(n > 0)
    }

    async fn latest_result(&mut self, result_code: &str) -> Result<Option<Latest>, StorageError> {
        latest(
            self.0,
            "SELECT id, version FROM results WHERE result_code = ? ORDER BY version DESC LIMIT 1",
            &[result_code],
        )
        .await
    }

    async fn insert_result(
        &mut self,
        dep: i64,
        r: &NewResult,
        year: i64,
        v: RowVersion<'_>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO results (result_code, version, draw_id, credit_code, enterprise_name, department_id, year, \
             item_codes, inspectors, inspected_on, reported_on, delivered_on, entered_on, category, findings, \
             rectification_deadline, rectification_status, penalty_case, published_at, replaces, correction_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&r.result_code)
        .bind(v.version)
        .bind(&r.draw_id)
        .bind(r.credit_code.as_str())
        .bind(&r.enterprise_name)
        .bind(dep)
        .bind(year)
        .bind(joined(&r.item_codes))
        .bind(joined(&r.inspectors))
        .bind(&r.inspected_on)
        .bind(&r.reported_on)
        .bind(&r.delivered_on)
        .bind(&r.entered_on)
        .bind(r.category)
        .bind(&r.findings)
        .bind(&r.rectification_deadline)
        .bind(r.rectification.as_str())
        .bind(&r.penalty_case)
        .bind(&r.published_at)
        .bind(v.replaces)
        .bind(v.correction_reason)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }
}

/// Every pair of adjacent characters of a name, separated by spaces: the
/// tokens of the two-character search index (as its migration computes them).
pub(super) fn name_bigrams(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    chars.windows(2).map(|w| w.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// A draw's or a commitment's tables in a SQLite transaction, for [`crate::storage::draws`]' checks.
struct SqliteDraws<'a>(&'a mut SqliteConnection);

#[async_trait::async_trait]
impl DrawTables for SqliteDraws<'_> {
    async fn department_by_name(&mut self, name: &str) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar("SELECT id FROM departments WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn insert_department(&mut self, name: &str, parent: Option<i64>) -> Result<i64, StorageError> {
        Ok(sqlx::query("INSERT INTO departments (name, parent_id) VALUES (?, ?)")
            .bind(name)
            .bind(parent)
            .execute(&mut *self.0)
            .await?
            .last_insert_rowid())
    }

    async fn draw_exists(&mut self, draw_id: &str) -> Result<bool, StorageError> {
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM draws WHERE id = ?").bind(draw_id).fetch_optional(&mut *self.0).await?;
        Ok(exists.is_some())
    }

    async fn commitment_of(&mut self, draw_id: &str) -> Result<Option<(String, Option<String>)>, StorageError> {
        Ok(sqlx::query_as("SELECT commitment, plan_code FROM draw_commitments WHERE draw_id = ?")
            .bind(draw_id)
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn insert_draw_rows(
        &mut self,
        department: i64,
        draw: &VerifiedDraw,
        plan_code: Option<&str>,
    ) -> Result<(), StorageError> {
        let summary = &draw.summary;
        sqlx::query(
            "INSERT INTO draws (id, department_id, title, draw_date, commitment, record_json, committed_at, \
             published_at, plan_code, view_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&summary.id)
        .bind(department)
        .bind(&summary.title)
        .bind(&summary.draw_date)
        .bind(&summary.commitment)
        .bind(&draw.record_json)
        .bind(&summary.committed_at)
        .bind(&summary.published_at)
        .bind(plan_code)
        .bind(&draw.view_json)
        .execute(&mut *self.0)
        .await?;
        for o in &draw.objects {
            sqlx::query(
                "INSERT INTO draw_objects (draw_id, credit_code, stratum, outcome, position, team, exclusion_reason) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&summary.id)
            .bind(&o.credit_code)
            .bind(&o.stratum)
            .bind(o.outcome)
            .bind(o.position)
            .bind(&o.team)
            .bind(o.exclusion_reason)
            .execute(&mut *self.0)
            .await?;
        }
        for (seq, r) in draw.recusals.iter().enumerate() {
            sqlx::query(
                "INSERT INTO draw_recusals (draw_id, seq, credit_code, inspector, replacement, reason, date) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&summary.id)
            .bind(seq as i64 + 1)
            .bind(&r.request.object)
            .bind(&r.request.inspector)
            .bind(&r.replacement)
            .bind(&r.request.reason)
            .bind(&r.request.date)
            .execute(&mut *self.0)
            .await?;
        }
        Ok(())
    }

    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError> {
        Ok(department_id(self.0, code).await?)
    }

    async fn department_name(&mut self, id: i64) -> Result<String, StorageError> {
        Ok(sqlx::query_scalar("SELECT name FROM departments WHERE id = ?").bind(id).fetch_one(&mut *self.0).await?)
    }

    async fn commitment_or_draw_exists(&mut self, draw_id: &str) -> Result<bool, StorageError> {
        let exists: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM draw_commitments WHERE draw_id = ?1) + (SELECT COUNT(*) FROM draws WHERE id = ?1)",
        )
        .bind(draw_id)
        .fetch_one(&mut *self.0)
        .await?;
        Ok(exists > 0)
    }

    async fn insert_commitment_row(&mut self, department: i64, c: &VerifiedCommitment) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO draw_commitments (draw_id, department_id, plan_code, title, draw_date, commitment, input_json, \
             committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.draw_id)
        .bind(department)
        .bind(&c.plan_code)
        .bind(&c.title)
        .bind(&c.draw_date)
        .bind(&c.commitment)
        .bind(&c.input_json)
        .bind(&c.committed_at)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Storage for SqliteStorage {
    async fn log_size(&self) -> Result<u64, StorageError> {
        self.read_log_size().await
    }

    async fn log_head(&self) -> Result<(u64, tlog_tiles::Hash), StorageError> {
        self.read_log_head().await
    }

    async fn log_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, StorageError> {
        self.read_log_hashes(indexes).await
    }

    async fn log_tile(&self, level: u8, n: u64) -> Result<Option<Vec<u8>>, StorageError> {
        self.read_log_tile(level, n).await
    }

    async fn log_entries(&self, range: std::ops::Range<u64>) -> Result<Vec<Vec<u8>>, StorageError> {
        self.read_log_entries(range).await
    }

    async fn log_row(&self, kind: crate::log::Kind, row: i64) -> Result<Option<Vec<u8>>, StorageError> {
        self.read_log_row(kind, row).await
    }

    async fn log_audit(&self) -> Result<crate::storage::LogAudit, StorageError> {
        self.read_log_audit().await
    }

    async fn log_backfill(&self) -> Result<u64, StorageError> {
        self.append_log_backfill().await
    }

    async fn log_consistency(&self, old: u64, size: u64) -> Result<Vec<tlog_tiles::Hash>, StorageError> {
        self.read_log_consistency(old, size).await
    }

    async fn generation(&self) -> Result<Vec<i64>, StorageError> {
        let row: (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries), \
             (SELECT COALESCE(MAX(rowid), 0) FROM log_cosignatures), \
             (SELECT COALESCE(MAX(rowid), 0) FROM feedback_codes), \
             (SELECT COALESCE(MAX(rowid), 0) FROM demo_feedback_codes)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(vec![row.0, row.1, row.2, row.3])
    }

    async fn log_root(&self, size: u64) -> Result<Option<tlog_tiles::Hash>, StorageError> {
        self.read_log_root(size).await
    }

    async fn log_add_cosignature(&self, c: &crate::storage::LogCosignature) -> Result<(), StorageError> {
        self.insert_log_cosignature(c).await
    }

    async fn log_cosignatures(&self, size: u64) -> Result<Vec<crate::storage::LogCosignature>, StorageError> {
        self.read_log_cosignatures(size).await
    }

    async fn log_witness_size(&self, witness: &str) -> Result<Option<u64>, StorageError> {
        self.read_log_witness_size(witness).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.draw_count")]
    async fn draw_count(&self) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM draws").fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.insert_draw")]
    async fn insert_draw(&self, draw: &VerifiedDraw) -> Result<(), StorageError> {
        crate::storage::draws::check_draw(draw)?;
        let mut tx = self.begin_write().await?;
        crate::storage::draws::draw_rows(&mut SqliteDraws(&mut tx), draw).await?;
        super::log::append(&mut tx, std::slice::from_ref(&draw.log_entry)).await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.import")]
    async fn import(&self, batch: &Batch) -> Result<ImportSummary, StorageError> {
        let mut tx = self.begin_write().await?;
        // Every version this import adds is logged in the same transaction (docs/LOG.md);
        // departments by row number, below.
        let logged = crate::storage::import::logged_kind(batch);
        let before = match logged {
            Some(kind) => super::log::last_row(&mut tx, kind).await?,
            None => 0,
        };
        let (summary, departments): (ImportSummary, Vec<i64>) =
            match crate::storage::import::rows(&mut SqliteImport(&mut tx), batch).await? {
                Imported::Stored { summary, departments } => (summary, departments),
                Imported::Rejected(problems) => {
                    tx.rollback().await?;
                    return Err(StorageError::Rejected(problems));
                }
            };
        let log_started = std::time::Instant::now();
        let mut log_entries = 0;
        if let Some(kind) = logged {
            log_entries = super::log::append_rows_after(&mut tx, kind, before).await?;
        }
        for id in departments {
            let added = super::log::published_rows(&mut tx, Kind::Department, super::log::Rows::Only(id)).await?;
            log_entries += added.len();
            super::log::append(&mut tx, &super::log::entries_of(&added)?).await?;
        }
        let log_ms = log_started.elapsed().as_millis() as u64;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        tracing::info!(
            kind = batch.kind(),
            added = summary.added,
            corrected = summary.corrected,
            log_entries,
            log_ms,
            "import stored"
        );
        Ok(summary)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.insert_commitment")]
    async fn insert_commitment(&self, c: &VerifiedCommitment) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        crate::storage::draws::commitment_rows(&mut SqliteDraws(&mut tx), c).await?;
        super::log::append(&mut tx, std::slice::from_ref(&c.log_entry)).await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.departments")]
    async fn departments(&self) -> Result<Vec<(i64, String, Option<i64>)>, StorageError> {
        let rows = sqlx::query("SELECT id, name, parent_id FROM departments ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("parent_id")?))).collect()
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.insert_calendar_year", fields(year = year.year()))]
    async fn insert_calendar_year(
        &self,
        year: &crate::publish::VerifiedCalendarYear,
        published_at: &str,
        correction_reason: Option<&str>,
    ) -> Result<u32, StorageError> {
        let mut tx = self.begin_write().await?;
        let writes = &mut super::feedback::SqliteWrites { conn: &mut tx, storage: self };
        let version = crate::storage::publishing::calendar_year(writes, year, published_at, correction_reason).await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(version)
    }

    #[tracing::instrument(level = "debug", skip(self), name = "storage.results_without_feedback_code")]
    async fn results_without_feedback_code(
        &self,
        department: &str,
        year: i32,
    ) -> Result<Vec<FeedbackCodeDue>, StorageError> {
        Ok(sqlx::query_as::<_, FeedbackCodeDue>(
            "SELECT r.result_code, r.credit_code, r.enterprise_name, r.department_id, r.inspected_on, r.delivered_on \
             FROM results r JOIN departments dep ON dep.id = r.department_id \
             WHERE dep.code = ? AND r.year = ? AND r.id NOT IN (SELECT id FROM results_superseded) \
             AND r.result_code NOT IN (SELECT result_code FROM feedback_codes) \
             ORDER BY r.inspected_on, r.result_code",
        )
        .bind(department)
        .bind(year)
        .fetch_all(&self.pool)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.insert_declared_reports")]
    async fn insert_declared_reports(&self, reports: &[crate::storage::NewDeclaredReport]) -> Result<(), StorageError> {
        self.insert_declared(reports).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.insert_feedback_codes", fields(codes = codes.len()))]
    async fn insert_feedback_codes(&self, codes: &[IssuedFeedbackCode], issued_at: &str) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let writes = &mut super::feedback::SqliteWrites { conn: &mut tx, storage: self };
        crate::storage::publishing::feedback_codes(writes, codes, issued_at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn feedback_target(&self, code_hmac: &str) -> Result<Option<crate::storage::FeedbackTarget>, StorageError> {
        self.feedback_target_by_hash(code_hmac).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.insert_feedback")]
    async fn insert_feedback(&self, feedback: &crate::storage::NewFeedback) -> Result<(), StorageError> {
        self.insert_feedback_submission(feedback).await
    }

    async fn feedback_export(&self, department: &str) -> Result<Vec<crate::storage::FeedbackExportRow>, StorageError> {
        self.feedback_export_rows(department).await
    }

    async fn insert_demo_feedback_codes(&self, codes: &[(String, String)]) -> Result<(), StorageError> {
        self.insert_demo_codes(codes).await
    }
}
