//! Imports (all or nothing), decided once for every backend: which rows are
//! refused and why (unknown departments, items, inspectors, draws; a key
//! already published without a correction reason, or a correction of
//! nothing), and which version each stored row becomes.
//!
//! A backend only persists and reads, through [`ImportTables`], within the
//! import's own transaction; it commits when [`rows`] returns
//! [`Imported::Stored`] and rolls back on [`Imported::Rejected`]
//! (`storage::sqlite::write` does this, and appends the log).

use std::collections::{BTreeMap, BTreeSet};

use crate::log::Kind;
use crate::storage::{
    Batch, Correction, ImportSummary, NewDepartment, NewEnterprise, NewInspector, NewItem, NewPlan, NewResult,
    RowProblem, StorageError,
};

/// A department as registered: what a department row of a batch is compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RegisteredDepartment {
    pub name: String,
    /// `None` for a department created by a draw and not imported yet.
    pub level: Option<String>,
    pub parent_id: Option<i64>,
}

/// The latest stored version of a key (item, inspector, enterprise, plan, result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Latest {
    /// The row id of that version.
    pub id: i64,
    pub version: i64,
}

/// Where a new row goes in its key's history, as stored with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RowVersion<'a> {
    /// 1 for a first publication, else the latest version + 1.
    pub version: i64,
    /// The row id of the version it corrects (`None` for a first publication).
    pub replaces: Option<i64>,
    /// Why, as given (`None` for a first publication).
    pub correction_reason: Option<&'a str>,
}

/// An enterprise version decided and not stored yet ([`ImportTables::insert_enterprises`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PendingEnterprise<'a> {
    pub department: i64,
    pub enterprise: &'a NewEnterprise,
    pub version: RowVersion<'a>,
}

/// How many enterprise rows an import decides and stores at once.
const ENTERPRISE_CHUNK: usize = 1_000;

/// The tables an import reads and writes, as a backend keeps them: every
/// method runs in the caller's transaction (the import's), sees what earlier
/// calls wrote, and returns plain values. Storage persists and reads; what is
/// refused and which version is stored is decided here, in [`rows`].
///
/// The stored forms shared by every backend: lists are [`joined`]; an item's
/// status is [`item_status`], an inspector's [`inspector_status`]; a level,
/// a rectification status, a credit class are written as their text
/// (`as_str`, `to_string`).
#[async_trait::async_trait]
pub(crate) trait ImportTables: Send {
    /// Reads the id of the department with this code (`departments.code`).
    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError>;

    /// Reads the name, level and parent id of the department with this code.
    async fn department_by_code(&mut self, code: &str) -> Result<Option<RegisteredDepartment>, StorageError>;

    /// Reads the id and code (`None` when it has none) of the department with this name.
    async fn department_by_name(&mut self, name: &str) -> Result<Option<(i64, Option<String>)>, StorageError>;

    /// Completes the department `id` (created by a draw, without a code):
    /// sets its code, level, parent (`parent`) and `published_at` from `department`.
    async fn complete_department(
        &mut self,
        id: i64,
        department: &NewDepartment,
        parent: Option<i64>,
    ) -> Result<(), StorageError>;

    /// Adds a department (name, parent `parent`, code, level, published_at); returns its id.
    async fn insert_department(&mut self, department: &NewDepartment, parent: Option<i64>)
    -> Result<i64, StorageError>;

    /// Reads the latest version of the item `item_code` of department `department` (`items`).
    async fn latest_item(&mut self, department: i64, item_code: &str) -> Result<Option<Latest>, StorageError>;

    /// Adds a version of an item to `items`: department `department`, the
    /// item's code, `version`, seq, name, content, legal basis, qualification,
    /// methods ([`joined`]), status ([`item_status`]), effective_from,
    /// published_at, `replaces` and `correction_reason`.
    async fn insert_item(
        &mut self,
        department: i64,
        item: &NewItem,
        version: RowVersion<'_>,
    ) -> Result<(), StorageError>;

    /// Reads the latest version of the inspector with this certificate (`inspectors`).
    async fn latest_inspector(&mut self, certificate: &str) -> Result<Option<Latest>, StorageError>;

    /// Adds a version of an inspector to `inspectors`: department `department`,
    /// certificate, `version`, name, unit, post, qualifications ([`joined`]),
    /// valid_from, valid_until, conflicts ([`joined`]), status
    /// ([`inspector_status`]), published_at, `replaces` and `correction_reason`.
    async fn insert_inspector(
        &mut self,
        department: i64,
        inspector: &NewInspector,
        version: RowVersion<'_>,
    ) -> Result<(), StorageError>;

    /// Reads the latest version of the enterprise with this credit code (`enterprises`).
    /// Called once per row of a batch of up to millions: one indexed lookup.
    async fn latest_enterprise(&mut self, credit_code: &str) -> Result<Option<Latest>, StorageError>;

    /// Adds a version of an enterprise to `enterprises` (credit code,
    /// `version`, name, department `department`, region, industry, licences
    /// ([`joined`]), abnormal, serious_violation, penalised, credit class,
    /// published_at, `replaces`, `correction_reason`), and its name to the
    /// backend's name search index (the two-character one the enterprise
    /// search reads) under the new row's id.
    async fn insert_enterprise(
        &mut self,
        department: i64,
        enterprise: &NewEnterprise,
        version: RowVersion<'_>,
    ) -> Result<(), StorageError>;

    /// [`ImportTables::latest_enterprise`] for many credit codes at once: the
    /// latest version of each code that has one. A backend whose every
    /// statement is a network round trip (PostgreSQL) answers it in one;
    /// the default asks once per code.
    async fn latest_enterprises(&mut self, credit_codes: &[&str]) -> Result<BTreeMap<String, Latest>, StorageError> {
        let mut found = BTreeMap::new();
        for code in credit_codes {
            if let Some(latest) = self.latest_enterprise(code).await? {
                found.insert((*code).to_owned(), latest);
            }
        }
        Ok(found)
    }

    /// [`ImportTables::insert_enterprise`] for many rows at once, stored in
    /// this order (so numbered as if inserted one by one); no two rows have
    /// the same credit code. The default inserts them one by one.
    async fn insert_enterprises(&mut self, rows: &[PendingEnterprise<'_>]) -> Result<(), StorageError> {
        for row in rows {
            self.insert_enterprise(row.department, row.enterprise, row.version).await?;
        }
        Ok(())
    }

    /// Whether department `department`'s list has (had) an item with this code, in any version.
    async fn item_exists(&mut self, department: i64, item_code: &str) -> Result<bool, StorageError>;

    /// Reads the latest version of the plan with this code (`plans`).
    async fn latest_plan(&mut self, plan_code: &str) -> Result<Option<Latest>, StorageError>;

    /// Adds a version of a plan to `plans` (department `department`, plan
    /// code, `version`, year, title, scope, inspector requirements, window
    /// start and end, published_at, `replaces`, `correction_reason`,
    /// max_inspections_per_year, min_per_stratum) and its lines to
    /// `plan_lines` under the new plan's id, numbered 1, 2… in order.
    async fn insert_plan(
        &mut self,
        department: i64,
        plan: &NewPlan,
        version: RowVersion<'_>,
    ) -> Result<(), StorageError>;

    /// The outcome of the enterprise `credit_code` in the published draw
    /// `draw_id`: `None` when no such draw is published, `Some(None)` when
    /// the enterprise is not among the draw's objects, else `Some(Some(outcome))`
    /// (`draw_objects.outcome`, e.g. `selected`).
    async fn draw_outcome(&mut self, draw_id: &str, credit_code: &str) -> Result<Option<Option<String>>, StorageError>;

    /// Whether an inspector with this certificate is in the directory, in any version.
    async fn inspector_exists(&mut self, certificate: &str) -> Result<bool, StorageError>;

    /// Reads the latest version of the result with this code (`results`).
    async fn latest_result(&mut self, result_code: &str) -> Result<Option<Latest>, StorageError>;

    /// Adds a version of a result to `results` (result code, `version`,
    /// draw id, credit code, enterprise name, department `department`,
    /// `year`, item codes and inspectors ([`joined`]), inspected_on,
    /// reported_on, delivered_on, entered_on, category, findings,
    /// rectification deadline and status, penalty case, published_at,
    /// `replaces`, `correction_reason`).
    async fn insert_result(
        &mut self,
        department: i64,
        result: &NewResult,
        year: i64,
        version: RowVersion<'_>,
    ) -> Result<(), StorageError>;
}

/// A list as stored: its values separated by `;`.
pub(crate) fn joined(list: &[String]) -> String {
    list.join(";")
}

/// An item's status as stored.
pub(crate) fn item_status(item: &NewItem) -> &'static str {
    if item.withdrawn { "withdrawn" } else { "active" }
}

/// An inspector's status as stored.
pub(crate) fn inspector_status(inspector: &NewInspector) -> &'static str {
    if inspector.left { "left" } else { "active" }
}

/// The log kind of the versions a batch adds, logged after its rows with
/// `append_rows_after`; `None` for departments, logged by the row ids
/// [`Imported::Stored`] returns.
pub(crate) fn logged_kind(batch: &Batch) -> Option<Kind> {
    match batch {
        Batch::Departments(_) => None,
        Batch::Items(_) => Some(Kind::Item),
        Batch::Inspectors(_) => Some(Kind::Inspector),
        Batch::Enterprises(_) => Some(Kind::Enterprise),
        Batch::Plans(_) => Some(Kind::Plan),
        Batch::Results(_) => Some(Kind::Result),
    }
}

/// What a batch came to.
#[derive(Debug)]
pub(crate) enum Imported {
    /// Every row is written (in the caller's transaction, to commit).
    Stored {
        summary: ImportSummary,
        /// The ids of the departments published (to log).
        departments: Vec<i64>,
    },
    /// Some rows are refused, every one reported, in batch order: roll back.
    Rejected(Vec<RowProblem>),
}

/// Checks and writes a batch's rows, in the caller's transaction.
pub(crate) async fn rows(tables: &mut (impl ImportTables + ?Sized), batch: &Batch) -> Result<Imported, StorageError> {
    let mut problems = Problems::default();
    let mut summary = ImportSummary::default();
    let mut departments = Vec::new();
    match batch {
        Batch::Departments(rows) => {
            departments = import_departments(tables, rows, &mut problems, &mut summary).await?;
        }
        Batch::Items(rows) => import_items(tables, rows, &mut problems, &mut summary).await?,
        Batch::Inspectors(rows) => import_inspectors(tables, rows, &mut problems, &mut summary).await?,
        Batch::Enterprises(rows) => import_enterprises(tables, rows, &mut problems, &mut summary).await?,
        Batch::Plans(rows) => import_plans(tables, rows, &mut problems, &mut summary).await?,
        Batch::Results(rows) => import_results(tables, rows, &mut problems, &mut summary).await?,
    }
    if !problems.0.is_empty() {
        return Ok(Imported::Rejected(problems.0));
    }
    Ok(Imported::Stored { summary, departments })
}

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
    /// The row's version as stored, with its correction's reason.
    fn stored<'a>(&self, correction: &'a Option<Correction>) -> RowVersion<'a> {
        RowVersion {
            version: self.version(),
            replaces: self.replaces(),
            correction_reason: correction_reason(correction),
        }
    }
}

/// Decides the version of a row from the current (id, version) of its key.
/// A row for an existing key must say why it corrects it; a correction of
/// nothing is refused too, so that a typo in a key is not silently a new record.
fn next_version(
    current: Option<Latest>,
    correction: &Option<Correction>,
    index: usize,
    key_field: &str,
    key: &str,
    problems: &mut Problems,
) -> Option<Version> {
    match (current.map(|l| (l.id, l.version)), correction) {
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

/// Records that a row names an unknown department.
fn unknown_department(code: &str, index: usize, problems: &mut Problems) {
    problems.add(
        index,
        "department_code",
        format!("部门代码 {code} 不存在（请先导入部门）/ no department with code {code} (import departments first)"),
    );
}

/// Looks up a department, recording a problem when it is unknown.
async fn require_department(
    tables: &mut (impl ImportTables + ?Sized),
    code: &str,
    index: usize,
    problems: &mut Problems,
) -> Result<Option<i64>, StorageError> {
    let id = tables.department_id(code).await?;
    if id.is_none() {
        unknown_department(code, index, problems);
    }
    Ok(id)
}

fn correction_reason(c: &Option<Correction>) -> Option<&str> {
    c.as_ref().map(|c| c.reason.as_str())
}

fn count(summary: &mut ImportSummary, v: &Version) {
    match v {
        Version::First => summary.added += 1,
        Version::Next { .. } => summary.corrected += 1,
    }
}

/// Imports departments; returns the row numbers of those it published (to log).
async fn import_departments(
    tables: &mut (impl ImportTables + ?Sized),
    rows: &[NewDepartment],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<Vec<i64>, StorageError> {
    let mut published = Vec::new();
    for (i, d) in rows.iter().enumerate() {
        let parent = match &d.parent_code {
            None => None,
            Some(code) => match tables.department_id(code).await? {
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
        if let Some(registered) = tables.department_by_code(&d.code).await? {
            let same = registered.name == d.name
                && registered.level.as_deref() == Some(d.level.as_str())
                && registered.parent_id == parent;
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
        match tables.department_by_name(&d.name).await? {
            // Created by publishing a draw before departments were imported: complete it.
            Some((id, None)) => {
                tables.complete_department(id, d, parent).await?;
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
                let id = tables.insert_department(d, parent).await?;
                published.push(id);
                summary.added += 1;
            }
        }
    }
    Ok(published)
}

async fn import_items(
    tables: &mut (impl ImportTables + ?Sized),
    rows: &[NewItem],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), StorageError> {
    for (i, it) in rows.iter().enumerate() {
        let Some(dep) = require_department(tables, &it.department_code, i, problems).await? else { continue };
        let cur = tables.latest_item(dep, &it.item_code).await?;
        let Some(v) = next_version(cur, &it.correction, i, "item_code", &it.item_code, problems) else { continue };
        tables.insert_item(dep, it, v.stored(&it.correction)).await?;
        count(summary, &v);
    }
    Ok(())
}

async fn import_inspectors(
    tables: &mut (impl ImportTables + ?Sized),
    rows: &[NewInspector],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), StorageError> {
    for (i, p) in rows.iter().enumerate() {
        let Some(dep) = require_department(tables, &p.department_code, i, problems).await? else { continue };
        let cur = tables.latest_inspector(&p.certificate).await?;
        let Some(v) = next_version(cur, &p.correction, i, "certificate", &p.certificate, problems) else { continue };
        tables.insert_inspector(dep, p, v.stored(&p.correction)).await?;
        count(summary, &v);
    }
    Ok(())
}

async fn import_enterprises(
    tables: &mut (impl ImportTables + ?Sized),
    rows: &[NewEnterprise],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), StorageError> {
    // Department codes repeat across thousands of rows: look each up once.
    let mut departments: BTreeMap<&str, Option<i64>> = BTreeMap::new();
    // Decided in chunks: the latest versions of a chunk's credit codes read at
    // once, its new rows stored at once. A code that comes back within the
    // import (a correction of a row of the same import) is decided only after
    // what the import stored before it, read again one by one.
    let mut stored_here: BTreeSet<&str> = BTreeSet::new();
    for (c, chunk) in rows.chunks(ENTERPRISE_CHUNK).enumerate() {
        let codes: Vec<&str> = chunk.iter().map(|e| e.credit_code.as_str()).collect();
        let latest = tables.latest_enterprises(&codes).await?;
        let mut pending: Vec<PendingEnterprise<'_>> = Vec::new();
        let mut pending_codes: BTreeSet<&str> = BTreeSet::new();
        for (k, e) in chunk.iter().enumerate() {
            let i = c * ENTERPRISE_CHUNK + k;
            let dep = match departments.get(e.department_code.as_str()) {
                Some(known) => *known,
                None => {
                    let id = tables.department_id(&e.department_code).await?;
                    departments.insert(&e.department_code, id);
                    id
                }
            };
            let Some(dep) = dep else {
                unknown_department(&e.department_code, i, problems);
                continue;
            };
            let code = e.credit_code.as_str();
            let cur = if stored_here.contains(code) {
                if pending_codes.contains(code) {
                    tables.insert_enterprises(&pending).await?;
                    pending.clear();
                    pending_codes.clear();
                }
                tables.latest_enterprise(code).await?
            } else {
                latest.get(code).copied()
            };
            let Some(v) = next_version(cur, &e.correction, i, "credit_code", code, problems) else { continue };
            pending.push(PendingEnterprise { department: dep, enterprise: e, version: v.stored(&e.correction) });
            pending_codes.insert(code);
            stored_here.insert(code);
            count(summary, &v);
        }
        tables.insert_enterprises(&pending).await?;
    }
    Ok(())
}

async fn import_plans(
    tables: &mut (impl ImportTables + ?Sized),
    rows: &[NewPlan],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), StorageError> {
    for (i, p) in rows.iter().enumerate() {
        let Some(dep) = require_department(tables, &p.department_code, i, problems).await? else { continue };
        let mut lines_ok = true;
        if p.lines.is_empty() {
            problems.add(i, "lines", "计划没有任何抽查事项 / the plan has no lines".to_owned());
            lines_ok = false;
        }
        for (k, line) in p.lines.iter().enumerate() {
            if !tables.item_exists(dep, &line.item_code).await? {
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
        let cur = tables.latest_plan(&p.plan_code).await?;
        let Some(v) = next_version(cur, &p.correction, i, "plan_code", &p.plan_code, problems) else { continue };
        if !lines_ok {
            continue;
        }
        tables.insert_plan(dep, p, v.stored(&p.correction)).await?;
        count(summary, &v);
    }
    Ok(())
}

async fn import_results(
    tables: &mut (impl ImportTables + ?Sized),
    rows: &[NewResult],
    problems: &mut Problems,
    summary: &mut ImportSummary,
) -> Result<(), StorageError> {
    for (i, r) in rows.iter().enumerate() {
        let Some(dep) = require_department(tables, &r.department_code, i, problems).await? else { continue };
        let code = r.credit_code.as_str();
        match tables.draw_outcome(&r.draw_id, code).await? {
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
            if !tables.item_exists(dep, item).await? {
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
            if !tables.inspector_exists(cert).await? {
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
        let cur = tables.latest_result(&r.result_code).await?;
        let Some(v) = next_version(cur, &r.correction, i, "result_code", &r.result_code, problems) else { continue };
        if !refs_ok {
            continue;
        }
        let year: i64 = r.inspected_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        tables.insert_result(dep, r, year, v.stored(&r.correction)).await?;
        count(summary, &v);
    }
    Ok(())
}
