//! Downloads for checking a draw oneself: the committed inputs of a draw that
//! awaits its randomness (`/api/draws/{id}/input.json`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::startup::AppState;

/// `GET /api/draws/{id}/input.json`: the committed inputs exactly as published
/// (for a completed draw, the `input` of its record).
pub async fn input_json(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    if let Some(committed) = state.storage.find_commitment(&id).await? {
        return Ok(([(header::CONTENT_TYPE, "application/json")], committed.input_json).into_response());
    }
    let stored = state.storage.find_draw(&id).await?.ok_or(AppError::NotFound(id))?;
    let record: serde_json::Value = serde_json::from_str(&stored.record_json)
        .map_err(|e| AppError::Storage(format!("stored record unreadable: {e}")))?;
    let input = record.get("input").ok_or_else(|| AppError::Storage("stored record has no input".to_owned()))?;
    Ok(axum::Json(input).into_response())
}

/// A completed draw's record split for compact transfer: the record without
/// its object pool (JSON), and the pool as `pool.bin` (SPEC.md §15).
struct Split {
    head: String,
    pool: Vec<u8>,
}

/// The last few splits made, newest last (a big pool takes a while to encode).
static SPLITS: std::sync::Mutex<Vec<(String, std::sync::Arc<Split>)>> = std::sync::Mutex::new(Vec::new());
const SPLITS_KEPT: usize = 4;

fn split_record(record_json: &str) -> Result<Split, AppError> {
    let mut record: serde_json::Value =
        serde_json::from_str(record_json).map_err(|e| AppError::Storage(format!("stored record unreadable: {e}")))?;
    let objects = record
        .get_mut("input")
        .and_then(|i| i.get_mut("objects"))
        .map(serde_json::Value::take)
        .ok_or_else(|| AppError::Storage("stored record has no objects".to_owned()))?;
    let objects: Vec<draw::Object> =
        serde_json::from_value(objects).map_err(|e| AppError::Storage(format!("stored objects unreadable: {e}")))?;
    if let Some(input) = record.get_mut("input") {
        input["objects"] = serde_json::Value::Array(Vec::new());
    }
    let pool = draw::pool_bin::encode(&objects).map_err(|e| AppError::Storage(format!("pool not encodable: {e}")))?;
    let head = serde_json::to_string(&record).map_err(|e| AppError::Storage(format!("record not encodable: {e}")))?;
    Ok(Split { head, pool })
}

async fn split(state: &AppState, id: String) -> Result<std::sync::Arc<Split>, AppError> {
    if let Ok(kept) = SPLITS.lock()
        && let Some((_, s)) = kept.iter().find(|(k, _)| *k == id)
    {
        return Ok(s.clone());
    }
    let stored = state.storage.find_draw(&id).await?.ok_or_else(|| AppError::NotFound(id.clone()))?;
    let made = tokio::task::spawn_blocking(move || split_record(&stored.record_json))
        .await
        .map_err(|e| AppError::Storage(format!("splitting the record failed: {e}")))??;
    let made = std::sync::Arc::new(made);
    if let Ok(mut kept) = SPLITS.lock() {
        kept.retain(|(k, _)| *k != id);
        kept.push((id, made.clone()));
        if kept.len() > SPLITS_KEPT {
            kept.remove(0);
        }
    }
    Ok(made)
}

/// `GET /api/draws/{id}/pool.bin`: the draw's object pool in the compact
/// binary format of SPEC.md §15 (zlib-compressed columns).
pub async fn pool_bin(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let split = split(&state, id).await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], split.pool.clone()).into_response())
}

/// `GET /api/draws/{id}/record-without-pool.json`: the record with an empty
/// `input.objects`; with `pool.bin` it is the whole record.
pub async fn record_without_pool(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let split = split(&state, id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], split.head.clone()).into_response())
}
