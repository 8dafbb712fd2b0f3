//! Persisting: imports (all or nothing), verified commitments and verified draws (`crate::publish` verifies them).

use sqlx::{Row, Sqlite, SqliteConnection, Transaction};

use super::SqliteStorage;
use crate::log::Kind;
use crate::publish::{VerifiedCommitment, VerifiedDraw};
use crate::storage::import::{
    ImportTables, Imported, Latest, RegisteredDepartment, RowVersion, inspector_status, item_status, joined,
};
use crate::storage::{
    Batch, FeedbackCodeDue, ImportSummary, IssuedFeedbackCode, NewDepartment, NewEnterprise, NewInspector, NewItem,
    NewPlan, NewResult, RowProblem, Storage, StorageError,
};

type Tx<'a> = Transaction<'a, Sqlite>;

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

/// Finds or creates the department chain of a draw (top-level first); returns the last id.
async fn department_chain(tx: &mut Tx<'_>, path: &[String]) -> Result<Option<i64>, sqlx::Error> {
    let mut parent: Option<i64> = None;
    for name in path {
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM departments WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
        let id = match existing {
            Some(id) => id,
            None => sqlx::query("INSERT INTO departments (name, parent_id) VALUES (?, ?)")
                .bind(name)
                .bind(parent)
                .execute(&mut **tx)
                .await?
                .last_insert_rowid(),
        };
        parent = Some(id);
    }
    Ok(parent)
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
        let summary = &draw.summary;
        if draw.department_path.is_empty() {
            return Err(StorageError::NoDepartment);
        }
        let mut tx = self.begin_write().await?;
        let department = department_chain(&mut tx, &draw.department_path).await?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM draws WHERE id = ?").bind(&summary.id).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(StorageError::DuplicateDraw(summary.id.clone()));
        }
        let committed: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT commitment, plan_code FROM draw_commitments WHERE draw_id = ?")
                .bind(&summary.id)
                .fetch_optional(&mut *tx)
                .await?;
        // A draw carries out the plan its commitment named, unless it says otherwise.
        let plan_code = draw.plan_code.clone().or_else(|| committed.as_ref().and_then(|c| c.1.clone()));
        if let Some(published) = committed.map(|c| c.0).filter(|c| *c != summary.commitment) {
            return Err(StorageError::CommitmentDiffers {
                draw_id: summary.id.clone(),
                published,
                record: summary.commitment.clone(),
            });
        }
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
        .bind(&plan_code)
        .bind(&draw.view_json)
        .execute(&mut *tx)
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
            .execute(&mut *tx)
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
            .execute(&mut *tx)
            .await?;
        }
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
        let Some(department) = department_id(&mut tx, &c.department_code).await? else {
            return Err(StorageError::Rejected(vec![RowProblem {
                index: 0,
                field: "department_code".to_owned(),
                message: format!(
                    "部门代码 {} 不存在 / no department with code {}",
                    c.department_code, c.department_code
                ),
            }]));
        };
        // The draw will be published under the department the input names: the
        // commitment must be listed under that same department.
        let name: String = sqlx::query_scalar("SELECT name FROM departments WHERE id = ?")
            .bind(department)
            .fetch_one(&mut *tx)
            .await?;
        if name != c.department_name {
            return Err(StorageError::Rejected(vec![RowProblem {
                index: 0,
                field: "department_code".to_owned(),
                message: format!(
                    "部门代码 {} 是{name}，而输入的抽取部门是{} / department code {} is {name}, but the input's \
                     drawing department is {}",
                    c.department_code, c.department_name, c.department_code, c.department_name
                ),
            }]));
        }
        let exists: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM draw_commitments WHERE draw_id = ?1) + (SELECT COUNT(*) FROM draws WHERE id = ?1)",
        )
        .bind(&c.draw_id)
        .fetch_one(&mut *tx)
        .await?;
        if exists > 0 {
            return Err(StorageError::DuplicateDraw(c.draw_id.clone()));
        }
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
        .execute(&mut *tx)
        .await?;
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
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM calendar_years WHERE year = ?")
            .bind(year.year())
            .fetch_one(&mut *tx)
            .await?;
        let refuse = |zh: String, en: String| {
            StorageError::Rejected(vec![RowProblem { index: 0, field: "year".into(), message: format!("{zh} / {en}") }])
        };
        let version = match (latest, correction_reason) {
            (None, None) => 1,
            (Some(v), Some(_)) => v + 1,
            (Some(_), None) => {
                return Err(refuse(
                    format!("{} 年已公布；更正须给出理由（--correction-reason）", year.year()),
                    format!("{} is already published; a correction needs a reason (--correction-reason)", year.year()),
                ));
            }
            (None, Some(_)) => {
                return Err(refuse(
                    format!("{} 年尚未公布，不能更正", year.year()),
                    format!("{} is not published yet, so it cannot be corrected", year.year()),
                ));
            }
        };
        let before = super::log::last_row(&mut tx, Kind::CalendarYear).await?;
        sqlx::query(
            "INSERT INTO calendar_years (year, version, document, published_at, correction_reason) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(year.year())
        .bind(version)
        .bind(year.document())
        .bind(published_at)
        .bind(correction_reason)
        .execute(&mut *tx)
        .await?;
        super::log::append_rows_after(&mut tx, Kind::CalendarYear, before).await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(u32::try_from(version).unwrap_or(u32::MAX))
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
        let mut problems = Vec::new();
        for (index, c) in codes.iter().enumerate() {
            let inserted = sqlx::query(
                "INSERT OR IGNORE INTO feedback_codes (result_code, credit_code, department_id, code_hmac, issued_at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&c.result_code)
            .bind(&c.credit_code)
            .bind(c.department_id)
            .bind(&c.code_hmac)
            .bind(issued_at)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                problems.push(RowProblem {
                    index,
                    field: "result_code".into(),
                    message: format!(
                        "检查结果 {} 已有评价码 / result {} already has a feedback code",
                        c.result_code, c.result_code
                    ),
                });
            }
        }
        if !problems.is_empty() {
            return Err(StorageError::Rejected(problems));
        }
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
