//! Server-side port through which the pages read published draws.
//!
//! The server's storage implements [`DrawSource`] and provides a [`Source`] as
//! Leptos context for page rendering and server functions.

use std::sync::Arc;

use crate::types::{
    Department, DepartmentDetail, DrawSummary, EnterpriseDetail, EnterpriseRow, InspectorRow, ItemRow, Latest,
    ListQuery, Paged, PlanDetail, PlanRow, ResultRow, StoredCommitment, StoredDraw,
};

pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// Read access to published draws.
#[async_trait::async_trait]
pub trait DrawSource: Send + Sync {
    /// All published draws (completed and awaiting randomness), newest first.
    async fn list_draws(&self) -> Result<Vec<DrawSummary>, SourceError>;
    /// One completed draw by id.
    async fn find_draw(&self, id: &str) -> Result<Option<StoredDraw>, SourceError>;
    /// The precomputed page view (JSON of [`crate::view::DrawView`]) of a completed draw.
    async fn find_draw_view(&self, id: &str) -> Result<Option<String>, SourceError>;
    /// A draw that is committed and still awaits its randomness, by id.
    async fn find_commitment(&self, id: &str) -> Result<Option<StoredCommitment>, SourceError>;
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
    async fn latest(&self, n: u32) -> Result<Latest, SourceError>;
    /// Every department, by hierarchy then name.
    async fn list_departments(&self) -> Result<Vec<Department>, SourceError>;
    /// One department with its sub-departments and its current items.
    async fn find_department(&self, code: &str) -> Result<Option<DepartmentDetail>, SourceError>;
    /// Current items (filter: `department`, `q`).
    async fn list_items(&self, query: &ListQuery) -> Result<Paged<ItemRow>, SourceError>;
    /// Every version of one item, newest first (empty if unknown).
    async fn item_versions(&self, department: &str, item: &str) -> Result<Vec<ItemRow>, SourceError>;
    /// Current inspectors (filters: `q` name, `department`, `unit`, `qualification`, `status`).
    async fn list_inspectors(&self, query: &ListQuery) -> Result<Paged<InspectorRow>, SourceError>;
    /// Every version of one inspector, newest first.
    async fn inspector_versions(&self, certificate: &str) -> Result<Vec<InspectorRow>, SourceError>;
    /// The units and the qualifications of the current inspectors (for the filters), sorted.
    async fn inspector_facets(&self) -> Result<(Vec<String>, Vec<String>), SourceError>;
    /// Current plans (filters: `year`, `department`).
    async fn list_plans(&self, query: &ListQuery) -> Result<Paged<PlanRow>, SourceError>;
    /// One plan, every version and the draws made under it.
    async fn find_plan(&self, code: &str) -> Result<Option<PlanDetail>, SourceError>;
    /// Draws, completed and awaiting (filters: `department`, `year`, `status`, `q`).
    async fn search_draws(&self, query: &ListQuery) -> Result<Paged<DrawSummary>, SourceError>;
    /// Current results (filters: `q` name or credit code, `department`, `year`, `item`,
    /// `category`, `rectification`).
    async fn list_results(&self, query: &ListQuery) -> Result<Paged<ResultRow>, SourceError>;
    /// Every version of one result, newest first.
    async fn result_versions(&self, code: &str) -> Result<Vec<ResultRow>, SourceError>;
    /// Current enterprises (filters: `q` name or credit code, `department`).
    async fn list_enterprises(&self, query: &ListQuery) -> Result<Paged<EnterpriseRow>, SourceError>;
    /// One enterprise with its history, draws and results.
    async fn find_enterprise(&self, credit_code: &str) -> Result<Option<EnterpriseDetail>, SourceError>;
}

/// The portal source, as Leptos context.
#[derive(Clone)]
pub struct Portal(pub Arc<dyn PortalSource>);

/// The Content-Security-Policy nonce of one response, put into the request's
/// extensions by the server; the shell gives it to Leptos's hydration script.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);
