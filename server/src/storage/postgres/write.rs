//! Persisting on PostgreSQL: imports (all or nothing), verified commitments
//! and verified draws: the SQL of `storage/sqlite/write.rs`, under the same
//! decisions (`storage::import`, `storage::draws`), the same log appends in
//! the same transaction, and the same rows.
//!
//! Row ids. SQLite gives a new row the largest rowid + 1, also after a
//! rolled-back transaction. An identity column's sequence does not go back
//! when a transaction is rolled back (a refused import, a refused draw), so
//! the next rows would get other ids than SQLite gives them, and the log,
//! whose entries carry the rows' URLs (`/items/17`), other entries. Every
//! insert here therefore names its id (or `rowid`) as the table's largest + 1
//! (safe: every publishing transaction holds the publishing lock,
//! [`PgStorage::begin_write`]), and before commit the identity sequences of
//! the tables written are set to their largest id, so an insert that leaves
//! the id to its default still continues after it.
//!
//! Other differences: integers are bound as `i64` (0/1 flags too), enums as
//! their text; the two-character name index is the table `enterprise_bigrams`
//! ([`name_bigrams`]).

use std::collections::BTreeMap;

use sqlx::PgConnection;

use super::PgStorage;
use crate::log::Kind;
use crate::publish::{VerifiedCommitment, VerifiedDraw};
use crate::storage::draws::DrawTables;
use crate::storage::import::{
    ImportTables, Imported, Latest, PendingEnterprise, RegisteredDepartment, RowVersion, inspector_status, item_status,
    joined,
};
use crate::storage::logged::{Rows, entries_of};
use crate::storage::{
    Batch, ImportSummary, NewDepartment, NewEnterprise, NewInspector, NewItem, NewPlan, NewResult, StorageError,
};

/// Each table a publication inserts into and its numbering column (see "Row ids" above).
const NUMBERED: [(&str, &str); 8] = [
    ("departments", "id"),
    ("items", "id"),
    ("inspectors", "id"),
    ("enterprises", "id"),
    ("plans", "id"),
    ("results", "id"),
    ("draws", "rowid"),
    ("draw_commitments", "rowid"),
];

/// Brings the identity sequences of `tables` to their largest number (not
/// rolled back with the transaction: when it is, the next default is only
/// higher than needed, and this code never uses the default).
async fn follow_numbers(conn: &mut PgConnection, tables: &[&str]) -> Result<(), StorageError> {
    for (table, column) in NUMBERED.iter().filter(|(t, _)| tables.contains(t)) {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), MAX({column})) FROM {table}"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The tables a batch inserts numbered rows into.
fn numbered_tables(batch: &Batch) -> &'static [&'static str] {
    match batch {
        Batch::Departments(_) => &["departments"],
        Batch::Items(_) => &["items"],
        Batch::Inspectors(_) => &["inspectors"],
        Batch::Enterprises(_) => &["enterprises"],
        Batch::Plans(_) => &["plans"],
        Batch::Results(_) => &["results"],
    }
}

async fn department_id(conn: &mut PgConnection, code: &str) -> Result<Option<i64>, StorageError> {
    Ok(sqlx::query_scalar("SELECT id FROM departments WHERE code = $1").bind(code).fetch_optional(conn).await?)
}

/// The latest (id, version) row that `sql` selects with the one text parameter `key`.
async fn latest(conn: &mut PgConnection, sql: &str, key: &str) -> Result<Option<Latest>, StorageError> {
    let row: Option<(i64, i64)> = sqlx::query_as(sql).bind(key).fetch_optional(conn).await?;
    Ok(row.map(|(id, version)| Latest { id, version }))
}

/// The pairs of adjacent characters of a name, as the two-character name
/// index (`enterprise_bigrams`) holds them: exactly the set that
/// `storage::copy` builds with `lower(substr(name, i, 2))` over the
/// `COLLATE "C"` column, where `lower` folds ASCII letters only.
pub(super) fn name_bigrams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    chars.windows(2).map(|w| w.iter().collect::<String>().to_ascii_lowercase()).collect()
}

/// An import's tables in a PostgreSQL transaction, for [`crate::storage::import`]'s checks.
pub(crate) struct PgImport<'a>(pub &'a mut PgConnection);

#[async_trait::async_trait]
impl ImportTables for PgImport<'_> {
    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError> {
        department_id(self.0, code).await
    }

    async fn department_by_code(&mut self, code: &str) -> Result<Option<RegisteredDepartment>, StorageError> {
        let row: Option<(String, Option<String>, Option<i64>)> =
            sqlx::query_as("SELECT name, level, parent_id FROM departments WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *self.0)
                .await?;
        Ok(row.map(|(name, level, parent_id)| RegisteredDepartment { name, level, parent_id }))
    }

    async fn department_by_name(&mut self, name: &str) -> Result<Option<(i64, Option<String>)>, StorageError> {
        Ok(sqlx::query_as("SELECT id, code FROM departments WHERE name = $1")
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
        sqlx::query("UPDATE departments SET code = $1, level = $2, parent_id = $3, published_at = $4 WHERE id = $5")
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
        Ok(sqlx::query_scalar(
            "INSERT INTO departments (id, name, parent_id, code, level, published_at) \
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM departments), $1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&d.name)
        .bind(parent)
        .bind(&d.code)
        .bind(d.level.as_str())
        .bind(&d.published_at)
        .fetch_one(&mut *self.0)
        .await?)
    }

    async fn latest_item(&mut self, department: i64, item_code: &str) -> Result<Option<Latest>, StorageError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, version FROM items WHERE department_id = $1 AND item_code = $2 ORDER BY version DESC LIMIT 1",
        )
        .bind(department)
        .bind(item_code)
        .fetch_optional(&mut *self.0)
        .await?;
        Ok(row.map(|(id, version)| Latest { id, version }))
    }

    async fn insert_item(&mut self, dep: i64, it: &NewItem, v: RowVersion<'_>) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO items (id, department_id, item_code, version, seq, name, content, legal_basis, \
             qualification, method, status, effective_from, published_at, replaces, correction_reason) \
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM items), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14)",
        )
        .bind(dep)
        .bind(&it.item_code)
        .bind(v.version)
        .bind(i64::from(it.seq))
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
            "SELECT id, version FROM inspectors WHERE certificate = $1 ORDER BY version DESC LIMIT 1",
            certificate,
        )
        .await
    }

    async fn insert_inspector(&mut self, dep: i64, p: &NewInspector, v: RowVersion<'_>) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO inspectors (id, department_id, certificate, version, name, unit, post, qualifications, \
             valid_from, valid_until, conflicts, status, published_at, replaces, correction_reason) \
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM inspectors), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14)",
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
            "SELECT id, version FROM enterprises WHERE credit_code = $1 ORDER BY version DESC LIMIT 1",
            credit_code,
        )
        .await
    }

    /// As part of a batch of one ([`ImportTables::insert_enterprises`] below).
    async fn insert_enterprise(&mut self, dep: i64, e: &NewEnterprise, v: RowVersion<'_>) -> Result<(), StorageError> {
        self.insert_enterprises(&[PendingEnterprise { department: dep, enterprise: e, version: v }]).await
    }

    /// One statement for all the codes, each looked up in the `UNIQUE (credit_code, version)` index.
    async fn latest_enterprises(&mut self, credit_codes: &[&str]) -> Result<BTreeMap<String, Latest>, StorageError> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT c, e.id, e.version FROM unnest($1::text[]) c CROSS JOIN LATERAL \
             (SELECT id, version FROM enterprises WHERE credit_code = c ORDER BY version DESC LIMIT 1) e",
        )
        .bind(credit_codes)
        .fetch_all(&mut *self.0)
        .await?;
        Ok(rows.into_iter().map(|(code, id, version)| (code, Latest { id, version })).collect())
    }

    /// Three statements for all the rows: the largest id, the rows (numbered
    /// after it in order, as inserting them one by one numbers them) and the
    /// two-character name index (`enterprise_bigrams`, [`name_bigrams`]).
    async fn insert_enterprises(&mut self, rows: &[PendingEnterprise<'_>]) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }
        let largest: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM enterprises").fetch_one(&mut *self.0).await?;
        let column = |f: fn(&PendingEnterprise<'_>) -> String| rows.iter().map(f).collect::<Vec<String>>();
        let flag =
            |f: fn(&NewEnterprise) -> bool| rows.iter().map(|r| i64::from(f(r.enterprise))).collect::<Vec<i64>>();
        sqlx::query(
            "INSERT INTO enterprises (id, credit_code, version, name, department_id, region, industry, licences, \
             abnormal, serious_violation, penalised, credit_class, published_at, replaces, correction_reason) \
             SELECT $1 + n, credit_code, version, name, department_id, region, industry, licences, abnormal, \
             serious_violation, penalised, credit_class, published_at, replaces, correction_reason \
             FROM unnest($2::text[], $3::int8[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::text[], \
             $9::int8[], $10::int8[], $11::int8[], $12::text[], $13::text[], $14::int8[], $15::text[]) \
             WITH ORDINALITY AS u (credit_code, version, name, department_id, region, industry, licences, abnormal, \
             serious_violation, penalised, credit_class, published_at, replaces, correction_reason, n) ORDER BY n",
        )
        .bind(largest)
        .bind(column(|r| r.enterprise.credit_code.as_str().to_owned()))
        .bind(rows.iter().map(|r| r.version.version).collect::<Vec<i64>>())
        .bind(column(|r| r.enterprise.name.clone()))
        .bind(rows.iter().map(|r| r.department).collect::<Vec<i64>>())
        .bind(column(|r| r.enterprise.region.clone()))
        .bind(column(|r| r.enterprise.industry.clone()))
        .bind(column(|r| joined(&r.enterprise.licences)))
        .bind(flag(|e| e.abnormal))
        .bind(flag(|e| e.serious_violation))
        .bind(flag(|e| e.penalised))
        .bind(column(|r| r.enterprise.credit_class.to_string()))
        .bind(column(|r| r.enterprise.published_at.clone()))
        .bind(rows.iter().map(|r| r.version.replaces).collect::<Vec<Option<i64>>>())
        .bind(rows.iter().map(|r| r.version.correction_reason).collect::<Vec<Option<&str>>>())
        .execute(&mut *self.0)
        .await?;
        // Each version's distinct pairs, in the index's order (fewer pages touched).
        let mut index: Vec<(String, i64)> = Vec::new();
        for (n, r) in rows.iter().enumerate() {
            let id = largest + 1 + n as i64;
            let mut pairs = name_bigrams(&r.enterprise.name);
            pairs.sort_unstable();
            pairs.dedup();
            index.extend(pairs.into_iter().map(|pair| (pair, id)));
        }
        index.sort_unstable();
        let (pairs, ids): (Vec<String>, Vec<i64>) = index.into_iter().unzip();
        sqlx::query(
            "INSERT INTO enterprise_bigrams (enterprise_id, bigram) SELECT * FROM unnest($1::int8[], $2::text[])",
        )
        .bind(ids)
        .bind(pairs)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn item_exists(&mut self, department: i64, item_code: &str) -> Result<bool, StorageError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM items WHERE department_id = $1 AND item_code = $2)")
            .bind(department)
            .bind(item_code)
            .fetch_one(&mut *self.0)
            .await?)
    }

    async fn latest_plan(&mut self, plan_code: &str) -> Result<Option<Latest>, StorageError> {
        latest(self.0, "SELECT id, version FROM plans WHERE plan_code = $1 ORDER BY version DESC LIMIT 1", plan_code)
            .await
    }

    async fn insert_plan(&mut self, dep: i64, p: &NewPlan, v: RowVersion<'_>) -> Result<(), StorageError> {
        let plan_id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (id, department_id, plan_code, version, year, title, scope, inspector_requirements, \
             window_start, window_end, published_at, replaces, correction_reason, max_inspections_per_year, \
             min_per_stratum) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM plans), $1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(dep)
        .bind(&p.plan_code)
        .bind(v.version)
        .bind(i64::from(p.year))
        .bind(&p.title)
        .bind(&p.scope)
        .bind(&p.inspector_requirements)
        .bind(&p.window_start)
        .bind(&p.window_end)
        .bind(&p.published_at)
        .bind(v.replaces)
        .bind(v.correction_reason)
        .bind(p.max_inspections_per_year.map(i64::from))
        .bind(p.min_per_stratum.map(i64::from))
        .fetch_one(&mut *self.0)
        .await?;
        let lines: Vec<i64> = (1..=p.lines.len() as i64).collect();
        let item_codes: Vec<&str> = p.lines.iter().map(|l| l.item_code.as_str()).collect();
        let strata: Vec<&str> = p.lines.iter().map(|l| l.stratum.as_str()).collect();
        let ratios: Vec<&str> = p.lines.iter().map(|l| l.ratio.as_str()).collect();
        let frequencies: Vec<&str> = p.lines.iter().map(|l| l.frequency.as_str()).collect();
        let counts: Vec<Option<i64>> = p.lines.iter().map(|l| l.object_count.map(i64::from)).collect();
        sqlx::query(
            "INSERT INTO plan_lines (plan_id, line, item_code, stratum, ratio, frequency, object_count) \
             SELECT $1, * FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::BIGINT[])",
        )
        .bind(plan_id)
        .bind(lines)
        .bind(item_codes)
        .bind(strata)
        .bind(ratios)
        .bind(frequencies)
        .bind(counts)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn draw_outcome(&mut self, draw_id: &str, credit_code: &str) -> Result<Option<Option<String>>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT o.outcome FROM draws d LEFT JOIN draw_objects o ON o.draw_id = d.id AND o.credit_code = $1 \
             WHERE d.id = $2",
        )
        .bind(credit_code)
        .bind(draw_id)
        .fetch_optional(&mut *self.0)
        .await?)
    }

    async fn inspector_exists(&mut self, certificate: &str) -> Result<bool, StorageError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM inspectors WHERE certificate = $1)")
            .bind(certificate)
            .fetch_one(&mut *self.0)
            .await?)
    }

    async fn latest_result(&mut self, result_code: &str) -> Result<Option<Latest>, StorageError> {
        latest(
            self.0,
            "SELECT id, version FROM results WHERE result_code = $1 ORDER BY version DESC LIMIT 1",
            result_code,
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
            "INSERT INTO results (id, result_code, version, draw_id, credit_code, enterprise_name, department_id, \
             year, item_codes, inspectors, inspected_on, reported_on, delivered_on, entered_on, category, findings, \
             rectification_deadline, rectification_status, penalty_case, published_at, replaces, correction_reason) \
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM results), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
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
        .bind(r.category.as_str())
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

/// A draw's or a commitment's tables in a PostgreSQL transaction, for [`crate::storage::draws`]' checks.
pub(crate) struct PgDraws<'a>(pub &'a mut PgConnection);

#[async_trait::async_trait]
impl DrawTables for PgDraws<'_> {
    async fn department_by_name(&mut self, name: &str) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar("SELECT id FROM departments WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn insert_department(&mut self, name: &str, parent: Option<i64>) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO departments (id, name, parent_id) \
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM departments), $1, $2) RETURNING id",
        )
        .bind(name)
        .bind(parent)
        .fetch_one(&mut *self.0)
        .await?)
    }

    async fn draw_exists(&mut self, draw_id: &str) -> Result<bool, StorageError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM draws WHERE id = $1)")
            .bind(draw_id)
            .fetch_one(&mut *self.0)
            .await?)
    }

    async fn commitment_of(&mut self, draw_id: &str) -> Result<Option<(String, Option<String>)>, StorageError> {
        Ok(sqlx::query_as("SELECT commitment, plan_code FROM draw_commitments WHERE draw_id = $1")
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
             published_at, plan_code, view_json, rowid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT COALESCE(MAX(rowid), 0) + 1 FROM draws))",
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
        let o = &draw.objects;
        sqlx::query(
            "INSERT INTO draw_objects (draw_id, credit_code, stratum, outcome, position, team, exclusion_reason) \
             SELECT $1, * FROM UNNEST($2::TEXT[], $3::TEXT[], $4::TEXT[], $5::BIGINT[], $6::TEXT[], $7::TEXT[])",
        )
        .bind(&summary.id)
        .bind(o.iter().map(|o| o.credit_code.as_str()).collect::<Vec<_>>())
        .bind(o.iter().map(|o| o.stratum.as_str()).collect::<Vec<_>>())
        .bind(o.iter().map(|o| o.outcome.as_str()).collect::<Vec<_>>())
        .bind(o.iter().map(|o| o.position.map(|p| p.get() as i64)).collect::<Vec<_>>())
        .bind(o.iter().map(|o| o.team.as_deref()).collect::<Vec<_>>())
        .bind(o.iter().map(|o| o.exclusion_reason.map(|r| r.as_str())).collect::<Vec<_>>())
        .execute(&mut *self.0)
        .await?;
        let r = &draw.recusals;
        sqlx::query(
            "INSERT INTO draw_recusals (draw_id, seq, credit_code, inspector, replacement, reason, date) \
             SELECT $1, * FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[])",
        )
        .bind(&summary.id)
        .bind((1..=r.len() as i64).collect::<Vec<_>>())
        .bind(r.iter().map(|r| r.request.object.as_str()).collect::<Vec<_>>())
        .bind(r.iter().map(|r| r.request.inspector.as_str()).collect::<Vec<_>>())
        .bind(r.iter().map(|r| r.replacement.as_str()).collect::<Vec<_>>())
        .bind(r.iter().map(|r| r.request.reason.as_str()).collect::<Vec<_>>())
        .bind(r.iter().map(|r| r.request.date.as_str()).collect::<Vec<_>>())
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError> {
        department_id(self.0, code).await
    }

    async fn department_name(&mut self, id: i64) -> Result<String, StorageError> {
        Ok(sqlx::query_scalar("SELECT name FROM departments WHERE id = $1").bind(id).fetch_one(&mut *self.0).await?)
    }

    async fn commitment_or_draw_exists(&mut self, draw_id: &str) -> Result<bool, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM draw_commitments WHERE draw_id = $1) \
             OR EXISTS (SELECT 1 FROM draws WHERE id = $1)",
        )
        .bind(draw_id)
        .fetch_one(&mut *self.0)
        .await?)
    }

    async fn insert_commitment_row(&mut self, department: i64, c: &VerifiedCommitment) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO draw_commitments (draw_id, department_id, plan_code, title, draw_date, commitment, \
             input_json, committed_at, rowid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT COALESCE(MAX(rowid), 0) + 1 FROM draw_commitments))",
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

impl PgStorage {
    /// Stores a whole batch in one transaction, or nothing (`Storage::import`,
    /// as `SqliteStorage::import` does): every refused row is reported at once
    /// as [`StorageError::Rejected`]; every version added is logged in the same transaction.
    #[tracing::instrument(level = "debug", skip_all, name = "storage.import")]
    pub(crate) async fn store_batch(&self, batch: &Batch) -> Result<ImportSummary, StorageError> {
        let mut tx = self.begin_write().await?;
        // Every version this import adds is logged in the same transaction (docs/LOG.md);
        // departments by row number, below.
        let logged = crate::storage::import::logged_kind(batch);
        let before = match logged {
            Some(kind) => super::log::last_row(&mut tx, kind).await?,
            None => 0,
        };
        let (summary, departments): (ImportSummary, Vec<i64>) =
            match crate::storage::import::rows(&mut PgImport(&mut tx), batch).await? {
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
            let added = super::log::published_rows(&mut tx, Kind::Department, Rows::Only(id)).await?;
            log_entries += added.len();
            super::log::append(&mut tx, &entries_of(&added)?).await?;
        }
        let log_ms = log_started.elapsed().as_millis() as u64;
        follow_numbers(&mut tx, numbered_tables(batch)).await?;
        self.commit(tx).await?;
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

    /// Stores a verified draw and its department chain (`Storage::insert_draw`),
    /// refusing it as [`crate::storage::draws`] decides; its log entry is appended in the same transaction.
    #[tracing::instrument(level = "debug", skip_all, name = "storage.insert_draw")]
    pub(crate) async fn store_draw(&self, draw: &VerifiedDraw) -> Result<(), StorageError> {
        crate::storage::draws::check_draw(draw)?;
        let mut tx = self.begin_write().await?;
        if let Err(e) = crate::storage::draws::draw_rows(&mut PgDraws(&mut tx), draw).await {
            // Now rather than when the connection is next used: the publishing lock goes with it.
            // The refusal is the answer, whether or not the rollback succeeds.
            let _ = tx.rollback().await;
            return Err(e);
        }
        super::log::append(&mut tx, std::slice::from_ref(&draw.log_entry)).await?;
        follow_numbers(&mut tx, &["departments", "draws"]).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Stores a verified commitment (`Storage::insert_commitment`), refusing it
    /// as [`crate::storage::draws`] decides; its log entry is appended in the same transaction.
    #[tracing::instrument(level = "debug", skip_all, name = "storage.insert_commitment")]
    pub(crate) async fn store_commitment(&self, c: &VerifiedCommitment) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        if let Err(e) = crate::storage::draws::commitment_rows(&mut PgDraws(&mut tx), c).await {
            let _ = tx.rollback().await;
            return Err(e);
        }
        super::log::append(&mut tx, std::slice::from_ref(&c.log_entry)).await?;
        follow_numbers(&mut tx, &["draw_commitments"]).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Number of published draws (`Storage::draw_count`).
    #[tracing::instrument(level = "debug", skip_all, name = "storage.draw_count")]
    pub(crate) async fn count_draws(&self) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM draws").fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Departments as (id, name, parent_id), by id (`Storage::departments`).
    #[tracing::instrument(level = "debug", skip_all, name = "storage.departments")]
    pub(crate) async fn list_department_rows(&self) -> Result<Vec<(i64, String, Option<i64>)>, StorageError> {
        Ok(sqlx::query_as("SELECT id, name, parent_id FROM departments ORDER BY id").fetch_all(&self.pool).await?)
    }
}
