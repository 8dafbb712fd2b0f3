//! Public randomness and the seed (SPEC.md §6).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::encode::Encoder;
use crate::id::{format_beijing, format_utc};
use crate::input::RandomnessSource;

pub const SEED_TAG: &str = "gongkai-draw/v1/seed";
/// drand quicknet chain hash.
pub const QUICKNET_CHAIN_HASH: &str = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
pub const QUICKNET_GENESIS: i64 = 1_692_803_367;
pub const QUICKNET_PERIOD: i64 = 3;
/// drand quicknet public key (BLS12-381 G2, scheme bls-unchained-g1-rfc9380).
pub const QUICKNET_PUBLIC_KEY: &str = "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a";

/// The randomness as published once it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Randomness {
    /// A drand quicknet beacon: `randomness = SHA-256(signature)`.
    DrandQuicknet { round: u64, signature: String, randomness: String },
    /// RFC 3797 key string of the published numbers, e.g. `9319./2.5.8.10.12./`.
    PublicNumbers { key: String },
    /// 32 demo bytes, hex.
    Demo { value: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RandomnessError {
    #[error(
        "承诺时指定的随机源是 {committed}，公布的是 {published} / committed to {committed} randomness, published {published}"
    )]
    WrongSource { committed: &'static str, published: &'static str },
    #[error(
        "drand 轮次应为 {committed}，公布的是 {published} / drand round should be {committed}, published {published}"
    )]
    WrongRound { committed: u64, published: u64 },
    #[error("randomness.{field}: 不是有效的十六进制 / not valid hex")]
    Hex { field: &'static str },
    /// SPEC §4: hex is lower case; upper-case digits are refused, not decoded.
    #[error("randomness.{field}: 十六进制须为小写（0-9a-f）/ hex must be lower case (0-9a-f)")]
    UpperCaseHex { field: &'static str },
    #[error("drand randomness 不等于 SHA-256(signature) / randomness is not SHA-256 of the signature")]
    SignatureHash,
    #[error(
        "drand 第 {round} 轮的 BLS 签名无效：不是 quicknet 网络的签名 / the BLS signature of round {round} is not a valid quicknet signature"
    )]
    Signature { round: u64 },
    #[error("演示随机数应为 32 字节 / demo randomness must be 32 bytes")]
    DemoLength,
    #[error("公开号码串 “{0}” 不符合 RFC 3797 格式（如 9319./2.5.8.10.12./）/ not an RFC 3797 key string")]
    Key(String),
}

impl RandomnessError {
    /// The field of the published randomness this error is about.
    pub fn field(&self) -> String {
        match self {
            RandomnessError::WrongSource { .. } => "randomness.source".into(),
            RandomnessError::WrongRound { .. } => "randomness.round".into(),
            RandomnessError::Hex { field } | RandomnessError::UpperCaseHex { field } => format!("randomness.{field}"),
            RandomnessError::SignatureHash => "randomness.randomness".into(),
            RandomnessError::Signature { .. } => "randomness.signature".into(),
            RandomnessError::DemoLength => "randomness.value".into(),
            RandomnessError::Key(_) => "randomness.key".into(),
        }
    }
}

/// Decodes lower-case hex (SPEC §4): upper-case digits are an error naming the field.
fn lower_hex(text: &str, field: &'static str) -> Result<Vec<u8>, RandomnessError> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(RandomnessError::UpperCaseHex { field });
    }
    hex::decode(text).map_err(|_| RandomnessError::Hex { field })
}

/// The last quicknet round emitted before the year 10000 (9999-12-31T23:59:59Z
/// is Unix 253402300799): a committed round above it is refused (SPEC §6.1), so
/// every valid round's time can be written as a date.
pub const QUICKNET_LAST_ROUND: u64 = 83_903_165_811;

/// Unix time at which a quicknet round is emitted.
pub fn quicknet_round_time(round: u64) -> i64 {
    // Saturating: a round too large for the time to be written (far past the
    // year 9999) gives the largest time rather than overflowing.
    let periods = i64::try_from(round.saturating_sub(1)).unwrap_or(i64::MAX);
    QUICKNET_GENESIS.saturating_add(periods.saturating_mul(QUICKNET_PERIOD))
}

/// The first quicknet round emitted at or after `unix`.
pub fn quicknet_round_at(unix: i64) -> u64 {
    if unix <= QUICKNET_GENESIS {
        1
    } else {
        ((unix - QUICKNET_GENESIS + QUICKNET_PERIOD - 1) / QUICKNET_PERIOD) as u64 + 1
    }
}

/// Human description of when the committed randomness will exist.
pub fn describe_source(s: &RandomnessSource) -> String {
    match s {
        RandomnessSource::DrandQuicknet { round } => {
            let t = quicknet_round_time(*round);
            format!(
                "drand quicknet 第 {round} 轮，北京时间 {} 生成 / drand quicknet round {round}, emitted {}",
                format_beijing(t),
                format_utc(t)
            )
        }
        RandomnessSource::PublicNumbers { description, date } => {
            format!("{date} 公布的公开号码：{description} / public numbers published on {date}: {description}")
        }
        RandomnessSource::Demo { label } => {
            format!("演示随机数（非公共随机源）：{label} / demo randomness, not a public beacon: {label}")
        }
    }
}

fn is_key_string(k: &str) -> bool {
    !k.is_empty()
        && k.ends_with('/')
        && k[..k.len() - 1].split('/').all(|source| {
            source.ends_with('.')
                && source[..source.len() - 1].split('.').all(|n| {
                    !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
                })
        })
}

impl RandomnessSource {
    /// The source's kind as written in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            RandomnessSource::DrandQuicknet { .. } => "drand-quicknet",
            RandomnessSource::PublicNumbers { .. } => "public-numbers",
            RandomnessSource::Demo { .. } => "demo",
        }
    }
}

impl Randomness {
    /// The randomness's kind as written in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Randomness::DrandQuicknet { .. } => "drand-quicknet",
            Randomness::PublicNumbers { .. } => "public-numbers",
            Randomness::Demo { .. } => "demo",
        }
    }

    /// The randomness bytes that enter the seed, after checking they belong
    /// to the committed source.
    pub fn bytes(&self, source: &RandomnessSource) -> Result<Vec<u8>, RandomnessError> {
        match (self, source) {
            (
                Randomness::DrandQuicknet { round, signature, randomness },
                RandomnessSource::DrandQuicknet { round: committed },
            ) => {
                if round != committed {
                    return Err(RandomnessError::WrongRound { committed: *committed, published: *round });
                }
                let sig = lower_hex(signature, "signature")?;
                let value = lower_hex(randomness, "randomness")?;
                if Sha256::digest(&sig).as_slice() != value.as_slice() {
                    return Err(RandomnessError::SignatureHash);
                }
                if !quicknet_signature_valid(*round, &sig) {
                    return Err(RandomnessError::Signature { round: *round });
                }
                Ok(value)
            }
            (Randomness::PublicNumbers { key }, RandomnessSource::PublicNumbers { .. }) => {
                if is_key_string(key) {
                    Ok(key.as_bytes().to_vec())
                } else {
                    Err(RandomnessError::Key(key.clone()))
                }
            }
            (Randomness::Demo { value }, RandomnessSource::Demo { .. }) => {
                let v = lower_hex(value, "value")?;
                if v.len() == 32 { Ok(v) } else { Err(RandomnessError::DemoLength) }
            }
            _ => Err(RandomnessError::WrongSource { committed: source.kind(), published: self.kind() }),
        }
    }
}

/// Checks a quicknet beacon's BLS signature on `round` (unchained: the
/// message is SHA-256 of the round as a big-endian u64) against the quicknet
/// public key, with the `drand-verify` crate.
pub fn quicknet_signature_valid(round: u64, signature: &[u8]) -> bool {
    use drand_verify::{G2PubkeyRfc, Pubkey};
    let Ok(key) = hex::decode(QUICKNET_PUBLIC_KEY) else { return false };
    let Ok(key) = G2PubkeyRfc::from_variable(&key) else { return false };
    matches!(key.verify(round, b"", signature), Ok(true))
}

/// `seed = SHA-256(str(tag) ‖ commitment ‖ bytes(randomness) ‖ str(draw_id))`.
pub fn seed(commitment: &[u8; 32], randomness: &[u8], draw_id: &str) -> [u8; 32] {
    let mut e = Encoder::new();
    e.str(SEED_TAG).raw(commitment).bytes(randomness).str(draw_id);
    e.sha256()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_rounds_do_not_overflow_the_time() {
        assert_eq!(quicknet_round_time(u64::MAX), i64::MAX);
        assert_eq!(quicknet_round_time(1 << 62), i64::MAX);
        assert_eq!(quicknet_round_time(2), QUICKNET_GENESIS + QUICKNET_PERIOD);
        // describe_source prints such a round without panicking.
        let _ = describe_source(&RandomnessSource::DrandQuicknet { round: u64::MAX });
    }

    #[test]
    fn the_last_round_is_the_last_before_the_year_10000() {
        let end_of_9999 = 253_402_300_799;
        assert!(quicknet_round_time(QUICKNET_LAST_ROUND) <= end_of_9999);
        assert!(quicknet_round_time(QUICKNET_LAST_ROUND + 1) > end_of_9999);
        assert_eq!(crate::id::format_utc(quicknet_round_time(QUICKNET_LAST_ROUND)), "9999-12-31T23:59:57Z");
    }

    #[test]
    fn quicknet_rounds() {
        assert_eq!(quicknet_round_time(1), QUICKNET_GENESIS);
        assert_eq!(quicknet_round_at(QUICKNET_GENESIS + 1), 2);
        assert_eq!(quicknet_round_at(QUICKNET_GENESIS + 3), 2);
        assert_eq!(quicknet_round_at(QUICKNET_GENESIS + 4), 3);
        for r in [1u64, 2, 1000, 12_345_678] {
            assert_eq!(quicknet_round_at(quicknet_round_time(r)), r);
        }
    }

    #[test]
    fn real_quicknet_beacon() {
        // drand quicknet round 123 (api.drand.sh …/public/123).
        let sig = hex::decode(
            "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92",
        )
        .unwrap();
        assert!(quicknet_signature_valid(123, &sig));
        assert!(!quicknet_signature_valid(124, &sig));
        let mut forged = sig.clone();
        forged[47] ^= 1;
        assert!(!quicknet_signature_valid(123, &forged));
    }

    /// SPEC §6.1: the signature is exactly 48 bytes, a compressed G1 point on
    /// the curve and in the subgroup; anything else is an invalid signature.
    #[test]
    fn malformed_signatures_are_invalid() {
        let sig = hex::decode(
            "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92",
        )
        .unwrap();
        // Uncompressed flag cleared: not the compressed encoding.
        let mut flag = sig.clone();
        flag[0] &= 0x7f;
        assert!(!quicknet_signature_valid(123, &flag));
        // The point at infinity (compressed, infinity bit set).
        let mut infinity = vec![0u8; 48];
        infinity[0] = 0xc0;
        assert!(!quicknet_signature_valid(123, &infinity));
        // Wrong lengths (a G2-sized signature, a truncated one).
        assert!(!quicknet_signature_valid(123, &[sig.clone(), sig.clone()].concat()));
        assert!(!quicknet_signature_valid(123, &sig[..47]));
        // The DST and message are the scheme's: the same signature is not valid for round 0.
        assert!(!quicknet_signature_valid(0, &sig));
    }

    #[test]
    fn key_strings() {
        assert!(is_key_string("9319./2.5.8.10.12./9.18.26.34.41.45./"));
        assert!(!is_key_string("9319./2.05./"));
        assert!(!is_key_string("9319."));
        assert!(!is_key_string("/"));
    }
}
