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
    /// The address names something that is not a valid 统一社会信用代码.
    #[error("invalid credit code")]
    InvalidCreditCode,
    /// Storage failed.
    #[error("storage: {0}")]
    Storage(String),
}

/// Body of an error response.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub error: &'static str,
    /// Chinese message.
    pub message: &'static str,
    /// English message.
    pub message_en: &'static str,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::InvalidCreditCode => StatusCode::BAD_REQUEST,
            AppError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            AppError::NotFound(_) => ErrorBody {
                error: "not_found",
                message: "没有找到请求的内容",
                message_en: "Nothing was found at this address",
            },
            AppError::InvalidCreditCode => ErrorBody {
                error: "invalid_credit_code",
                message: "统一社会信用代码无效：应为 18 位，末位校验码须正确",
                message_en: "Not a valid unified social credit code: 18 characters with a correct check character",
            },
            AppError::Storage(_) => ErrorBody {
                error: "unavailable",
                message: "数据暂时无法读取，请稍后再试",
                message_en: "The data cannot be read right now; please try again later",
            },
        }
    }
}

impl From<app::ssr::SourceError> for AppError {
    fn from(e: app::ssr::SourceError) -> Self {
        AppError::Storage(e.to_string())
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(e: crate::storage::StorageError) -> Self {
        AppError::Storage(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Storage(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        (self.status(), Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_are_not_exposed() {
        let e = AppError::Storage("disk I/O error at /secret/path".to_owned());
        let body = serde_json::to_string(&e.body()).unwrap();
        assert!(!body.contains("/secret/path"));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(AppError::NotFound("x".into()).status(), StatusCode::NOT_FOUND);
    }
}
