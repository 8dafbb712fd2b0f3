//! Reading what the yearly execution reports are computed from, on
//! PostgreSQL: the translation of the reads of `storage/sqlite/report.rs`,
//! with the same answers.

use app::report::{DepartmentRef, ReportRows, ResultFact};
use app::ssr::StorageError;

use super::PgStorage;
use super::read::key;
use crate::storage::facts::{self, PlanTuple, ResultTuple};
use crate::storage::listing::numbered;

/// The year of a draw's date, as SQLite's `CAST(substr(draw_date, 1, 4) AS INTEGER)`:
/// the leading integer of its first four characters (after blanks), 0 if none.
/// (A published draw's date is `YYYY-MM-DD`; this only never fails where SQLite does not.)
const DRAW_YEAR: &str = "COALESCE(substring(substr(draw_date, 1, 4) FROM '^[ \\t\\n\\f\\r]*([+-]?[0-9]+)')::BIGINT, 0)";

/// The tables whose newest row marks a publication, and the column that is
/// SQLite's rowid in each (see the migration's "Implicit rowids").
const MARKED: [(&str, &str); 8] = [
    ("results", "id"),
    ("plans", "id"),
    ("draws", "rowid"),
    ("draw_commitments", "rowid"),
    ("inspectors", "id"),
    ("enterprises", "id"),
    ("declared_reports", "id"),
    ("calendar_years", "rowid"),
];

impl PgStorage {
    pub(super) async fn report_key_rows(&self) -> Result<Vec<(DepartmentRef, i64)>, StorageError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(&format!(
            "SELECT dep.code, dep.name, k.year FROM ( \
               SELECT department_id, year FROM plans \
               UNION SELECT department_id, {DRAW_YEAR} FROM draws \
               UNION SELECT DISTINCT department_id, year FROM results \
               UNION SELECT department_id, year FROM declared_reports) k \
             JOIN departments dep ON dep.id = k.department_id \
             WHERE dep.code IS NOT NULL ORDER BY k.year DESC, dep.code"
        ))
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(facts::report_keys(rows))
    }

    pub(super) async fn mark(&self) -> Result<String, StorageError> {
        let parts: Vec<String> =
            MARKED.iter().map(|(t, rowid)| format!("(SELECT COALESCE(MAX({rowid}), 0) FROM {t})::TEXT")).collect();
        let sql = format!("SELECT {} || '/' || (SELECT COUNT(*) FROM departments)::TEXT", parts.join(" || '/' || "));
        Ok(sqlx::query_scalar::<_, String>(&sql).fetch_one(&mut *self.reader().await?).await?)
    }

    pub(super) async fn report_fact_rows(&self, code: &str, year: i64) -> Result<Option<ReportRows>, StorageError> {
        let Some((dep_id, name)): Option<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM departments WHERE code = $1")
                .bind(key(code))
                .fetch_optional(&mut *self.reader().await?)
                .await?
        else {
            return Ok(None);
        };
        let department = DepartmentRef { code: code.to_owned(), name };

        let plan_rows: Vec<PlanTuple> = sqlx::query_as(&numbered(facts::PLANS_SQL))
            .bind(dep_id)
            .bind(year)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        let mut plans = Vec::with_capacity(plan_rows.len());
        for plan in plan_rows {
            let lines = sqlx::query_as(&numbered(facts::PLAN_LINES_SQL))
                .bind(plan.0)
                .fetch_all(&mut *self.reader().await?)
                .await?;
            plans.push(facts::plan_fact(plan, lines));
        }

        // The department's draws of the year (under a plan of the year, or
        // dated in it without a plan), and every draw its results name.
        // (SQLite's CAST(?2 AS TEXT) of an integer: its decimal digits, as ::TEXT.)
        let draws: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT d.id, d.plan_code FROM draws d \
             WHERE (d.department_id = $1 AND ( \
                 d.plan_code IN (SELECT plan_code FROM plans WHERE department_id = $1 AND year = $2) \
                 OR (d.plan_code IS NULL AND substr(d.draw_date, 1, 4) = $2::TEXT))) \
               OR d.id IN (SELECT r.draw_id FROM results r WHERE r.department_id = $1 AND r.year = $2) \
             ORDER BY d.draw_date, d.id",
        )
        .bind(dep_id)
        .bind(year)
        .fetch_all(&mut *self.reader().await?)
        .await?;

        let rows: Vec<ResultTuple> = sqlx::query_as(&numbered(&facts::results_sql()))
            .bind(dep_id)
            .bind(year)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        let results: Vec<ResultFact> = rows.into_iter().map(facts::result_fact).collect();

        let certificates =
            facts::certificates(sqlx::query_as(facts::CERTIFICATES_SQL).fetch_all(&mut *self.reader().await?).await?);

        // Objects drawn by the department after a higher-level department
        // (any ancestor) inspected them in the same year. Several results of
        // one object in a draw tie in SQLite's ORDER BY: its plan reads the
        // results by `results_by_year` (year, department_id, category), one
        // ancestor after the other by id, then sorts stably; the ORDER BY's
        // last three columns say so.
        let draw_ids: Vec<&str> = draws.iter().map(|(id, _)| id.as_str()).collect();
        let higher_rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "WITH RECURSIVE up(id) AS ( \
               SELECT parent_id FROM departments WHERE id = $1 \
               UNION SELECT p.parent_id FROM departments p JOIN up ON p.id = up.id) \
             SELECT o.draw_id, o.credit_code, r.result_code, hd.name, r.inspected_on \
             FROM draw_objects o JOIN draws d ON d.id = o.draw_id \
             JOIN results r ON r.credit_code = o.credit_code \
             JOIN departments hd ON hd.id = r.department_id \
             WHERE o.outcome = 'selected' AND d.department_id = $1 \
               AND d.id = ANY($2) \
               AND r.department_id IN (SELECT id FROM up WHERE id IS NOT NULL) \
               AND r.year = $3 AND r.inspected_on < d.draw_date \
               AND r.id NOT IN (SELECT id FROM results_superseded) \
             ORDER BY o.draw_id, o.credit_code, r.department_id, r.category, r.id",
        )
        .bind(dep_id)
        .bind(&draw_ids)
        .bind(year)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        let higher = facts::higher(higher_rows);

        // Whether the yearly limit protects the enterprises it could apply to.
        let codes: Vec<&str> = higher.iter().map(|h| h.credit_code.as_str()).collect();
        let unprotected: Vec<(String, bool)> = sqlx::query_as(
            "SELECT e.credit_code, (e.abnormal <> 0 OR e.serious_violation <> 0 OR e.penalised <> 0) \
             FROM enterprises e \
             WHERE e.id NOT IN (SELECT id FROM enterprises_superseded) AND ( \
               e.credit_code IN (SELECT r.credit_code FROM results r WHERE r.department_id = $1 AND r.year = $2 \
                 AND r.id NOT IN (SELECT id FROM results_superseded) GROUP BY r.credit_code HAVING COUNT(*) > 1) \
               OR e.credit_code = ANY($3))",
        )
        .bind(dep_id)
        .bind(year)
        .bind(&codes)
        .fetch_all(&mut *self.reader().await?)
        .await?;

        let declared = facts::declared(
            sqlx::query_as(&numbered(facts::DECLARED_SQL))
                .bind(dep_id)
                .bind(year)
                .fetch_optional(&mut *self.reader().await?)
                .await?,
        )?;

        Ok(Some(ReportRows {
            department,
            plans,
            draws,
            results,
            certificates,
            unprotected: unprotected.into_iter().collect(),
            higher,
            declared,
        }))
    }
}
