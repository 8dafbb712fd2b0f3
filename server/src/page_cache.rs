//! Rendered pages and JSON answers, kept in memory and served again until
//! something is published.
//!
//! Published data changes only when something is published, and every
//! publication is a log entry (docs/LOG.md): the database's *generation* — the
//! log's size, with the few unlogged writes that public pages show (witness
//! cosignatures, feedback codes issued) — names the state a page was rendered
//! from. It is read from the database on every request (a few index lookups),
//! so a publication by any process (the server, `server import`) is seen by
//! the next request: a department sees its own publication at once. Pages
//! also show the time (deadlines, a draw awaiting its randomness), so an
//! answer is kept at most [`MAX_AGE`] by the portal's clock (the `max-age`
//! browsers already keep pages for), and never past the end of its day in
//! Beijing (deadlines are days).
//!
//! Each answer has an `ETag` (SHA-256 of its body, the page's CSP nonce left
//! out); a client that sends it back gets `304 Not Modified`. A cached page
//! is served with the request's own nonce in place of the one it was
//! rendered with (which nobody could know in advance), so every response
//! still carries a fresh nonce that matches its `Content-Security-Policy`.
//!
//! Only `GET`s of pages (HTML) and JSON are kept, and only `200` answers that
//! set no cookie, have no `ETag` or `Cache-Control` of their own and are not
//! the feedback form's (private) — keyed by the address and the `Cookie`
//! header (the language). Memory is bounded by the bodies' size (quick_cache,
//! its CLOCK-Pro policy evicting the least used).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use crate::storage::Storage;
use app::ssr::CspNonce;

/// How long an answer is kept at most (the pages' `max-age`).
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// Bodies larger than this are not kept.
const LARGEST: usize = 4 << 20;

/// An answer as rendered.
struct Cached {
    generation: Vec<i64>,
    /// The portal's clock when it was rendered (Unix seconds).
    at: i64,
    content_type: HeaderValue,
    /// The body as rendered, with `nonce` in it.
    body: Bytes,
    nonce: String,
    etag: HeaderValue,
}

#[derive(Clone)]
struct Weight;

impl quick_cache::Weighter<String, Arc<Cached>> for Weight {
    fn weight(&self, key: &String, value: &Arc<Cached>) -> u64 {
        (key.len() + value.body.len() + 256) as u64
    }
}

/// The cache, shared by the server's requests.
pub struct PageCache {
    storage: Arc<dyn Storage>,
    clock: crate::configuration::Clock,
    entries: quick_cache::sync::Cache<String, Arc<Cached>, Weight>,
}

impl PageCache {
    /// A cache of at most `bytes` of answers over `storage`.
    pub fn new(storage: Arc<dyn Storage>, clock: crate::configuration::Clock, bytes: u64) -> Arc<PageCache> {
        let estimated = usize::try_from(bytes / 32_768).unwrap_or(1024).max(16);
        Arc::new(PageCache {
            storage,
            clock,
            entries: quick_cache::sync::Cache::with_weighter(estimated, bytes, Weight),
        })
    }
}

/// Whether an answer rendered at `at` may still be served at `now` (Unix seconds).
fn fresh(at: i64, now: i64) -> bool {
    const DAY: i64 = 86_400;
    const BEIJING: i64 = 8 * 3_600;
    (0..MAX_AGE.as_secs() as i64).contains(&(now - at))
        && (at + BEIJING).div_euclid(DAY) == (now + BEIJING).div_euclid(DAY)
}

/// Whether a request may be answered from the cache, or its answer kept.
fn cacheable(request: &Request) -> bool {
    let path = request.uri().path();
    // Pages and JSON answers have no file extension; files (scripts, styles,
    // downloads) are not kept, so they cost no generation query either.
    let file = path.rsplit('/').next().is_some_and(|last| last.contains('.'));
    request.method() == Method::GET
        && !file
        && !(path == "/feedback" || path.starts_with("/feedback/") || path.starts_with("/pkg/"))
}

/// The ETag of a body rendered with `nonce` (the nonce left out).
fn etag_of(body: &[u8], nonce: &str) -> HeaderValue {
    let mut hasher = Sha256::new();
    let mut rest = body;
    if !nonce.is_empty() {
        let finder = memchr::memmem::Finder::new(nonce.as_bytes());
        while let Some(at) = finder.find(rest) {
            hasher.update(&rest[..at]);
            rest = &rest[at + nonce.len()..];
        }
    }
    hasher.update(rest);
    let digest = hasher.finalize();
    HeaderValue::from_str(&format!("\"p{}\"", hex::encode(&digest[..16])))
        .unwrap_or_else(|_| HeaderValue::from_static("\"p\""))
}

/// `body` with `from` replaced by `to` throughout.
fn renonce(body: &[u8], from: &str, to: &str) -> Vec<u8> {
    if from.is_empty() || from == to {
        return body.to_vec();
    }
    let finder = memchr::memmem::Finder::new(from.as_bytes());
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = finder.find(rest) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to.as_bytes());
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Whether an `If-None-Match` header names `etag`.
fn not_modified(if_none_match: Option<&HeaderValue>, etag: &HeaderValue) -> bool {
    etag.to_str().is_ok_and(|etag| crate::security::etag_matches(if_none_match, etag))
}

fn respond(status: StatusCode, content_type: Option<&HeaderValue>, etag: &HeaderValue, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    if let Some(ct) = content_type {
        h.insert(header::CONTENT_TYPE, ct.clone());
    }
    h.insert(header::ETAG, etag.clone());
    response
}

/// Middleware: answers from the cache when it can, and keeps what it may.
pub async fn serve(State(cache): State<Arc<PageCache>>, request: Request, next: Next) -> Response {
    let nonce = request.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let Some(nonce) = nonce.filter(|_| cacheable(&request)) else { return next.run(request).await };
    let Ok(generation) = cache.storage.generation().await else { return next.run(request).await };
    let cookie = request.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let key = format!("{}\n{cookie}", request.uri());
    let now = cache.clock.now();
    if let Some(hit) = cache.entries.get(&key)
        && hit.generation == generation
        && fresh(hit.at, now)
    {
        if not_modified(request.headers().get(header::IF_NONE_MATCH), &hit.etag) {
            return respond(StatusCode::NOT_MODIFIED, None, &hit.etag, Body::empty());
        }
        let body = renonce(&hit.body, &hit.nonce, &nonce);
        return respond(StatusCode::OK, Some(&hit.content_type), &hit.etag, Body::from(body));
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    let h = response.headers();
    let content_type = h.get(header::CONTENT_TYPE).cloned();
    let keep = response.status() == StatusCode::OK
        && !h.contains_key(header::SET_COOKIE)
        && !h.contains_key(header::ETAG)
        && !h.contains_key(header::CACHE_CONTROL)
        && content_type
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    let Some(content_type) = content_type.filter(|_| keep) else { return response };
    let (parts, body) = response.into_parts();
    // Pages and JSON answers are bounded (lists are paginated); a body that
    // fails while read is answered as the server's error.
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "reading a rendered answer failed");
            let mut failed = Response::new(Body::empty());
            *failed.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return failed;
        }
    };
    let etag = etag_of(&body, &nonce);
    if body.len() > LARGEST {
        let mut response = Response::from_parts(parts, Body::from(body));
        response.headers_mut().insert(header::ETAG, etag);
        return response;
    }
    cache.entries.insert(
        key,
        Arc::new(Cached {
            generation,
            at: now,
            content_type: content_type.clone(),
            body: body.clone(),
            nonce,
            etag: etag.clone(),
        }),
    );
    let mut response = Response::from_parts(parts, Body::from(body));
    response.headers_mut().insert(header::ETAG, etag.clone());
    if not_modified(if_none_match.as_ref(), &etag) {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        *response.body_mut() = Body::empty();
        response.headers_mut().remove(header::CONTENT_LENGTH);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_fresh_for_a_minute_and_not_past_midnight_in_beijing() {
        let noon = 1_796_004_000; // 2026-11-30T10:00:00+08:00
        assert!(fresh(noon, noon));
        assert!(fresh(noon, noon + 59));
        assert!(!fresh(noon, noon + 60));
        assert!(!fresh(noon, noon - 1), "a clock set back");
        let before_midnight = noon + 14 * 3_600 - 1; // 23:59:59 in Beijing
        assert!(!fresh(before_midnight, before_midnight + 1));
        assert!(fresh(before_midnight - 30, before_midnight));
    }

    #[test]
    fn a_body_gets_the_new_nonce_everywhere_and_its_etag_does_not_depend_on_the_nonce() {
        let a = "<script nonce=\"aaaa\">x</script><script nonce=\"aaaa\"></script>";
        let b = renonce(a.as_bytes(), "aaaa", "bbbb");
        assert_eq!(String::from_utf8(b.clone()).unwrap(), a.replace("aaaa", "bbbb"));
        assert_eq!(etag_of(a.as_bytes(), "aaaa"), etag_of(&b, "bbbb"));
        assert_ne!(etag_of(a.as_bytes(), "aaaa"), etag_of(b"<script nonce=\"aaaa\">y</script>", "aaaa"));
        assert_eq!(renonce(b"{\"json\":1}", "aaaa", "bbbb"), b"{\"json\":1}");
    }
}
