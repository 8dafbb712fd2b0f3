//! RFC 3797 selection (SPEC.md §13), kept as an external check: anyone can
//! compare it with the RFC's own worked example.
//!
//! For the i-th selection (i from 0), hash `u16be(i) ‖ key ‖ u16be(i)` with MD5,
//! read the digest as a 128-bit big-endian integer, take it modulo the number
//! of candidates still unselected, and select that (0-based) remaining candidate.

use md5::{Digest, Md5};

/// Selects `count` of the candidates numbered `1..=pool`, returning their numbers
/// in selection order. `count` is capped at `pool`.
pub fn select(key: &str, pool: u32, count: u32) -> Vec<u32> {
    let mut remaining: Vec<u32> = (1..=pool).collect();
    let mut chosen = Vec::with_capacity(count.min(pool) as usize);
    for i in 0..count.min(pool) {
        let index = u16::try_from(i).unwrap_or(u16::MAX).to_be_bytes();
        let mut h = Md5::new();
        h.update(index);
        h.update(key.as_bytes());
        h.update(index);
        let value = u128::from_be_bytes(h.finalize().into());
        let pick = (value % remaining.len() as u128) as usize;
        chosen.push(remaining.remove(pick));
    }
    chosen
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3797_worked_example() {
        let key = "9319./2.5.8.10.12./9.18.26.34.41.45./";
        assert_eq!(super::select(key, 25, 11), vec![17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22]);
    }
}
