//! Downloads for checking a draw oneself: the committed inputs of a draw that
//! awaits its randomness (`/api/draws/{id}/input.json`).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::error::AppError;
use crate::security::{Keep, with_etag};

const JSON: &str = "application/json";
use crate::startup::AppState;

/// `GET /api/draws/{id}/input.json`: the committed inputs exactly as published
/// (for a completed draw, the `input` of its record).
/// Committed inputs never change: cached for a year, with an `ETag`.
pub async fn input_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(committed) = state.storage.find_commitment(&id).await? {
        return Ok(with_etag(&headers, JSON, committed.input_json.into_bytes(), Keep::Forever));
    }
    let stored = state.storage.find_draw(&id).await?.ok_or(AppError::NotFound(id))?;
    let record: serde_json::Value =
        serde_json::from_str(&stored.record_json).map_err(|e| AppError::internal("stored record unreadable", e))?;
    let input =
        record.get("input").ok_or_else(|| AppError::internal("stored record has no input", "no input field"))?;
    let body = serde_json::to_vec(input).map_err(|e| AppError::internal("input not encodable", e))?;
    Ok(with_etag(&headers, JSON, body, Keep::Forever))
}

/// A completed draw's record split for compact transfer: the record without
/// its object pool (JSON), and the pool as `pool.bin` (SPEC.md §15).
struct Split {
    head: String,
    pool: Vec<u8>,
}

/// The last few splits made, newest last (a big pool takes a while to encode).
static SPLITS: Kept<Split> = std::sync::Mutex::new(Vec::new());
const SPLITS_KEPT: usize = 4;

/// Per-draw data kept between requests: (draw id, when made, data). Entries
/// expire after [`KEEP_FOR`], so a corrected record is seen within that time.
type Kept<T> = std::sync::Mutex<Vec<(String, std::time::Instant, std::sync::Arc<T>)>>;
const KEEP_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// The cache key of a draw: the storage (servers in one process, e.g. tests, keep apart) and the id.
fn key(state: &AppState, id: &str) -> String {
    format!("{:p}/{id}", std::sync::Arc::as_ptr(&state.storage).cast::<()>())
}

fn kept<T>(cache: &Kept<T>, id: &str) -> Option<std::sync::Arc<T>> {
    let mut kept = cache.lock().ok()?;
    kept.retain(|(_, made, _)| made.elapsed() < KEEP_FOR);
    kept.iter().find(|(k, _, _)| k == id).map(|(_, _, v)| v.clone())
}

fn keep<T>(cache: &Kept<T>, id: String, value: std::sync::Arc<T>, max: usize) {
    if let Ok(mut kept) = cache.lock() {
        kept.retain(|(k, _, _)| *k != id);
        kept.push((id, std::time::Instant::now(), value));
        if kept.len() > max {
            kept.remove(0);
        }
    }
}

fn split_record(record_json: &str) -> Result<Split, AppError> {
    let mut record: serde_json::Value =
        serde_json::from_str(record_json).map_err(|e| AppError::internal("stored record unreadable", e))?;
    let objects = record
        .get_mut("input")
        .and_then(|i| i.get_mut("objects"))
        .map(serde_json::Value::take)
        .ok_or_else(|| AppError::internal("stored record has no objects", "no input.objects field"))?;
    let objects: Vec<draw::Object> =
        serde_json::from_value(objects).map_err(|e| AppError::internal("stored objects unreadable", e))?;
    if let Some(input) = record.get_mut("input") {
        input["objects"] = serde_json::Value::Array(Vec::new());
    }
    let pool = draw::pool_bin::encode(&objects).map_err(|e| AppError::internal("pool not encodable", e))?;
    let head = serde_json::to_string(&record).map_err(|e| AppError::internal("record not encodable", e))?;
    Ok(Split { head, pool })
}

async fn split(state: &AppState, id: String) -> Result<std::sync::Arc<Split>, AppError> {
    if let Some(s) = kept(&SPLITS, &key(state, &id)) {
        return Ok(s);
    }
    let stored = state.storage.find_draw(&id).await?.ok_or_else(|| AppError::NotFound(id.clone()))?;
    let made = tokio::task::spawn_blocking(move || split_record(&stored.record_json))
        .await
        .map_err(|e| AppError::internal("splitting the record failed", e))??;
    let made = std::sync::Arc::new(made);
    keep(&SPLITS, key(state, &id), made.clone(), SPLITS_KEPT);
    Ok(made)
}

/// `GET /api/draws/{id}/pool.bin`: the draw's object pool in the compact
/// binary format of SPEC.md §15 (zlib-compressed columns).
/// The pool is committed: it never changes (cached for a year, with an `ETag`).
pub async fn pool_bin(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let split = split(&state, id).await?;
    Ok(with_etag(&headers, "application/octet-stream", split.pool.clone(), Keep::Forever))
}

/// `GET /api/draws/{id}/record-without-pool.json`: the record with an empty
/// `input.objects`; with `pool.bin` it is the whole record.
pub async fn record_without_pool(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let split = split(&state, id).await?;
    Ok(with_etag(&headers, JSON, split.head.clone().into_bytes(), Keep::Briefly))
}

/// The lookup indexes of the last few draws looked up (the Merkle tree of a
/// pool, built once instead of per request), newest last.
static LOOKUPS: Kept<draw::pool_index::LookupIndex> = std::sync::Mutex::new(Vec::new());
const LOOKUPS_KEPT: usize = 8;

/// `GET /api/draws/{id}/objects/{code}`: "was I in this draw?" for one
/// enterprise: its Merkle proof of membership in the committed pool (`null`
/// if it was not in the pool), why it was excluded, and where it was drawn.
/// The draw's Merkle tree is kept between requests.
pub async fn lookup(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
) -> Result<axum::Json<draw::Lookup>, AppError> {
    draw::id::check_credit_code(&code).map_err(|_| AppError::InvalidCreditCode)?;
    let index = match kept(&LOOKUPS, &key(&state, &id)) {
        Some(index) => index,
        None => {
            let stored = state.storage.find_draw(&id).await?.ok_or_else(|| AppError::NotFound(id.clone()))?;
            let index = tokio::task::spawn_blocking(move || {
                let record: draw::DrawRecord = serde_json::from_str(&stored.record_json)
                    .map_err(|e| AppError::internal("stored record unreadable", e))?;
                draw::pool_index::LookupIndex::new(&record).map_err(|e| AppError::internal("stored record invalid", e))
            })
            .await
            .map_err(|e| AppError::internal("indexing the pool failed", e))??;
            let index = std::sync::Arc::new(index);
            keep(&LOOKUPS, key(&state, &id), index.clone(), LOOKUPS_KEPT);
            index
        }
    };
    Ok(axum::Json(index.lookup(&code)))
}
