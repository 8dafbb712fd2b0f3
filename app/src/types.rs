//! Types shared by the server (storage, API) and the browser (pages).

use serde::{Deserialize, Serialize};

/// [`DrawSummary::status`] of a completed draw.
pub const STATUS_DRAWN: &str = "drawn";
/// [`DrawSummary::status`] of a committed draw still waiting for its randomness.
pub const STATUS_AWAITING: &str = "awaiting_randomness";

/// A commitment published before the randomness existed (draw not made yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StoredCommitment {
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub summary: DrawSummary,
    /// The committed DrawInput exactly as published.
    pub input_json: String,
}

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
    /// When the result was published (RFC 3339); `None` while the draw awaits its randomness.
    pub published_at: Option<String>,
    /// Kind of public randomness: `drand-quicknet`, `public-numbers` or `demo`.
    pub randomness_source: String,
    /// `drawn`, or `awaiting_randomness` (committed, randomness not yet known or draw not yet made).
    pub status: String,
}

impl DrawSummary {
    /// Demo randomness is chosen by the publisher, not a public beacon.
    pub fn is_demo(&self) -> bool {
        self.randomness_source == "demo"
    }

    /// Committed, but the randomness is not known yet (or the draw is not made yet).
    pub fn is_awaiting(&self) -> bool {
        self.status == STATUS_AWAITING
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
