//! Open data: every list of the portal as JSON and as CSV, with the same
//! filters and pages as the pages (`?q=…&department=…&page=2&per_page=100`).
//! Documented on the page `/open-data`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use app::types::{
    Department, DepartmentDetail, DrawSummary, EnterpriseDetail, EnterpriseRow, InspectorRow, ItemRow, ListQuery,
    Paged, PlanDetail, PlanRow, ResultRow,
};

use crate::error::AppError;
use crate::startup::AppState;

/// `?format=csv` asks for CSV instead of JSON.
#[derive(Debug, Default, Deserialize)]
pub struct Format {
    #[serde(default)]
    pub format: Option<String>,
}

impl Format {
    fn csv(&self) -> bool {
        self.format.as_deref().is_some_and(|f| f.eq_ignore_ascii_case("csv"))
    }
}

/// The columns of a CSV download, in the order of the JSON fields.
pub trait CsvColumns: Serialize {
    const COLUMNS: &'static [&'static str];
}

impl CsvColumns for DrawSummary {
    const COLUMNS: &'static [&'static str] = DrawSummary::FIELDS;
}

impl CsvColumns for Department {
    const COLUMNS: &'static [&'static str] = Department::FIELDS;
}

impl CsvColumns for ItemRow {
    const COLUMNS: &'static [&'static str] = ItemRow::FIELDS;
}

impl CsvColumns for InspectorRow {
    const COLUMNS: &'static [&'static str] = InspectorRow::FIELDS;
}

impl CsvColumns for EnterpriseRow {
    const COLUMNS: &'static [&'static str] = EnterpriseRow::FIELDS;
}

impl CsvColumns for PlanRow {
    const COLUMNS: &'static [&'static str] = PlanRow::FIELDS;
}

impl CsvColumns for app::feedback::FeedbackStatsRow {
    const COLUMNS: &'static [&'static str] = app::feedback::FeedbackStatsRow::FIELDS;
}

impl CsvColumns for app::report::Headline {
    const COLUMNS: &'static [&'static str] = app::report::Headline::FIELDS;
}

impl CsvColumns for app::report::Figure {
    const COLUMNS: &'static [&'static str] = app::report::Figure::FIELDS;
}

impl CsvColumns for ResultRow {
    const COLUMNS: &'static [&'static str] = ResultRow::FIELDS;
}

/// A text cell as written to CSV: one that a spreadsheet would read as a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets
/// a leading `'` (OWASP's advice for CSV injection), so Excel shows it as text.
pub fn csv_text(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}").into() } else { cell.into() }
}

/// One row's cells in column order (text neutralised by [`csv_text`]; numbers
/// and booleans as JSON writes them; null and absent empty).
fn csv_cells<T: CsvColumns>(row: &T) -> Result<Vec<String>, AppError> {
    let value = serde_json::to_value(row).map_err(|e| AppError::internal("writing CSV", e))?;
    Ok(T::COLUMNS
        .iter()
        .map(|column| match value.get(column) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(text)) => csv_text(text).into_owned(),
            Some(other) => other.to_string(),
        })
        .collect())
}

/// UTF-8 with a byte-order mark (so that Excel reads the Chinese correctly), a header row, CRLF.
pub fn to_csv<T: CsvColumns>(rows: &[T]) -> Result<Vec<u8>, AppError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w =
            csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let fail = |e: csv::Error| AppError::internal("writing CSV", e);
        w.write_record(T::COLUMNS).map_err(fail)?;
        for row in rows {
            w.write_record(csv_cells(row)?).map_err(fail)?;
        }
        w.flush().map_err(|e| AppError::internal("writing CSV", e))?;
    }
    Ok(out)
}

fn csv_response<T: CsvColumns>(name: &str, rows: &[T]) -> Result<Response, AppError> {
    let body = to_csv(rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
        ],
        body,
    )
        .into_response())
}

/// A page of a list as JSON (`{page, per_page, total, total_is_lower_bound, rows}`) or CSV (the rows).
fn list_response<T: CsvColumns>(name: &str, csv: bool, page: Paged<T>) -> Result<Response, AppError> {
    if csv { csv_response(name, &page.rows) } else { Ok(Json(page).into_response()) }
}

/// `GET /api/draws`: draws, newest first, as a JSON array (the first version of
/// this API; kept so). Filters `department`, `year`, `status`, `q`; pages
/// `page`, `per_page`; the headers `X-Total-Count` and `Link` tell the rest.
pub async fn draws(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
    Query(format): Query<Format>,
) -> Result<Response, AppError> {
    let page = state.storage.search_draws(&query).await?;
    if format.csv() {
        return csv_response("draws", &page.rows);
    }
    let mut links = Vec::new();
    if page.page > 1 {
        links.push(format!("</api/draws{}>; rel=\"prev\"", query.href_query(page.page - 1)));
    }
    if page.has_next() {
        links.push(format!("</api/draws{}>; rel=\"next\"", query.href_query(page.page + 1)));
    }
    let mut response = Json(page.rows).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&page.total.to_string()) {
        headers.insert("x-total-count", v);
    }
    if let (false, Ok(v)) = (links.is_empty(), header::HeaderValue::from_str(&links.join(", "))) {
        headers.insert(header::LINK, v);
    }
    Ok(response)
}

/// `GET /api/draws.csv`.
pub async fn draws_csv(State(state): State<AppState>, Query(query): Query<ListQuery>) -> Result<Response, AppError> {
    csv_response("draws", &state.storage.search_draws(&query).await?.rows)
}

/// `GET /api/departments`: every department (JSON array or CSV).
pub async fn departments(State(state): State<AppState>, Query(format): Query<Format>) -> Result<Response, AppError> {
    let rows = state.storage.list_departments().await?;
    if format.csv() { csv_response("departments", &rows) } else { Ok(Json(rows).into_response()) }
}

/// `GET /api/departments.csv`.
pub async fn departments_csv(State(state): State<AppState>) -> Result<Response, AppError> {
    csv_response("departments", &state.storage.list_departments().await?)
}

/// `GET /api/departments/{code}`: the department, its sub-departments and its current items.
pub async fn department(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<DepartmentDetail>, AppError> {
    state.storage.find_department(&code).await?.map(Json).ok_or(AppError::NotFound(code))
}

macro_rules! list_endpoints {
    ($json:ident, $csv:ident, $method:ident, $name:literal) => {
        #[doc = concat!("`GET /api/", $name, "` (JSON, or CSV with `?format=csv`).")]
        pub async fn $json(
            State(state): State<AppState>,
            Query(query): Query<ListQuery>,
            Query(format): Query<Format>,
        ) -> Result<Response, AppError> {
            list_response($name, format.csv(), state.storage.$method(&query).await?)
        }

        #[doc = concat!("`GET /api/", $name, ".csv`.")]
        pub async fn $csv(State(state): State<AppState>, Query(query): Query<ListQuery>) -> Result<Response, AppError> {
            list_response($name, true, state.storage.$method(&query).await?)
        }
    };
}

list_endpoints!(items, items_csv, list_items, "items");
list_endpoints!(inspectors, inspectors_csv, list_inspectors, "inspectors");
list_endpoints!(plans, plans_csv, list_plans, "plans");
list_endpoints!(results, results_csv, list_results, "results");
list_endpoints!(enterprises, enterprises_csv, list_enterprises, "enterprises");

fn versions<T>(rows: Vec<T>, what: String) -> Result<Json<Vec<T>>, AppError> {
    if rows.is_empty() { Err(AppError::NotFound(what)) } else { Ok(Json(rows)) }
}

/// `GET /api/items/{department}/{item}`: every version, newest first.
pub async fn item(
    State(state): State<AppState>,
    Path((department, item)): Path<(String, String)>,
) -> Result<Json<Vec<ItemRow>>, AppError> {
    versions(state.storage.item_versions(&department, &item).await?, item)
}

/// `GET /api/inspectors/{certificate}`: every version, newest first.
pub async fn inspector(
    State(state): State<AppState>,
    Path(certificate): Path<String>,
) -> Result<Json<Vec<InspectorRow>>, AppError> {
    versions(state.storage.inspector_versions(&certificate).await?, certificate)
}

/// `GET /api/plans/{code}`: every version with its lines, and the draws made under the plan.
pub async fn plan(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<PlanDetail>, AppError> {
    state.storage.find_plan(&code).await?.map(Json).ok_or(AppError::NotFound(code))
}

/// `GET /api/results/{code}`: every version, newest (current) first.
pub async fn result(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<Vec<ResultRow>>, AppError> {
    versions(state.storage.result_versions(&code).await?, code)
}

/// `GET /api/enterprises/{credit_code}`: every version, every draw it was in, every result.
pub async fn enterprise(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<EnterpriseDetail>, AppError> {
    draw::id::check_credit_code(&code.to_ascii_uppercase()).map_err(|_| AppError::InvalidCreditCode)?;
    state.storage.find_enterprise(&code).await?.map(Json).ok_or(AppError::NotFound(code))
}

/// A published calendar year as served: the notice's year, its version, and
/// the number of working days it makes.
fn calendar_json(y: &app::calendar::PublishedYear) -> Result<serde_json::Value, AppError> {
    let mut value = serde_json::to_value(&y.calendar).map_err(|e| AppError::internal("calendar JSON", e))?;
    let working_days = app::calendar::Calendar::new([y.calendar.clone()])
        .and_then(|c| c.working_days_in(y.calendar.year))
        .map_err(|e| AppError::internal("calendar year", e))?;
    if let Some(map) = value.as_object_mut() {
        map.insert("working_days".into(), working_days.into());
        map.insert("version".into(), y.version.into());
        map.insert("published_at".into(), y.published_at.clone().into());
        map.insert("correction_reason".into(), y.correction_reason.clone().into());
    }
    Ok(value)
}

/// `GET /api/calendar`: every published year of the working-day calendar.
pub async fn calendar(State(state): State<AppState>) -> Result<Json<Vec<serde_json::Value>>, AppError> {
    let years = state.storage.calendar_years().await?;
    Ok(Json(years.iter().map(calendar_json).collect::<Result<_, _>>()?))
}

/// `GET /api/calendar/{year}`: one year's holidays and make-up working days
/// with the notice they come from; 404 `calendar_not_published` for a year without one.
pub async fn calendar_year(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let Ok(wanted) = year.parse::<i32>() else { return Err(AppError::NotFound(year)) };
    if !(1000..=9999).contains(&wanted) || year.len() != 4 {
        return Err(AppError::NotFound(year));
    }
    let years = state.storage.calendar_years().await?;
    let found = years.iter().find(|y| y.calendar.year == wanted).ok_or(AppError::CalendarNotPublished(wanted))?;
    Ok(Json(calendar_json(found)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_starts_with_a_bom_and_a_header_even_when_empty() {
        let out = to_csv::<ResultRow>(&[]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}result_code,version,draw_id,"));
        assert_eq!(text.lines().count(), 1);
    }

    #[test]
    fn csv_columns_follow_the_json_fields() {
        let row = DrawSummary {
            id: "d-1".into(),
            department: "区局, 东河".into(),
            title: "抽取".into(),
            draw_date: "2025-05-28".into(),
            commitment: "ab".into(),
            committed_at: None,
            published_at: Some("t".into()),
            randomness_source: "demo".into(),
            status: app::types::DrawStatus::Drawn,
        };
        let text = String::from_utf8(to_csv(std::slice::from_ref(&row)).unwrap()).unwrap();
        let json = serde_json::to_value(&row).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut sorted = DrawSummary::COLUMNS.to_vec();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "every JSON field is a column");
        assert!(text.contains("\r\nd-1,\"区局, 东河\",抽取,2025-05-28,ab,,t,demo,drawn\r\n"), "{text}");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_written_as_text() {
        let mut row = DrawSummary {
            id: "d-1".into(),
            department: "=HYPERLINK(\"http://x\",\"y\")".into(),
            title: "+1".into(),
            draw_date: "-2".into(),
            commitment: "@SUM(A1)".into(),
            committed_at: Some("\tx".into()),
            published_at: Some("\rx".into()),
            randomness_source: "a=b".into(),
            status: app::types::DrawStatus::Drawn,
        };
        let text = String::from_utf8(to_csv(std::slice::from_ref(&row)).unwrap()).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert_eq!(line, "d-1,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1,'-2,'@SUM(A1),'\tx,\"'\rx\",a=b,drawn");
        row.department = "东胜区".into();
        let text = String::from_utf8(to_csv(std::slice::from_ref(&row)).unwrap()).unwrap();
        assert!(text.contains(",东胜区,"), "ordinary text is unchanged: {text}");
    }
}

/// The filters of the published feedback counts.
#[derive(Debug, Default, Deserialize)]
pub struct FeedbackQuery {
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub certificate: Option<String>,
}

async fn feedback_rows(state: &AppState, q: &FeedbackQuery) -> Result<Vec<app::feedback::FeedbackStatsRow>, AppError> {
    let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    // The query guard has checked that a year is a number.
    let year = some(&q.year).and_then(|y| y.parse::<i64>().ok());
    let today = app::feedback::beijing_today();
    let stats = app::feedback::published_stats(
        state.storage.as_ref(),
        some(&q.department).as_deref(),
        year,
        some(&q.certificate).as_deref(),
        &today,
    )
    .await?;
    Ok(stats.iter().map(app::feedback::FeedbackStats::row).collect())
}

/// `GET /api/feedback`: the published feedback counts per department and per
/// inspector and year (filters `department`, `year`, `certificate`); a count
/// below 5 is the string `"<5"`. Individual submissions are never published.
pub async fn feedback(State(state): State<AppState>, Query(q): Query<FeedbackQuery>) -> Result<Response, AppError> {
    Ok(Json(feedback_rows(&state, &q).await?).into_response())
}

/// `GET /api/feedback.csv`: the same as CSV.
pub async fn feedback_csv(State(state): State<AppState>, Query(q): Query<FeedbackQuery>) -> Result<Response, AppError> {
    csv_response("feedback", &feedback_rows(&state, &q).await?)
}

/// The filters and order of the execution reports' headlines.
#[derive(Debug, Default, Deserialize)]
pub struct ReportsQuery {
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
}

async fn report_headlines(state: &AppState, q: &ReportsQuery) -> Result<Vec<app::report::Headline>, AppError> {
    let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    // The query guard has checked that a year is a number.
    let year = some(&q.year).and_then(|y| y.parse::<i64>().ok());
    let scope = match some(&q.department) {
        None => None,
        Some(code) => {
            let departments = state.storage.list_departments().await?;
            Some(app::api::reports::with_descendants(&departments, &code))
        }
    };
    let mut rows =
        state.reports.0.headlines(state.storage.as_ref(), state.storage.as_ref(), scope.as_deref(), year).await?;
    app::report::sort_headlines(&mut rows, some(&q.sort).as_deref());
    Ok(rows)
}

/// `GET /api/reports`: the headline of every department-year's execution
/// report (filters `department`, with its sub-departments, and `year`; `sort`).
pub async fn reports(State(state): State<AppState>, Query(q): Query<ReportsQuery>) -> Result<Response, AppError> {
    Ok(Json(report_headlines(&state, &q).await?).into_response())
}

/// `GET /api/reports.csv`: the same as CSV.
pub async fn reports_csv(State(state): State<AppState>, Query(q): Query<ReportsQuery>) -> Result<Response, AppError> {
    csv_response("reports", &report_headlines(&state, &q).await?)
}

/// `GET /api/reports/{department}/{year}`: one report, whole, as JSON; with
/// `{year}` written `2025.csv`, its figures (computed and declared) as CSV.
pub async fn report(
    State(state): State<AppState>,
    Path((department, year)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (year, csv) = match year.strip_suffix(".csv") {
        Some(y) => (y, true),
        None => (year.as_str(), false),
    };
    let not_found = || AppError::NotFound(format!("{department}/{year}"));
    let year: i64 = year.parse().map_err(|_| not_found())?;
    let (report, _) = state
        .reports
        .0
        .page(state.storage.as_ref(), state.storage.as_ref(), &department, year)
        .await?
        .ok_or_else(not_found)?;
    if csv {
        csv_response(&format!("report-{department}-{year}"), &report.figures)
    } else {
        Ok(Json(report.as_ref()).into_response())
    }
}
