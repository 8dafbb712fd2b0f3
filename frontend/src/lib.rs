//! The browser entry point, built to WebAssembly by `scripts/lib.sh` (build_bundle). The
//! portal's pages are rendered on the server only; the generated JS calls
//! `hydrate()` and then hydrates each island (`#[island]` in `app`: the verify
//! panel, the "was I in this draw?" lookup and the commitment check).

/// Starts the reactive runtime for the islands and marks the page
/// (`<body data-hydrated>`, used by the browser tests).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The islands' exported hydration functions live in `app`.
    #[allow(unused_imports)]
    use app::*;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
