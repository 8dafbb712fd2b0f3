//! Server functions of the portal's list and detail pages, one per page (its
//! data is read in one call while the page is rendered on the server).

use leptos::prelude::*;

use crate::types::{
    Department, DepartmentDetail, DrawSummary, EnterpriseDetail, EnterpriseRow, Home, InspectorRow, ItemName, ItemRow,
    ListQuery, Paged, PlanDetail, PlanRow, ResultRow,
};

#[cfg(feature = "ssr")]
pub(crate) fn portal() -> Result<crate::ssr::Portal, ServerFnError> {
    use_context::<crate::ssr::Portal>().ok_or_else(|| {
        tracing::error!("no portal source in context");
        ServerFnError::new(super::UNAVAILABLE)
    })
}

/// The home page: the latest draws, results and plans, this year's and last
/// year's figures, and the next draw awaiting its randomness.
#[server]
pub async fn home_page() -> Result<Home, ServerFnError> {
    let p = portal()?;
    let latest = p.0.latest(5).await.map_err(super::unavailable)?;
    let home = super::reports::service()?
        .0
        .home(p.0.as_ref(), super::source()?.0.as_ref())
        .await
        .map_err(super::unavailable)?;
    Ok(Home { latest, figures: home.figures.clone(), next_draw: home.next_draw.clone() })
}

/// Every version of one result (empty if unknown), with the current names of its items.
#[server]
pub async fn result_page(code: String) -> Result<(Vec<ResultRow>, Vec<ItemName>), ServerFnError> {
    let p = portal()?;
    let versions = p.0.result_versions(&code).await.map_err(super::unavailable)?;
    let mut codes: Vec<String> = versions
        .iter()
        .flat_map(|v| v.item_codes.split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned))
        .collect();
    codes.sort();
    codes.dedup();
    let names = p.0.item_names(&codes).await.map_err(super::unavailable)?;
    Ok((versions, names))
}

/// The publication log's entry for a version of a record (docs/LOG.md), if logged.
#[server]
pub async fn log_entry(
    kind: String,
    key: String,
    version: i64,
) -> Result<Option<crate::types::LogEntryView>, ServerFnError> {
    portal()?.0.log_entry(&kind, &key, version).await.map_err(super::unavailable)
}

/// Every department (hierarchy).
#[server]
pub async fn departments_page() -> Result<Vec<Department>, ServerFnError> {
    portal()?.0.list_departments().await.map_err(super::unavailable)
}

/// One department, `None` if unknown.
#[server]
pub async fn department_page(code: String) -> Result<Option<DepartmentDetail>, ServerFnError> {
    portal()?.0.find_department(&code).await.map_err(super::unavailable)
}

/// Items with the departments (for the filter).
#[server]
pub async fn items_page(query: ListQuery) -> Result<(Paged<ItemRow>, Vec<Department>), ServerFnError> {
    let p = portal()?;
    let items = p.0.list_items(&query).await.map_err(super::unavailable)?;
    let departments = p.0.list_departments().await.map_err(super::unavailable)?;
    Ok((items, departments))
}

/// Every version of one item (empty if unknown).
#[server]
pub async fn item_page(department: String, item: String) -> Result<Vec<ItemRow>, ServerFnError> {
    portal()?.0.item_versions(&department, &item).await.map_err(super::unavailable)
}

/// What the inspector directory shows: a page, the departments, the units and the qualifications.
pub type InspectorsData = (Paged<InspectorRow>, Vec<Department>, Vec<String>, Vec<String>);

/// Inspectors with the values of the filters.
#[server]
pub async fn inspectors_page(query: ListQuery) -> Result<InspectorsData, ServerFnError> {
    let p = portal()?;
    let list = p.0.list_inspectors(&query).await.map_err(super::unavailable)?;
    let departments = p.0.list_departments().await.map_err(super::unavailable)?;
    let (units, qualifications) = p.0.inspector_facets().await.map_err(super::unavailable)?;
    Ok((list, departments, units, qualifications))
}

/// Every version of one inspector (empty if unknown).
#[server]
pub async fn inspector_page(
    certificate: String,
) -> Result<(Vec<InspectorRow>, Vec<crate::types::RecusalRow>), ServerFnError> {
    let p = portal()?;
    let versions = p.0.inspector_versions(&certificate).await.map_err(super::unavailable)?;
    let recusals = p.0.inspector_recusals(&certificate).await.map_err(super::unavailable)?;
    Ok((versions, recusals))
}

/// Plans with the departments.
#[server]
pub async fn plans_page(query: ListQuery) -> Result<(Paged<PlanRow>, Vec<Department>), ServerFnError> {
    let p = portal()?;
    let list = p.0.list_plans(&query).await.map_err(super::unavailable)?;
    let departments = p.0.list_departments().await.map_err(super::unavailable)?;
    Ok((list, departments))
}

/// One plan, `None` if unknown.
#[server]
pub async fn plan_page(code: String) -> Result<Option<PlanDetail>, ServerFnError> {
    portal()?.0.find_plan(&code).await.map_err(super::unavailable)
}

/// Draws with the departments.
#[server]
pub async fn draws_page(query: ListQuery) -> Result<(Paged<DrawSummary>, Vec<Department>), ServerFnError> {
    let p = portal()?;
    let list = p.0.search_draws(&query).await.map_err(super::unavailable)?;
    let departments = p.0.list_departments().await.map_err(super::unavailable)?;
    Ok((list, departments))
}

/// Results with the departments.
#[server]
pub async fn results_page(query: ListQuery) -> Result<(Paged<ResultRow>, Vec<Department>), ServerFnError> {
    let p = portal()?;
    let list = p.0.list_results(&query).await.map_err(super::unavailable)?;
    let departments = p.0.list_departments().await.map_err(super::unavailable)?;
    Ok((list, departments))
}

/// Enterprises matching a search.
#[server]
pub async fn enterprises_page(query: ListQuery) -> Result<(Paged<EnterpriseRow>, Vec<Department>), ServerFnError> {
    let p = portal()?;
    let list = p.0.list_enterprises(&query).await.map_err(super::unavailable)?;
    let departments = p.0.list_departments().await.map_err(super::unavailable)?;
    Ok((list, departments))
}

/// One enterprise, `None` if unknown.
#[server]
pub async fn enterprise_page(code: String) -> Result<Option<EnterpriseDetail>, ServerFnError> {
    portal()?.0.find_enterprise(&code).await.map_err(super::unavailable)
}

/// The working-day calendar: every published year.
#[server]
pub async fn calendar_page() -> Result<Vec<crate::calendar::PublishedYear>, ServerFnError> {
    portal()?.0.calendar_years().await.map_err(super::unavailable)
}

/// The published feedback counts of a department or of an inspector, every year.
#[server]
pub async fn feedback_stats(
    department: Option<String>,
    certificate: Option<String>,
) -> Result<Vec<crate::feedback::FeedbackStats>, ServerFnError> {
    let p = portal()?;
    let today = crate::feedback::beijing_today();
    let mut stats =
        crate::feedback::published_stats(p.0.as_ref(), department.as_deref(), None, certificate.as_deref(), &today)
            .await
            .map_err(super::unavailable)?;
    if certificate.is_none() {
        // A department page shows the department's own rows.
        stats.retain(|s| s.certificate.is_none());
    }
    stats.sort_by_key(|s| std::cmp::Reverse(s.year));
    Ok(stats)
}

/// Demo mode: the try-out feedback codes, with the last day of each window.
#[server]
pub async fn demo_feedback_page() -> Result<Vec<(crate::feedback::DemoCode, Option<String>)>, ServerFnError> {
    let p = portal()?;
    let codes = p.0.demo_feedback_codes().await.map_err(super::unavailable)?;
    let calendar = crate::calendar::Calendar::published(&p.0.calendar_years().await.map_err(super::unavailable)?);
    Ok(codes
        .into_iter()
        .map(|c| {
            let closes = crate::feedback::window_closes(&calendar, c.delivered_on.as_deref());
            (c, closes)
        })
        .collect())
}
