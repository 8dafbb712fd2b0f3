//! Feedback codes (评价码): the one-time credential with which an inspected
//! enterprise gives feedback on its inspection (001 art. 24), printed on the
//! written result (检查结果告知书).
//!
//! A code is 15 random characters (75 bits) and a check character, written in
//! four groups of four (`K7QM-3XPA-9RZD-H2WC`). The alphabet has 32 symbols
//! and leaves out `0`, `1`, `I` and `O`, which are easily mistaken for one
//! another; the check character (Luhn mod 32) catches every single mistyped
//! character and almost every swap of two neighbours before anything is sent.
//! The portal stores only a keyed hash of a code.

use std::fmt;

/// The 32 symbols, in value order.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Random characters in a code (5 bits each: 75 bits).
pub const RANDOM_CHARS: usize = 15;
/// Characters in a code, the check character included.
pub const CODE_CHARS: usize = RANDOM_CHARS + 1;

/// A well-formed feedback code: 16 symbols, the last one the check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FeedbackCode(String);

/// Why a typed code is not a feedback code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error(
        "评价码应为 {CODE_CHARS} 个字符（不计空格和连字符），实为 {0} 个 / a feedback code has {CODE_CHARS} characters (spaces and hyphens aside), this has {0}"
    )]
    Length(usize),
    #[error(
        "评价码第 {position} 个字符 “{character}” 不会出现在评价码中（评价码不用 0、1、I、O）/ character {position}, '{character}', is not used in feedback codes (they have no 0, 1, I or O)"
    )]
    Character { position: usize, character: char },
    #[error(
        "评价码有误（校验位不符），请核对告知书上的评价码 / the feedback code is mistyped (its check character does not match): compare it with the written result"
    )]
    Check,
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|v| v as u32)
}

/// Luhn mod 32 over `values` read right to left, the rightmost doubled first
/// when `doubling_first`.
fn luhn_sum(values: &[u32], doubling_first: bool) -> u32 {
    let n = ALPHABET.len() as u32;
    let mut double = doubling_first;
    let mut sum = 0;
    for &v in values.iter().rev() {
        let mut addend = if double { 2 * v } else { v };
        addend = addend / n + addend % n;
        sum += addend;
        double = !double;
    }
    sum % n
}

impl FeedbackCode {
    /// A code from 10 random bytes (the first 75 bits are used).
    pub fn from_random(bytes: [u8; 10]) -> FeedbackCode {
        let bits = u128::from_be_bytes({
            let mut b = [0u8; 16];
            b[..10].copy_from_slice(&bytes);
            b
        });
        let values: Vec<u32> = (0..RANDOM_CHARS).map(|i| ((bits >> (123 - 5 * i)) & 31) as u32).collect();
        let n = ALPHABET.len() as u32;
        let check = (n - luhn_sum(&values, true)) % n;
        let text = values.iter().chain([&check]).map(|&v| ALPHABET[v as usize] as char).collect();
        FeedbackCode(text)
    }

    /// Reads a code as a person types it: any case, spaces and hyphens anywhere.
    pub fn parse(typed: &str) -> Result<FeedbackCode, CodeError> {
        let chars: Vec<char> = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if chars.len() != CODE_CHARS {
            return Err(CodeError::Length(chars.len()));
        }
        let mut values = Vec::with_capacity(CODE_CHARS);
        for (i, c) in chars.iter().enumerate() {
            let upper = c.to_ascii_uppercase();
            match u8::try_from(upper).ok().and_then(value) {
                Some(v) => values.push(v),
                None => return Err(CodeError::Character { position: i + 1, character: *c }),
            }
        }
        if luhn_sum(&values, false) != 0 {
            return Err(CodeError::Check);
        }
        Ok(FeedbackCode(values.iter().map(|&v| ALPHABET[v as usize] as char).collect()))
    }

    /// The 16 symbols without separators (what is hashed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed: four groups of four.
    pub fn grouped(&self) -> String {
        self.0.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
    }
}

impl fmt::Display for FeedbackCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

/// Never printed by accident in a log or a panic message.
impl fmt::Debug for FeedbackCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedbackCode(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(seed: u8) -> FeedbackCode {
        let mut bytes = [0u8; 10];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = seed.wrapping_mul(37).wrapping_add((i as u8).wrapping_mul(101));
        }
        FeedbackCode::from_random(bytes)
    }

    #[test]
    fn codes_read_back_as_typed_in_any_case_with_separators() {
        let code = sample(7);
        assert_eq!(code.as_str().len(), 16);
        assert_eq!(code.grouped().len(), 19);
        assert_eq!(FeedbackCode::parse(&code.grouped()), Ok(code.clone()));
        assert_eq!(FeedbackCode::parse(&code.grouped().to_lowercase()), Ok(code.clone()));
        let spaced: String = code.as_str().chars().flat_map(|c| [c, ' ']).collect();
        assert_eq!(FeedbackCode::parse(&spaced), Ok(code.clone()));
        assert_eq!(format!("{code:?}"), "FeedbackCode(…)");
    }

    #[test]
    fn every_single_mistyped_character_is_caught() {
        for seed in 0..20 {
            let code = sample(seed);
            for i in 0..CODE_CHARS {
                for &other in ALPHABET.iter().filter(|&&a| a != code.as_str().as_bytes()[i]) {
                    let mut typo = code.as_str().as_bytes().to_vec();
                    typo[i] = other;
                    let typo = String::from_utf8(typo).unwrap();
                    assert_eq!(FeedbackCode::parse(&typo), Err(CodeError::Check), "{typo}");
                }
            }
        }
    }

    #[test]
    fn swapped_neighbours_are_caught_nearly_always() {
        let (mut swaps, mut caught) = (0, 0);
        for seed in 0..100 {
            let code = sample(seed);
            let b = code.as_str().as_bytes();
            for i in 0..CODE_CHARS - 1 {
                if b[i] == b[i + 1] {
                    continue;
                }
                let mut swapped = b.to_vec();
                swapped.swap(i, i + 1);
                swaps += 1;
                caught += usize::from(FeedbackCode::parse(std::str::from_utf8(&swapped).unwrap()).is_err());
            }
        }
        // Luhn mod 32 misses only the swap of the values 0 and 31 (the symbols 2 and Z).
        assert!(caught * 100 >= swaps * 98, "{caught} of {swaps}");
    }

    #[test]
    fn ambiguous_and_foreign_characters_are_named() {
        let code = sample(3);
        let mut with_zero = code.as_str().to_owned();
        with_zero.replace_range(4..5, "0");
        assert_eq!(FeedbackCode::parse(&with_zero), Err(CodeError::Character { position: 5, character: '0' }));
        assert_eq!(
            FeedbackCode::parse("ABCD-EFGH-JKLM-NPQé"),
            Err(CodeError::Character { position: 16, character: 'é' })
        );
        assert_eq!(FeedbackCode::parse("ABCD"), Err(CodeError::Length(4)));
        assert_eq!(FeedbackCode::parse(""), Err(CodeError::Length(0)));
    }

    #[test]
    fn the_random_bits_are_all_used() {
        // Each of the first 75 bits changes the code.
        let base = FeedbackCode::from_random([0; 10]);
        for bit in 0..75 {
            let mut bytes = [0u8; 10];
            bytes[bit / 8] |= 0x80 >> (bit % 8);
            assert_ne!(FeedbackCode::from_random(bytes), base, "bit {bit}");
        }
    }
}
