//! Server functions of the execution reports: `/reports` and `/reports/{department}/{year}`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::report::{Headline, Report};
use crate::types::Department;

/// What `/reports` shows: the headlines (filtered, sorted), every department (for the filter) and every year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportsData {
    pub rows: Vec<Headline>,
    pub departments: Vec<Department>,
    pub years: Vec<i64>,
}

/// What `/reports/{department}/{year}` shows: the report and the department's other years.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    pub report: Report,
    /// Every year of the department, oldest first (this one included).
    pub trend: Vec<Headline>,
}

#[cfg(feature = "ssr")]
pub(crate) fn service() -> Result<crate::reports_ssr::ReportService, ServerFnError> {
    use_context::<crate::reports_ssr::ReportService>().ok_or_else(|| {
        tracing::error!("no report service in context");
        ServerFnError::new(super::UNAVAILABLE)
    })
}

/// The codes of a department and every department below it.
pub fn with_descendants(departments: &[Department], code: &str) -> Vec<String> {
    let mut out = vec![code.to_owned()];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i].clone();
        let children: Vec<String> = departments
            .iter()
            .filter(|d| d.parent_code.as_deref() == Some(parent.as_str()))
            .filter_map(|d| d.code.clone())
            .filter(|c| !out.contains(c))
            .collect();
        out.extend(children);
        i += 1;
    }
    out
}

/// Headlines of every department-year (filters: a department with its sub-departments, a year), sorted.
#[server]
pub async fn reports_page(
    department: Option<String>,
    year: Option<i64>,
    sort: Option<String>,
) -> Result<ReportsData, ServerFnError> {
    let portal = super::portal::portal()?;
    let source = super::source()?;
    let reports = service()?;
    let departments = portal.0.list_departments().await.map_err(super::unavailable)?;
    let years = {
        let keys = reports.0.keys(portal.0.as_ref()).await.map_err(super::unavailable)?;
        let mut years: Vec<i64> = keys.iter().map(|(_, y)| *y).collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        years
    };
    let scope = department.filter(|d| !d.trim().is_empty()).map(|d| with_descendants(&departments, d.trim()));
    let mut rows = reports
        .0
        .headlines(portal.0.as_ref(), source.0.as_ref(), scope.as_deref(), year)
        .await
        .map_err(super::unavailable)?;
    crate::report::sort_headlines(&mut rows, sort.as_deref());
    Ok(ReportsData { rows, departments, years })
}

/// One department-year's report, `None` when the department is unknown or has nothing that year.
#[server]
pub async fn report_page(department: String, year: i64) -> Result<Option<ReportData>, ServerFnError> {
    let portal = super::portal::portal()?;
    let source = super::source()?;
    let reports = service()?;
    let Some((report, trend)) =
        reports.0.page(portal.0.as_ref(), source.0.as_ref(), &department, year).await.map_err(super::unavailable)?
    else {
        return Ok(None);
    };
    Ok(Some(ReportData { report: (*report).clone(), trend }))
}
