//! The publication log (docs/LOG.md): every publication is a leaf of an
//! append-only Merkle tree (RFC 6962 hashing), served as C2SP `tlog-tiles`
//! with a checkpoint signed as a C2SP `signed-note` (Ed25519).
//!
//! This module is the part above storage: the entry format, the tree's
//! stored-hash arithmetic (`tlog_tiles`, a port of Go's `sumdb/tlog`), the
//! tiles' addresses, the signing key, and the append itself over the tables
//! a backend keeps ([`LogTables`]). Storage persists entries and stored
//! hashes in the publication's own transaction (`storage::sqlite::log`).

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};
use tlog_tiles::{Hash, HashReader};

use crate::storage::StorageError;

/// The first line of every entry.
pub const ENTRY_FORMAT: &str = "gongkai-log-entry/v1";

/// Tiles are 2^8 = 256 hashes wide (C2SP tlog-tiles).
pub const TILE_HEIGHT: u8 = 8;

/// The kinds of publication the log holds, as written in entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A draw's commitment, published before its randomness: its committed inputs.
    DrawCommitment,
    /// A completed draw's record.
    Draw,
    /// A version of an item of a department's list (随机抽查事项清单).
    Item,
    /// A version of an inspector (执法检查人员名录库).
    Inspector,
    /// A version of an enterprise (检查对象名录库).
    Enterprise,
    /// A version of an annual plan (年度检查计划), with its lines.
    Plan,
    /// A version of an inspection result (检查结果), corrections included.
    Result,
    /// A department (部门), once published with its code.
    Department,
    /// A version of a year's working-day calendar (节假日安排).
    CalendarYear,
    /// A version of a department's published execution report (年度计划执行情况报告).
    Report,
    /// A feedback receipt (评价回执): that a submission was received, and when;
    /// its SHA-256 is of the canonical submission the enterprise keeps.
    FeedbackReceipt,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::DrawCommitment,
        Kind::Draw,
        Kind::Item,
        Kind::Inspector,
        Kind::Enterprise,
        Kind::Plan,
        Kind::Result,
        Kind::Department,
        Kind::CalendarYear,
        Kind::Report,
        Kind::FeedbackReceipt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DrawCommitment => "draw-commitment",
            Kind::Draw => "draw",
            Kind::Item => "item",
            Kind::Inspector => "inspector",
            Kind::Enterprise => "enterprise",
            Kind::Plan => "plan",
            Kind::Result => "result",
            Kind::Department => "department",
            Kind::CalendarYear => "calendar-year",
            Kind::Report => "report",
            Kind::FeedbackReceipt => "feedback-receipt",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A directory record's version, logged as its stored row ([`Kind::row_url`]).
    pub fn is_row(self) -> bool {
        !matches!(self, Kind::DrawCommitment | Kind::Draw)
    }

    /// Where a draw's or a commitment's published content is served, byte for byte.
    pub fn draw_url(self, key: &str) -> String {
        match self {
            Kind::DrawCommitment => format!("/api/draws/{key}/input.json"),
            _ => format!("/api/draws/{key}/record.json"),
        }
    }

    /// Where a version of a directory record (item, inspector, enterprise,
    /// plan, result, department, calendar year, report, feedback receipt) is served as published: its stored row (`row` is the
    /// version's row number), as [`row_content`] writes it.
    pub fn row_url(self, row: i64) -> String {
        format!("/api/log/rows/{}/{row}", self.as_str())
    }
}

/// The published content of a directory record's version: its stored row as
/// a JSON object without whitespace, members sorted by name (byte order),
/// integers as numbers, texts as strings, NULL as null; the row's internal
/// numbers (`id`, and `replaces`, the row it corrects) left out. A plan's
/// lines follow as `lines`, each an object of the same form. (Maps are built
/// as `BTreeMap`s so the order never depends on serde_json's features.)
pub fn row_content(
    columns: &[(String, serde_json::Value)],
    lines: Option<Vec<std::collections::BTreeMap<String, serde_json::Value>>>,
) -> Vec<u8> {
    #[derive(serde::Serialize)]
    #[serde(untagged)]
    enum Member {
        Value(serde_json::Value),
        Lines(Vec<std::collections::BTreeMap<String, serde_json::Value>>),
    }
    let mut map: std::collections::BTreeMap<String, Member> = columns
        .iter()
        .filter(|(name, _)| name != "id" && name != "replaces")
        .map(|(name, value)| (name.clone(), Member::Value(value.clone())))
        .collect();
    if let Some(lines) = lines {
        map.insert("lines".to_owned(), Member::Lines(lines));
    }
    serde_json::to_vec(&map).unwrap_or_default()
}

/// One publication, as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    /// The record's key within its kind (a draw id).
    pub key: String,
    /// 1 for a first publication, then 2, 3… for each correction.
    pub version: u32,
    /// When it was published (RFC 3339, as the portal shows it).
    pub published_at: String,
    /// Where the content is served, on the portal's host.
    pub url: String,
    /// SHA-256 of the content served at `url`.
    pub sha256: [u8; 32],
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EntryError {
    #[error("the {field} of a log entry must be one line of printable text without spaces: {value:?}")]
    Field { field: &'static str, value: String },
    #[error("not a log entry: {0}")]
    Format(String),
}

fn one_word(field: &'static str, value: &str) -> Result<(), EntryError> {
    if value.is_empty() || value.len() > 200 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(EntryError::Field { field, value: value.to_owned() });
    }
    Ok(())
}

impl Entry {
    /// The entry for `content`, served at `url`, published as `kind` `key` `version` at `published_at`.
    pub fn new(
        kind: Kind,
        key: &str,
        version: u32,
        published_at: &str,
        url: &str,
        content: &[u8],
    ) -> Result<Entry, EntryError> {
        one_word("key", key)?;
        one_word("published_at", published_at)?;
        one_word("url", url)?;
        if !url.starts_with('/') {
            return Err(EntryError::Field { field: "url", value: url.to_owned() });
        }
        Ok(Entry {
            kind,
            key: key.to_owned(),
            version,
            published_at: published_at.to_owned(),
            url: url.to_owned(),
            sha256: Sha256::digest(content).into(),
        })
    }

    /// A draw's or a commitment's entry (version 1: they never change).
    pub fn of_draw(kind: Kind, key: &str, published_at: &str, content: &[u8]) -> Result<Entry, EntryError> {
        Entry::new(kind, key, 1, published_at, &kind.draw_url(key), content)
    }

    /// The entry's bytes, the log's leaf (docs/LOG.md §2).
    pub fn to_bytes(&self) -> Vec<u8> {
        format!(
            "{ENTRY_FORMAT}\nkind {}\nkey {}\nversion {}\npublished_at {}\nurl {}\nsha256 {}\n",
            self.kind.as_str(),
            self.key,
            self.version,
            self.published_at,
            self.url,
            hex::encode(self.sha256)
        )
        .into_bytes()
    }

    /// Reads an entry's bytes; only the exact form [`Entry::to_bytes`] writes is accepted.
    pub fn parse(bytes: &[u8]) -> Result<Entry, EntryError> {
        let bad = || EntryError::Format(String::from_utf8_lossy(bytes).chars().take(200).collect());
        let text = std::str::from_utf8(bytes).map_err(|_| bad())?;
        let mut lines = text.strip_suffix('\n').ok_or_else(bad)?.split('\n');
        let mut field = |name: &str| {
            lines.next().and_then(|l| l.strip_prefix(name)).and_then(|l| l.strip_prefix(' ')).map(str::to_owned)
        };
        if text.lines().next() != Some(ENTRY_FORMAT) {
            return Err(bad());
        }
        field(""); // the format line, checked above
        let kind = field("kind").and_then(|k| Kind::parse(&k)).ok_or_else(bad)?;
        let key = field("key").filter(|k| one_word("key", k).is_ok()).ok_or_else(bad)?;
        let version = field("version").and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let published_at = field("published_at").filter(|p| one_word("published_at", p).is_ok()).ok_or_else(bad)?;
        let url = field("url").filter(|u| u.starts_with('/') && one_word("url", u).is_ok()).ok_or_else(bad)?;
        let mut sha256 = [0u8; 32];
        let digest = field("sha256").ok_or_else(bad)?;
        hex::decode_to_slice(&digest, &mut sha256).map_err(|_| bad())?;
        let entry = Entry { kind, key, version, published_at, url, sha256 };
        // Canonical form only: what parses must write back the same bytes.
        if entry.to_bytes() != bytes {
            return Err(bad());
        }
        Ok(entry)
    }

    /// The leaf hash: RFC 6962 `SHA-256(0x00 ‖ entry)`.
    pub fn leaf_hash(&self) -> Hash {
        tlog_tiles::record_hash(&self.to_bytes())
    }
}

/// Stored hashes known so far, by stored-hash index; reading one that is not
/// known records it as missing (and gives a zero hash), so that a caller can
/// fetch what a computation needs and run it again: which hashes a tree
/// computation reads depends only on the tree's sizes, never on the hashes.
#[derive(Default)]
pub struct KnownHashes {
    pub known: HashMap<u64, Hash>,
    missing: std::cell::RefCell<Vec<u64>>,
}

impl KnownHashes {
    /// The indexes read but not known since the last call.
    pub fn take_missing(&self) -> Vec<u64> {
        let mut missing = std::mem::take(&mut *self.missing.borrow_mut());
        missing.sort_unstable();
        missing.dedup();
        missing
    }
}

impl HashReader for KnownHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        Ok(indexes
            .iter()
            .map(|i| {
                self.known.get(i).copied().unwrap_or_else(|| {
                    self.missing.borrow_mut().push(*i);
                    Hash::default()
                })
            })
            .collect())
    }
}

/// The log's tables, as a backend keeps them: read and appended to within
/// one transaction (the publication's own). Storage only persists and reads;
/// which hashes an append stores, which tiles it completes, roots and proofs
/// are computed here, once for every backend.
#[async_trait::async_trait]
pub trait LogTables: Send {
    /// The number of entries.
    async fn size(&mut self) -> Result<u64, StorageError>;
    /// The stored hashes at `indexes` (those not stored are left out).
    async fn stored_hashes(&mut self, indexes: &[u64]) -> Result<Vec<(u64, Hash)>, StorageError>;
    /// Adds `entries` with leaf indexes `first`, `first + 1`…
    async fn insert_entries(&mut self, first: u64, entries: &[Entry]) -> Result<(), StorageError>;
    /// Adds stored hashes (index, hash).
    async fn insert_hashes(&mut self, hashes: &[(u64, Hash)]) -> Result<(), StorageError>;
    /// Keeps a full hash tile (256 hashes of tree level `8 × level`) as completed.
    async fn insert_tile(&mut self, level: u8, n: u64, data: Vec<u8>) -> Result<(), StorageError>;
    /// Adds the keys of an append's entries, from `first` to the end of the
    /// log (inserted by then), to run `run`: 0 or the append's own ([`key_run`]).
    async fn insert_keys(&mut self, run: u64, first: u64) -> Result<(), StorageError>;
}

/// The smallest append whose keys get a run of their own (a large import).
pub const OWN_RUN: u64 = 65_536;

/// The run of the entries' keys an append of entries `first..end` writes to
/// (migration `log_keys`): a large append's own, numbered by its first entry,
/// which sorts after every run before it, so its keys are written to new
/// pages at the end of the table and the time stays the same however long the
/// log grows; a smaller append's keys go into run 0, at a few pages each.
pub fn key_run(first: u64, end: u64) -> u64 {
    if end - first >= OWN_RUN { first } else { 0 }
}

fn tree_error(e: tlog_tiles::Error) -> StorageError {
    StorageError::Log(e.to_string())
}

/// Runs a tree computation, reading the stored hashes it needs until it has them all.
pub async fn computed<T>(
    tables: &mut (impl LogTables + ?Sized),
    hashes: &mut KnownHashes,
    run: impl Fn(&KnownHashes) -> Result<T, tlog_tiles::Error>,
) -> Result<T, StorageError> {
    loop {
        let out = run(hashes);
        let missing = hashes.take_missing();
        if missing.is_empty() {
            return out.map_err(tree_error);
        }
        let before = hashes.known.len();
        hashes.known.extend(tables.stored_hashes(&missing).await?);
        if hashes.known.len() == before {
            return Err(StorageError::Log(format!("the log's stored hashes {missing:?} are missing")));
        }
    }
}

/// Entries hashed and written per round.
const APPEND_CHUNK: usize = 2048;

/// Appends `entries` to the log, in the caller's transaction: each entry, and
/// the stored hashes it completes (RFC 6962, as Go's `sumdb/tlog` stores
/// them), and the full tiles it completes. Only the tree's right edge is read
/// from storage; what a chunk adds is kept in memory, so a large import's
/// million entries are appended in seconds.
pub async fn append(tables: &mut (impl LogTables + ?Sized), entries: &[Entry]) -> Result<(), StorageError> {
    let mut n = tables.size().await?;
    let start = n;
    for chunk in entries.chunks(APPEND_CHUNK) {
        let mut hashes = KnownHashes::default();
        let mut new_hashes: Vec<(u64, Hash)> = Vec::with_capacity(chunk.len() * 2);
        let first_entry = n;
        for entry in chunk {
            let leaf = entry.leaf_hash();
            let new = computed(tables, &mut hashes, |h| tlog_tiles::stored_hashes_for_record_hash(n, leaf, h)).await?;
            let first = tlog_tiles::stored_hash_index(0, n);
            for (i, hash) in new.into_iter().enumerate() {
                hashes.known.insert(first + i as u64, hash);
                new_hashes.push((first + i as u64, hash));
            }
            n += 1;
        }
        tables.insert_entries(first_entry, chunk).await?;
        tables.insert_hashes(&new_hashes).await?;
        store_full_tiles(tables, &mut hashes, first_entry, n).await?;
    }
    if n > start {
        tables.insert_keys(key_run(start, n), start).await?;
    }
    Ok(())
}

/// Keeps the full hash tiles completed by growing the tree from `old` to `new` entries.
async fn store_full_tiles(
    tables: &mut (impl LogTables + ?Sized),
    hashes: &mut KnownHashes,
    old: u64,
    new: u64,
) -> Result<(), StorageError> {
    let mut level: u8 = 0;
    loop {
        let span = 1u64 << (8 * u32::from(level));
        let (before, after) = (old / span / 256, new / span / 256);
        if new / span < 256 {
            return Ok(());
        }
        for tile in before..after {
            let indexes: Vec<u64> =
                (tile * 256..(tile + 1) * 256).map(|i| tlog_tiles::stored_hash_index(8 * level, i)).collect();
            let read = computed(tables, hashes, |h| HashReader::read_hashes(h, &indexes)).await?;
            tables.insert_tile(level, tile, read.iter().flat_map(|h| h.0).collect()).await?;
        }
        level += 1;
    }
}

/// The root hash of the tree of the log's first `size` entries.
pub async fn tree_root(tables: &mut (impl LogTables + ?Sized), size: u64) -> Result<Hash, StorageError> {
    computed(tables, &mut KnownHashes::default(), |h| tlog_tiles::tree_hash(size, h)).await
}

/// The consistency proof (RFC 6962) from the tree of `old` entries to the tree of `size`.
pub async fn consistency(
    tables: &mut (impl LogTables + ?Sized),
    old: u64,
    size: u64,
) -> Result<Vec<Hash>, StorageError> {
    if old == 0 || old >= size {
        return Ok(Vec::new());
    }
    computed(tables, &mut KnownHashes::default(), |h| tlog_tiles::prove_tree(size, old, h)).await
}

/// A tile's coordinates: level `L` (0 for leaf hashes, or `entries` for the
/// entry bundle), index `N`, width `W` (256 for a full tile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileAddress {
    /// `None` for an entry bundle.
    pub level: Option<u8>,
    pub index: u64,
    pub width: u32,
}

impl TileAddress {
    /// Parses the path after `/log/tile/` (C2SP tlog-tiles: `<L>/<N>[.p/<W>]`
    /// or `entries/<N>[.p/<W>]`, N in three-digit groups, `x` before all but the last).
    pub fn parse(path: &str) -> Option<TileAddress> {
        let (level, rest) = path.split_once('/')?;
        let level = if level == "entries" {
            None
        } else {
            // Levels beyond 7 would address hashes above 2^64 leaves.
            let l: u8 = level.parse().ok().filter(|l: &u8| *l <= 7 && level == l.to_string())?;
            Some(l)
        };
        let (groups, width) = match rest.split_once(".p/") {
            Some((n, w)) => {
                let w: u32 = w.parse().ok().filter(|w: &u32| (1..256).contains(w))?;
                (n, w)
            }
            None => (rest, 256),
        };
        let parts: Vec<&str> = groups.split('/').collect();
        let mut index: u64 = 0;
        for (i, part) in parts.iter().enumerate() {
            let digits = if i + 1 < parts.len() { part.strip_prefix('x')? } else { part };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            index = index.checked_mul(1000)?.checked_add(digits.parse::<u64>().ok()?)?;
        }
        let address = TileAddress { level, index, width };
        // One spelling per tile: the canonical path must be the one asked for.
        (address.path() == path).then_some(address)
    }

    /// The path after `/log/tile/`.
    pub fn path(&self) -> String {
        let mut groups = vec![format!("{:03}", self.index % 1000)];
        let mut n = self.index / 1000;
        while n > 0 {
            groups.push(format!("x{:03}", n % 1000));
            n /= 1000;
        }
        groups.reverse();
        let level = self.level.map_or_else(|| "entries".to_owned(), |l| l.to_string());
        let mut path = format!("{level}/{}", groups.join("/"));
        if self.width < 256 {
            path.push_str(&format!(".p/{}", self.width));
        }
        path
    }

    /// Whether the tile exists in a tree of `size` leaves: its `width` nodes
    /// at its level are all complete.
    pub fn exists_in(&self, size: u64) -> bool {
        let nodes = size >> (u32::from(TILE_HEIGHT) * u32::from(self.level.unwrap_or(0)));
        self.index
            .checked_mul(256)
            .and_then(|first| first.checked_add(u64::from(self.width)))
            .is_some_and(|end| end <= nodes)
    }

    /// For a hash tile, the stored-hash indexes of its hashes, in order.
    pub fn stored_indexes(&self) -> Vec<u64> {
        let level = self.level.unwrap_or(0) * TILE_HEIGHT;
        (0..u64::from(self.width)).map(|i| tlog_tiles::stored_hash_index(level, self.index * 256 + i)).collect()
    }

    /// For an entry bundle, the leaf indexes of its entries.
    pub fn leaf_range(&self) -> std::ops::Range<u64> {
        self.index * 256..self.index * 256 + u64::from(self.width)
    }
}

/// An entry bundle: each entry prefixed with its length as a big-endian u16.
pub fn entry_bundle(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.len() + 2).sum());
    for e in entries {
        let n = u16::try_from(e.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&e[..usize::from(n)]);
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the log's signing key {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the log's signing key {path} is not a signed-note Ed25519 key")]
    Malformed { path: String },
    #[error("the log's signing key {path} is for the log “{key}”, but the log's origin is “{origin}”")]
    OtherOrigin { path: String, key: String, origin: String },
}

/// The log's signer: its origin (the note's key name), the private key and
/// the verifier key anyone checks checkpoints with.
pub struct LogKey {
    pub origin: String,
    signer: signed_note::StandardSigner,
    pub verifier_key: String,
}

impl LogKey {
    /// Reads the key at `path`, or creates it (owner-only permissions) if there is none.
    pub fn load_or_create(path: &Path, origin: &str) -> Result<LogKey, KeyError> {
        let shown = path.display().to_string();
        let io = |source| KeyError::Io { path: shown.clone(), source };
        let skey = match std::fs::read_to_string(path) {
            Ok(text) => text.trim().to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (skey, _vkey) = signed_note::generate_key(&mut rand_core_06::OsRng, origin);
                write_private(path, &skey).map_err(io)?;
                skey
            }
            Err(e) => return Err(io(e)),
        };
        let signer =
            signed_note::StandardSigner::new(&skey).map_err(|_| KeyError::Malformed { path: shown.clone() })?;
        if signed_note::Signer::name(&signer) != origin {
            return Err(KeyError::OtherOrigin {
                path: shown,
                key: signed_note::Signer::name(&signer).to_owned(),
                origin: origin.to_owned(),
            });
        }
        let verifier_key = verifier_key_of(&skey).ok_or(KeyError::Malformed { path: shown })?;
        Ok(LogKey { origin: origin.to_owned(), signer, verifier_key })
    }

    /// The signed checkpoint (C2SP tlog-checkpoint) of a tree of `size` leaves with root `root`.
    pub fn checkpoint(&self, size: u64, root: Hash) -> Vec<u8> {
        let body = format!("{}\n{size}\n{}\n", self.origin, base64_std(&root.0));
        let note = signed_note::Note::new(body.as_bytes(), &[]).and_then(|mut n| {
            n.add_sigs(&[&self.signer])?;
            Ok(n)
        });
        match note {
            Ok(note) => note.to_bytes(),
            // The body is well formed by construction; a failure to sign is not served as a checkpoint.
            Err(_) => Vec::new(),
        }
    }
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A signed-note private key `PRIVATE+KEY+<name>+<hex8>+base64(<alg> ‖ seed)`:
/// its name, algorithm byte and Ed25519 seed (the log's key: 0x01; a witness's: 0x04).
pub(crate) fn parse_private_key(skey: &str) -> Option<(&str, u8, [u8; 32])> {
    use base64::Engine as _;
    let rest = skey.strip_prefix("PRIVATE+KEY+")?;
    // The name has no '+'; the base64 key may.
    let (name, rest) = rest.split_once('+')?;
    let (_id, key) = rest.split_once('+')?;
    let key = base64::engine::general_purpose::STANDARD.decode(key).ok()?;
    let (&alg, seed) = key.split_first()?;
    Some((name, alg, seed.try_into().ok()?))
}

/// The verifier key (`name+hex8+base64(0x01 ‖ public key)`) of the log's private key.
fn verifier_key_of(skey: &str) -> Option<String> {
    let (name, _, seed) = parse_private_key(skey).filter(|(_, alg, _)| *alg == 1)?;
    let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    Some(signed_note::new_ed25519_verifier_key(name, &public))
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("{text}\n"))
}

/// What `server log verify` found wrong, each naming the entry or the publication.
pub fn audit(a: &crate::storage::LogAudit) -> Vec<String> {
    let mut findings = Vec::new();
    // The entries: numbered 0, 1, 2… and each in the canonical form.
    let mut entries: Vec<(u64, Entry)> = Vec::new();
    for (expected, (idx, bytes)) in a.entries.iter().enumerate() {
        if *idx != expected as u64 {
            findings.push(format!("公示日志缺少第 {expected} 条 / log entry {expected} is missing"));
            break;
        }
        match Entry::parse(bytes) {
            Ok(e) => entries.push((*idx, e)),
            Err(e) => findings.push(format!("公示日志第 {idx} 条无法读取 / log entry {idx} is unreadable: {e}")),
        }
    }
    // The tree: its stored hashes are the ones the entries give.
    let mut known = KnownHashes::default();
    let stored: HashMap<u64, Hash> = a.hashes.iter().copied().collect();
    for (idx, bytes) in &a.entries {
        let hashes = tlog_tiles::stored_hashes(*idx, bytes, &known);
        if !known.take_missing().is_empty() {
            break; // an earlier problem, already reported
        }
        let Ok(hashes) = hashes else { break };
        let first = tlog_tiles::stored_hash_index(0, *idx);
        for (i, h) in hashes.into_iter().enumerate() {
            let at = first + i as u64;
            if stored.get(&at) != Some(&h) {
                findings.push(format!(
                    "公示日志第 {idx} 条的树哈希与条目不符 / the log's tree hashes do not match entry {idx} (stored hash {at})"
                ));
            }
            known.known.insert(at, h);
        }
    }
    if stored.len() as u64 != tlog_tiles::stored_hash_count(a.entries.len() as u64) {
        findings.push(format!(
            "公示日志有 {} 个树哈希，{} 条条目应有 {} 个 / the log has {} tree hashes; {} entries make {}",
            stored.len(),
            a.entries.len(),
            tlog_tiles::stored_hash_count(a.entries.len() as u64),
            stored.len(),
            a.entries.len(),
            tlog_tiles::stored_hash_count(a.entries.len() as u64)
        ));
    }
    // The stored full tiles (served instead of being read from the hashes): the hashes they hold.
    for (level, n, data) in &a.tiles {
        let address = TileAddress { level: Some(*level), index: *n, width: 256 };
        let expected: Option<Vec<u8>> = address
            .stored_indexes()
            .iter()
            .map(|i| stored.get(i).map(|h| h.0))
            .collect::<Option<Vec<_>>>()
            .map(|hashes| hashes.concat());
        if expected.as_ref() != Some(data) {
            findings.push(format!(
                "公示日志的分片 {} 与树哈希不符 / the log's stored tile {} does not match its tree hashes",
                address.path(),
                address.path()
            ));
        }
    }
    // The index by record (what a record page finds its entry by): each entry there once, pointing at it.
    let mut keyed: HashMap<u64, Vec<&(u64, String, String, i64)>> = HashMap::new();
    for k in &a.keys {
        keyed.entry(k.0).or_default().push(k);
    }
    for (idx, e) in &entries {
        let rows = keyed.remove(idx).unwrap_or_default();
        let at =
            |k: &&(u64, String, String, i64)| k.1 == e.kind.as_str() && k.2 == e.key && k.3 == i64::from(e.version);
        if rows.len() != 1 || !rows.iter().all(at) {
            let name = format!("{} {} v{}", e.kind.as_str(), e.key, e.version);
            findings.push(format!(
                "公示日志第 {idx} 条（{name}）在按记录查找的索引中缺失或有误 / log entry {idx} ({name}) is missing from, or wrong in, the log's index by record (log_keys)"
            ));
        }
    }
    let mut stray: Vec<_> = keyed.into_values().flatten().collect();
    stray.sort();
    for (idx, kind, key, version) in stray {
        findings.push(format!(
            "公示日志按记录查找的索引把 {kind} {key} v{version} 指向第 {idx} 条，而日志中没有这一条可读的条目 / the log's index by record points {kind} {key} v{version} at entry {idx}, which is not a readable entry of the log"
        ));
    }
    // Each publication against its entry, and each entry against its publication.
    let mut logged: HashMap<(Kind, &str, u32), (u64, &Entry)> =
        entries.iter().map(|(i, e)| ((e.kind, e.key.as_str(), e.version), (*i, e))).collect();
    for p in &a.publications {
        let name = format!("{} {} v{}", p.kind.as_str(), p.key, p.version);
        match logged.remove(&(p.kind, p.key.as_str(), p.version)) {
            None => findings.push(format!("{name}：已公示但不在公示日志中 / {name} is published but not in the log")),
            Some((idx, entry)) => {
                let sha: [u8; 32] = Sha256::digest(&p.content).into();
                if sha != entry.sha256 {
                    findings.push(format!(
                        "公示日志第 {idx} 条（{name}）：现在公示的内容与日志记录的不同 / log entry {idx} ({name}): the content published now differs from the one logged (SHA-256 {}, logged {})",
                        hex::encode(sha),
                        hex::encode(entry.sha256)
                    ));
                }
                if p.published_at != entry.published_at {
                    findings.push(format!(
                        "公示日志第 {idx} 条（{name}）：公示时间 {} 与日志记录的 {} 不同 / log entry {idx} ({name}): published at {}, logged {}",
                        p.published_at, entry.published_at, p.published_at, entry.published_at
                    ));
                }
                if p.url != entry.url {
                    findings.push(format!(
                        "公示日志第 {idx} 条（{name}）：内容地址 {} 与日志记录的 {} 不同 / log entry {idx} ({name}): served at {}, logged {}",
                        p.url, entry.url, p.url, entry.url
                    ));
                }
            }
        }
    }
    let mut gone: Vec<(u64, &Entry)> = logged.into_values().collect();
    gone.sort_by_key(|(i, _)| *i);
    for (idx, e) in gone {
        let name = format!("{} {} v{}", e.kind.as_str(), e.key, e.version);
        findings.push(format!(
            "公示日志第 {idx} 条（{name}）：已不再公示 / log entry {idx} ({name}) is no longer published"
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_the_documented_text_and_only_that_text_parses() {
        let e = Entry::of_draw(Kind::Draw, "159902-2025-01", "2025-08-21T16:00:00+08:00", b"{}").unwrap();
        // docs/LOG.md §2, written out by hand: SHA-256("{}") = 44136fa3….
        let expected = "gongkai-log-entry/v1\nkind draw\nkey 159902-2025-01\nversion 1\n\
                        published_at 2025-08-21T16:00:00+08:00\nurl /api/draws/159902-2025-01/record.json\n\
                        sha256 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n";
        assert_eq!(String::from_utf8(e.to_bytes()).unwrap(), expected);
        assert_eq!(Entry::parse(expected.as_bytes()), Ok(e.clone()));
        for bad in [
            expected.replace("version 1", "version 01"),
            expected.replace("kind draw", "kind Draw"),
            expected.trim_end().to_owned(),
            expected.replace("url /api", "url api"),
            expected.replace("sha256 44", "sha256 4"),
            format!("{expected}extra 1\n"),
            expected.replace("key 159902-2025-01", "key 159902 2025"),
        ] {
            assert!(Entry::parse(bad.as_bytes()).is_err(), "{bad}");
        }
        for key in ["", "a b", "a\nkind draw", &"x".repeat(201)] {
            assert!(matches!(Entry::of_draw(Kind::Draw, key, "t", b""), Err(EntryError::Field { field: "key", .. })));
        }
    }

    #[test]
    fn tile_paths_are_c2sp_tlog_tiles_paths() {
        // The examples of C2SP tlog-tiles: N = 1234067 is x001/x234/067.
        let t = TileAddress { level: Some(0), index: 1_234_067, width: 256 };
        assert_eq!(t.path(), "0/x001/x234/067");
        assert_eq!(TileAddress::parse("0/x001/x234/067"), Some(t));
        let p = TileAddress { level: None, index: 1_234_067, width: 17 };
        assert_eq!(p.path(), "entries/x001/x234/067.p/17");
        assert_eq!(TileAddress::parse("entries/x001/x234/067.p/17"), Some(p));
        assert_eq!(TileAddress::parse("2/003").map(|t| t.path()), Some("2/003".to_owned()));
        for bad in
            ["0/1234067", "0/x1/x234/067", "0/001/234", "0/067.p/256", "0/067.p/0", "00/067", "8/000", "0/067.p/07"]
        {
            assert_eq!(TileAddress::parse(bad), None, "{bad}");
        }
        // A tree of 70,000 leaves: 273 full level-0 tiles, then 112 leaves; one full level-1 tile, then 17.
        let size = 70_000;
        assert!(TileAddress { level: Some(0), index: 272, width: 256 }.exists_in(size));
        assert!(!TileAddress { level: Some(0), index: 273, width: 256 }.exists_in(size));
        assert!(TileAddress { level: Some(0), index: 273, width: 112 }.exists_in(size));
        assert!(!TileAddress { level: Some(0), index: 273, width: 113 }.exists_in(size));
        assert!(TileAddress { level: Some(1), index: 1, width: 17 }.exists_in(size));
        assert!(!TileAddress { level: Some(2), index: 0, width: 2 }.exists_in(size));
        assert!(!TileAddress { level: Some(7), index: u64::MAX / 2, width: 255 }.exists_in(u64::MAX));
    }
}

#[cfg(test)]
mod row_tests {
    use super::*;

    #[test]
    fn a_rows_content_is_sorted_compact_json_without_internal_numbers() {
        let columns = vec![
            ("id".to_owned(), serde_json::json!(7)),
            ("zeta".to_owned(), serde_json::json!("末")),
            ("alpha".to_owned(), serde_json::json!(null)),
            ("replaces".to_owned(), serde_json::json!(3)),
            ("Beta".to_owned(), serde_json::json!(-2)),
        ];
        assert_eq!(row_content(&columns, None), r#"{"Beta":-2,"alpha":null,"zeta":"末"}"#.as_bytes());
        let line: std::collections::BTreeMap<String, serde_json::Value> =
            [("line".to_owned(), serde_json::json!(1)), ("b".to_owned(), serde_json::json!("x\"y"))]
                .into_iter()
                .collect();
        assert_eq!(
            String::from_utf8(row_content(&columns[1..2], Some(vec![line]))).unwrap(),
            r#"{"lines":[{"b":"x\"y","line":1}],"zeta":"末"}"#
        );
    }
}
