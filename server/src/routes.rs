//! HTTP handlers outside the Leptos pages: the JSON API and the spec.

pub mod export;
pub mod feedback;
pub mod log;
pub mod verify;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use app::view::DrawView;

use crate::error::AppError;
use crate::security::{Keep, with_etag};
use crate::startup::AppState;

/// The draw protocol specification, served at `/spec`.
pub const SPEC: &str = include_str!("../../draw/SPEC.md");

/// The independent Python reference implementation (draw/reference/), served
/// under `/tools/` for journalists who check draws without the portal.
const PYTHON_REFERENCE: &[(&str, &str)] = &[
    ("gongkai_draw.py", include_str!("../../draw/reference/gongkai_draw.py")),
    ("verify_record.py", include_str!("../../draw/reference/verify_record.py")),
];

/// `GET /verify-offline`: the page on verifying a draw without the portal is
/// `/tools` (linked from every draw page, whose offline section gives that
/// draw's exact commands); this address, which visitors guess, leads there
/// in the language asked for.
pub async fn verify_offline(request: axum::extract::Request) -> Response {
    let to = match query::request_lang(&request) {
        app::i18n::Lang::En => "/tools?lang=en",
        app::i18n::Lang::Zh => "/tools",
    };
    axum::response::Redirect::permanent(to).into_response()
}

/// `GET /tools/{file}`: a file of the Python reference implementation, as a download.
pub async fn python_reference(Path(file): Path<String>) -> Result<Response, AppError> {
    let (name, text) = PYTHON_REFERENCE
        .iter()
        .find(|(name, _)| *name == file && app::pages::tools::PYTHON_FILES.contains(name))
        .ok_or_else(|| AppError::NotFound("file".to_owned()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/x-python; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        *text,
    )
        .into_response())
}

/// `GET /api/draws/{id}/record.json`: the record exactly as published.
/// (A record changes only when a recusal is added: cached briefly, revalidated by its `ETag`.)
pub async fn record_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let stored = state.storage.find_draw(&id).await?.ok_or(AppError::NotFound(id))?;
    Ok(with_etag(&headers, "application/json", stored.record_json.into_bytes(), Keep::Briefly))
}

/// `GET /api/draws/{id}`: the draw as listed (id, department, title, draw date,
/// the commitment published before the randomness, status…) and, when its
/// recusals are bound into the recusal chain (SPEC §11.3), the chain's head,
/// so that `server verify --portal` can check both against a record.
pub async fn draw_summary(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    if let Some(stored) = state.storage.find_draw(&id).await? {
        // The head is in the stored page view (built from the record when it was
        // published); a view that no longer parses is rebuilt from the record, as the page does.
        let view = state.storage.find_draw_view(&id).await?.and_then(|v| serde_json::from_str::<DrawView>(&v).ok());
        let head = match view {
            Some(view) => view.recusal_head,
            None => {
                let record: draw::DrawRecord = serde_json::from_str(&stored.record_json)
                    .map_err(|e| AppError::internal("stored record unreadable", e))?;
                app::view::recusal_head(&record)
            }
        };
        let mut body = serde_json::to_value(&stored.summary).map_err(|e| AppError::internal("encoding a draw", e))?;
        if let (Some(object), Some(head)) = (body.as_object_mut(), head) {
            object.insert("recusal_head".to_owned(), serde_json::Value::String(head));
        }
        return Ok(axum::Json(body).into_response());
    }
    let committed = state.storage.find_commitment(&id).await?.ok_or(AppError::NotFound(id))?;
    Ok(axum::Json(committed.summary).into_response())
}

/// Any other `/api/…` address.
pub async fn api_not_found() -> AppError {
    AppError::NotFound("api".to_owned())
}

/// `GET /spec.md`: the written specification of the draw protocol, the file
/// itself (the page `/spec` shows it rendered).
pub async fn spec() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], SPEC)
}

pub mod open_data;
pub mod query;
