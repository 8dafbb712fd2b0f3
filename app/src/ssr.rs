//! Server-side port through which the pages read published draws.
//!
//! The server's storage implements [`DrawSource`] and provides a [`Source`] as
//! Leptos context for page rendering and server functions.

use std::sync::Arc;

use crate::types::{DrawSummary, StoredCommitment, StoredDraw};

pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// Read access to published draws.
#[async_trait::async_trait]
pub trait DrawSource: Send + Sync {
    /// All published draws (completed and awaiting randomness), newest first.
    async fn list_draws(&self) -> Result<Vec<DrawSummary>, SourceError>;
    /// One completed draw by id.
    async fn find_draw(&self, id: &str) -> Result<Option<StoredDraw>, SourceError>;
    /// The precomputed page view (JSON of [`crate::view::DrawView`]) of a completed draw.
    async fn find_draw_view(&self, id: &str) -> Result<Option<String>, SourceError>;
    /// A draw that is committed and still awaits its randomness, by id.
    async fn find_commitment(&self, id: &str) -> Result<Option<StoredCommitment>, SourceError>;
}

/// The draw source, as Leptos context.
#[derive(Clone)]
pub struct Source(pub Arc<dyn DrawSource>);
