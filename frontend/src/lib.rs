//! The browser entry point: cargo-leptos builds this crate to WebAssembly and the
//! generated JS calls `hydrate()` once the server-rendered page has loaded.
// Layout queries of the app's deeply nested view types need more than the default 128.
#![recursion_limit = "256"]

/// Attaches the Leptos app to the server-rendered `<body>`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
