//! HTTP handlers outside the Leptos pages: the JSON API and the spec.

pub mod verify;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::security::{Keep, with_etag};
use crate::startup::AppState;

/// The draw protocol specification, served at `/spec`.
pub const SPEC: &str = include_str!("../../draw/SPEC.md");

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

/// Any other `/api/…` address.
pub async fn api_not_found() -> AppError {
    AppError::NotFound("api".to_owned())
}

/// `GET /spec`: the written specification of the draw protocol (Markdown as text).
pub async fn spec() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], SPEC)
}

pub mod open_data;
pub mod query;
