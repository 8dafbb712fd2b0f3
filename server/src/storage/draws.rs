//! Storing verified draws and commitments, decided once for every backend:
//! a draw needs a department chain (found or created by name, top-level
//! first), an id not published yet, and the value of the commitment
//! published before it, if any (whose plan it carries out unless it names
//! its own); a commitment needs a registered department, the one its input
//! draws for, and an id used by no commitment and no draw.
//!
//! A backend only persists and reads, through [`DrawTables`], within its
//! own publishing transaction; it appends the publication's log entry and
//! commits when [`draw_rows`] or [`commitment_rows`] return `Ok`, and rolls
//! back otherwise (`storage::sqlite::write` and `storage::postgres::write`).

use crate::publish::{VerifiedCommitment, VerifiedDraw};
use crate::storage::{RowProblem, StorageError};

/// The tables a draw or a commitment is stored in, as a backend keeps them:
/// every method runs in the caller's transaction, sees what earlier calls
/// wrote, and returns plain values. What is refused is decided here.
#[async_trait::async_trait]
pub(crate) trait DrawTables: Send {
    /// Reads the id of the department with this name (`departments.name`).
    async fn department_by_name(&mut self, name: &str) -> Result<Option<i64>, StorageError>;

    /// Adds a department known by its name only (no code, level or
    /// publication time: a draw names it before departments are imported),
    /// under `parent`; returns its id.
    async fn insert_department(&mut self, name: &str, parent: Option<i64>) -> Result<i64, StorageError>;

    /// Whether a draw with this id is published (`draws`).
    async fn draw_exists(&mut self, draw_id: &str) -> Result<bool, StorageError>;

    /// The commitment value and plan code of the commitment published for
    /// this draw id, if any (`draw_commitments`).
    async fn commitment_of(&mut self, draw_id: &str) -> Result<Option<(String, Option<String>)>, StorageError>;

    /// Adds the draw to `draws` (its summary's id, title, draw date,
    /// commitment, committed_at and published_at; department `department`;
    /// the record and view JSON; `plan_code`), its objects to `draw_objects`
    /// and its recusals to `draw_recusals` (numbered 1, 2… in order).
    async fn insert_draw_rows(
        &mut self,
        department: i64,
        draw: &VerifiedDraw,
        plan_code: Option<&str>,
    ) -> Result<(), StorageError>;

    /// Reads the id of the department with this code (`departments.code`).
    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError>;

    /// Reads the name of the department `id` (which exists).
    async fn department_name(&mut self, id: i64) -> Result<String, StorageError>;

    /// Whether a commitment or a draw with this id is published.
    async fn commitment_or_draw_exists(&mut self, draw_id: &str) -> Result<bool, StorageError>;

    /// Adds the commitment to `draw_commitments` under department `department`
    /// (draw id, plan code, title, draw date, commitment, input JSON, committed_at).
    async fn insert_commitment_row(
        &mut self,
        department: i64,
        commitment: &VerifiedCommitment,
    ) -> Result<(), StorageError>;
}

/// What is refused of a draw before any table is read: a draw without a
/// department ([`StorageError::NoDepartment`]). Backends call it before
/// opening their transaction; [`draw_rows`] checks it again.
pub(crate) fn check_draw(draw: &VerifiedDraw) -> Result<(), StorageError> {
    if draw.department_path.is_empty() {
        return Err(StorageError::NoDepartment);
    }
    Ok(())
}

/// Finds or creates the department chain of a draw (top-level first); returns the last id.
async fn department_chain(
    tables: &mut (impl DrawTables + ?Sized),
    path: &[String],
) -> Result<Option<i64>, StorageError> {
    let mut parent: Option<i64> = None;
    for name in path {
        let id = match tables.department_by_name(name).await? {
            Some(id) => id,
            None => tables.insert_department(name, parent).await?,
        };
        parent = Some(id);
    }
    Ok(parent)
}

/// Checks and writes a verified draw's rows, in the caller's transaction.
pub(crate) async fn draw_rows(
    tables: &mut (impl DrawTables + ?Sized),
    draw: &VerifiedDraw,
) -> Result<(), StorageError> {
    check_draw(draw)?;
    let summary = &draw.summary;
    let Some(department) = department_chain(tables, &draw.department_path).await? else {
        return Err(StorageError::NoDepartment);
    };
    if tables.draw_exists(&summary.id).await? {
        return Err(StorageError::DuplicateDraw(summary.id.clone()));
    }
    let committed = tables.commitment_of(&summary.id).await?;
    // A draw carries out the plan its commitment named, unless it says otherwise.
    let plan_code = draw.plan_code.clone().or_else(|| committed.as_ref().and_then(|c| c.1.clone()));
    if let Some(published) = committed.map(|c| c.0).filter(|c| *c != summary.commitment) {
        return Err(StorageError::CommitmentDiffers {
            draw_id: summary.id.clone(),
            published,
            record: summary.commitment.clone(),
        });
    }
    tables.insert_draw_rows(department, draw, plan_code.as_deref()).await
}

/// A commitment refused for its department code.
fn department_problem(message: String) -> StorageError {
    StorageError::Rejected(vec![RowProblem { index: 0, field: "department_code".to_owned(), message }])
}

/// Checks and writes a verified commitment's row, in the caller's transaction.
pub(crate) async fn commitment_rows(
    tables: &mut (impl DrawTables + ?Sized),
    c: &VerifiedCommitment,
) -> Result<(), StorageError> {
    let Some(department) = tables.department_id(&c.department_code).await? else {
        return Err(department_problem(format!(
            "部门代码 {} 不存在 / no department with code {}",
            c.department_code, c.department_code
        )));
    };
    // The draw will be published under the department the input names: the
    // commitment must be listed under that same department.
    let name = tables.department_name(department).await?;
    if name != c.department_name {
        return Err(department_problem(format!(
            "部门代码 {} 是{name}，而输入的抽取部门是{} / department code {} is {name}, but the input's drawing \
             department is {}",
            c.department_code, c.department_name, c.department_code, c.department_name
        )));
    }
    if tables.commitment_or_draw_exists(&c.draw_id).await? {
        return Err(StorageError::DuplicateDraw(c.draw_id.clone()));
    }
    tables.insert_commitment_row(department, c).await
}
