//! Random streams (SPEC.md §7–8): one ChaCha20 keystream per purpose and key,
//! read as little-endian 64-bit words, and Lemire's uniform integer with exact
//! rejection.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

use crate::encode::Encoder;

pub const STREAM_TAG: &str = "gongkai-draw/v1/stream";

/// A ChaCha20 keystream (20 rounds, 64-bit block counter from 0, nonce 0).
pub struct Stream {
    rng: ChaCha20Rng,
    words: u64,
}

impl Stream {
    /// `stream_key = SHA-256(str(tag) ‖ seed ‖ str(purpose) ‖ str(key))`.
    pub fn new(seed: &[u8; 32], purpose: &str, key: &str) -> Self {
        let mut e = Encoder::new();
        e.str(STREAM_TAG).raw(seed).str(purpose).str(key);
        Self::from_key(e.sha256())
    }

    pub fn from_key(key: [u8; 32]) -> Self {
        Self { rng: ChaCha20Rng::from_seed(key), words: 0 }
    }

    /// The next 8 keystream bytes as a little-endian u64.
    pub fn next_u64(&mut self) -> u64 {
        self.words += 1;
        self.rng.next_u64()
    }

    /// How many 64-bit words have been read.
    pub fn words_read(&self) -> u64 {
        self.words
    }

    /// A uniform integer in `[0, n)`, `n >= 1` (Lemire 2019, with exact
    /// rejection). Reads one word, plus one more per rejection; `n = 1` still
    /// reads one word.
    pub fn uniform(&mut self, n: u64) -> u64 {
        debug_assert!(n >= 1);
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut low = m as u64;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chacha20_zero_key_keystream() {
        // RFC 8439 / the original ChaCha20 test vector for key 0, nonce 0.
        let mut s = Stream::from_key([0; 32]);
        let first = s.next_u64();
        assert_eq!(first as u32, 0xade0_b876);
        assert_eq!((first >> 32) as u32, 0x903d_f1a0);
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut s = Stream::from_key([7; 32]);
        for n in [1u64, 2, 3, 10, 1 << 40, u64::MAX] {
            for _ in 0..100 {
                assert!(s.uniform(n) < n);
            }
        }
    }
}
