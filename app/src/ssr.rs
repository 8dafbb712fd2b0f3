//! Server-side port through which the pages read published draws.
//!
//! The server's storage implements [`DrawSource`] and provides a [`Source`] as
//! Leptos context for page rendering and server functions.

use std::sync::Arc;

use crate::types::{
    Department, DepartmentDetail, DrawSummary, EnterpriseDetail, EnterpriseRow, InspectorRow, ItemRow, Latest,
    ListQuery, Paged, PlanDetail, PlanRow, ResultRow, StoredCommitment, StoredDraw,
};

/// Why storage could not read or write: the one error of every storage
/// backend, for reads (these traits) and writes (the server's `Storage`).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A value for a query, or one read back, is not the JSON it should be.
    #[error("a stored or queried value is not the JSON expected")]
    Json(#[from] serde_json::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database directory {path}: {source}")]
    Directory { path: String, source: std::io::Error },
    #[error("a draw with id {0} is already published")]
    DuplicateDraw(String),
    #[error("a draw needs a department")]
    NoDepartment,
    #[error("{} row(s) refused", .0.len())]
    Rejected(Vec<RowProblem>),
    /// The draw's record names another commitment than the one published before the randomness.
    #[error(
        "抽取 {draw_id} 记录的承诺值 {record} 与事先公布的 {published} 不同 / the record of draw {draw_id} names the \
         commitment {record}, but {published} was published before the draw"
    )]
    CommitmentDiffers { draw_id: String, published: String, record: String },
    /// Another process held the write lock for longer than the storage waits.
    #[error(
        "另一个导入或发布正在进行，等待 {0} 秒后仍未结束；本次未写入任何内容，请在它结束后重试 / \
         another import or publication is running and had not finished after {0} s; nothing was written, try again when it has finished"
    )]
    Busy(u64),
    /// The primary database (where everything is published) cannot be reached:
    /// nothing was written; pages are still read from its replicas, if any.
    #[error(
        "主数据库暂时无法连接，本次未写入任何内容；已公示的内容仍可查看，请稍后重试 / the primary database cannot be \
         reached; nothing was written (published pages can still be read), try again later"
    )]
    Unavailable,
    /// The publication log could not be written or read consistently.
    #[error("publication log: {0}")]
    Log(String),
}

/// A row of a batch that the database refuses (a reference to something that
/// does not exist, a duplicate without a correction reason…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// Index of the row in the batch (0-based; the importer maps it to a line).
    pub index: usize,
    /// The field at fault, as named in the import format.
    pub field: String,
    /// Bilingual message (Chinese first).
    pub message: String,
}

/// Read access to published draws.
#[async_trait::async_trait]
pub trait DrawSource: Send + Sync {
    /// All published draws (completed and awaiting randomness), newest first.
    async fn list_draws(&self) -> Result<Vec<DrawSummary>, StorageError>;
    /// One completed draw by id.
    async fn find_draw(&self, id: &str) -> Result<Option<StoredDraw>, StorageError>;
    /// The precomputed page view (JSON of [`crate::view::DrawView`]) of a completed draw.
    async fn find_draw_view(&self, id: &str) -> Result<Option<String>, StorageError>;
    /// A draw that is committed and still awaits its randomness, by id.
    async fn find_commitment(&self, id: &str) -> Result<Option<StoredCommitment>, StorageError>;
}

/// The draw source, as Leptos context.
#[derive(Clone)]
pub struct Source(pub Arc<dyn DrawSource>);

/// Read access to everything else the portal publishes: departments, item
/// lists, inspectors, plans, results, enterprises. Lists show the current
/// version of each record (the highest `version`); detail reads return every
/// version, newest first.
#[async_trait::async_trait]
pub trait PortalSource: Send + Sync {
    /// The latest `n` results and plans and `2 n` draws (including those awaiting randomness).
    async fn latest(&self, n: u32) -> Result<Latest, StorageError>;
    /// Every department, by hierarchy then name.
    async fn list_departments(&self) -> Result<Vec<Department>, StorageError>;
    /// One department with its sub-departments and its current items.
    async fn find_department(&self, code: &str) -> Result<Option<DepartmentDetail>, StorageError>;
    /// Current items (filter: `department`, `q`).
    async fn list_items(&self, query: &ListQuery) -> Result<Paged<ItemRow>, StorageError>;
    /// Every version of one item, newest first (empty if unknown).
    async fn item_versions(&self, department: &str, item: &str) -> Result<Vec<ItemRow>, StorageError>;
    /// Current inspectors (filters: `q` name, `department`, `unit`, `qualification`, `status`).
    async fn list_inspectors(&self, query: &ListQuery) -> Result<Paged<InspectorRow>, StorageError>;
    /// Every version of one inspector, newest first.
    async fn inspector_versions(&self, certificate: &str) -> Result<Vec<InspectorRow>, StorageError>;
    /// The public recusals in which an inspector recused or was drawn as the replacement, newest first.
    async fn inspector_recusals(&self, certificate: &str) -> Result<Vec<crate::types::RecusalRow>, StorageError>;
    /// The units and the qualifications of the current inspectors (for the filters), sorted.
    async fn inspector_facets(&self) -> Result<(Vec<String>, Vec<String>), StorageError>;
    /// Current plans (filters: `year`, `department`).
    async fn list_plans(&self, query: &ListQuery) -> Result<Paged<PlanRow>, StorageError>;
    /// One plan, every version and the draws made under it.
    async fn find_plan(&self, code: &str) -> Result<Option<PlanDetail>, StorageError>;
    /// Draws, completed and awaiting (filters: `department`, `year`, `status`, `q`).
    async fn search_draws(&self, query: &ListQuery) -> Result<Paged<DrawSummary>, StorageError>;
    /// Current results (filters: `q` name or credit code, `department`, `year`, `item`,
    /// `category`, `rectification`).
    async fn list_results(&self, query: &ListQuery) -> Result<Paged<ResultRow>, StorageError>;
    /// Every version of one result, newest first.
    async fn result_versions(&self, code: &str) -> Result<Vec<ResultRow>, StorageError>;
    /// Current enterprises (filters: `q` name or credit code, `department`).
    async fn list_enterprises(&self, query: &ListQuery) -> Result<Paged<EnterpriseRow>, StorageError>;
    /// One enterprise with its history, draws and results.
    async fn find_enterprise(&self, credit_code: &str) -> Result<Option<EnterpriseDetail>, StorageError>;
    /// The current directory names of these enterprises (by credit code) and
    /// inspectors (by certificate number); codes not in a directory are left out.
    async fn directory_names(
        &self,
        credit_codes: &[String],
        certificates: &[String],
    ) -> Result<crate::view::DirectoryNames, StorageError>;
    /// The plan of a published draw and the current results of its inspections.
    async fn draw_links(&self, draw_id: &str) -> Result<crate::view::DrawLinks, StorageError>;
    /// The working-day calendar: the current version of every published year, by year.
    async fn calendar_years(&self) -> Result<Vec<crate::calendar::PublishedYear>, StorageError>;
    /// The facts behind the published feedback counts: every feedback code of a
    /// current result (filters: department code, year, an inspector's
    /// certificate), with its latest submission if that one's window closed
    /// before `closed_before` (a `YYYY-MM-DD` date).
    async fn feedback_facts(
        &self,
        department: Option<&str>,
        year: Option<i64>,
        certificate: Option<&str>,
        closed_before: &str,
    ) -> Result<Vec<crate::feedback::FeedbackFact>, StorageError>;
    /// Demo mode only: the codes a visitor may try the feedback form with (none in a real portal).
    async fn demo_feedback_codes(&self) -> Result<Vec<crate::feedback::DemoCode>, StorageError>;
    /// The department-years with something to report (a plan, draw, result or
    /// declared report of that year), newest year first.
    async fn report_keys(&self) -> Result<Vec<(crate::report::DepartmentRef, i64)>, StorageError>;
    /// What a department-year's execution report is computed from; `None` for an unknown department.
    async fn report_rows(&self, department: &str, year: i64)
    -> Result<Option<crate::report::ReportRows>, StorageError>;
    /// This year's figures for each of `years` (a year without results has zeros).
    async fn year_figures(&self, years: &[i64]) -> Result<Vec<crate::types::YearFigures>, StorageError>;
    /// The current names of the items with these codes, in every department that has one.
    async fn item_names(&self, codes: &[String]) -> Result<Vec<crate::types::ItemName>, StorageError>;
    /// A mark that changes whenever something a report is computed from is
    /// published (records are append-only, so the newest row of each table tells).
    async fn publication_mark(&self) -> Result<String, StorageError>;
    /// The publication log's entry for version `version` of `kind` `key`
    /// (docs/LOG.md: kinds `draw-commitment`, `draw`, `item`, …), if logged.
    async fn log_entry(
        &self,
        kind: &str,
        key: &str,
        version: i64,
    ) -> Result<Option<crate::types::LogEntryView>, StorageError>;
}

/// The portal source, as Leptos context.
#[derive(Clone)]
pub struct Portal(pub Arc<dyn PortalSource>);

/// The Content-Security-Policy nonce of one response, put into the request's
/// extensions by the server; the shell gives it to Leptos's hydration script.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);
