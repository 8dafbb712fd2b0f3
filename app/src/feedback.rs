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

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

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

impl CodeError {
    /// The problem in Chinese and in English, apart.
    pub fn words(&self) -> (String, String) {
        match self {
            CodeError::Length(n) => (
                format!("评价码应为 {CODE_CHARS} 个字符（不计空格和连字符），您输入了 {n} 个。"),
                format!("A feedback code has {CODE_CHARS} characters (spaces and hyphens aside); you entered {n}."),
            ),
            CodeError::Character { position, character } => (
                format!("评价码第 {position} 个字符“{character}”不会出现在评价码中（评价码不用 0、1、I、O）。"),
                format!("Character {position}, '{character}', is not used in feedback codes (they have no 0, 1, I or O)."),
            ),
            CodeError::Check => (
                "评价码有误（校验位不符），请核对检查结果告知书上的评价码。".to_owned(),
                "The feedback code is mistyped (its check character does not match): compare it with the written result."
                    .to_owned(),
            ),
        }
    }
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

// ---------------------------------------------------------------------------
// What a firm says: the five 好差评 levels and the conduct checks.

/// The five levels of 政务服务"好差评" (国办发〔2019〕51号), best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    Basic,
    Dissatisfied,
    VeryDissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 5] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::Basic,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
    ];

    /// 5 (非常满意) down to 1 (非常不满意), as stored and in the canonical submission.
    pub fn value(self) -> u8 {
        match self {
            Satisfaction::VerySatisfied => 5,
            Satisfaction::Satisfied => 4,
            Satisfaction::Basic => 3,
            Satisfaction::Dissatisfied => 2,
            Satisfaction::VeryDissatisfied => 1,
        }
    }

    pub fn from_value(v: u8) -> Option<Satisfaction> {
        Satisfaction::ALL.into_iter().find(|s| s.value() == v)
    }

    /// The name in open data (JSON keys, CSV columns).
    pub fn key(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "very_satisfied",
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::Basic => "basically_satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
            Satisfaction::VeryDissatisfied => "very_dissatisfied",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => lang.pick("非常满意", "Very satisfied"),
            Satisfaction::Satisfied => lang.pick("满意", "Satisfied"),
            Satisfaction::Basic => lang.pick("基本满意", "Basically satisfied"),
            Satisfaction::Dissatisfied => lang.pick("不满意", "Dissatisfied"),
            Satisfaction::VeryDissatisfied => lang.pick("非常不满意", "Very dissatisfied"),
        }
    }
}

/// The yes/no checks on an inspector's conduct, from the seeds' duties
/// (000 art. 6, 10 and 17; 001 art. 17). "No" to one of them is a conduct problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conduct {
    ShowedCertificate,
    ExplainedScope,
    StayedInScope,
    NoGifts,
    NoDisruption,
    KeptSecrets,
}

impl Conduct {
    pub const ALL: [Conduct; 6] = [
        Conduct::ShowedCertificate,
        Conduct::ExplainedScope,
        Conduct::StayedInScope,
        Conduct::NoGifts,
        Conduct::NoDisruption,
        Conduct::KeptSecrets,
    ];

    /// The name in forms, the canonical submission and open data.
    pub fn key(self) -> &'static str {
        match self {
            Conduct::ShowedCertificate => "showed_certificate",
            Conduct::ExplainedScope => "explained_scope",
            Conduct::StayedInScope => "stayed_in_scope",
            Conduct::NoGifts => "no_gifts",
            Conduct::NoDisruption => "no_disruption",
            Conduct::KeptSecrets => "kept_secrets",
        }
    }

    /// The question the form asks.
    pub fn question(self, lang: Lang) -> &'static str {
        match self {
            Conduct::ShowedCertificate => lang.pick("出示了执法证件", "Showed their enforcement certificate"),
            Conduct::ExplainedScope => {
                lang.pick("告知了检查事项和依据", "Told you what was inspected and on what legal basis")
            }
            Conduct::StayedInScope => lang.pick("未超出检查范围", "Stayed within the scope of the inspection"),
            Conduct::NoGifts => lang.pick("未索取或收受财物", "Asked for or accepted no money or gifts"),
            Conduct::NoDisruption => lang.pick("未影响正常生产经营", "Did not disrupt your normal business"),
            Conduct::KeptSecrets => lang.pick("保守了商业秘密", "Kept your business secrets confidential"),
        }
    }

    /// The column of the published count of this problem.
    pub fn problem_key(self) -> &'static str {
        match self {
            Conduct::ShowedCertificate => "no_certificate_shown",
            Conduct::ExplainedScope => "scope_not_explained",
            Conduct::StayedInScope => "beyond_scope",
            Conduct::NoGifts => "money_or_gifts",
            Conduct::NoDisruption => "business_disrupted",
            Conduct::KeptSecrets => "secrets_not_kept",
        }
    }

    /// The problem a "no" reports, as published counts name it.
    pub fn problem(self, lang: Lang) -> &'static str {
        match self {
            Conduct::ShowedCertificate => lang.pick("未出示执法证件", "No certificate shown"),
            Conduct::ExplainedScope => lang.pick("未告知检查事项和依据", "Scope and basis not explained"),
            Conduct::StayedInScope => lang.pick("超出检查范围", "Beyond the scope"),
            Conduct::NoGifts => lang.pick("索取或收受财物", "Money or gifts asked or taken"),
            Conduct::NoDisruption => lang.pick("影响正常生产经营", "Business disrupted"),
            Conduct::KeptSecrets => lang.pick("未保守商业秘密", "Business secrets not kept"),
        }
    }
}

/// The longest free text, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
/// The longest contact, in characters.
pub const MAX_CONTACT_CHARS: usize = 100;
/// Working days after delivery during which feedback is open (001 art. 24).
pub const WINDOW_WORKING_DAYS: u32 = 10;

/// The last day (`YYYY-MM-DD`) of the feedback window of a result delivered on
/// `delivered_on`: the 10th working day after it; `None` while the result is
/// not delivered or that year's holidays are not published.
pub fn window_closes(calendar: &crate::calendar::Calendar, delivered_on: Option<&str>) -> Option<String> {
    let delivered = crate::calendar::day(delivered_on?)?;
    calendar.add_working_days(delivered, WINDOW_WORKING_DAYS).ok().map(crate::calendar::date)
}

// ---------------------------------------------------------------------------
// The `/feedback` page: what the server found, for the page to show.

/// A problem with what was sent, named by the form field it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormProblem {
    /// The field's `name` (`credit_code`, `code`, `level_0`, `text`…), or `form`.
    pub field: String,
    pub zh: String,
    pub en: String,
}

impl FormProblem {
    pub fn new(field: &str, zh: impl Into<String>, en: impl Into<String>) -> FormProblem {
        FormProblem { field: field.to_owned(), zh: zh.into(), en: en.into() }
    }

    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

/// The inspection a code belongs to, as the form shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub result_code: String,
    pub credit_code: String,
    pub enterprise_name: String,
    pub department: String,
    pub department_code: Option<String>,
    /// (item code, item name) of the items inspected.
    pub items: Vec<(String, String)>,
    pub inspected_on: String,
    pub delivered_on: Option<String>,
    /// The last day of the window (`None` while the result is not delivered
    /// or that year's holidays are not published).
    pub closes_on: Option<String>,
    /// (certificate, name) of the team, in the result's order.
    pub team: Vec<(String, String)>,
}

/// The answers of the form (as sent, so that a refused form comes back filled in).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackValues {
    pub credit_code: String,
    /// As typed.
    pub code: String,
    /// How many versions existed when the form was shown (a replay or a
    /// second tab is refused rather than stored twice).
    pub based_on: u32,
    pub department: Option<Satisfaction>,
    /// Per member of the team, in the team's order.
    pub inspectors: Vec<InspectorAnswers>,
    pub text: String,
    pub contact: String,
}

/// The answers about one inspector.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorAnswers {
    pub certificate: String,
    pub level: Option<Satisfaction>,
    /// In the order of [`Conduct::ALL`]; `None` when not answered.
    pub conduct: Vec<Option<bool>>,
}

/// What the firm keeps: the proof of what it sent and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub number: String,
    pub version: u32,
    /// RFC 3339, Beijing time.
    pub submitted_at: String,
    /// SHA-256 (lower-case hex) of `canonical`'s UTF-8 bytes.
    pub sha256: String,
    /// The canonical submission (JSON), exactly as hashed.
    pub canonical: String,
}

/// Where a feedback window stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowState {
    /// The result has not been delivered yet.
    NotDelivered,
    /// Delivered on a later day (dates in the future are possible in imports).
    NotYetOpen,
    Open,
    Closed,
}

/// What the server hands the `/feedback` page (a request extension): what to
/// show, and the form's anti-forgery token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackRequest {
    pub screen: FeedbackScreen,
    pub csrf: String,
    /// A demo portal (its try-out codes are listed on `/demo/feedback`).
    pub demo: bool,
}

/// What `/feedback` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedbackScreen {
    /// Step 1: the credit code and the feedback code.
    Identify { credit_code: String, code: String, problems: Vec<FormProblem> },
    /// The code is right but the window is not open.
    Window { state: WindowState, inspection: Inspection, latest: Option<Receipt> },
    /// Step 2: the form (again, with `problems`, when something was wrong).
    Form { inspection: Inspection, values: FeedbackValues, problems: Vec<FormProblem>, latest: Option<Receipt> },
    /// Stored: the receipt.
    Accepted { inspection: Inspection, receipt: Receipt, credit_code: String, code: String },
    /// Too many attempts: wait this many seconds.
    Wait { seconds: u64 },
}

// ---------------------------------------------------------------------------
// What is published: counts, with small cells suppressed.

/// Cells with fewer submissions than this are published as "< 5".
pub const MIN_CELL: u64 = 5;

/// One code's facts for the published counts: its inspection's department,
/// year and team, and the ratings of its latest submission whose window has closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackFact {
    pub department_code: String,
    pub department: String,
    pub year: i64,
    /// Certificates of the team.
    pub team: Vec<String>,
    /// `None`: no feedback (or its window is still open).
    pub submission: Option<Vec<Rating>>,
}

/// One rating of a submission: the department (`certificate` `None`) or an inspector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub certificate: Option<String>,
    pub level: Satisfaction,
    /// In the order of [`Conduct::ALL`].
    pub conduct: Vec<Option<bool>>,
}

/// Published counts of one department or inspector in one year; `None` is "< 5".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackStats {
    pub department_code: String,
    pub department: String,
    /// `None` for the department's own row.
    pub certificate: Option<String>,
    pub inspector: Option<String>,
    pub year: i64,
    pub codes_issued: u64,
    pub received: Option<u64>,
    /// In the order of [`Satisfaction::ALL`].
    pub levels: Vec<Option<u64>>,
    /// Count of "no" to each check, in the order of [`Conduct::ALL`] (inspectors only).
    pub conduct_problems: Vec<Option<u64>>,
}

/// Suppresses small cells of a distribution whose total is published: every
/// count below [`MIN_CELL`] becomes `None`, and when that leaves exactly one
/// `None` (which the total would give away) the smallest other count is hidden too.
pub fn suppress_distribution(counts: &[u64]) -> Vec<Option<u64>> {
    let mut cells: Vec<Option<u64>> = counts.iter().map(|&c| (c >= MIN_CELL).then_some(c)).collect();
    if cells.iter().filter(|c| c.is_none()).count() == 1 {
        let smallest = cells.iter().enumerate().filter_map(|(i, c)| c.map(|c| (c, i))).min();
        if let Some((_, i)) = smallest {
            cells[i] = None;
        }
    }
    cells
}

/// The published counts: per department and year, then per inspector and
/// year, from the facts of every code.
pub fn aggregate(facts: &[FeedbackFact], names: &std::collections::BTreeMap<String, String>) -> Vec<FeedbackStats> {
    use std::collections::BTreeMap;
    #[derive(Default)]
    struct Tally {
        department: String,
        issued: u64,
        received: u64,
        levels: [u64; 5],
        conduct: [u64; 6],
    }
    let mut tallies: BTreeMap<(String, i64, Option<String>), Tally> = BTreeMap::new();
    for f in facts {
        let subjects = std::iter::once(None).chain(f.team.iter().cloned().map(Some));
        for subject in subjects {
            let t = tallies.entry((f.department_code.clone(), f.year, subject.clone())).or_default();
            t.department = f.department.clone();
            t.issued += 1;
            let Some(ratings) = &f.submission else { continue };
            let Some(r) = ratings.iter().find(|r| r.certificate == subject) else { continue };
            t.received += 1;
            if let Some(i) = Satisfaction::ALL.iter().position(|&s| s == r.level) {
                t.levels[i] += 1;
            }
            for (i, answer) in r.conduct.iter().enumerate().take(6) {
                if *answer == Some(false) {
                    t.conduct[i] += 1;
                }
            }
        }
    }
    tallies
        .into_iter()
        .map(|((department_code, year, certificate), t)| {
            let hidden = t.received < MIN_CELL;
            FeedbackStats {
                inspector: certificate.as_ref().and_then(|c| names.get(c).cloned()),
                conduct_problems: if certificate.is_none() {
                    Vec::new()
                } else if hidden {
                    vec![None; 6]
                } else {
                    t.conduct.iter().map(|&c| (c >= MIN_CELL).then_some(c)).collect()
                },
                department_code,
                department: t.department,
                certificate,
                year,
                codes_issued: t.issued,
                received: (!hidden).then_some(t.received),
                levels: if hidden { vec![None; 5] } else { suppress_distribution(&t.levels) },
            }
        })
        .collect()
}

/// Demo mode: a code a visitor may try the form with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoCode {
    pub result_code: String,
    /// In clear (demo only).
    pub code: String,
    pub credit_code: String,
    pub enterprise_name: String,
    pub delivered_on: Option<String>,
    /// Submissions so far.
    pub versions: u32,
}

/// A published count: the number, or hidden because it is below [`MIN_CELL`]
/// (written `"<5"` in JSON and CSV).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublishedCount(pub Option<u64>);

impl Serialize for PublishedCount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(n) => s.serialize_u64(n),
            None => s.serialize_str(SUPPRESSED),
        }
    }
}

impl<'de> Deserialize<'de> for PublishedCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            N(u64),
            S(String),
        }
        match Either::deserialize(d)? {
            Either::N(n) => Ok(PublishedCount(Some(n))),
            Either::S(s) if s == SUPPRESSED => Ok(PublishedCount(None)),
            Either::S(s) => Err(serde::de::Error::custom(format!("not a count: {s}"))),
        }
    }
}

/// How a hidden count is written in open data.
pub const SUPPRESSED: &str = "<5";

/// One row of the published counts as open data (`/api/feedback`, JSON and CSV).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackStatsRow {
    pub department_code: String,
    pub department: String,
    /// Empty for the department's own row.
    pub certificate: Option<String>,
    pub inspector: Option<String>,
    pub year: i64,
    pub codes_issued: u64,
    pub received: PublishedCount,
    pub very_satisfied: PublishedCount,
    pub satisfied: PublishedCount,
    pub basically_satisfied: PublishedCount,
    pub dissatisfied: PublishedCount,
    pub very_dissatisfied: PublishedCount,
    pub no_certificate_shown: Option<PublishedCount>,
    pub scope_not_explained: Option<PublishedCount>,
    pub beyond_scope: Option<PublishedCount>,
    pub money_or_gifts: Option<PublishedCount>,
    pub business_disrupted: Option<PublishedCount>,
    pub secrets_not_kept: Option<PublishedCount>,
}

impl FeedbackStatsRow {
    pub const FIELDS: &'static [&'static str] = &[
        "department_code",
        "department",
        "certificate",
        "inspector",
        "year",
        "codes_issued",
        "received",
        "very_satisfied",
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
        "very_dissatisfied",
        "no_certificate_shown",
        "scope_not_explained",
        "beyond_scope",
        "money_or_gifts",
        "business_disrupted",
        "secrets_not_kept",
    ];
}

impl FeedbackStats {
    /// The row as open data.
    pub fn row(&self) -> FeedbackStatsRow {
        let level = |i: usize| PublishedCount(self.levels.get(i).copied().flatten());
        let problem = |i: usize| {
            (self.certificate.is_some()).then(|| PublishedCount(self.conduct_problems.get(i).copied().flatten()))
        };
        FeedbackStatsRow {
            department_code: self.department_code.clone(),
            department: self.department.clone(),
            certificate: self.certificate.clone(),
            inspector: self.inspector.clone(),
            year: self.year,
            codes_issued: self.codes_issued,
            received: PublishedCount(self.received),
            very_satisfied: level(0),
            satisfied: level(1),
            basically_satisfied: level(2),
            dissatisfied: level(3),
            very_dissatisfied: level(4),
            no_certificate_shown: problem(0),
            scope_not_explained: problem(1),
            beyond_scope: problem(2),
            money_or_gifts: problem(3),
            business_disrupted: problem(4),
            secrets_not_kept: problem(5),
        }
    }
}

/// The published counts (filters: department code, year, an inspector's
/// certificate), counting each code's latest submission once its window has
/// closed before `today` (`YYYY-MM-DD`, Beijing).
#[cfg(feature = "ssr")]
pub async fn published_stats(
    source: &dyn crate::ssr::PortalSource,
    department: Option<&str>,
    year: Option<i64>,
    certificate: Option<&str>,
    today: &str,
) -> Result<Vec<FeedbackStats>, crate::ssr::StorageError> {
    let facts = source.feedback_facts(department, year, certificate, today).await?;
    let mut certificates: Vec<String> = facts.iter().flat_map(|f| f.team.iter().cloned()).collect();
    certificates.sort();
    certificates.dedup();
    let names = source.directory_names(&[], &certificates).await?.inspectors;
    let mut stats = aggregate(&facts, &names);
    if let Some(c) = certificate {
        stats.retain(|s| s.certificate.as_deref() == Some(c));
    }
    Ok(stats)
}

/// Today's date in Beijing (`YYYY-MM-DD`) by the system clock.
#[cfg(feature = "ssr")]
pub fn beijing_today() -> String {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0);
    draw::id::format_beijing(unix).chars().take(10).collect()
}

/// A published count as shown: the number, or "< 5".
pub fn cell(count: Option<u64>) -> String {
    count.map_or_else(|| format!("< {MIN_CELL}"), |c| c.to_string())
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
    fn small_cells_are_hidden_and_cannot_be_derived_from_the_total() {
        assert_eq!(suppress_distribution(&[12, 7, 5, 0, 0]), [Some(12), Some(7), Some(5), None, None]);
        // One small cell alone would be the total minus the rest: the next smallest goes too.
        assert_eq!(suppress_distribution(&[12, 7, 5, 1, 9]), [Some(12), Some(7), None, None, Some(9)]);
        assert_eq!(suppress_distribution(&[5, 5, 5, 5, 5]), [Some(5); 5]);
        assert_eq!(cell(None), "< 5");
        assert_eq!(cell(Some(0)), "0");
    }

    #[test]
    fn counts_are_per_department_and_per_inspector_and_hidden_below_five() {
        let rating = |certificate: Option<&str>, level, no_gifts: Option<bool>| Rating {
            certificate: certificate.map(str::to_owned),
            level,
            conduct: vec![Some(true), Some(true), Some(true), no_gifts, Some(true), None],
        };
        let fact = |team: &[&str], submission: Option<Vec<Rating>>| FeedbackFact {
            department_code: "159902".into(),
            department: "东河区局".into(),
            year: 2025,
            team: team.iter().map(|c| (*c).to_owned()).collect(),
            submission,
        };
        let mut facts = Vec::new();
        for i in 0..8 {
            let level = if i < 6 { Satisfaction::VerySatisfied } else { Satisfaction::Dissatisfied };
            facts.push(fact(
                &["A", "B"],
                Some(vec![
                    rating(None, level, None),
                    rating(Some("A"), level, Some(i != 0)),
                    rating(Some("B"), Satisfaction::Satisfied, Some(true)),
                ]),
            ));
        }
        facts.push(fact(&["A", "C"], None));
        facts.push(fact(&["C", "B"], Some(vec![rating(None, Satisfaction::Basic, None)])));
        let names = [("A".to_owned(), "甲".to_owned())].into_iter().collect();
        let stats = aggregate(&facts, &names);
        let row = |c: Option<&str>| stats.iter().find(|s| s.certificate.as_deref() == c).unwrap();
        let department = row(None);
        assert_eq!((department.codes_issued, department.received), (10, Some(9)));
        // 6 very satisfied, 2 dissatisfied, 1 basically: two small cells, both hidden.
        assert_eq!(department.levels, [Some(6), None, None, None, None]);
        assert!(department.conduct_problems.is_empty());
        let a = row(Some("A"));
        assert_eq!((a.inspector.as_deref(), a.codes_issued, a.received), (Some("甲"), 9, Some(8)));
        // One "no" to "no gifts", none to the rest: all below five, all hidden (zeros too).
        assert_eq!(a.conduct_problems, [None; 6]);
        let b = row(Some("B"));
        assert_eq!((b.codes_issued, b.received), (9, Some(8)), "a submission without B's rating is not B's");
        assert_eq!(b.levels, [None, Some(8), None, None, None]);
        let c = row(Some("C"));
        assert_eq!((c.codes_issued, c.received, c.levels.clone()), (2, None, vec![None; 5]));
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
