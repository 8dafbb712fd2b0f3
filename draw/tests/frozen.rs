//! The v1 vectors are frozen: `vectors/SHA256SUMS` lists the SHA-256 of every
//! vector file, and a vector whose expected output changes needs a new
//! protocol version (SPEC.md §12, §14), not an edit. `scripts/test.sh` also
//! regenerates the generated vectors and fails if that changes any file.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

#[test]
fn every_vector_file_has_the_checksum_it_was_frozen_with() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
    let listed: BTreeMap<String, String> = std::fs::read_to_string(dir.join("SHA256SUMS"))
        .expect("vectors/SHA256SUMS")
        .lines()
        .map(|line| {
            let (sum, name) = line.split_once("  ").expect("`sha256sum` format: <hex>  <name>");
            (name.to_owned(), sum.to_owned())
        })
        .collect();
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            found.insert(name, hex::encode(Sha256::digest(std::fs::read(&path).unwrap())));
        }
    }
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&found), names(&listed), "every vector file is listed, and every listed file exists");
    for (name, sum) in &found {
        assert_eq!(
            sum, &listed[name],
            "{name} changed since it was frozen: a new expected output needs a new protocol version"
        );
    }
}
