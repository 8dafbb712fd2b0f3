//! What every request passes before a handler sees it: only reading methods
//! (the portal publishes; the one thing written over HTTP is an enterprise's
//! feedback, posted to `/feedback`), query parameters
//! that are short, free of control characters and not repeated; and errors
//! in the promised format whoever produced them (JSON under `/api/`, an HTML
//! page elsewhere).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::i18n::{self, Lang};

use crate::error::{AppError, ErrorBody, ParameterProblem};

/// The longest query parameter value accepted, in characters (the longest
/// published text, a name, has 200).
pub const MAX_PARAMETER_CHARS: usize = 200;

/// The most request headers accepted, and their most bytes (names and values);
/// more is 431 in the promised format.
pub const MAX_HEADERS: usize = 100;
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The first problem of a query string, if any: the parameter's name and what is wrong.
pub fn check_query(query: &str) -> Result<(), (String, ParameterProblem)> {
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let shown: String = name.chars().take(40).filter(|c| !c.is_control()).collect();
        if name.chars().count() > MAX_PARAMETER_CHARS || value.chars().count() > MAX_PARAMETER_CHARS {
            return Err((shown, ParameterProblem::TooLong));
        }
        if name.chars().chain(value.chars()).any(char::is_control) {
            return Err((shown, ParameterProblem::ControlCharacter));
        }
        let bad_number = match name.as_ref() {
            "page" | "per_page" | "year" => value.trim().parse::<u32>().is_err(),
            "after" => value.trim().parse::<i64>().map_or(true, |a| a < 0),
            _ => false,
        };
        if bad_number && !value.trim().is_empty() {
            return Err((shown, ParameterProblem::NotANumber));
        }
        if seen.iter().any(|s| *s == name) {
            return Err((shown, ParameterProblem::Repeated));
        }
        seen.push(name.into_owned());
    }
    Ok(())
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Middleware: GET and HEAD only (405 otherwise, which also keeps Leptos's
/// server-function endpoints, used only while rendering on the server,
/// closed to the outside); the query string checked ([`check_query`]).
pub async fn guard(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let lang = request_lang(&request);
    let header_bytes: usize = request.headers().iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if request.headers().len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return error_response(&path, lang, AppError::Refused(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
    }
    let posts = matches!(path.as_str(), "/feedback" | "/feedback/receipt");
    let allowed = match path.as_str() {
        "/feedback" => "GET, HEAD, POST",
        "/feedback/receipt" => "POST",
        _ => "GET, HEAD",
    };
    let method_ok = if path == "/feedback/receipt" {
        request.method() == Method::POST
    } else {
        request.method() == Method::GET
            || request.method() == Method::HEAD
            || (posts && request.method() == Method::POST)
    };
    if !method_ok {
        let mut response = error_response(&path, lang, AppError::Refused(StatusCode::METHOD_NOT_ALLOWED));
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allowed));
        return response;
    }
    if let Err((field, problem)) = check_query(request.uri().query().unwrap_or("")) {
        return error_response(&path, lang, AppError::BadParameter { field, problem });
    }
    next.run(request).await
}

/// Middleware: an error response that is not already in the promised format
/// (an extractor's `text/plain` rejection, an empty 405) is replaced by one that is.
pub async fn uniform_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let lang = request_lang(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let in_format = if is_api(&path) {
        content_type.starts_with("application/json")
    } else {
        content_type.starts_with("text/html")
    };
    if in_format {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut fixed = error_response(&path, lang, AppError::Refused(status));
    if let Some(allow) = allow {
        fixed.headers_mut().insert(header::ALLOW, allow);
    }
    fixed
}

/// The visitor's language: `?lang=`, else the language cookie.
pub fn request_lang(request: &Request) -> Lang {
    let cookie = request.headers().get(header::COOKIE).and_then(|v| v.to_str().ok());
    i18n::resolve(request.uri().query(), cookie).0
}

/// The error as JSON under `/api/`, as an HTML page elsewhere.
pub fn error_response(path: &str, lang: Lang, error: AppError) -> Response {
    if is_api(path) {
        return error.into_response();
    }
    let status = error.status();
    let body = error.body();
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], Body::from(error_page(lang, status, &body)))
        .into_response()
}

/// A small page of its own (it must not depend on the storage or the app
/// that may have failed), in the visitor's language.
fn error_page(lang: Lang, status: StatusCode, body: &ErrorBody) -> String {
    let esc = app::components::verify::esc;
    let message = match lang {
        Lang::Zh => &body.message,
        Lang::En => &body.message_en,
    };
    let heading = match (lang, status.as_u16()) {
        (Lang::Zh, 404) => "页面不存在",
        (Lang::En, 404) => "Page not found",
        (Lang::Zh, 405) => "不支持的请求方法",
        (Lang::En, 405) => "Method not allowed",
        (Lang::Zh, 500..=599) => "暂时无法提供服务",
        (Lang::En, 500..=599) => "Temporarily unavailable",
        (Lang::Zh, _) => "请求无效",
        (Lang::En, _) => "Bad request",
    };
    let (brand, home) = match lang {
        Lang::Zh => ("公开", "返回首页"),
        Lang::En => ("Gongkai", "Back to the home page"),
    };
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <link rel=\"stylesheet\" href=\"/style.css\"/><title>{} · {}</title></head>\
         <body><main id=\"main\"><h1>{}</h1><p>{}</p><p>{} {}</p><p><a href=\"/\">{}</a></p></main></body></html>",
        lang.html_lang(),
        esc(heading),
        brand,
        esc(heading),
        esc(message),
        status.as_u16(),
        esc(status.canonical_reason().unwrap_or("")),
        home
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_checked_parameter_by_parameter() {
        assert_eq!(check_query("q=%E4%B8%9C%E8%83%9C&page=2"), Ok(()));
        assert_eq!(check_query(""), Ok(()));
        let long = format!("q={}", "a".repeat(MAX_PARAMETER_CHARS + 1));
        assert_eq!(check_query(&long), Err(("q".to_owned(), ParameterProblem::TooLong)));
        assert_eq!(check_query(&format!("q={}", "东".repeat(MAX_PARAMETER_CHARS))), Ok(()));
        assert_eq!(check_query("q=a%00b"), Err(("q".to_owned(), ParameterProblem::ControlCharacter)));
        assert_eq!(check_query("page=x"), Err(("page".to_owned(), ParameterProblem::NotANumber)));
        assert_eq!(check_query("page=4294967296"), Err(("page".to_owned(), ParameterProblem::NotANumber)));
        assert_eq!(check_query("q=a&q=b"), Err(("q".to_owned(), ParameterProblem::Repeated)));
        assert_eq!(check_query("after=9223372036854775807"), Ok(()));
        for bad in ["after=-1", "after=x", "after=9223372036854775808"] {
            assert_eq!(check_query(bad), Err(("after".to_owned(), ParameterProblem::NotANumber)), "{bad}");
        }
    }
}
