//! The error type of the HTTP handlers outside the Leptos pages (the JSON API).
//! Responses say what went wrong in plain words and never show internals;
//! details go to the server log.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing at this address (e.g. an unknown draw id).
    #[error("not found: {0}")]
    NotFound(String),
    /// The working-day calendar has no notice for this year.
    #[error("the calendar of {0} is not published")]
    CalendarNotPublished(i32),
    /// The address names something that is not a valid 统一社会信用代码.
    #[error("invalid credit code")]
    InvalidCreditCode,
    /// A query parameter is unusable (too long, a NUL or control character, not a number).
    #[error("bad query parameter {field}: {problem:?}")]
    BadParameter { field: String, problem: ParameterProblem },
    /// The request itself is malformed or not allowed at this address
    /// (405, 413, 414, 431, or a path that is not valid UTF-8: 400).
    #[error("request refused: {0}")]
    Refused(StatusCode),
    /// An `.xlsx` download of more rows than a worksheet holds.
    #[error("more rows than an xlsx worksheet holds")]
    TooManyRowsForXlsx,
    /// Storage failed (reading or writing); the cause is kept.
    #[error("storage failed")]
    Storage(#[source] crate::storage::StorageError),
    /// Something else failed that is not the client's doing (encoding a
    /// response, a stored value that does not parse, a task that died).
    #[error("{what}")]
    Internal {
        what: &'static str,
        #[source]
        source: BoxError,
    },
}

/// Any error, with its sources.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl AppError {
    /// An [`AppError::Internal`]: `what` failed because of `source`.
    pub fn internal(what: &'static str, source: impl Into<BoxError>) -> Self {
        AppError::Internal { what, source: source.into() }
    }
}

/// The error and its chain of sources, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

/// What is wrong with a query parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterProblem {
    /// Longer than [`crate::routes::query::MAX_PARAMETER_CHARS`].
    TooLong,
    /// Contains a NUL or another control character.
    ControlCharacter,
    /// Not a whole number in range (page, per_page, year).
    NotANumber,
    /// Given more than once.
    Repeated,
}

/// Body of an error response.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub error: &'static str,
    /// Chinese message.
    pub message: String,
    /// English message.
    pub message_en: String,
    /// The query parameter at fault, if one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    fn new(error: &'static str, message: &str, message_en: &str) -> Self {
        ErrorBody { error, message: message.to_owned(), message_en: message_en.to_owned(), field: None }
    }
}

/// The bilingual body of a refused request with this status.
pub fn refused_body(status: StatusCode) -> ErrorBody {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => ErrorBody::new(
            "method_not_allowed",
            "此地址不接受这种请求方法（只能读取：GET 或 HEAD）",
            "This address does not accept that request method (read only: GET or HEAD)",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ErrorBody::new("payload_too_large", "请求内容过大", "The request body is too large")
        }
        StatusCode::URI_TOO_LONG => ErrorBody::new("uri_too_long", "请求地址过长", "The request address is too long"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            ErrorBody::new("headers_too_large", "请求头过大", "The request headers are too large")
        }
        StatusCode::NOT_FOUND => ErrorBody::new("not_found", "没有找到请求的内容", "Nothing was found at this address"),
        s if s.is_server_error() => ErrorBody::new(
            "unavailable",
            "数据暂时无法读取，请稍后再试",
            "The data cannot be read right now; please try again later",
        ),
        _ => ErrorBody::new(
            "bad_request",
            "请求无效：地址或参数格式不正确",
            "Bad request: the address or its parameters are malformed",
        ),
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) | AppError::CalendarNotPublished(_) => StatusCode::NOT_FOUND,
            AppError::InvalidCreditCode => StatusCode::BAD_REQUEST,
            AppError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            AppError::Refused(status) => *status,
            AppError::TooManyRowsForXlsx => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Storage(_) | AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            AppError::NotFound(_) => refused_body(StatusCode::NOT_FOUND),
            AppError::CalendarNotPublished(year) => ErrorBody::new(
                "calendar_not_published",
                &format!("{year} 年的节假日安排尚未公布"),
                &format!("The holidays of {year} have not been published yet"),
            ),
            AppError::InvalidCreditCode => ErrorBody::new(
                "invalid_credit_code",
                "统一社会信用代码无效：应为 18 位，末位校验码须正确",
                "Not a valid unified social credit code: 18 characters with a correct check character",
            ),
            AppError::BadParameter { field, problem } => {
                let (zh, en) = match problem {
                    ParameterProblem::TooLong => (
                        format!("参数 {field} 过长（最多 {} 个字符）", crate::routes::query::MAX_PARAMETER_CHARS),
                        format!(
                            "The parameter {field} is too long (at most {} characters)",
                            crate::routes::query::MAX_PARAMETER_CHARS
                        ),
                    ),
                    ParameterProblem::ControlCharacter => (
                        format!("参数 {field} 含有控制字符"),
                        format!("The parameter {field} contains a control character"),
                    ),
                    ParameterProblem::Repeated => (
                        format!("参数 {field} 出现了不止一次"),
                        format!("The parameter {field} is given more than once"),
                    ),
                    ParameterProblem::NotANumber => (
                        format!("参数 {field} 应为正整数"),
                        format!("The parameter {field} must be a positive whole number"),
                    ),
                };
                ErrorBody { error: "bad_parameter", message: zh, message_en: en, field: Some(field.clone()) }
            }
            AppError::Refused(status) => refused_body(*status),
            AppError::TooManyRowsForXlsx => ErrorBody::new(
                "too_many_rows_for_xlsx",
                &format!(
                    "符合条件的记录超过 Excel 工作表的 {} 行上限。请下载 CSV（任意大小），或增加筛选条件后再下载 Excel 文件。",
                    crate::routes::export::XLSX_MAX_ROWS
                ),
                &format!(
                    "More rows match than an Excel worksheet holds ({}). Download the CSV (any size), or narrow the filters for an Excel file.",
                    crate::routes::export::XLSX_MAX_ROWS
                ),
            ),
            AppError::Storage(_) | AppError::Internal { .. } => refused_body(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(e: crate::storage::StorageError) -> Self {
        AppError::Storage(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if matches!(self, AppError::Storage(_) | AppError::Internal { .. }) {
            tracing::error!(error = %chain(&self), "request failed");
        }
        (self.status(), Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_are_not_exposed() {
        let e = AppError::Storage(crate::storage::StorageError::Directory {
            path: "/secret/path".into(),
            source: std::io::Error::other("disk full"),
        });
        let logged = chain(&e);
        assert!(
            logged.starts_with("storage failed: cannot create the database directory /secret/path")
                && logged.ends_with(": disk full"),
            "the log keeps the cause: {logged}"
        );
        let body = serde_json::to_string(&e.body()).unwrap();
        assert!(!body.contains("/secret/path"));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(AppError::NotFound("x".into()).status(), StatusCode::NOT_FOUND);
    }
}
