//! Types shared by the server (storage, API) and the browser (pages).

use serde::{Deserialize, Serialize};

/// One published draw, as listed on the home page and by `/api/draws`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DrawSummary {
    pub id: String,
    pub department: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub draw_date: String,
    /// SHA-256 commitment, lowercase hex.
    pub commitment: String,
    /// When the commitment was published (RFC 3339), if recorded.
    pub committed_at: Option<String>,
    /// When the result was published (RFC 3339).
    pub published_at: String,
    /// Kind of public randomness: `drand-quicknet`, `public-numbers` or `demo`.
    pub randomness_source: String,
}

impl DrawSummary {
    /// Demo randomness is chosen by the publisher, not a public beacon.
    pub fn is_demo(&self) -> bool {
        self.randomness_source == "demo"
    }
}

/// A stored draw: its summary and the exact record JSON that was published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StoredDraw {
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub summary: DrawSummary,
    pub record_json: String,
}
