//! Reading what the yearly execution reports are computed from, and writing
//! the reports departments declare and the working-day calendar they count
//! days with (what is refused and why: `storage::publishing`).

use app::report::{DepartmentRef, ReportRows, ResultFact};
use app::ssr::StorageError;

use super::SqliteStorage;
use super::feedback::SqliteWrites;
use crate::publish::VerifiedCalendarYear;
use crate::storage::NewDeclaredReport;
use crate::storage::facts::{self, PlanTuple, ResultTuple};
use crate::storage::import::{Latest, RowVersion};
use crate::storage::publishing::{self, CalendarTables, DeclaredReportTables};

impl SqliteStorage {
    pub(super) async fn report_key_rows(&self) -> Result<Vec<(DepartmentRef, i64)>, StorageError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT dep.code, dep.name, k.year FROM ( \
               SELECT department_id, year FROM plans \
               UNION SELECT department_id, CAST(substr(draw_date, 1, 4) AS INTEGER) FROM draws \
               UNION SELECT DISTINCT department_id, year FROM results \
               UNION SELECT department_id, year FROM declared_reports) k \
             JOIN departments dep ON dep.id = k.department_id \
             WHERE dep.code IS NOT NULL ORDER BY k.year DESC, dep.code",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(facts::report_keys(rows))
    }

    pub(super) async fn mark(&self) -> Result<String, StorageError> {
        let parts: Vec<String> =
            facts::MARKED_TABLES.iter().map(|t| format!("(SELECT IFNULL(MAX(rowid), 0) FROM {t})")).collect();
        let sql = format!("SELECT {} || '/' || (SELECT COUNT(*) FROM departments)", parts.join(" || '/' || "));
        Ok(sqlx::query_scalar::<_, String>(&sql).fetch_one(&self.pool).await?)
    }

    pub(super) async fn report_fact_rows(&self, code: &str, year: i64) -> Result<Option<ReportRows>, StorageError> {
        let Some((dep_id, name)): Option<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM departments WHERE code = ?")
                .bind(code)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let department = DepartmentRef { code: code.to_owned(), name };

        let plan_rows: Vec<PlanTuple> =
            sqlx::query_as(facts::PLANS_SQL).bind(dep_id).bind(year).fetch_all(&self.pool).await?;
        let mut plans = Vec::with_capacity(plan_rows.len());
        for plan in plan_rows {
            let lines = sqlx::query_as(facts::PLAN_LINES_SQL).bind(plan.0).fetch_all(&self.pool).await?;
            plans.push(facts::plan_fact(plan, lines));
        }

        // The department's draws of the year (under a plan of the year, or
        // dated in it without a plan), and every draw its results name.
        let draws: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT d.id, d.plan_code FROM draws d \
             WHERE (d.department_id = ?1 AND ( \
                 d.plan_code IN (SELECT plan_code FROM plans WHERE department_id = ?1 AND year = ?2) \
                 OR (d.plan_code IS NULL AND substr(d.draw_date, 1, 4) = CAST(?2 AS TEXT)))) \
               OR d.id IN (SELECT r.draw_id FROM results r WHERE r.department_id = ?1 AND r.year = ?2) \
             ORDER BY d.draw_date, d.id",
        )
        .bind(dep_id)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;

        let rows: Vec<ResultTuple> =
            sqlx::query_as(&facts::results_sql()).bind(dep_id).bind(year).fetch_all(&self.pool).await?;
        let results: Vec<ResultFact> = rows.into_iter().map(facts::result_fact).collect();

        let certificates = facts::certificates(sqlx::query_as(facts::CERTIFICATES_SQL).fetch_all(&self.pool).await?);

        // Objects drawn by the department after a higher-level department
        // (any ancestor) inspected them in the same year.
        let draw_ids = serde_json::to_string(&draws.iter().map(|(id, _)| id).collect::<Vec<_>>())?;
        let higher_rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "WITH RECURSIVE up(id) AS ( \
               SELECT parent_id FROM departments WHERE id = ?1 \
               UNION SELECT p.parent_id FROM departments p JOIN up ON p.id = up.id) \
             SELECT o.draw_id, o.credit_code, r.result_code, hd.name, r.inspected_on \
             FROM draw_objects o JOIN draws d ON d.id = o.draw_id \
             JOIN results r ON r.credit_code = o.credit_code \
             JOIN departments hd ON hd.id = r.department_id \
             WHERE o.outcome = 'selected' AND d.department_id = ?1 \
               AND d.id IN (SELECT value FROM json_each(?2)) \
               AND r.department_id IN (SELECT id FROM up WHERE id IS NOT NULL) \
               AND r.year = ?3 AND r.inspected_on < d.draw_date \
               AND r.id NOT IN (SELECT id FROM results_superseded) \
             ORDER BY o.draw_id, o.credit_code",
        )
        .bind(dep_id)
        .bind(&draw_ids)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        let higher = facts::higher(higher_rows);

        // Whether the yearly limit protects the enterprises it could apply to.
        let codes = serde_json::to_string(&higher.iter().map(|h| &h.credit_code).collect::<Vec<_>>())?;
        let unprotected: Vec<(String, bool)> = sqlx::query_as(
            "SELECT e.credit_code, (e.abnormal OR e.serious_violation OR e.penalised) FROM enterprises e \
             WHERE e.id NOT IN (SELECT id FROM enterprises_superseded) AND ( \
               e.credit_code IN (SELECT r.credit_code FROM results r WHERE r.department_id = ?1 AND r.year = ?2 \
                 AND r.id NOT IN (SELECT id FROM results_superseded) GROUP BY r.credit_code HAVING COUNT(*) > 1) \
               OR e.credit_code IN (SELECT value FROM json_each(?3)))",
        )
        .bind(dep_id)
        .bind(year)
        .bind(&codes)
        .fetch_all(&self.pool)
        .await?;

        let declared = facts::declared(
            sqlx::query_as(facts::DECLARED_SQL).bind(dep_id).bind(year).fetch_optional(&self.pool).await?,
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

    /// Publishes declared reports, all or nothing: each is a new version of its department-year's.
    pub(super) async fn insert_declared(&self, reports: &[NewDeclaredReport]) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        publishing::declared_reports(&mut SqliteWrites { conn: &mut tx, storage: self }, reports).await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl DeclaredReportTables for SqliteWrites<'_> {
    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar("SELECT id FROM departments WHERE code = ?")
            .bind(code)
            .fetch_optional(&mut *self.conn)
            .await?)
    }

    async fn latest_declared_report(&mut self, department: i64, year: i64) -> Result<Option<Latest>, StorageError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, version FROM declared_reports WHERE department_id = ? AND year = ? \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(department)
        .bind(year)
        .fetch_optional(&mut *self.conn)
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
            "INSERT INTO declared_reports (department_id, year, version, title, text, figures_json, \
             published_at, replaces, correction_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl CalendarTables for SqliteWrites<'_> {
    async fn latest_calendar_version(&mut self, year: i32) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar("SELECT MAX(version) FROM calendar_years WHERE year = ?")
            .bind(year)
            .fetch_one(&mut *self.conn)
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
            "INSERT INTO calendar_years (year, version, document, published_at, correction_reason) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(year.year())
        .bind(version)
        .bind(year.document())
        .bind(published_at)
        .bind(correction_reason)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }
}
