//! Canonical encoding (SPEC.md §4): every value becomes bytes in exactly one way.
//!
//! - `u8(x)`: one byte; `u64(x)`: eight bytes, big-endian.
//! - `str(s)`: `u32` big-endian byte length, then the UTF-8 bytes.
//! - `list(xs)`: `u32` big-endian count, then each item.
//! - `opt(x)`: `u8(0)` for none, or `u8(1)` then the value.

use sha2::{Digest, Sha256};

/// Builds a canonical byte string.
#[derive(Default)]
pub struct Encoder {
    bytes: Vec<u8>,
}

impl Encoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn u8(&mut self, x: u8) -> &mut Self {
        self.bytes.push(x);
        self
    }

    pub fn u32(&mut self, x: u32) -> &mut Self {
        self.bytes.extend_from_slice(&x.to_be_bytes());
        self
    }

    pub fn u64(&mut self, x: u64) -> &mut Self {
        self.bytes.extend_from_slice(&x.to_be_bytes());
        self
    }

    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(b);
        self
    }

    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u32(len32(b.len())).raw(b)
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    pub fn strs<S: AsRef<str>>(&mut self, xs: &[S]) -> &mut Self {
        self.u32(len32(xs.len()));
        for x in xs {
            self.str(x.as_ref());
        }
        self
    }

    pub fn opt_str(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            None => self.u8(0),
            Some(s) => self.u8(1).str(s),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }

    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }
}

/// Lengths are bounded by validation (no input list or string comes near 2^32).
pub(crate) fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
