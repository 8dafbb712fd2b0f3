//! The browser bundle under content-addressed names, so that it can be cached
//! for a year: `/pkg/gongkai.<hash>.js` and `/pkg/gongkai.<hash>.wasm`, the hash
//! being the first 16 hex digits of the file's SHA-256.
//!
//! The build (scripts/lib.sh) writes the bundle under fixed names (`gongkai.js`,
//! `gongkai.wasm`). At start the server hashes both and tells Leptos the names
//! through its hash file (`LeptosOptions::hash_files`, read by
//! `HydrationScripts`); it serves them from memory with
//! `Cache-Control: public, max-age=31536000, immutable`. A new build has new
//! names, so no browser ever pairs an old script with a new module. Without a
//! built bundle (the native tests) nothing changes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::HeaderMap;
use axum::response::Response;
use leptos::config::LeptosOptions;
use sha2::{Digest, Sha256};

use crate::security::{Keep, with_etag};

/// One file of the bundle: the name it is served under and its bytes.
#[derive(Debug)]
pub struct Fingerprinted {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The fingerprinted bundle, if one was built.
#[derive(Clone, Debug, Default)]
pub struct Bundle(pub Arc<Vec<Fingerprinted>>);

fn short_hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..8])
}

/// Hashes the built bundle and points Leptos at the content-addressed names;
/// returns the options to render with and the files to serve. Leaves the
/// options as they are when the bundle is missing or cannot be read.
pub fn fingerprint(mut options: LeptosOptions) -> (LeptosOptions, Bundle) {
    let pkg = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let name = options.output_name.to_string();
    let (Ok(js), Ok(wasm)) =
        (std::fs::read(pkg.join(format!("{name}.js"))), std::fs::read(pkg.join(format!("{name}.wasm"))))
    else {
        return (options, Bundle::default());
    };
    let (js_hash, wasm_hash) = (short_hash(&js), short_hash(&wasm));
    // Leptos reads `<directory of the executable>/<hash_file>`; an absolute
    // `hash_file` replaces the directory. Named by content, so concurrent
    // servers of the same build write the same file.
    let hash_file: PathBuf = std::env::temp_dir().join(format!("gongkai-pkg-{js_hash}-{wasm_hash}.txt"));
    let temporary = hash_file.with_extension(format!("{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, format!("js: {js_hash}\nwasm: {wasm_hash}\n"))
        .and_then(|()| std::fs::rename(&temporary, &hash_file));
    if let Err(e) = written {
        tracing::warn!(error = %e, file = %hash_file.display(), "cannot write the bundle's hash file; serving fixed names");
        return (options, Bundle::default());
    }
    options.hash_files = true;
    options.hash_file = hash_file.display().to_string().into();
    let files = vec![
        Fingerprinted { name: format!("{name}.{js_hash}.js"), content_type: "text/javascript", bytes: js },
        Fingerprinted { name: format!("{name}.{wasm_hash}.wasm"), content_type: "application/wasm", bytes: wasm },
    ];
    tracing::info!(js = %files[0].name, wasm = %files[1].name, "serving the bundle under content-addressed names");
    (options, Bundle(Arc::new(files)))
}

impl Bundle {
    /// The response for `path` if it names one of the bundle's content-addressed files.
    pub fn response(&self, path: &str, headers: &HeaderMap) -> Option<Response> {
        let file = path.strip_prefix("/pkg/")?;
        let f = self.0.iter().find(|f| f.name == file)?;
        Some(with_etag(headers, f.content_type, f.bytes.clone(), Keep::Forever))
    }
}
