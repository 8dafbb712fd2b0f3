//! Server functions: each page's data, read in-process while the page is
//! rendered on the server. (Pages are not hydrated, so the browser does not
//! call them; as server functions the page components compile unchanged.)

use leptos::prelude::*;

/// The message the browser sees when storage fails; details stay in the server log.
pub const UNAVAILABLE: &str = "数据暂时无法读取 / data is temporarily unavailable";

#[cfg(feature = "ssr")]
pub(crate) fn source() -> Result<crate::ssr::Source, ServerFnError> {
    use_context::<crate::ssr::Source>().ok_or_else(|| {
        tracing::error!("no draw source in context");
        ServerFnError::new(UNAVAILABLE)
    })
}

#[cfg(feature = "ssr")]
pub(crate) fn unavailable(e: crate::ssr::StorageError) -> ServerFnError {
    tracing::error!(error = %e, "reading draws failed");
    ServerFnError::new(UNAVAILABLE)
}

/// What `/draws/{id}` shows, `None` if there is no draw with this id: the
/// view precomputed when the draw was published (the record is not parsed per
/// request), or the commitment of a draw still awaiting its randomness.
#[server]
pub async fn get_draw(id: String) -> Result<Option<crate::view::DrawPageData>, ServerFnError> {
    use crate::view::{CommitmentView, DrawPageData, DrawView};
    let source = source()?;
    // The stored view is a cache of what the record gives: one that does not
    // parse (stored by an older version of the view type) is rebuilt from the record.
    let named = |view: DrawView| async move {
        let (objects, certs) = view.codes();
        let portal = portal::portal()?;
        let names = portal.0.directory_names(&objects, &certs).await.map_err(unavailable)?;
        let links = portal.0.draw_links(&view.id).await.map_err(unavailable)?;
        Ok::<_, ServerFnError>(Some(DrawPageData::Drawn(Box::new(view), names, links)))
    };
    if let Some(json) = source.0.find_draw_view(&id).await.map_err(unavailable)? {
        match serde_json::from_str::<DrawView>(&json) {
            Ok(view) => return named(view).await,
            Err(e) => {
                tracing::warn!(draw = %id, error = %e, "stored draw view does not parse; rebuilding it from the record")
            }
        }
    }
    if let Some(stored) = source.0.find_draw(&id).await.map_err(unavailable)? {
        // A draw stored without a usable view: build it from the record.
        let record: draw::DrawRecord = serde_json::from_str(&stored.record_json).map_err(|e| {
            tracing::error!(draw = %id, error = %e, "stored record does not parse");
            ServerFnError::new(UNAVAILABLE)
        })?;
        return named(DrawView::from_record(&stored.summary, &record)).await;
    }
    let Some(committed) = source.0.find_commitment(&id).await.map_err(unavailable)? else {
        return Ok(None);
    };
    let input: draw::DrawInput = serde_json::from_str(&committed.input_json).map_err(|e| {
        tracing::error!(draw = %id, error = %e, "stored committed input does not parse");
        ServerFnError::new(UNAVAILABLE)
    })?;
    Ok(Some(DrawPageData::Awaiting(Box::new(CommitmentView::from_input(&committed.summary, &input)))))
}

pub mod portal;
pub mod reports;
