//! Feedback codes (评价码, 001 art. 24) as the portal issues and keeps them:
//! the key that hashes them, held outside the database, and the keyed hash
//! (HMAC-SHA256) that is all the database ever holds of a code.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use app::feedback::{Conduct, FeedbackCode, FeedbackValues, Rating, Receipt, Satisfaction};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Where the key lives: `GONGKAI_FEEDBACK_KEY`, or `feedback.key` beside the database.
pub fn key_path_from_env(key_dir: &Path) -> PathBuf {
    match std::env::var("GONGKAI_FEEDBACK_KEY").ok().filter(|v| !v.trim().is_empty()) {
        Some(path) => PathBuf::from(path),
        None => key_dir.join("feedback.key"),
    }
}

/// Why the key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("评价码密钥 {path} 无法读写 / the feedback-code key {path} cannot be read or written")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("评价码密钥 {0} 不是 64 位十六进制数 / the feedback-code key {0} is not 64 hex digits")]
    Malformed(String),
    #[error(
        "评价码密钥 {0} 可被其他用户读取（应为 0600）/ the feedback-code key {0} is readable by other users (it must be mode 0600)"
    )]
    Exposed(String),
    #[error("无法取得随机数 / no randomness available")]
    Randomness,
}

/// The secret key of the feedback codes' hashes (32 random bytes).
pub struct FeedbackKey([u8; 32]);

impl FeedbackKey {
    /// Reads the key, or creates it (owner read and write only) if there is none.
    pub fn load_or_create(path: &Path) -> Result<FeedbackKey, KeyError> {
        let shown = path.display().to_string();
        let io = |source| KeyError::Io { path: shown.clone(), source };
        match fs::read_to_string(path) {
            Ok(text) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = fs::metadata(path).map_err(io)?.permissions().mode();
                    if mode & 0o077 != 0 {
                        return Err(KeyError::Exposed(shown));
                    }
                }
                let bytes = hex::decode(text.trim()).map_err(|_| KeyError::Malformed(shown.clone()))?;
                let key: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed(shown.clone()))?;
                Ok(FeedbackKey(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|_| KeyError::Randomness)?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    fs::create_dir_all(dir).map_err(io)?;
                }
                let mut options = OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options.open(path).map_err(io)?;
                file.write_all(format!("{}\n", hex::encode(key)).as_bytes()).map_err(io)?;
                file.sync_all().map_err(io)?;
                tracing::info!(path = %shown, "created the feedback-code key");
                Ok(FeedbackKey(key))
            }
            Err(e) => Err(io(e)),
        }
    }

    /// The keyed hash stored for a code (lower-case hex).
    pub fn hash(&self, code: &FeedbackCode) -> String {
        hex::encode(self.mac(&[code.as_str().as_bytes()]))
    }

    /// The feedback form's anti-forgery token for the random value in the
    /// visitor's cookie (a separate domain of the same key: "csrf\0" first).
    pub fn form_token(&self, cookie: &str) -> String {
        hex::encode(self.mac(&[b"csrf\0", cookie.as_bytes()]))
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts a key of any length; 32 bytes cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }
}

/// A new code from the operating system's randomness.
pub fn new_code() -> Result<FeedbackCode, KeyError> {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).map_err(|_| KeyError::Randomness)?;
    Ok(FeedbackCode::from_random(bytes))
}

// ---------------------------------------------------------------------------
// The receipt of a submission.

/// The canonical submission (what the receipt's SHA-256 is of): JSON with
/// the fields in this order, no spaces, as serde_json writes it.
#[derive(serde::Serialize, serde::Deserialize)]
struct CanonicalSubmission {
    format: String,
    result_code: String,
    credit_code: String,
    version: u32,
    submitted_at: String,
    department: CanonicalDepartment,
    inspectors: Vec<CanonicalInspector>,
    text: String,
    contact: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CanonicalDepartment {
    level: Satisfaction,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CanonicalInspector {
    certificate: String,
    level: Satisfaction,
    conduct: CanonicalConduct,
}

/// The conduct checks, in the order of [`Conduct::ALL`]; `null` when not answered.
#[derive(serde::Serialize, serde::Deserialize)]
struct CanonicalConduct {
    showed_certificate: Option<bool>,
    explained_scope: Option<bool>,
    stayed_in_scope: Option<bool>,
    no_gifts: Option<bool>,
    no_disruption: Option<bool>,
    kept_secrets: Option<bool>,
}

impl CanonicalConduct {
    fn of(answers: &[Option<bool>]) -> CanonicalConduct {
        let a = |c: Conduct| Conduct::ALL.iter().position(|&k| k == c).and_then(|i| answers.get(i).copied().flatten());
        CanonicalConduct {
            showed_certificate: a(Conduct::ShowedCertificate),
            explained_scope: a(Conduct::ExplainedScope),
            stayed_in_scope: a(Conduct::StayedInScope),
            no_gifts: a(Conduct::NoGifts),
            no_disruption: a(Conduct::NoDisruption),
            kept_secrets: a(Conduct::KeptSecrets),
        }
    }

    fn answers(&self) -> Vec<Option<bool>> {
        Conduct::ALL
            .iter()
            .map(|c| match c {
                Conduct::ShowedCertificate => self.showed_certificate,
                Conduct::ExplainedScope => self.explained_scope,
                Conduct::StayedInScope => self.stayed_in_scope,
                Conduct::NoGifts => self.no_gifts,
                Conduct::NoDisruption => self.no_disruption,
                Conduct::KeptSecrets => self.kept_secrets,
            })
            .collect()
    }
}

/// The receipt of a submission (its canonical form, SHA-256 and number) and
/// the ratings to store; `values` have been checked.
pub fn receipt(result_code: &str, values: &FeedbackValues, version: u32, submitted_at: &str) -> (Receipt, Vec<Rating>) {
    let department = values.department.unwrap_or(Satisfaction::Basic);
    let mut ratings = vec![Rating { certificate: None, level: department, conduct: vec![None; Conduct::ALL.len()] }];
    let mut inspectors = Vec::new();
    for a in &values.inspectors {
        let level = a.level.unwrap_or(Satisfaction::Basic);
        ratings.push(Rating { certificate: Some(a.certificate.clone()), level, conduct: a.conduct.clone() });
        inspectors.push(CanonicalInspector {
            certificate: a.certificate.clone(),
            level,
            conduct: CanonicalConduct::of(&a.conduct),
        });
    }
    let doc = CanonicalSubmission {
        format: "gongkai-feedback-v1".to_owned(),
        result_code: result_code.to_owned(),
        credit_code: values.credit_code.clone(),
        version,
        submitted_at: submitted_at.to_owned(),
        department: CanonicalDepartment { level: department },
        inspectors,
        text: values.text.clone(),
        contact: values.contact.clone(),
    };
    let canonical = serde_json::to_string(&doc).unwrap_or_default();
    let sha256 = hex::encode(<Sha256 as sha2::Digest>::digest(canonical.as_bytes()));
    let number = format!("FK-{}-{}-{}", &sha256[0..4], &sha256[4..8], &sha256[8..12]).to_ascii_uppercase();
    (Receipt { number, version, submitted_at: submitted_at.to_owned(), sha256, canonical }, ratings)
}

/// The answers of a stored canonical submission over `blank` (the current
/// team), to start a change from.
pub fn values_of(canonical: &str, blank: FeedbackValues) -> Option<FeedbackValues> {
    let doc: CanonicalSubmission = serde_json::from_str(canonical).ok()?;
    let mut values = blank;
    values.department = Some(doc.department.level);
    for answers in &mut values.inspectors {
        if let Some(r) = doc.inspectors.iter().find(|r| r.certificate == answers.certificate) {
            answers.level = Some(r.level);
            answers.conduct = r.conduct.answers();
        }
    }
    values.text = doc.text;
    values.contact = doc.contact;
    Some(values)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_key_is_created_once_owner_only_and_hashes_are_keyed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("feedback.key");
        let key = FeedbackKey::load_or_create(&path).unwrap();
        let again = FeedbackKey::load_or_create(&path).unwrap();
        let code = new_code().unwrap();
        assert_eq!(key.hash(&code), again.hash(&code), "the same key is read back");
        assert_eq!(key.hash(&code).len(), 64);
        assert_ne!(
            key.hash(&code),
            hex::encode(<Sha256 as sha2::Digest>::digest(code.as_str())),
            "keyed, not a plain hash"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(FeedbackKey::load_or_create(&path), Err(KeyError::Exposed(_))));
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        fs::write(&path, "not hex").unwrap();
        assert!(matches!(FeedbackKey::load_or_create(&path), Err(KeyError::Malformed(_))));
        // Another key gives other hashes.
        let other = FeedbackKey::load_or_create(&dir.path().join("other.key")).unwrap();
        assert_ne!(other.hash(&code), key.hash(&code));
    }
}
