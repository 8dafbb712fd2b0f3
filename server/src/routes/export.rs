//! `/export/{list}.csv` and `/export/{list}.xlsx`: a whole filtered list for a
//! spreadsheet, in the visitor's language (`app::export` names the columns).
//!
//! CSV is streamed as it is read, a thousand rows at a time, so a list of any
//! size goes out in constant memory. An `.xlsx` file is a zip that can only be
//! sent whole: a blocking task writes it as the stretches are read, with
//! rust_xlsxwriter's constant-memory mode (rows go to a temporary file), up to
//! Excel's 1,048,575 data rows.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use app::export::{Cell, Context, Export};
use app::i18n::Lang;
use app::types::{
    DrawSummary, EnterpriseRow, InspectorRow, ItemRow, ListQuery, MAX_PER_PAGE, Paged, PlanRow, ResultRow,
};

use crate::error::AppError;
use crate::startup::AppState;
use crate::storage::{Storage, StorageError};

/// Excel's rows per sheet, less the header row.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// How a list is read a stretch at a time.
trait Walk: Export + Send + Sync + 'static {
    /// The next stretch of the list after `from` (`None`: the start).
    fn next(
        storage: &dyn Storage,
        query: &ListQuery,
        from: Option<Position>,
    ) -> impl Future<Output = Result<(Vec<Self>, Option<Position>), StorageError>> + Send;
    /// The item codes the rows name (their names are looked up for the cells).
    fn item_codes(_rows: &[Self]) -> Vec<String> {
        Vec::new()
    }
}

/// Where a walk goes on from: a list's position (its rows' keys, newest first),
/// or a page number for the draws (committed and drawn together, ordered by date).
#[derive(Clone, Copy, Debug)]
enum Position {
    After(i64),
    Page(u32),
}

/// A stretch by position (the lists read through `paged`).
async fn by_position<T>(
    page: impl Future<Output = Result<Paged<T>, StorageError>>,
) -> Result<(Vec<T>, Option<Position>), StorageError> {
    let page = page.await?;
    Ok((page.rows, page.next_after.map(Position::After)))
}

/// The query of one stretch: the visitor's filters, from `from`, as many rows
/// as `per_page` says (a thousand unless fewer are asked for).
fn stretch(query: &ListQuery, from: Option<Position>) -> ListQuery {
    let mut q = query.clone();
    q.per_page = Some(query.per_page.as_ref().map_or(MAX_PER_PAGE, |_| query.per_page()).to_string());
    match from.unwrap_or(Position::After(i64::MAX)) {
        Position::After(a) => {
            q.after = Some(a.to_string());
            q.page = None;
        }
        Position::Page(p) => {
            q.after = None;
            q.page = Some(p.to_string());
        }
    }
    q
}

macro_rules! walk_by_position {
    ($row:ty, $method:ident $(, $codes:item)?) => {
        impl Walk for $row {
            async fn next(
                storage: &dyn Storage,
                query: &ListQuery,
                from: Option<Position>,
            ) -> Result<(Vec<Self>, Option<Position>), StorageError> {
                by_position(storage.$method(&stretch(query, from))).await
            }
            $($codes)?
        }
    };
}

walk_by_position!(
    ResultRow,
    list_results,
    fn item_codes(rows: &[Self]) -> Vec<String> {
        let mut codes: Vec<String> = rows
            .iter()
            .flat_map(|r| r.item_codes.split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned))
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }
);
walk_by_position!(EnterpriseRow, list_enterprises);
walk_by_position!(InspectorRow, list_inspectors);
walk_by_position!(PlanRow, list_plans);
walk_by_position!(ItemRow, list_items);

impl Walk for DrawSummary {
    async fn next(
        storage: &dyn Storage,
        query: &ListQuery,
        from: Option<Position>,
    ) -> Result<(Vec<Self>, Option<Position>), StorageError> {
        let page = match from {
            Some(Position::Page(p)) => p,
            _ => 1,
        };
        let q = stretch(query, Some(Position::Page(page)));
        let rows = storage.search_draws(&q).await?.rows;
        let next = (rows.len() == q.per_page() as usize).then_some(Position::Page(page + 1));
        Ok((rows, next))
    }
}

/// The cells of rows, with the names of the items they name.
async fn cells<T: Walk>(storage: &dyn Storage, lang: Lang, rows: &[T]) -> Result<Vec<Vec<Cell>>, StorageError> {
    let codes = T::item_codes(rows);
    let item_names = if codes.is_empty() {
        Default::default()
    } else {
        storage.item_names(&codes).await?.into_iter().map(|i| (i.item_code, i.name)).collect()
    };
    let context = Context { lang, item_names };
    let columns = T::columns();
    Ok(rows.iter().map(|row| columns.iter().map(|c| (c.cell)(row, &context)).collect()).collect())
}

/// A CSV cell: a code as `="…"` (Excel and WPS then keep it as text: an
/// all-digit credit code would otherwise lose its last three digits), which is
/// safe because only letters, digits, `-`, `_` and `.` are written so; text that a
/// spreadsheet would run as a formula gets a leading `'` (see `csv_text`).
fn csv_cell(cell: &Cell) -> String {
    match cell {
        Cell::Code(code)
            if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) =>
        {
            format!("=\"{code}\"")
        }
        Cell::Code(text) | Cell::Text(text) => super::open_data::csv_text(text).into_owned(),
        Cell::Number(n) => n.to_string(),
        Cell::Empty => String::new(),
    }
}

fn csv_rows(rows: impl IntoIterator<Item = Vec<String>>) -> Result<Bytes, AppError> {
    let mut out = Vec::new();
    {
        let mut w =
            csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::CRLF).from_writer(&mut out);
        for row in rows {
            w.write_record(row).map_err(|e| AppError::internal("writing CSV", e))?;
        }
        w.flush().map_err(|e| AppError::internal("writing CSV", e))?;
    }
    Ok(Bytes::from(out))
}

/// `Content-Disposition` with the English name for old clients and the name
/// in the visitor's language (RFC 6266). Both are letters, digits, `_` and `-`
/// (and CJK characters in the second, percent-encoded): see `app::export::file_name`.
fn disposition(names: &(String, String), ext: &str) -> String {
    let (name, ascii) = names;
    let ascii: String = ascii.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')).collect();
    format!("attachment; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}.{ext}", app::types::url_encode(name))
}

/// `GET /export/{list}.csv` or `.xlsx` with the list's filters.
pub async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<ListQuery>,
    request: Request,
) -> Response {
    let lang = super::query::request_lang(&request);
    let path = request.uri().path().to_owned();
    export_file(state, file, query, lang).await.unwrap_or_else(|e| {
        if matches!(e, AppError::Storage(_) | AppError::Internal { .. }) {
            tracing::error!(error = %e, "export failed");
        }
        super::query::error_response(&path, lang, e)
    })
}

async fn export_file(state: AppState, file: String, query: ListQuery, lang: Lang) -> Result<Response, AppError> {
    let Some((list, ext)) = file.rsplit_once('.') else { return Err(AppError::NotFound(file)) };
    let xlsx = match ext {
        "csv" => false,
        "xlsx" => true,
        _ => return Err(AppError::NotFound(file)),
    };
    let today = state.reports.0.today();
    let storage = state.storage.clone();
    match list {
        "results" => respond::<ResultRow>(storage, query, lang, &today, xlsx).await,
        "enterprises" => respond::<EnterpriseRow>(storage, query, lang, &today, xlsx).await,
        "inspectors" => respond::<InspectorRow>(storage, query, lang, &today, xlsx).await,
        "plans" => respond::<PlanRow>(storage, query, lang, &today, xlsx).await,
        "items" => respond::<ItemRow>(storage, query, lang, &today, xlsx).await,
        "draws" => respond::<DrawSummary>(storage, query, lang, &today, xlsx).await,
        _ => Err(AppError::NotFound(file)),
    }
}

async fn respond<T: Walk>(
    storage: Arc<dyn Storage>,
    query: ListQuery,
    lang: Lang,
    today: &str,
    xlsx: bool,
) -> Result<Response, AppError> {
    let filters = query.filters();
    let name =
        (app::export::file_name::<T>(lang, &filters, today), app::export::file_name::<T>(Lang::En, &filters, today));
    if xlsx {
        xlsx_response::<T>(storage, query, lang, &name).await
    } else {
        csv_response::<T>(storage, query, lang, &name).await
    }
}

/// The CSV, streamed: the first stretch is read before the answer starts (so
/// that a failing database is a clear error page, not a broken file); later
/// stretches as the client takes them. A failure after the start ends the
/// transfer with an error, which the browser reports as a failed download.
async fn csv_response<T: Walk>(
    storage: Arc<dyn Storage>,
    query: ListQuery,
    lang: Lang,
    name: &(String, String),
) -> Result<Response, AppError> {
    let header: Vec<String> = T::columns().iter().map(|c| c.name(lang).to_owned()).collect();
    let (rows, next) = T::next(storage.as_ref(), &query, None).await?;
    let first = cells(storage.as_ref(), lang, &rows).await?;
    let mut head = "\u{feff}".as_bytes().to_vec();
    head.extend_from_slice(&csv_rows(
        std::iter::once(header).chain(first.iter().map(|r| r.iter().map(csv_cell).collect())),
    )?);
    let rest = futures_util::stream::unfold(next, move |next| {
        let storage = storage.clone();
        let query = query.clone();
        async move {
            let from = next?;
            let chunk = async {
                let (rows, next) = T::next(storage.as_ref(), &query, Some(from)).await?;
                let cells = cells(storage.as_ref(), lang, &rows).await?;
                let bytes = csv_rows(cells.iter().map(|r| r.iter().map(csv_cell).collect()))?;
                Ok::<_, AppError>((bytes, next))
            };
            match chunk.await {
                Ok((bytes, next)) => Some((Ok::<_, std::io::Error>(bytes), next)),
                Err(e) => {
                    tracing::error!(error = %e, "export stopped");
                    Some((Err(std::io::Error::other("the export could not be read to its end")), None))
                }
            }
        }
    });
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) }).chain(rest);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition(name, "csv")),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// The `.xlsx` workbook: one sheet, a bold frozen header row, codes as text.
async fn xlsx_response<T: Walk>(
    storage: Arc<dyn Storage>,
    query: ListQuery,
    lang: Lang,
    name: &(String, String),
) -> Result<Response, AppError> {
    // The workbook is written on a blocking thread as the stretches are read:
    // one stretch in memory at a time, the rows in rust_xlsxwriter's temporary file.
    let header: Vec<&'static str> = T::columns().iter().map(|c| c.name(lang)).collect();
    let sheet_name = lang.pick(T::TITLE.0, T::TITLE.1);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(2);
    let writer = tokio::task::spawn_blocking(move || write_xlsx(sheet_name, &header, || rx.blocking_recv()));
    let (mut from, mut written) = (None, 0u64);
    loop {
        let (rows, next) = T::next(storage.as_ref(), &query, from).await?;
        written += rows.len() as u64;
        if written > XLSX_MAX_ROWS {
            return Err(AppError::TooManyRowsForXlsx);
        }
        let cells = cells(storage.as_ref(), lang, &rows).await?;
        if tx.send(cells).await.is_err() {
            break; // The writer stopped: its error is reported below.
        }
        match next {
            Some(n) => from = Some(n),
            None => break,
        }
    }
    drop(tx);
    let bytes = writer
        .await
        .map_err(|e| AppError::internal("writing the workbook", e))?
        .map_err(|e| AppError::internal("writing the workbook", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, disposition(name, "xlsx")),
        ],
        bytes,
    )
        .into_response())
}

fn write_xlsx(
    sheet_name: &str,
    header: &[&str],
    mut next: impl FnMut() -> Option<Vec<Vec<Cell>>>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let as_text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name)?;
    for (c, name) in header.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, *name, &bold)?;
        sheet.set_column_width(col, if name.chars().count() > 6 { 24 } else { 14 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut at: u32 = 1;
    while let Some(rows) = next() {
        for row in rows {
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    // Strings are never formulas in xlsx; codes also carry the text number format.
                    Cell::Code(code) => {
                        sheet.write_string_with_format(at, col, code, &as_text)?;
                    }
                    Cell::Text(text) => {
                        sheet.write_string(at, col, text)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(at, col, *n as f64)?;
                    }
                    Cell::Empty => {}
                }
            }
            at = at.saturating_add(1);
        }
    }
    book.save_to_buffer()
}
