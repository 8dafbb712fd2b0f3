//! The draw record (SPEC.md §12): one self-contained JSON document, and its
//! verification by re-running everything from the published inputs.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::commitment;
use crate::input::{Canonical, DrawInput, InputError, VERSION};
use crate::merkle::{self, Hash};
use crate::protocol::{self, Exclusion, Infeasible, RecusalRequest, StratumResult};
use crate::randomness::{self, Randomness, RandomnessError};

pub const FORMAT: &str = "gongkai-draw-record";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    /// Always `"gongkai-draw-record"`.
    pub format: String,
    /// Protocol version that made the record; old records verify forever.
    pub version: String,
    pub input: DrawInput,
    pub commitment: String,
    pub objects_root: String,
    /// When the commitment was published (RFC 3339), if the publisher records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_at: Option<String>,
    pub randomness: Randomness,
    pub seed: String,
    pub result: DrawResult,
    /// Recusals after the draw, in order, with their replacements.
    #[serde(default)]
    pub recusals: Vec<Recusal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawResult {
    pub strata: Vec<StratumResult>,
    pub exclusions: Vec<Exclusion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recusal {
    #[serde(flatten)]
    pub request: RecusalRequest,
    pub replacement: String,
    /// Lower-case hex of the recusal chain before this entry (SPEC §11.3):
    /// binds the entry to the seed and every earlier recusal. Absent in v1
    /// records made before the chain (their recusals are not bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

/// Why a draw could not be made. Nothing is produced then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("randomness: {0}")]
    Randomness(#[from] RandomnessError),
    #[error("{0}")]
    Infeasible(#[from] Infeasible),
}

impl DrawError {
    /// The field each problem names, in order (`objects[3] (…).id`,
    /// `plan.team`, `randomness.value`, `recusals[0].reason` …).
    pub fn fields(&self) -> Vec<String> {
        match self {
            DrawError::Input(e) => e.problems.iter().map(|p| p.field.clone()).collect(),
            DrawError::Randomness(e) => vec![e.field()],
            DrawError::Infeasible(e) => vec![e.to_string().split(": ").next().unwrap_or("").to_owned()],
        }
    }
}

/// Makes the draw: validates, commits, derives the seed from the randomness,
/// runs the protocol. All or nothing.
pub fn draw(input: DrawInput, randomness: Randomness) -> Result<DrawRecord, DrawError> {
    let c = input.canonical()?;
    let (commitment, root) = commitment::compute(&c);
    let seed = randomness::seed(&commitment, &randomness.bytes(&input.randomness_source)?, &input.draw_id);
    let outcome = protocol::run(&c, &seed, &[])?;
    Ok(DrawRecord {
        format: FORMAT.into(),
        version: VERSION.into(),
        commitment: hex::encode(commitment),
        objects_root: hex::encode(root),
        committed_at: None,
        randomness,
        seed: hex::encode(seed),
        result: DrawResult { strata: outcome.strata, exclusions: outcome.exclusions },
        recusals: Vec::new(),
        input,
    })
}

/// Domain tags of the recusal chain (SPEC §11.3).
pub const RECUSAL_CHAIN_TAG: &str = "gongkai-draw/v1/recusal-chain";
pub const RECUSAL_TAG: &str = "gongkai-draw/v1/recusal";

/// The recusal chain (SPEC §11.3): `chain[0] = H(str(RECUSAL_CHAIN_TAG) ‖ raw(seed))`,
/// `chain[n+1] = H(str(RECUSAL_TAG) ‖ raw(chain[n]) ‖ str(object) ‖ str(inspector)
/// ‖ str(reason) ‖ str(date) ‖ str(replacement))`. Returns the N + 1 values;
/// `recusals[n].prev = chain[n]`, the head is `chain[N]`.
pub fn recusal_chain(seed: &[u8; 32], recusals: &[Recusal]) -> Vec<[u8; 32]> {
    let mut e = crate::encode::Encoder::new();
    e.str(RECUSAL_CHAIN_TAG).raw(seed);
    let mut chain = vec![e.sha256()];
    for r in recusals {
        let mut e = crate::encode::Encoder::new();
        let q = &r.request;
        e.str(RECUSAL_TAG)
            .raw(chain.last().map_or(&[0; 32], |h| h))
            .str(&q.object)
            .str(&q.inspector)
            .str(&q.reason)
            .str(&q.date)
            .str(&r.replacement);
        chain.push(e.sha256());
    }
    chain
}

/// Fills `prev` of every recusal of a record from its seed, and returns the
/// chain head to publish (`None` if the record's seed is not 32 bytes of hex).
pub fn link_recusals(record: &mut DrawRecord) -> Option<String> {
    let seed: [u8; 32] = hex::decode(&record.seed).ok()?.try_into().ok()?;
    let chain = recusal_chain(&seed, &record.recusals);
    for (r, prev) in record.recusals.iter_mut().zip(&chain) {
        r.prev = Some(hex::encode(prev));
    }
    chain.last().map(hex::encode)
}

/// [`recuse`], with every recusal bound into the recusal chain (`prev`).
/// Returns the new record and the chain head to publish with it.
pub fn recuse_linked(record: &DrawRecord, request: RecusalRequest) -> Result<(DrawRecord, String), DrawError> {
    let mut next = recuse(record, request)?;
    let head = link_recusals(&mut next).unwrap_or_default();
    Ok((next, head))
}

/// Adds a recusal to a record: the inspector leaves the object's team and the
/// recusal stream draws a replacement. Returns the new record; the old one is unchanged.
pub fn recuse(record: &DrawRecord, request: RecusalRequest) -> Result<DrawRecord, DrawError> {
    let c = record.input.canonical()?;
    let (commitment, _) = commitment::compute(&c);
    let seed = randomness::seed(
        &commitment,
        &record.randomness.bytes(&record.input.randomness_source)?,
        &record.input.draw_id,
    );
    let mut requests: Vec<RecusalRequest> = record.recusals.iter().map(|r| r.request.clone()).collect();
    requests.push(request);
    let outcome = protocol::run(&c, &seed, &requests)?;
    let mut next = record.clone();
    next.result.strata = outcome.strata;
    next.recusals = requests
        .into_iter()
        .zip(outcome.replacements)
        .map(|(request, replacement)| Recusal { request, replacement, prev: None })
        .collect();
    Ok(next)
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

/// The steps of a verification, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Inputs,
    Commitment,
    Seed,
    Eligibility,
    Selection,
    Teams,
    Recusals,
}

impl StepKind {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Inputs => "公布的输入完整有效",
            Self::Commitment => "由公布的输入重算承诺值，与事先公布的承诺值一致",
            Self::Seed => "种子由承诺值和指定的公共随机数得出",
            Self::Eligibility => "重算的可抽对象与公布的排除名单及理由一致",
            Self::Selection => "重新抽取的对象与公布的结果一致",
            Self::Teams => "重新抽取的检查组与公布的结果一致",
            Self::Recusals => "回避后的替换人员由回避随机流得出",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Inputs => "the published inputs are complete and valid",
            Self::Commitment => "the commitment recomputed from the inputs equals the one published before the draw",
            Self::Seed => "the seed follows from the commitment and the named public randomness",
            Self::Eligibility => "the recomputed eligibility matches the published exclusions and reasons",
            Self::Selection => "the re-run selection equals the published objects",
            Self::Teams => "the re-run inspector teams equal the published teams",
            Self::Recusals => "recusal replacements follow the recusal stream",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    pub ok: bool,
    /// What was compared, or why the step could not run ([`crate::words`] words it).
    pub detail: Detail,
}

/// What a step compared, or why it could not run: facts, not words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "detail", rename_all = "snake_case")]
pub enum Detail {
    /// The inputs were read: how many of each.
    Inputs {
        objects: u64,
        inspectors: u64,
        history: u64,
    },
    /// The record's `version` is not its input's.
    VersionsDiffer {
        record: String,
        input: String,
    },
    /// A record format or version this verifier does not know.
    UnknownFormat {
        format: String,
        version: String,
    },
    /// The inputs, or the randomness, are not valid: the crate's error (bilingual).
    Invalid {
        error: String,
    },
    /// The inputs cannot be drawn: the crate's error (bilingual).
    CannotDraw {
        error: String,
    },
    /// The commitment recomputed, the one the record names, and the commitment
    /// published before the randomness when one was given.
    Commitment {
        recomputed: String,
        published: String,
        committed_at: Option<String>,
        source: crate::input::RandomnessSource,
        published_before: Option<String>,
    },
    /// The seed, and where its randomness came from.
    Seed {
        seed: String,
        from: SeedFrom,
    },
    Eligibility {
        excluded: u64,
    },
    Selection {
        strata: u64,
        selected: u64,
    },
    Teams {
        size: u64,
    },
    Recusals {
        count: u64,
        chain: Chain,
    },
}

/// Where a seed's randomness came from, as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum SeedFrom {
    /// A drand quicknet beacon whose BLS signature was checked.
    Drand { round: u64 },
    /// An RFC 3797 key string of public numbers.
    PublicNumbers { key: String },
    /// Demo randomness: not a public beacon.
    Demo,
}

/// What the recusal chain (SPEC §11.3) showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "chain", rename_all = "snake_case")]
pub enum Chain {
    /// No recusals.
    Empty,
    /// Chained, and checked against a head the portal published.
    Checked { head: String },
    /// Chained, with no published head to check against: consistency only.
    Unchecked { head: String },
    /// Recusals from before the chain: their reasons and dates are not bound.
    Unlinked,
}

/// One thing that differs between the re-run and the published record:
/// where, what the re-run gives, and what was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub step: StepKind,
    pub place: Place,
    pub expected: Value,
    pub published: Value,
}

/// Where a difference is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Place {
    Commitment,
    ObjectsRoot,
    /// The record's commitment against the one published before the randomness.
    CommitmentPublishedBefore,
    Seed,
    ExclusionReason {
        object: String,
    },
    ShouldBeExcluded {
        object: String,
    },
    ShouldNotBeExcluded {
        object: String,
    },
    /// `result.exclusions` out of canonical object order.
    ExclusionOrder,
    /// A stratum missing from, or added to, the result.
    Stratum {
        stratum: String,
    },
    StratumCount {
        stratum: String,
        count: Count,
    },
    /// The object at a position of a stratum.
    Selected {
        stratum: String,
        position: u64,
    },
    /// The position written for an object.
    Position {
        stratum: String,
        position: u64,
        object: String,
    },
    Team {
        stratum: String,
        position: u64,
        object: String,
    },
    /// `result.strata` out of canonical stratum order.
    StrataOrder,
    /// A drawn object that is not in the published pool.
    NotInPool {
        object: String,
    },
    /// The replacement of the n-th recusal (1-based).
    Replacement {
        recusal: u64,
        inspector: String,
        object: String,
    },
    /// The `prev` link of the n-th recusal (1-based).
    RecusalLink {
        recusal: u64,
    },
    /// The published recusal chain head is not in the record's chain.
    RecusalHead,
}

/// A stratum's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    Pool,
    Eligible,
    Quota,
}

/// A value in a difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "value", content = "of", rename_all = "snake_case")]
pub enum Value {
    /// An identifier or hash, the same in every language.
    Text(String),
    Number(u64),
    /// Identifiers, in order.
    List(Vec<String>),
    /// Nothing there.
    Nothing,
    Reason(crate::protocol::ExclusionReason),
    Eligible,
    NotExcluded,
    NotInPool,
    /// Drawn at this position.
    DrawnAt(u64),
    /// A stratum of this many objects.
    Objects(u64),
    /// A stratum the plan does not have.
    NotInPlan,
}

impl fmt::Display for Difference {
    /// Both languages, Chinese first (for logs and the command line).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::words::{Language, difference};
        write!(f, "{} / {}", difference(self, Language::Chinese), difference(self, Language::English))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub steps: Vec<Step>,
    pub differences: Vec<Difference>,
    /// Whether the record was checked against a commitment published before
    /// the randomness (SPEC §13 step 2). When false, only the record's
    /// consistency was checked: a record whose inputs were edited and whose
    /// commitment, seed and result were recomputed would pass too.
    #[serde(default)]
    pub timing_checked: bool,
    /// The commitment published before the randomness that the record was
    /// checked against (lower-case hex), when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_commitment: Option<String>,
    /// Whether every recusal carries its `prev` link (SPEC §11.3). False for a
    /// record with recusals from before the chain: their reasons and dates
    /// are not bound. (True when there are no recusals.)
    #[serde(default)]
    pub recusals_chained: bool,
    /// The recomputed head of the recusal chain (lower-case hex), when there are recusals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recusal_head: Option<String>,
    /// Whether the chain was checked against a head published by the portal.
    #[serde(default)]
    pub recusal_head_checked: bool,
}

/// What was published outside the record, to check it against (SPEC §13).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    /// The commitment published before the randomness.
    pub commitment: Option<[u8; 32]>,
    /// A recusal chain head published after some recusal (any of `chain[1..]`).
    pub recusal_head: Option<[u8; 32]>,
}

impl Verification {
    /// True when every step passed and nothing differs.
    pub fn is_match(&self) -> bool {
        self.differences.is_empty() && self.steps.iter().all(|s| s.ok)
    }
}

struct Verifier {
    steps: Vec<Step>,
    differences: Vec<Difference>,
    published: Published,
    recusals_chained: bool,
    recusal_head: Option<String>,
}

impl Verifier {
    fn differ(&mut self, step: StepKind, place: Place, expected: Value, published: Value) {
        self.differences.push(Difference { step, place, expected, published });
    }

    fn step(&mut self, kind: StepKind, detail: Detail) {
        let ok = !self.differences.iter().any(|d| d.step == kind);
        self.steps.push(Step { kind, ok, detail });
    }

    fn fail(mut self, kind: StepKind, detail: Detail) -> Verification {
        self.steps.push(Step { kind, ok: false, detail });
        self.finish()
    }

    fn finish(self) -> Verification {
        Verification {
            steps: self.steps,
            differences: self.differences,
            timing_checked: self.published.commitment.is_some(),
            published_commitment: self.published.commitment.map(hex::encode),
            recusals_chained: self.recusals_chained,
            recusal_head: self.recusal_head,
            recusal_head_checked: self.published.recusal_head.is_some(),
        }
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// The pool's Merkle root, the right half hashed by `hash_right` (see [`verify_stepwise_with`]).
async fn objects_root_in_halves<H, HFut>(c: &Canonical<'_>, hash_right: H) -> Hash
where
    H: FnOnce(Vec<u8>) -> HFut,
    HFut: std::future::Future<Output = Option<Hash>>,
{
    use commitment::halves;
    if c.objects.len() < halves::MIN_OBJECTS {
        return commitment::objects_root_here(c);
    }
    let Some(data) = halves::right_leaf_data(c) else {
        return commitment::objects_root_here(c);
    };
    let right = hash_right(data);
    let Some(left) = halves::left_root(c) else {
        return commitment::objects_root_here(c);
    };
    match right.await.or_else(|| halves::right_root(c)) {
        Some(right) => merkle::node_hash(&left, &right),
        None => commitment::objects_root_here(c),
    }
}

/// Re-runs a record from its own inputs and compares every published value.
///
/// This checks the record's **consistency** only ([`Verification::timing_checked`]
/// is false): the record carries its own commitment, so a record whose inputs
/// were edited after the randomness was known, with commitment, seed and
/// result recomputed, passes. [`verify_against`] also checks timing.
pub fn verify(record: &DrawRecord) -> Verification {
    verify_against(record, None)
}

/// [`verify`], and, when `published_commitment` is given (the commitment as
/// published before the randomness existed, obtained independently of the
/// record, e.g. from the portal's draw list), that the record's commitment is
/// that one (SPEC §13 step 2). A record whose inputs were changed after the
/// commitment was published then differs, even if everything in it was
/// recomputed. The result says whether timing was checked.
pub fn verify_against(record: &DrawRecord, published_commitment: Option<[u8; 32]>) -> Verification {
    verify_published(record, Published { commitment: published_commitment, recusal_head: None })
}

/// [`verify_against`], and, when `published.recusal_head` is given (a recusal
/// chain head the portal published after some recusal), that the record's
/// recusals up to that one are those it was published with (SPEC §11.3).
pub fn verify_published(record: &DrawRecord, published: Published) -> Verification {
    let mut run = std::pin::pin!(verify_stepwise_against(
        record,
        published,
        |_| std::future::ready(()),
        None::<fn(Vec<u8>) -> std::future::Ready<Option<Hash>>>,
    ));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        // `ready` pauses never wait, so the first poll finishes.
        if let std::task::Poll::Ready(v) = run.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// [`verify`], one step at a time: after each step `pause` is called with it
/// and awaited, so a browser can show the step and yield to its event loop
/// before the next (the result is the same as [`verify`]'s).
pub async fn verify_stepwise<F, Fut>(record: &DrawRecord, pause: F) -> Verification
where
    F: FnMut(&Step) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    verify_stepwise_with(record, pause, None::<fn(Vec<u8>) -> std::future::Ready<Option<Hash>>>).await
}

/// [`verify_stepwise`], with the right half of the pool's Merkle tree hashed
/// elsewhere (a browser's second Web Worker; the result is the same).
///
/// For pools of at least [`commitment::halves::MIN_OBJECTS`] objects,
/// `hash_right` is called with the right half's leaf data
/// ([`commitment::halves::right_leaf_data`]) before the left half is hashed
/// here, so it should start its work when called; its future resolves to
/// `MTH(D[k:n])` ([`commitment::halves::root_of_leaf_data`]), or to `None`,
/// and then the right half is hashed here too. With `hash_right` given, this
/// thread starts no other (natively, [`verify_stepwise`] hashes the halves
/// on two threads).
pub async fn verify_stepwise_with<F, Fut, H, HFut>(record: &DrawRecord, pause: F, hash_right: Option<H>) -> Verification
where
    F: FnMut(&Step) -> Fut,
    Fut: std::future::Future<Output = ()>,
    H: FnOnce(Vec<u8>) -> HFut,
    HFut: std::future::Future<Output = Option<Hash>>,
{
    verify_stepwise_against(record, Published::default(), pause, hash_right).await
}

/// [`verify_stepwise_with`] against the commitment published before the
/// randomness, when given (see [`verify_against`]).
pub async fn verify_stepwise_against<F, Fut, H, HFut>(
    record: &DrawRecord,
    published: Published,
    mut pause: F,
    hash_right: Option<H>,
) -> Verification
where
    F: FnMut(&Step) -> Fut,
    Fut: std::future::Future<Output = ()>,
    H: FnOnce(Vec<u8>) -> HFut,
    HFut: std::future::Future<Output = Option<Hash>>,
{
    let mut v = Verifier {
        steps: Vec::new(),
        differences: Vec::new(),
        published,
        recusals_chained: record.recusals.iter().all(|r| r.prev.is_some()),
        recusal_head: None,
    };
    let published_commitment = published.commitment;
    // 1. Inputs.
    if record.version != record.input.version {
        return v.fail(
            StepKind::Inputs,
            Detail::VersionsDiffer { record: record.version.clone(), input: record.input.version.clone() },
        );
    }
    if record.format != FORMAT || record.version != VERSION || record.input.version != VERSION {
        return v.fail(
            StepKind::Inputs,
            Detail::UnknownFormat { format: record.format.clone(), version: record.version.clone() },
        );
    }
    let c = match record.input.canonical() {
        Ok(c) => c,
        Err(e) => return v.fail(StepKind::Inputs, Detail::Invalid { error: e.to_string() }),
    };
    v.step(
        StepKind::Inputs,
        Detail::Inputs {
            objects: c.objects.len() as u64,
            inspectors: c.inspectors.len() as u64,
            history: c.history.len() as u64,
        },
    );
    if let Some(step) = v.steps.last() {
        pause(step).await;
    }

    // 2. Commitment.
    let root = match hash_right {
        None => commitment::objects_root(&c),
        Some(h) => objects_root_in_halves(&c, h).await,
    };
    let (commitment, root) = commitment::compute_with_root(&c, root);
    let (commitment_hex, root_hex) = (hex::encode(commitment), hex::encode(root));
    if commitment_hex != record.commitment {
        v.differ(StepKind::Commitment, Place::Commitment, text(&commitment_hex), text(&record.commitment));
    }
    if root_hex != record.objects_root {
        v.differ(StepKind::Commitment, Place::ObjectsRoot, text(&root_hex), text(&record.objects_root));
    }
    let published_before = published_commitment.map(hex::encode);
    if let Some(p) = &published_before
        && *p != record.commitment
    {
        v.differ(StepKind::Commitment, Place::CommitmentPublishedBefore, text(p), text(&record.commitment));
    }
    v.step(
        StepKind::Commitment,
        Detail::Commitment {
            recomputed: commitment_hex,
            published: record.commitment.clone(),
            committed_at: record.committed_at.clone(),
            source: record.input.randomness_source.clone(),
            published_before,
        },
    );
    if let Some(step) = v.steps.last() {
        pause(step).await;
    }

    // 3. Seed.
    let bytes = match record.randomness.bytes(&record.input.randomness_source) {
        Ok(b) => b,
        Err(e) => return v.fail(StepKind::Seed, Detail::Invalid { error: e.to_string() }),
    };
    let seed = randomness::seed(&commitment, &bytes, &record.input.draw_id);
    let seed_hex = hex::encode(seed);
    if seed_hex != record.seed {
        v.differ(StepKind::Seed, Place::Seed, text(&seed_hex), text(&record.seed));
    }
    let from = match &record.randomness {
        Randomness::DrandQuicknet { round, .. } => SeedFrom::Drand { round: *round },
        Randomness::PublicNumbers { key } => SeedFrom::PublicNumbers { key: key.clone() },
        Randomness::Demo { .. } => SeedFrom::Demo,
    };
    v.step(StepKind::Seed, Detail::Seed { seed: seed_hex, from });
    if let Some(step) = v.steps.last() {
        pause(step).await;
    }

    // Re-run with the recomputed seed.
    let requests: Vec<RecusalRequest> = record.recusals.iter().map(|r| r.request.clone()).collect();
    let outcome = match protocol::run(&c, &seed, &requests) {
        Ok(o) => o,
        Err(e) => {
            return v.fail(StepKind::Selection, Detail::CannotDraw { error: e.to_string() });
        }
    };

    // 4. Eligibility.
    let expected: BTreeMap<&str, _> = outcome.exclusions.iter().map(|e| (e.object.as_str(), e.reason)).collect();
    let published: BTreeMap<&str, _> = record.result.exclusions.iter().map(|e| (e.object.as_str(), e.reason)).collect();
    for (object, reason) in &expected {
        match published.get(object) {
            Some(p) if p == reason => {}
            Some(p) => v.differ(
                StepKind::Eligibility,
                Place::ExclusionReason { object: object.to_string() },
                Value::Reason(*reason),
                Value::Reason(*p),
            ),
            None => v.differ(
                StepKind::Eligibility,
                Place::ShouldBeExcluded { object: object.to_string() },
                Value::Reason(*reason),
                Value::NotExcluded,
            ),
        }
    }
    for (object, reason) in &published {
        if !expected.contains_key(object) {
            v.differ(
                StepKind::Eligibility,
                Place::ShouldNotBeExcluded { object: object.to_string() },
                Value::Eligible,
                Value::Reason(*reason),
            );
        }
    }
    // §12: exclusions in canonical object order; another order is a difference.
    let in_both = |list: Vec<&str>, other: &BTreeMap<&str, _>| -> Vec<String> {
        list.into_iter().filter(|o| other.contains_key(o)).map(str::to_owned).collect()
    };
    let expected_order = in_both(outcome.exclusions.iter().map(|e| e.object.as_str()).collect(), &published);
    let published_order = in_both(record.result.exclusions.iter().map(|e| e.object.as_str()).collect(), &expected);
    if expected_order != published_order {
        v.differ(
            StepKind::Eligibility,
            Place::ExclusionOrder,
            Value::List(expected_order),
            Value::List(published_order),
        );
    }
    v.step(StepKind::Eligibility, Detail::Eligibility { excluded: expected.len() as u64 });
    if let Some(step) = v.steps.last() {
        pause(step).await;
    }

    // 5. Selection and 6. teams, stratum by stratum.
    let published: BTreeMap<&str, &StratumResult> = record.result.strata.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut team_diffs = Vec::new();
    for s in &outcome.strata {
        let Some(p) = published.get(s.id.as_str()) else {
            v.differ(
                StepKind::Selection,
                Place::Stratum { stratum: s.id.clone() },
                Value::Objects(s.quota),
                Value::Nothing,
            );
            continue;
        };
        for (count, e, q) in
            [(Count::Pool, s.pool, p.pool), (Count::Eligible, s.eligible, p.eligible), (Count::Quota, s.quota, p.quota)]
        {
            if e != q {
                v.differ(
                    StepKind::Selection,
                    Place::StratumCount { stratum: s.id.clone(), count },
                    Value::Number(e),
                    Value::Number(q),
                );
            }
        }
        let n = s.selected.len().max(p.selected.len());
        for i in 0..n {
            let position = i as u64 + 1;
            let here = || Place::Selected { stratum: s.id.clone(), position };
            match (s.selected.get(i), p.selected.get(i)) {
                (Some(e), Some(q)) => {
                    if e.object != q.object {
                        v.differ(StepKind::Selection, here(), text(&e.object), text(&q.object));
                    } else if q.position != position {
                        v.differ(
                            StepKind::Selection,
                            Place::Position { stratum: s.id.clone(), position, object: e.object.clone() },
                            Value::Number(position),
                            Value::Number(q.position),
                        );
                    } else if e.team != q.team {
                        team_diffs.push(Difference {
                            step: StepKind::Teams,
                            place: Place::Team { stratum: s.id.clone(), position, object: e.object.clone() },
                            expected: Value::List(e.team.clone()),
                            published: Value::List(q.team.clone()),
                        });
                    }
                }
                (Some(e), None) => v.differ(StepKind::Selection, here(), text(&e.object), Value::Nothing),
                (None, Some(q)) => v.differ(StepKind::Selection, here(), Value::Nothing, text(&q.object)),
                (None, None) => {}
            }
        }
    }
    for id in published.keys() {
        if !outcome.strata.iter().any(|s| s.id == *id) {
            v.differ(StepKind::Selection, Place::Stratum { stratum: id.to_string() }, Value::NotInPlan, Value::Nothing);
        }
    }
    // §12: strata in canonical order; another order is a difference.
    let expected_order: Vec<String> =
        outcome.strata.iter().map(|s| s.id.clone()).filter(|id| published.contains_key(id.as_str())).collect();
    let published_order: Vec<String> = record
        .result
        .strata
        .iter()
        .map(|s| s.id.clone())
        .filter(|id| outcome.strata.iter().any(|s| s.id == *id))
        .collect();
    if expected_order != published_order {
        v.differ(StepKind::Selection, Place::StrataOrder, Value::List(expected_order), Value::List(published_order));
    }
    // A published object that is not in the pool is named as such, whatever else differs.
    for p in record.result.strata.iter().flat_map(|s| &s.selected) {
        if c.find(&p.object).is_none() {
            v.differ(
                StepKind::Selection,
                Place::NotInPool { object: p.object.clone() },
                Value::NotInPool,
                Value::DrawnAt(p.position),
            );
        }
    }
    let selected: usize = outcome.strata.iter().map(|s| s.selected.len()).sum();
    v.step(StepKind::Selection, Detail::Selection { strata: outcome.strata.len() as u64, selected: selected as u64 });
    if let Some(step) = v.steps.last() {
        pause(step).await;
    }
    v.differences.extend(team_diffs);
    v.step(StepKind::Teams, Detail::Teams { size: c.input.plan.team.size });
    if let Some(step) = v.steps.last() {
        pause(step).await;
    }

    // 7. Recusals.
    for (n, (r, e)) in record.recusals.iter().zip(&outcome.replacements).enumerate() {
        if r.replacement != *e {
            v.differ(
                StepKind::Recusals,
                Place::Replacement {
                    recusal: n as u64 + 1,
                    inspector: r.request.inspector.clone(),
                    object: r.request.object.clone(),
                },
                text(e),
                text(&r.replacement),
            );
        }
    }
    // §11.3: the recusal chain binds each recusal to the seed and every earlier one.
    let chain = recusal_chain(&seed, &record.recusals);
    let linked = record.recusals.iter().any(|r| r.prev.is_some());
    if linked {
        for (n, (r, expected)) in record.recusals.iter().zip(&chain).enumerate() {
            let expected = hex::encode(expected);
            if r.prev.as_deref() != Some(expected.as_str()) {
                v.differ(
                    StepKind::Recusals,
                    Place::RecusalLink { recusal: n as u64 + 1 },
                    Value::Text(expected),
                    r.prev.clone().map_or(Value::Nothing, Value::Text),
                );
            }
        }
    }
    let head = (!record.recusals.is_empty()).then(|| chain.last().map(hex::encode)).flatten();
    if let Some(p) = v.published.recusal_head
        && !chain[1..].contains(&p)
    {
        v.differ(
            StepKind::Recusals,
            Place::RecusalHead,
            Value::List(chain[1..].iter().map(hex::encode).collect()),
            Value::Text(hex::encode(p)),
        );
    }
    let chained = match (&head, linked, v.published.recusal_head) {
        (None, _, _) => Chain::Empty,
        (Some(h), true, Some(_)) => Chain::Checked { head: h.clone() },
        (Some(h), true, None) => Chain::Unchecked { head: h.clone() },
        (Some(_), false, _) => Chain::Unlinked,
    };
    v.recusal_head = head;
    v.step(StepKind::Recusals, Detail::Recusals { count: record.recusals.len() as u64, chain: chained });
    if let Some(step) = v.steps.last() {
        pause(step).await;
    }

    v.finish()
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::{Future, ready};

    use super::*;
    use crate::synthetic::{Shape, input};

    /// Polls a future whose awaits never wait.
    fn now<T>(f: impl Future<Output = T>) -> T {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn with_halves(record: &DrawRecord, right: impl FnOnce(&[u8]) -> Option<Hash>) -> (Verification, usize) {
        let calls = Cell::new(0);
        let v = now(verify_stepwise_with(
            record,
            |_| ready(()),
            Some(|data: Vec<u8>| {
                calls.set(calls.get() + 1);
                ready(right(&data))
            }),
        ));
        (v, calls.get())
    }

    fn json(v: &Verification) -> String {
        serde_json::to_string(v).unwrap()
    }

    /// Hashing the right half elsewhere gives the same verification as hashing
    /// everything here, for an honest record and for tampered ones.
    #[test]
    fn right_half_elsewhere_verifies_the_same() {
        let n = commitment::halves::MIN_OBJECTS + 1234;
        let shape = Shape {
            objects: n,
            strata: 3,
            inspectors: 40,
            select: 30,
            team_size: 2,
            load_cap: 10,
            history: 50,
            seed: 9,
        };
        let honest = crate::draw(input(&shape), Randomness::Demo { value: "ab".repeat(32) }).unwrap();

        let mut swapped = honest.clone();
        let chosen: Vec<String> =
            honest.result.strata.iter().flat_map(|s| s.selected.iter().map(|x| x.object.clone())).collect();
        let excluded: Vec<&str> = honest.result.exclusions.iter().map(|e| e.object.as_str()).collect();
        let outsider = honest
            .input
            .objects
            .iter()
            .find(|o| !chosen.contains(&o.id) && !excluded.contains(&o.id.as_str()))
            .unwrap()
            .id
            .clone();
        swapped.result.strata[0].selected[0].object = outsider;
        let mut removed = honest.clone();
        removed.input.objects.retain(|o| o.id != chosen[0]);
        let mut reseeded = honest.clone();
        reseeded.seed = reseeded.seed.chars().rev().collect();

        for (what, record, matches) in [
            ("honest", &honest, true),
            ("swapped", &swapped, false),
            ("removed", &removed, false),
            ("reseeded", &reseeded, false),
        ] {
            let alone = verify(record);
            assert_eq!(alone.is_match(), matches, "{what}");
            let (elsewhere, calls) = with_halves(record, commitment::halves::root_of_leaf_data);
            assert_eq!(calls, 1, "{what}");
            assert_eq!(json(&elsewhere), json(&alone), "{what}");
            // A helper that fails: the right half is hashed here.
            let (fallback, _) = with_halves(record, |_| None);
            assert_eq!(json(&fallback), json(&alone), "{what}");
        }
        let removed_v = verify(&removed);
        assert!(removed_v.differences.iter().any(|d| d.step == StepKind::Commitment));
        assert!(removed_v.differences.iter().any(|d| d.place == Place::NotInPool { object: chosen[0].clone() }));

        // The helper's root is the one used: a wrong one shows as a different commitment.
        let (wrong, _) = with_halves(&honest, |_| Some([7; 32]));
        assert!(!wrong.is_match());
        assert!(wrong.differences.iter().any(|d| d.step == StepKind::Commitment));
    }

    /// Small pools are hashed here, without calling the helper.
    #[test]
    fn small_pools_do_not_use_the_helper() {
        let shape = Shape {
            objects: 200,
            strata: 2,
            inspectors: 10,
            select: 10,
            team_size: 2,
            load_cap: 10,
            history: 5,
            seed: 2,
        };
        let record = crate::draw(input(&shape), Randomness::Demo { value: "cd".repeat(32) }).unwrap();
        let (v, calls) = with_halves(&record, |_| Some([0; 32]));
        assert_eq!(calls, 0);
        assert_eq!(json(&v), json(&verify(&record)));
        assert!(v.is_match());
    }
}
