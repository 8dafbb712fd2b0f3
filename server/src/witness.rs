//! Witnesses of the publication log (C2SP `tlog-witness`, `tlog-cosignature`).
//!
//! A witness keeps, for each log it knows, the newest checkpoint it cosigned.
//! The portal sends it a new checkpoint with a consistency proof from that
//! size (`POST /add-checkpoint`); the witness cosigns only if the checkpoint
//! is signed by the log's key and the proof shows the new tree extends the
//! old one, and then moves its state forward (compare-and-swap). A log rolled
//! back or forked, or a forged checkpoint, gets no cosignature. The portal
//! serves the cosignatures with its checkpoint; each carries the witness's
//! time, so it is third-party evidence that every entry in that checkpoint
//! existed then.

use std::path::Path;

use base64::Engine as _;
use ed25519_dalek::{Signer as _, Verifier as _};
use sha2::{Digest, Sha256};
use tlog_tiles::Hash;

use crate::log::KeyError;

/// The signed-note signature type of a timestamped Ed25519 cosignature.
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`.
fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_COSIGNATURE_V1]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// What a cosignature signs: `cosignature/v1`, the time, then the checkpoint's body.
pub fn cosigned_message(body: &[u8], time: u64) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {time}\n").into_bytes();
    m.extend_from_slice(body);
    m
}

/// A witness's signing key (`PRIVATE+KEY+<name>+<id>+base64(0x04 ‖ seed)`).
pub struct WitnessKey {
    pub name: String,
    key: ed25519_dalek::SigningKey,
    id: [u8; 4],
    /// `<name>+<key id hex>+base64(0x04 ‖ public key)`: what a portal and a browser check with.
    pub verifier_key: String,
}

impl WitnessKey {
    /// Reads the key at `path`, or creates it (owner-only permissions) if there is none.
    pub fn load_or_create(path: &Path, name: &str) -> Result<WitnessKey, KeyError> {
        let shown = path.display().to_string();
        let malformed = || KeyError::Malformed { path: shown.clone() };
        if name.is_empty() || name.contains('+') || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(malformed());
        }
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text.trim().to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = ed25519_dalek::SigningKey::generate(&mut rand_core_06::OsRng);
                let public = key.verifying_key().to_bytes();
                let mut encoded = vec![ALG_COSIGNATURE_V1];
                encoded.extend_from_slice(&key.to_bytes());
                let text =
                    format!("PRIVATE+KEY+{name}+{}+{}", hex::encode(key_id(name, &public)), b64().encode(&encoded));
                crate::log::write_private(path, &text)
                    .map_err(|source| KeyError::Io { path: shown.clone(), source })?;
                text
            }
            Err(source) => return Err(KeyError::Io { path: shown, source }),
        };
        let (key_name, alg, seed) = crate::log::parse_private_key(&text).ok_or_else(malformed)?;
        if alg != ALG_COSIGNATURE_V1 {
            return Err(malformed());
        }
        if key_name != name {
            return Err(KeyError::OtherOrigin { path: shown, key: key_name.to_owned(), origin: name.to_owned() });
        }
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let public = key.verifying_key().to_bytes();
        let id = key_id(name, &public);
        let mut encoded = vec![ALG_COSIGNATURE_V1];
        encoded.extend_from_slice(&public);
        let verifier_key = format!("{name}+{}+{}", hex::encode(id), b64().encode(&encoded));
        Ok(WitnessKey { name: name.to_owned(), key, id, verifier_key })
    }

    /// The cosignature line (with its newline) of the checkpoint `body` at `time` (Unix seconds).
    pub fn cosign(&self, body: &[u8], time: u64) -> String {
        let sig = self.key.sign(&cosigned_message(body, time));
        let mut blob = self.id.to_vec();
        blob.extend_from_slice(&time.to_be_bytes());
        blob.extend_from_slice(&sig.to_bytes());
        format!("\u{2014} {} {}\n", self.name, b64().encode(blob))
    }
}

/// A witness as a portal or a reader knows it: its verifier key.
#[derive(Clone, Debug)]
pub struct WitnessVerifier {
    pub name: String,
    id: [u8; 4],
    key: ed25519_dalek::VerifyingKey,
    pub verifier_key: String,
}

impl WitnessVerifier {
    /// Reads `<name>+<key id hex>+base64(0x04 ‖ public key)`; `None` if it is not one.
    pub fn parse(vkey: &str) -> Option<WitnessVerifier> {
        let (name, rest) = vkey.split_once('+')?;
        let (id_hex, encoded) = rest.split_once('+')?;
        let encoded = b64().decode(encoded).ok()?;
        let (&alg, public) = encoded.split_first()?;
        let public: [u8; 32] = public.try_into().ok()?;
        let id = key_id(name, &public);
        if alg != ALG_COSIGNATURE_V1 || name.is_empty() || hex::encode(id) != id_hex {
            return None;
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public).ok()?;
        Some(WitnessVerifier { name: name.to_owned(), id, key, verifier_key: vkey.to_owned() })
    }

    /// The time of this witness's cosignature of the checkpoint `body` if
    /// `line` (`— <name> <base64>`, with or without its newline) is a valid one.
    pub fn verify(&self, body: &[u8], line: &str) -> Option<u64> {
        let rest = line.trim_end_matches('\n').strip_prefix("\u{2014} ")?;
        let (name, blob) = rest.split_once(' ')?;
        let blob = b64().decode(blob).ok()?;
        if name != self.name || blob.len() != 4 + 8 + 64 || blob[..4] != self.id {
            return None;
        }
        let time = u64::from_be_bytes(blob[4..12].try_into().ok()?);
        let sig = ed25519_dalek::Signature::from_slice(&blob[12..]).ok()?;
        self.key.verify(&cosigned_message(body, time), &sig).ok().map(|()| time)
    }
}

/// A `tlog-witness` `add-checkpoint` request: the size the witness is
/// believed to be at, the consistency proof from it, and the checkpoint note.
#[derive(Clone, Debug, PartialEq)]
pub struct AddCheckpoint {
    pub old: u64,
    pub proof: Vec<Hash>,
    pub checkpoint: Vec<u8>,
}

impl AddCheckpoint {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old).into_bytes();
        for h in &self.proof {
            out.extend_from_slice(b64().encode(h.0).as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.checkpoint);
        out
    }

    /// Reads a request body; `Err` says what is malformed.
    pub fn parse(body: &[u8]) -> Result<AddCheckpoint, String> {
        let text = std::str::from_utf8(body).map_err(|_| "the request is not UTF-8".to_owned())?;
        let (head, checkpoint) = text.split_once("\n\n").ok_or("no empty line before the checkpoint")?;
        let mut lines = head.split('\n');
        let old = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n.len() == 1 || !n.starts_with('0')))
            .and_then(|n| n.parse().ok())
            .ok_or("the first line is not “old <size>”")?;
        let proof = lines
            .map(|l| {
                b64()
                    .decode(l)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .map(Hash)
                    .ok_or_else(|| format!("not a base64 hash: {l:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if proof.len() > 63 {
            return Err("more than 63 proof lines".to_owned());
        }
        Ok(AddCheckpoint { old, proof, checkpoint: checkpoint.as_bytes().to_vec() })
    }
}

/// Whether `note` (a signed note) carries a valid signature by `verifier`.
pub fn signed_by(note: &[u8], verifier: signed_note::StandardVerifier) -> bool {
    let known = signed_note::VerifierList::new(vec![Box::new(verifier)]);
    signed_note::Note::from_bytes(note).is_ok_and(|n| n.verify(&known).is_ok())
}

/// A checkpoint's body (the signed text, up to the empty line) and its origin, size and root.
pub struct CheckpointBody {
    pub body: Vec<u8>,
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl CheckpointBody {
    /// Reads a signed checkpoint note (its signatures are not checked here).
    pub fn of_note(note: &[u8]) -> Option<CheckpointBody> {
        let text = std::str::from_utf8(note).ok()?;
        let end = text.find("\n\n")? + 1;
        let body = &text[..end];
        let mut lines = body.lines();
        let origin = lines.next()?.to_owned();
        let size = lines.next()?.parse().ok()?;
        let root = Hash(b64().decode(lines.next()?).ok()?.try_into().ok()?);
        Some(CheckpointBody { body: body.as_bytes().to_vec(), origin, size, root })
    }
}

/// What a witness answers to `add-checkpoint` (C2SP tlog-witness).
#[derive(Debug, PartialEq, Eq)]
pub enum WitnessReply {
    /// 200: the cosignature line.
    Cosigned(String),
    /// 409: the size the witness is at (`old` was stale, or the same size with another root).
    Conflict(u64),
    /// 400: the request cannot be read.
    Malformed(String),
    /// 404: a checkpoint of a log the witness does not know.
    UnknownLog(String),
    /// 403: not signed by the log's key.
    BadSignature,
    /// 422: the proof does not show that the new tree extends the old one.
    BadProof,
    /// 500: the witness's own state cannot be read or written.
    Failed(String),
}

impl axum::response::IntoResponse for WitnessReply {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{StatusCode, header};
        let text = |status: StatusCode, body: String| {
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
        };
        match self {
            WitnessReply::Cosigned(line) => text(StatusCode::OK, line),
            WitnessReply::Conflict(size) => {
                (StatusCode::CONFLICT, [(header::CONTENT_TYPE, "text/x.tlog.size")], format!("{size}\n"))
                    .into_response()
            }
            WitnessReply::Malformed(why) => text(StatusCode::BAD_REQUEST, format!("{why}\n")),
            WitnessReply::UnknownLog(origin) => text(StatusCode::NOT_FOUND, format!("unknown log {origin:?}\n")),
            WitnessReply::BadSignature => {
                text(StatusCode::FORBIDDEN, "the checkpoint is not signed by the log's key\n".to_owned())
            }
            WitnessReply::BadProof => text(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the consistency proof does not show the new tree extends the old one\n".to_owned(),
            ),
            WitnessReply::Failed(why) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")),
        }
    }
}

/// A witness: its key, the logs it knows (by their verifier keys) and its
/// state, the newest checkpoint it cosigned of each (an SQLite file).
pub struct Witness {
    key: WitnessKey,
    logs: Vec<String>,
    state: sqlx::SqlitePool,
}

impl Witness {
    /// Opens (or creates) the witness's state file.
    pub async fn open(key: WitnessKey, logs: Vec<String>, state: &Path) -> Result<Witness, sqlx::Error> {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(state)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(5));
        let state = sqlx::sqlite::SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, \
             root BLOB NOT NULL, note BLOB NOT NULL)",
        )
        .execute(&state)
        .await?;
        Ok(Witness { key, logs, state })
    }

    pub fn verifier_key(&self) -> &str {
        &self.key.verifier_key
    }

    /// Handles one `add-checkpoint` request body.
    pub async fn add_checkpoint(&self, body: &[u8]) -> WitnessReply {
        let request = match AddCheckpoint::parse(body) {
            Ok(r) => r,
            Err(why) => return WitnessReply::Malformed(why),
        };
        let Some(checkpoint) = CheckpointBody::of_note(&request.checkpoint) else {
            return WitnessReply::Malformed("the checkpoint cannot be read".to_owned());
        };
        let Some(vkey) = self.logs.iter().find(|v| v.split_once('+').is_some_and(|(n, _)| n == checkpoint.origin))
        else {
            return WitnessReply::UnknownLog(checkpoint.origin);
        };
        let signed = signed_note::StandardVerifier::new(vkey).ok().is_some_and(|v| signed_by(&request.checkpoint, v));
        if !signed {
            return WitnessReply::BadSignature;
        }
        match self.advance(&request, &checkpoint).await {
            Ok(Some(reply)) => reply,
            Ok(None) => {
                let now = gongkai_cli::clock::now().and_then(|t| u64::try_from(t).ok()).unwrap_or(0);
                WitnessReply::Cosigned(self.key.cosign(&checkpoint.body, now))
            }
            Err(e) => WitnessReply::Failed(format!("the witness's state: {e}")),
        }
    }

    /// Checks the request against the state and moves the state to the new
    /// checkpoint (compare-and-swap); `Some(reply)` when it refuses.
    async fn advance(
        &self,
        request: &AddCheckpoint,
        checkpoint: &CheckpointBody,
    ) -> Result<Option<WitnessReply>, sqlx::Error> {
        let current: Option<(i64, Vec<u8>)> = sqlx::query_as("SELECT size, root FROM witnessed WHERE origin = ?")
            .bind(&checkpoint.origin)
            .fetch_optional(&self.state)
            .await?;
        let (size, root) = current.clone().map_or((0, Vec::new()), |(s, r)| (s as u64, r));
        if request.old != size {
            return Ok(Some(WitnessReply::Conflict(size)));
        }
        if request.old > checkpoint.size {
            return Ok(Some(WitnessReply::Malformed("the old size is beyond the checkpoint's".to_owned())));
        }
        if request.old == checkpoint.size && current.is_some() {
            if root != checkpoint.root.0 {
                return Ok(Some(WitnessReply::Conflict(size)));
            }
        } else if request.old > 0 {
            let Ok(old_root) = <[u8; 32]>::try_from(root.as_slice()) else {
                return Ok(Some(WitnessReply::Failed("the stored root is not 32 bytes".to_owned())));
            };
            if tlog_tiles::check_tree(&request.proof, checkpoint.size, checkpoint.root, request.old, Hash(old_root))
                .is_err()
            {
                return Ok(Some(WitnessReply::BadProof));
            }
        } else if !request.proof.is_empty() {
            return Ok(Some(WitnessReply::BadProof));
        }
        let swapped = match current {
            None => sqlx::query(
                "INSERT INTO witnessed (origin, size, root, note) VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO NOTHING",
            )
            .bind(&checkpoint.origin)
            .bind(checkpoint.size as i64)
            .bind(checkpoint.root.0.as_slice())
            .bind(&request.checkpoint)
            .execute(&self.state)
            .await?
            .rows_affected(),
            Some((old_size, old_root)) => sqlx::query(
                "UPDATE witnessed SET size = ?, root = ?, note = ? WHERE origin = ? AND size = ? AND root = ?",
            )
            .bind(checkpoint.size as i64)
            .bind(checkpoint.root.0.as_slice())
            .bind(&request.checkpoint)
            .bind(&checkpoint.origin)
            .bind(old_size)
            .bind(old_root)
            .execute(&self.state)
            .await?
            .rows_affected(),
        };
        if swapped == 0 {
            // Another request moved the state first.
            let now: Option<i64> = sqlx::query_scalar("SELECT size FROM witnessed WHERE origin = ?")
                .bind(&checkpoint.origin)
                .fetch_optional(&self.state)
                .await?;
            return Ok(Some(WitnessReply::Conflict(now.map_or(0, |n| n as u64))));
        }
        Ok(None)
    }

    /// The witness's HTTP interface: `POST /add-checkpoint`.
    pub fn router(self: std::sync::Arc<Self>) -> axum::Router {
        async fn add(
            axum::extract::State(w): axum::extract::State<std::sync::Arc<Witness>>,
            body: axum::body::Bytes,
        ) -> WitnessReply {
            let reply = w.add_checkpoint(&body).await;
            match &reply {
                WitnessReply::Cosigned(_) => tracing::info!("cosigned a checkpoint"),
                other => tracing::warn!(reply = ?other, "refused a checkpoint"),
            }
            reply
        }
        axum::Router::new().route("/add-checkpoint", axum::routing::post(add)).with_state(self)
    }
}

/// A witness the portal sends its checkpoints to: its address and its verifier key.
#[derive(Clone, Debug)]
pub struct ConfiguredWitness {
    /// Base URL: requests go to `<url>/add-checkpoint`.
    pub url: String,
    pub verifier: WitnessVerifier,
}

impl ConfiguredWitness {
    /// Reads `GONGKAI_LOG_WITNESSES`: witnesses separated by `;` or newlines,
    /// each `<verifier key> <http(s) URL>`.
    pub fn parse_list(text: &str) -> Result<Vec<ConfiguredWitness>, String> {
        let mut out: Vec<ConfiguredWitness> = Vec::new();
        for item in text.split([';', '\n']).map(str::trim).filter(|i| !i.is_empty()) {
            let (vkey, url) = item.split_once(' ').ok_or_else(|| format!("“{item}” is not “<verifier key> <URL>”"))?;
            let verifier = WitnessVerifier::parse(vkey.trim()).ok_or_else(|| {
                format!("“{vkey}” is not a witness verifier key (name+id+base64 of 0x04 and the key)")
            })?;
            let url = url.trim().trim_end_matches('/').to_owned();
            let host = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")).unwrap_or("");
            if host.is_empty() || !url.bytes().all(|b| b.is_ascii_graphic()) || url.len() > 500 {
                return Err(format!("“{url}” is not an http:// or https:// address"));
            }
            if out.iter().any(|w| w.verifier.name == verifier.name) {
                return Err(format!("the witness {} is listed twice", verifier.name));
            }
            out.push(ConfiguredWitness { url, verifier });
        }
        Ok(out)
    }
}

/// Sends the log's newest checkpoint to `witness` (with the consistency proof
/// from the size it cosigned last, `known`), and keeps its cosignature.
/// Returns the size it is now known to have cosigned.
pub async fn push(
    storage: &dyn crate::storage::Storage,
    log_key: &crate::log::LogKey,
    witness: &ConfiguredWitness,
    client: &reqwest::Client,
    known: Option<u64>,
) -> Result<u64, String> {
    // Twice a second while nothing is published: one index read, no root.
    if let Some(k) = known
        && storage.log_size().await.map_err(|e| e.to_string())? == k
    {
        return Ok(k);
    }
    let (size, root) = storage.log_head().await.map_err(|e| e.to_string())?;
    let mut old = match known {
        Some(k) => k,
        None => storage.log_witness_size(&witness.verifier.name).await.map_err(|e| e.to_string())?.unwrap_or(0),
    };
    let note = log_key.checkpoint(size, root);
    let body = CheckpointBody::of_note(&note).ok_or("the log's own checkpoint cannot be read")?;
    // At most twice: a 409 tells the size the witness is at.
    for _ in 0..2 {
        if old > size {
            return Err(format!(
                "the witness {} has cosigned {old} entries, more than this log's {size}: this database is older than the log it witnessed",
                witness.verifier.name
            ));
        }
        let proof = storage.log_consistency(old, size).await.map_err(|e| e.to_string())?;
        let request = AddCheckpoint { old, proof, checkpoint: note.clone() };
        let resp = client
            .post(format!("{}/add-checkpoint", witness.url))
            .body(request.to_bytes())
            .send()
            .await
            .map_err(|e| format!("{}: {e}", witness.url))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| format!("{}: {e}", witness.url))?;
        if status == reqwest::StatusCode::CONFLICT {
            old = text.trim().parse().map_err(|_| format!("{}: 409 without a size", witness.url))?;
            continue;
        }
        if !status.is_success() {
            return Err(format!("{}: {status}: {}", witness.url, text.trim()));
        }
        let mut kept = false;
        for line in text.lines() {
            if let Some(time) = witness.verifier.verify(&body.body, line) {
                let line = format!("{line}\n");
                let c = crate::storage::LogCosignature { size, witness: witness.verifier.name.clone(), time, line };
                storage.log_add_cosignature(&c).await.map_err(|e| e.to_string())?;
                kept = true;
            }
        }
        if !kept {
            return Err(format!("{}: no valid cosignature by {} in the answer", witness.url, witness.verifier.name));
        }
        return Ok(size);
    }
    Err(format!("{}: the witness's size keeps changing", witness.url))
}

/// Sends every new checkpoint to every witness, checking the log's size every `every`.
pub async fn push_forever(
    storage: std::sync::Arc<dyn crate::storage::Storage>,
    log_key: std::sync::Arc<crate::log::LogKey>,
    witnesses: Vec<ConfiguredWitness>,
    every: std::time::Duration,
) {
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap_or_default();
    let mut known: Vec<Option<u64>> = vec![None; witnesses.len()];
    let mut failing: Vec<Option<String>> = vec![None; witnesses.len()];
    loop {
        for (i, w) in witnesses.iter().enumerate() {
            match push(storage.as_ref(), &log_key, w, &client, known[i]).await {
                Ok(size) => {
                    if known[i] != Some(size) {
                        tracing::info!(witness = %w.verifier.name, size, "checkpoint cosigned");
                    }
                    known[i] = Some(size);
                    failing[i] = None;
                }
                Err(e) => {
                    if failing[i].as_ref() != Some(&e) {
                        tracing::warn!(witness = %w.verifier.name, error = %e, "witness did not cosign");
                    }
                    failing[i] = Some(e);
                    known[i] = None;
                }
            }
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cosignature_verifies_with_the_witness_key_and_not_for_another_body_time_or_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = WitnessKey::load_or_create(&dir.path().join("w.key"), "witness.example/w1").unwrap();
        let again = WitnessKey::load_or_create(&dir.path().join("w.key"), "witness.example/w1").unwrap();
        assert_eq!(key.verifier_key, again.verifier_key, "the key is kept");
        let verifier = WitnessVerifier::parse(&key.verifier_key).unwrap();
        let body = b"example.org/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let line = key.cosign(body, 1_700_000_000);
        assert!(line.starts_with("\u{2014} witness.example/w1 "));
        assert_eq!(verifier.verify(body, &line), Some(1_700_000_000));
        assert_eq!(verifier.verify(b"example.org/log\n4\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", &line), None);
        let other = WitnessKey::load_or_create(&dir.path().join("o.key"), "witness.example/w1").unwrap();
        assert_eq!(verifier.verify(body, &other.cosign(body, 1_700_000_000)), None);
        // The time is signed: another time in the same line does not verify.
        let mut blob = b64().decode(line.trim_end().rsplit(' ').next().unwrap()).unwrap();
        blob[11] ^= 1;
        let moved = format!("\u{2014} witness.example/w1 {}\n", b64().encode(blob));
        assert_eq!(verifier.verify(body, &moved), None);
        assert!(WitnessVerifier::parse(&key.verifier_key.replacen('+', "+0", 1)).is_none());
        assert!(matches!(
            WitnessKey::load_or_create(&dir.path().join("w.key"), "witness.example/w2"),
            Err(KeyError::OtherOrigin { .. })
        ));
    }

    #[test]
    fn configured_witnesses_are_read_and_hostile_values_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let w1 = WitnessKey::load_or_create(&dir.path().join("1"), "witness.example/w1").unwrap().verifier_key;
        let w2 = WitnessKey::load_or_create(&dir.path().join("2"), "witness.example/w2").unwrap().verifier_key;
        let list = ConfiguredWitness::parse_list(&format!(" {w1} http://127.0.0.1:4001/ ;\n{w2} https://w2.example "))
            .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].url, "http://127.0.0.1:4001");
        assert_eq!(list[1].verifier.name, "witness.example/w2");
        let refused = |text: String, why: &str| {
            let e = ConfiguredWitness::parse_list(&text).unwrap_err();
            assert!(e.contains(why), "{text:?}: {e}");
        };
        refused(w1.clone(), "is not “<verifier key> <URL>”");
        refused(format!("{w1} javascript:alert(1)"), "is not an http:// or https:// address");
        refused(format!("{w1} http://"), "is not an http:// or https:// address");
        refused(format!("{w1} http://a\u{7}b"), "is not an http:// or https:// address");
        refused("<script>+00000000+AAAA http://x".to_owned(), "is not a witness verifier key");
        // A log's key (type 0x01) is not a witness's (0x04).
        let (_, log_vkey) = signed_note::generate_key(&mut rand_core_06::OsRng, "witness.example/w3");
        refused(format!("{log_vkey} http://x"), "is not a witness verifier key");
        refused(format!("{w1} http://a; {w1} http://b"), "is listed twice");
    }

    #[test]
    fn hostile_requests_and_witness_names_are_refused() {
        // NUL, bytes that are not UTF-8, markup in a proof line, 64 proof lines, a huge size.
        let hash = b64().encode([7u8; 32]);
        let many = format!("old 1\n{}\nc\n", format!("{hash}\n").repeat(64));
        for bad in [
            b"old 1\0\n\nc\n".to_vec(),
            b"old 1\n\xff\xfe\n\nc\n".to_vec(),
            b"old 1\n<script>alert(1)</script>\n\nc\n".to_vec(),
            many.into_bytes(),
            format!("old {}\n\nc\n", "9".repeat(100_000)).into_bytes(),
        ] {
            assert!(AddCheckpoint::parse(&bad).is_err(), "{:?}", String::from_utf8_lossy(&bad[..bad.len().min(80)]));
        }
        let dir = tempfile::tempdir().unwrap();
        for name in ["", "a+b", "a b", "a\0b", "a\nb"] {
            assert!(
                matches!(WitnessKey::load_or_create(&dir.path().join("k"), name), Err(KeyError::Malformed { .. })),
                "{name:?}"
            );
        }
        assert!(!dir.path().join("k").exists(), "no key is written for a refused name");
    }

    #[test]
    fn add_checkpoint_requests_round_trip_and_malformed_ones_are_named() {
        let req = AddCheckpoint {
            old: 12,
            proof: vec![Hash([7; 32]), Hash([9; 32])],
            checkpoint: "example.org/log\n20\nAAAA\n\n\u{2014} example.org/log x\n".as_bytes().to_vec(),
        };
        assert_eq!(AddCheckpoint::parse(&req.to_bytes()).unwrap(), req);
        let empty = AddCheckpoint { old: 0, proof: vec![], checkpoint: b"c\n".to_vec() };
        assert_eq!(empty.to_bytes(), b"old 0\n\nc\n");
        assert_eq!(AddCheckpoint::parse(b"old 0\n\nc\n").unwrap(), empty);
        for bad in [&b"old 01\n\nc"[..], b"old -1\n\nc", b"new 1\n\nc", b"old 1\nnot base64\n\nc", b"old 1\nc"] {
            assert!(AddCheckpoint::parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
