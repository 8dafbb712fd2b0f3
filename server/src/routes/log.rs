//! `/log/`: the publication log as C2SP `tlog-tiles` — the signed checkpoint,
//! the hash tiles and the entry bundles (docs/LOG.md).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::log::TileAddress;
use crate::startup::AppState;

/// `GET /log/checkpoint`: the newest checkpoint, signed by the log's key and
/// cosigned by the witnesses that have seen it.
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, AppError> {
    let (size, root) = state.storage.log_head().await?;
    let mut note = state.log_key.checkpoint(size, root);
    if note.is_empty() {
        return Err(AppError::internal("checkpoint not signed", "signing failed"));
    }
    // The witnesses' cosignatures of this very checkpoint, verified when received.
    for c in state.storage.log_cosignatures(size).await? {
        note.extend_from_slice(c.line.as_bytes());
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], note)
        .into_response())
}

/// `GET /log/tile/{path}`: a hash tile (`<L>/<N>[.p/<W>]`) or an entry bundle
/// (`entries/<N>[.p/<W>]`) of the current tree; immutable once it exists.
pub async fn tile(State(state): State<AppState>, Path(path): Path<String>) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound(format!("/log/tile/{path}"));
    let address = TileAddress::parse(&path).ok_or_else(not_found)?;
    let size = state.storage.log_size().await?;
    if !address.exists_in(size) {
        return Err(not_found());
    }
    let stored = match address.level {
        Some(level) if address.width == 256 => state.storage.log_tile(level, address.index).await?,
        _ => None,
    };
    let body = match (stored, address.level) {
        (Some(data), _) => data,
        (None, Some(_)) => {
            state.storage.log_hashes(&address.stored_indexes()).await?.iter().flat_map(|h| h.0).collect()
        }
        (None, None) => crate::log::entry_bundle(&state.storage.log_entries(address.leaf_range()).await?),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    )
        .into_response())
}

/// `GET /api/log/rows/{kind}/{row}`: a directory record's version as
/// published — the bytes its log entry's SHA-256 is of (docs/LOG.md §2).
pub async fn row(
    State(state): State<AppState>,
    Path((kind, row)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound(format!("/api/log/rows/{kind}/{row}"));
    let parsed = crate::log::Kind::parse(&kind).filter(|k| k.is_row()).ok_or_else(not_found)?;
    let number: i64 = row.parse().ok().filter(|n: &i64| *n > 0 && n.to_string() == row).ok_or_else(not_found)?;
    let content = state.storage.log_row(parsed, number).await?.ok_or_else(not_found)?;
    Ok(crate::security::with_etag(&headers, "application/json", content, crate::security::Keep::Forever))
}
