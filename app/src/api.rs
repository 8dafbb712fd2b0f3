//! Server functions: run in-process while rendering on the server, and over
//! HTTP when the browser navigates between pages.

use leptos::prelude::*;

use crate::types::DrawSummary;
use crate::view::DrawView;

/// The message the browser sees when storage fails; details stay in the server log.
pub const UNAVAILABLE: &str = "数据暂时无法读取 / data is temporarily unavailable";

#[cfg(feature = "ssr")]
fn source() -> Result<crate::ssr::Source, ServerFnError> {
    use_context::<crate::ssr::Source>().ok_or_else(|| {
        tracing::error!("no draw source in context");
        ServerFnError::new(UNAVAILABLE)
    })
}

#[cfg(feature = "ssr")]
fn unavailable(e: crate::ssr::SourceError) -> ServerFnError {
    tracing::error!(error = %e, "reading draws failed");
    ServerFnError::new(UNAVAILABLE)
}

/// All published draws, newest first.
#[server]
pub async fn list_draws() -> Result<Vec<DrawSummary>, ServerFnError> {
    source()?.0.list_draws().await.map_err(unavailable)
}

/// The page view of one draw, `None` if there is no draw with this id.
#[server]
pub async fn get_draw(id: String) -> Result<Option<DrawView>, ServerFnError> {
    let Some(stored) = source()?.0.find_draw(&id).await.map_err(unavailable)? else {
        return Ok(None);
    };
    let record: draw::DrawRecord = serde_json::from_str(&stored.record_json).map_err(|e| {
        tracing::error!(draw = %id, error = %e, "stored record does not parse");
        ServerFnError::new(UNAVAILABLE)
    })?;
    Ok(Some(DrawView::from_record(&stored.summary, &record)))
}

pub mod portal;
