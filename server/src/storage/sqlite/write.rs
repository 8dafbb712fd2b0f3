//! Persisting: imports (all or nothing), verified commitments and verified draws (`crate::publish` verifies them).

use std::collections::BTreeMap;

use sqlx::{Row, Sqlite, Transaction};

use super::SqliteStorage;
use crate::log::Kind;
use crate::publish::{VerifiedCommitment, VerifiedDraw};
use crate::storage::{
    Batch, Correction, FeedbackCodeDue, ImportSummary, IssuedFeedbackCode, NewDepartment, NewEnterprise, NewInspector,
    NewItem, NewPlan, NewResult, RowProblem, Storage, StorageError,
};

type Tx<'a> = Transaction<'a, Sqlite>;

/// Collects the refused rows of one batch.
#[derive(Default)]
struct Problems(Vec<RowProblem>);

impl Problems {
    fn add(&mut self, index: usize, field: &str, message: String) {
        self.0.push(RowProblem { index, field: field.to_owned(), message });
    }
}

/// How a row relates to what is already published under its key.
enum Version {
    /// Nothing published yet: store version 1.
    First,
    /// A correction of the row with this id and version.
    Next { replaces: i64, version: i64 },
}

impl Version {
    fn version(&self) -> i64 {
        match self {
            Version::First => 1,
            Version::Next { version, .. } => *version,
        }
    }
    fn replaces(&self) -> Option<i64> {
        match self {
            Version::First => None,
            Version::Next { replaces, .. } => Some(*replaces),
        }
    }
}

/// Decides the version of a row from the current (id, version) of its key.
/// A row for an existing key must say why it corrects it; a correction of
/// nothing is refused too, so that a typo in a key is not silently a new record.
fn next_version(
    current: Option<(i64, i64)>,
    correction: &Option<Correction>,
    index: usize,
    key_field: &str,
    key: &str,
    problems: &mut Problems,
) -> Option<Version> {
    match (current, correction) {
        (None, None) => Some(Version::First),
        (Some((id, version)), Some(c)) if !c.reason.trim().is_empty() => {
            Some(Version::Next { replaces: id, version: version + 1 })
        }
        (Some(_), Some(_)) => {
            problems.add(index, "correction_reason", "更正原因不能为空 / the correction reason is empty".to_owned());
            None
        }
        (Some((_, version)), None) => {
            problems.add(
                index,
                key_field,
                format!(
                    "{key} 已公布（第 {version} 版）；如需更正，请填写更正原因（correction_reason），将作为新版本公布 / \
                     {key} is already published (version {version}); to correct it, give a correction_reason and it is \
                     published as a new version"
                ),
            );
            None
        }
        (None, Some(_)) => {
            problems.add(
                index,
                key_field,
                format!(
                    "{key} 尚未公布，无可更正；首次公布时请留空更正原因 / {key} is not published yet, so there is nothing \
                     to correct; leave correction_reason empty for a first publication"
                ),
            );
            None
        }
    }
}

async fn department_id(tx: &mut Tx<'_>, code: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM departments WHERE code = ?").bind(code).fetch_optional(&mut **tx).await
}

/// Looks up a department, recording a problem when it is unknown.
async fn require_department(
    tx: &mut Tx<'_>,
    code: &str,
    index: usize,
    problems: &mut Problems,
) -> Result<Option<i64>, sqlx::Error> {
    let id = department_id(tx, code).await?;
    if id.is_none() {
        problems.add(
            index,
            "department_code",
            format!(
                "部门代码 {code} 不存在（请先导入部门）/ no department with code {code} (import departments first)"
            ),
        );
    }
    Ok(id)
}

async fn current(tx: &mut Tx<'_>, sql: &str, binds: &[&str]) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let row = q.fetch_optional(&mut **tx).await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

fn joined(list: &[String]) -> String {
    list.join(";")
}

fn correction_reason(c: &Option<Correction>) -> Option<&str> {
    c.as_ref().map(|c| c.reason.as_str())
}

/// Imports departments; returns the row numbers of those it published (to log).
async fn import_departments(
    tx: &mut Tx<'_>,
    rows: &[NewDepartment],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut published = Vec::new();
    for (i, d) in rows.iter().enumerate() {
        let parent = match &d.parent_code {
            None => None,
            Some(code) => match department_id(tx, code).await? {
                Some(id) => Some(id),
                None => {
                    problems.add(
                        i,
                        "parent_code",
                        format!("上级部门代码 {code} 不存在 / no parent department with code {code}"),
                    );
                    continue;
                }
            },
        };
        let by_code = sqlx::query("SELECT id, name, level, parent_id FROM departments WHERE code = ?")
            .bind(&d.code)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(row) = by_code {
            let same = row.try_get::<String, _>("name")? == d.name
                && row.try_get::<Option<String>, _>("level")?.as_deref() == Some(d.level.as_str())
                && row.try_get::<Option<i64>, _>("parent_id")? == parent;
            if !same {
                problems.add(
                    i,
                    "code",
                    format!(
                        "部门代码 {} 已登记为其他部门 / department code {} is already registered for another department",
                        d.code, d.code
                    ),
                );
            }
            continue;
        }
        let by_name: Option<(i64, Option<String>)> = sqlx::query_as("SELECT id, code FROM departments WHERE name = ?")
            .bind(&d.name)
            .fetch_optional(&mut **tx)
            .await?;
        match by_name {
            // Created by publishing a draw before departments were imported: complete it.
            Some((id, None)) => {
                sqlx::query("UPDATE departments SET code = ?, level = ?, parent_id = ?, published_at = ? WHERE id = ?")
                    .bind(&d.code)
                    .bind(d.level.as_str())
                    .bind(parent)
                    .bind(&d.published_at)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                published.push(id);
                summary.added += 1;
            }
            Some((_, Some(other))) => problems.add(
                i,
                "name",
                format!(
                    "部门名称 {} 已以代码 {other} 登记 / department {} is already registered with code {other}",
                    d.name, d.name
                ),
            ),
            None => {
                let id = sqlx::query(
                    "INSERT INTO departments (name, parent_id, code, level, published_at) VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&d.name)
                .bind(parent)
                .bind(&d.code)
                .bind(d.level.as_str())
                .bind(&d.published_at)
                .execute(&mut **tx)
                .await?
                .last_insert_rowid();
                published.push(id);
                summary.added += 1;
            }
        }
    }
    Ok(published)
}

async fn import_items(
    tx: &mut Tx<'_>,
    rows: &[NewItem],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), sqlx::Error> {
    for (i, it) in rows.iter().enumerate() {
        let Some(dep) = require_department(tx, &it.department_code, i, problems).await? else { continue };
        let cur = current(
            tx,
            "SELECT id, version FROM items WHERE department_id = ?1 AND item_code = ?2 ORDER BY version DESC LIMIT 1",
            &[&dep.to_string(), &it.item_code],
        )
        .await?;
        let Some(v) = next_version(cur, &it.correction, i, "item_code", &it.item_code, problems) else { continue };
        sqlx::query(
            "INSERT INTO items (department_id, item_code, version, seq, name, content, legal_basis, qualification, \
             method, status, effective_from, published_at, replaces, correction_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(dep)
        .bind(&it.item_code)
        .bind(v.version())
        .bind(it.seq)
        .bind(&it.name)
        .bind(&it.content)
        .bind(&it.legal_basis)
        .bind(&it.qualification)
        .bind(joined(&it.method))
        .bind(if it.withdrawn { "withdrawn" } else { "active" })
        .bind(&it.effective_from)
        .bind(&it.published_at)
        .bind(v.replaces())
        .bind(correction_reason(&it.correction))
        .execute(&mut **tx)
        .await?;
        count(summary, &v);
    }
    Ok(())
}

fn count(summary: &mut ImportSummary, v: &Version) {
    match v {
        Version::First => summary.added += 1,
        Version::Next { .. } => summary.corrected += 1,
    }
}

async fn import_inspectors(
    tx: &mut Tx<'_>,
    rows: &[NewInspector],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), sqlx::Error> {
    for (i, p) in rows.iter().enumerate() {
        let Some(dep) = require_department(tx, &p.department_code, i, problems).await? else { continue };
        let cur = current(
            tx,
            "SELECT id, version FROM inspectors WHERE certificate = ? ORDER BY version DESC LIMIT 1",
            &[&p.certificate],
        )
        .await?;
        let Some(v) = next_version(cur, &p.correction, i, "certificate", &p.certificate, problems) else { continue };
        sqlx::query(
            "INSERT INTO inspectors (department_id, certificate, version, name, unit, post, qualifications, \
             valid_from, valid_until, conflicts, status, published_at, replaces, correction_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(dep)
        .bind(&p.certificate)
        .bind(v.version())
        .bind(&p.name)
        .bind(&p.unit)
        .bind(&p.post)
        .bind(joined(&p.qualifications))
        .bind(&p.valid_from)
        .bind(&p.valid_until)
        .bind(joined(&p.conflicts))
        .bind(if p.left { "left" } else { "active" })
        .bind(&p.published_at)
        .bind(v.replaces())
        .bind(correction_reason(&p.correction))
        .execute(&mut **tx)
        .await?;
        count(summary, &v);
    }
    Ok(())
}

async fn import_enterprises(
    tx: &mut Tx<'_>,
    rows: &[NewEnterprise],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), sqlx::Error> {
    // Department codes repeat across thousands of rows: look each up once.
    let mut departments: BTreeMap<&str, Option<i64>> = BTreeMap::new();
    for (i, e) in rows.iter().enumerate() {
        let dep = match departments.get(e.department_code.as_str()) {
            Some(known) => *known,
            None => {
                let id = department_id(tx, &e.department_code).await?;
                departments.insert(&e.department_code, id);
                id
            }
        };
        let Some(dep) = dep else {
            let code = &e.department_code;
            problems.add(
                i,
                "department_code",
                format!(
                    "部门代码 {code} 不存在（请先导入部门）/ no department with code {code} (import departments first)"
                ),
            );
            continue;
        };
        let code = e.credit_code.as_str();
        let cur = current(
            tx,
            "SELECT id, version FROM enterprises WHERE credit_code = ? ORDER BY version DESC LIMIT 1",
            &[code],
        )
        .await?;
        let Some(v) = next_version(cur, &e.correction, i, "credit_code", code, problems) else { continue };
        let id = sqlx::query(
            "INSERT INTO enterprises (credit_code, version, name, department_id, region, industry, licences, abnormal, \
             serious_violation, penalised, credit_class, published_at, replaces, correction_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(code)
        .bind(v.version())
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
        .bind(v.replaces())
        .bind(correction_reason(&e.correction))
        .execute(&mut **tx)
        .await?
        .last_insert_rowid();
        sqlx::query("INSERT INTO enterprise_bigrams (rowid, grams) VALUES (?, ?)")
            .bind(id)
            .bind(name_bigrams(&e.name))
            .execute(&mut **tx)
            .await?;
        count(summary, &v);
    }
    Ok(())
}

/// Every pair of adjacent characters of a name, separated by spaces: the
/// tokens of the two-character search index (as its migration computes them).
pub(super) fn name_bigrams(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    chars.windows(2).map(|w| w.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Whether the department's list has (had) an item with this code.
async fn item_exists(tx: &mut Tx<'_>, department: i64, item_code: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE department_id = ? AND item_code = ?")
        .bind(department)
        .bind(item_code)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

async fn import_plans(
    tx: &mut Tx<'_>,
    rows: &[NewPlan],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), sqlx::Error> {
    for (i, p) in rows.iter().enumerate() {
        let Some(dep) = require_department(tx, &p.department_code, i, problems).await? else { continue };
        let mut lines_ok = true;
        if p.lines.is_empty() {
            problems.add(i, "lines", "计划没有任何抽查事项 / the plan has no lines".to_owned());
            lines_ok = false;
        }
        for (k, line) in p.lines.iter().enumerate() {
            if !item_exists(tx, dep, &line.item_code).await? {
                problems.add(
                    i,
                    &format!("lines[{k}].item_code"),
                    format!(
                        "事项 {} 不在 {} 的随机抽查事项清单中 / item {} is not on the item list of department {}",
                        line.item_code, p.department_code, line.item_code, p.department_code
                    ),
                );
                lines_ok = false;
            }
        }
        let cur = current(
            tx,
            "SELECT id, version FROM plans WHERE plan_code = ? ORDER BY version DESC LIMIT 1",
            &[&p.plan_code],
        )
        .await?;
        let Some(v) = next_version(cur, &p.correction, i, "plan_code", &p.plan_code, problems) else { continue };
        if !lines_ok {
            continue;
        }
        let plan_id = sqlx::query(
            "INSERT INTO plans (department_id, plan_code, version, year, title, scope, inspector_requirements, \
             window_start, window_end, published_at, replaces, correction_reason, max_inspections_per_year, \
             min_per_stratum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(dep)
        .bind(&p.plan_code)
        .bind(v.version())
        .bind(p.year)
        .bind(&p.title)
        .bind(&p.scope)
        .bind(&p.inspector_requirements)
        .bind(&p.window_start)
        .bind(&p.window_end)
        .bind(&p.published_at)
        .bind(v.replaces())
        .bind(correction_reason(&p.correction))
        .bind(p.max_inspections_per_year)
        .bind(p.min_per_stratum)
        .execute(&mut **tx)
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
            .execute(&mut **tx)
            .await?;
        }
        count(summary, &v);
    }
    Ok(())
}

async fn import_results(
    tx: &mut Tx<'_>,
    rows: &[NewResult],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), sqlx::Error> {
    for (i, r) in rows.iter().enumerate() {
        let Some(dep) = require_department(tx, &r.department_code, i, problems).await? else { continue };
        let code = r.credit_code.as_str();
        let outcome: Option<Option<String>> = sqlx::query_scalar(
            "SELECT o.outcome FROM draws d LEFT JOIN draw_objects o ON o.draw_id = d.id AND o.credit_code = ? \
             WHERE d.id = ?",
        )
        .bind(code)
        .bind(&r.draw_id)
        .fetch_optional(&mut **tx)
        .await?;
        match outcome {
            None => {
                problems.add(i, "draw_id", format!("抽取 {} 未公布 / no published draw {}", r.draw_id, r.draw_id));
                continue;
            }
            Some(Some(o)) if o == "selected" => {}
            Some(_) => {
                problems.add(
                    i,
                    "credit_code",
                    format!("{code} 不是抽取 {} 抽中的企业 / {code} was not drawn in draw {}", r.draw_id, r.draw_id),
                );
                continue;
            }
        }
        let mut refs_ok = true;
        for item in &r.item_codes {
            if !item_exists(tx, dep, item).await? {
                problems.add(
                    i,
                    "item_codes",
                    format!(
                        "事项 {item} 不在 {} 的随机抽查事项清单中 / item {item} is not on the item list of department {}",
                        r.department_code, r.department_code
                    ),
                );
                refs_ok = false;
            }
        }
        for cert in &r.inspectors {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inspectors WHERE certificate = ?")
                .bind(cert)
                .fetch_one(&mut **tx)
                .await?;
            if n == 0 {
                problems.add(
                    i,
                    "inspectors",
                    format!(
                        "执法证号 {cert} 不在检查人员名录中 / certificate {cert} is not in the inspector directory"
                    ),
                );
                refs_ok = false;
            }
        }
        let cur = current(
            tx,
            "SELECT id, version FROM results WHERE result_code = ? ORDER BY version DESC LIMIT 1",
            &[&r.result_code],
        )
        .await?;
        let Some(v) = next_version(cur, &r.correction, i, "result_code", &r.result_code, problems) else { continue };
        if !refs_ok {
            continue;
        }
        let year: i64 = r.inspected_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        sqlx::query(
            "INSERT INTO results (result_code, version, draw_id, credit_code, enterprise_name, department_id, year, \
             item_codes, inspectors, inspected_on, reported_on, delivered_on, entered_on, category, findings, \
             rectification_deadline, rectification_status, penalty_case, published_at, replaces, correction_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&r.result_code)
        .bind(v.version())
        .bind(&r.draw_id)
        .bind(code)
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
        .bind(v.replaces())
        .bind(correction_reason(&r.correction))
        .execute(&mut **tx)
        .await?;
        count(summary, &v);
    }
    Ok(())
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
        let mut problems = Problems::default();
        let mut summary = ImportSummary::default();
        // Every version this import adds is logged in the same transaction (docs/LOG.md).
        let logged = match batch {
            Batch::Departments(_) => None, // logged by row number, below
            Batch::Items(_) => Some(Kind::Item),
            Batch::Inspectors(_) => Some(Kind::Inspector),
            Batch::Enterprises(_) => Some(Kind::Enterprise),
            Batch::Plans(_) => Some(Kind::Plan),
            Batch::Results(_) => Some(Kind::Result),
        };
        let before = match logged {
            Some(kind) => super::log::last_row(&mut tx, kind).await?,
            None => 0,
        };
        let mut departments = Vec::new();
        match batch {
            Batch::Departments(rows) => {
                departments = import_departments(&mut tx, rows, &mut problems, &mut summary).await?;
            }
            Batch::Items(rows) => import_items(&mut tx, rows, &mut problems, &mut summary).await?,
            Batch::Inspectors(rows) => import_inspectors(&mut tx, rows, &mut problems, &mut summary).await?,
            Batch::Enterprises(rows) => import_enterprises(&mut tx, rows, &mut problems, &mut summary).await?,
            Batch::Plans(rows) => import_plans(&mut tx, rows, &mut problems, &mut summary).await?,
            Batch::Results(rows) => import_results(&mut tx, rows, &mut problems, &mut summary).await?,
        }
        if !problems.0.is_empty() {
            tx.rollback().await?;
            return Err(StorageError::Rejected(problems.0));
        }
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
