//! Feedback (001 art. 24): finding a code's result, storing a submission as
//! its next version, the facts behind the published counts, the supervisory
//! export, and the demo's clear-text codes.

use app::feedback::{Conduct, FeedbackFact, Rating, Receipt, Satisfaction};
use app::ssr::{RowProblem, StorageError};

use super::SqliteStorage;
use crate::storage::{FeedbackExportRow, FeedbackTarget, NewFeedback};

/// The conduct columns of `feedback_ratings`, in the order of [`Conduct::ALL`].
fn conduct_columns() -> String {
    Conduct::ALL.iter().map(|c| c.key()).collect::<Vec<_>>().join(", ")
}

type RatingRow = (String, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

fn answers(r: &RatingRow) -> Vec<Option<bool>> {
    [r.2, r.3, r.4, r.5, r.6, r.7].iter().map(|a| a.map(|v| v == 1)).collect()
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
        .map(|(version, number, submitted_at, sha256, canonical)| Receipt {
            number,
            version: u32::try_from(version).unwrap_or(u32::MAX),
            submitted_at,
            sha256,
            canonical,
        });
        Ok(Some(FeedbackTarget { result_code, credit_code, latest }))
    }

    pub(super) async fn insert_feedback_submission(&self, f: &NewFeedback) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let versions: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM feedback_submissions WHERE result_code = ?")
                .bind(&f.result_code)
                .fetch_one(&mut *tx)
                .await?;
        if versions != i64::from(f.receipt.version) - 1 {
            return Err(StorageError::Rejected(vec![RowProblem {
                index: 0,
                field: "based_on".into(),
                message: format!(
                    "此表单已提交过，或评价已在别处修改（现有 {versions} 个版本）/ this form was sent before, or the feedback \
                     was changed elsewhere (it has {versions} version(s))"
                ),
            }]));
        }
        let before = super::log::last_row(&mut tx, crate::log::Kind::FeedbackReceipt).await?;
        let id: i64 = sqlx::query_scalar(
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
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.busy_or(e))?;
        let sql = format!(
            "INSERT INTO feedback_ratings (submission_id, certificate, level, {}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            conduct_columns()
        );
        for r in &f.ratings {
            let mut q = sqlx::query(&sql)
                .bind(id)
                .bind(r.certificate.as_deref().unwrap_or(""))
                .bind(i64::from(r.level.value()));
            for i in 0..Conduct::ALL.len() {
                q = q.bind(r.conduct.get(i).copied().flatten().map(i64::from));
            }
            q.execute(&mut *tx).await?;
        }
        super::log::append_rows_after(&mut tx, crate::log::Kind::FeedbackReceipt, before).await?;
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
                    .iter()
                    .filter_map(|r| {
                        Some(Rating {
                            certificate: (!r.0.is_empty()).then(|| r.0.clone()),
                            level: Satisfaction::from_value(u8::try_from(r.1).ok()?)?,
                            conduct: answers(r),
                        })
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    pub(super) async fn insert_demo_codes(&self, codes: &[(String, String)]) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        for (result_code, code) in codes {
            sqlx::query("INSERT INTO demo_feedback_codes (result_code, code) VALUES (?, ?)")
                .bind(result_code)
                .bind(code)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn demo_code_rows(&self) -> Result<Vec<app::feedback::DemoCode>, StorageError> {
        Ok(sqlx::query_as::<_, (String, String, String, String, Option<String>, i64)>(
            "SELECT d.result_code, d.code, r.credit_code, r.enterprise_name, r.delivered_on, \
               (SELECT COUNT(*) FROM feedback_submissions s WHERE s.result_code = d.result_code) \
             FROM demo_feedback_codes d \
             JOIN results r ON r.result_code = d.result_code AND r.id NOT IN (SELECT id FROM results_superseded) \
             ORDER BY r.delivered_on DESC, d.result_code",
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
