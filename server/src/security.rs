//! Response headers every answer carries: the Content-Security-Policy (with a
//! fresh nonce for Leptos's one inline script), `nosniff`, no framing, a
//! referrer policy, and a `Cache-Control` chosen by what the address serves.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use app::ssr::CspNonce;

/// A new nonce: 16 bytes from the operating system, as hex (valid CSP base64-value characters).
fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: fall back to a per-process counter hashed with the time,
        // still unique per response (a CSP nonce must not repeat, not be secret forever).
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let digest = Sha256::digest(format!("{n}/{t}/{}", std::process::id()));
        bytes.copy_from_slice(&digest[..16]);
    }
    hex::encode(bytes)
}

/// The policy: everything from this origin only; scripts also with the
/// response's nonce; WebAssembly compiled (`'wasm-unsafe-eval'`, not
/// `'unsafe-eval'`); no plugins, no `<base>`, forms only to this origin, and no framing.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// How long a response may be kept, by address (unless the handler set it).
fn cache_control(path: &str, status: StatusCode) -> &'static str {
    if !status.is_success() && status != StatusCode::NOT_MODIFIED {
        return "no-store";
    }
    if path.starts_with("/pkg/") || path.ends_with(".js") || path.ends_with(".css") || path.ends_with(".svg") {
        // Not content-hashed (names are fixed): revalidated each time (Last-Modified), cheap when unchanged.
        "public, no-cache"
    } else if path.starts_with("/api/") {
        "public, max-age=60"
    } else {
        // Pages depend on the language cookie: browsers only, briefly.
        "private, max-age=60"
    }
}

/// Middleware: adds the security headers and a cache policy to every response.
pub async fn headers(mut request: Request, next: Next) -> Response {
    let nonce = new_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let status = response.status();
    let h = response.headers_mut();
    // A 304 updates the headers the browser kept with its copy: a new nonce
    // there would not match the scripts of that copy, so it gets none.
    if status != StatusCode::NOT_MODIFIED
        && let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(&path, status)));
    }
    response
}

/// How long a download may be kept.
#[derive(Clone, Copy, Debug)]
pub enum Keep {
    /// Never changes once published (committed inputs, the pool): a year, `immutable`.
    Forever,
    /// May change (a record gains recusals): five minutes, then revalidate with the `ETag`.
    Briefly,
}

/// Whether an `If-None-Match` header names `etag` (or is `*`).
pub fn etag_matches(if_none_match: Option<&HeaderValue>, etag: &str) -> bool {
    if_none_match
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// A download with a strong `ETag` (SHA-256 of the body); `304 Not Modified`
/// when the client already has it (`If-None-Match`).
pub fn with_etag(request: &HeaderMap, content_type: &'static str, body: Vec<u8>, keep: Keep) -> Response {
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..16]));
    let cache = match keep {
        Keep::Forever => "public, max-age=31536000, immutable",
        Keep::Briefly => "public, max-age=300",
    };
    let matches = etag_matches(request.get(header::IF_NONE_MATCH), &etag);
    let builder = Response::builder().header(header::ETAG, &etag).header(header::CACHE_CONTROL, cache);
    let response = if matches {
        builder.status(StatusCode::NOT_MODIFIED).body(axum::body::Body::empty())
    } else {
        builder.header(header::CONTENT_TYPE, content_type).body(axum::body::Body::from(body))
    };
    response.unwrap_or_else(|_| Response::new(axum::body::Body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_differ_and_are_hex() {
        let (a, b) = (new_nonce(), new_nonce());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn the_policy_allows_webassembly_but_not_eval() {
        let p = content_security_policy("abc");
        assert!(p.contains("'wasm-unsafe-eval'"));
        assert!(!p.contains("'unsafe-eval'"));
        assert!(!p.contains("'unsafe-inline'"));
        assert!(p.contains("'nonce-abc'"));
        assert!(p.contains("frame-ancestors 'none'"));
    }
}
