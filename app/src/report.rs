//! 年度检查计划执行情况: a department's yearly plan execution report (001
//! art. 26), computed from what the portal published, with every rule the
//! seeds set checked.
//!
//! Read top to bottom like the report: the facts storage gives
//! ([`ReportFacts`]), then each section computed from them, then the rule
//! checks. Figures are structured (counts and fractions); wording happens in
//! the page. A rule is met, violated (with the rows that violate it) or
//! cannot be checked (its data is missing): never "met" for lack of data.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::calendar::{self, Calendar};
use crate::feedback::FeedbackStats;
use crate::model::{Rectification, ResultCategory};
use crate::view::{DrawView, RandomnessKind};

// ---------------------------------------------------------------------------
// The facts
// ---------------------------------------------------------------------------

/// A department, by permalink code and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentRef {
    pub code: String,
    pub name: String,
}

/// A plan of the year (its current version) with the settings the rules need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFact {
    pub plan_code: String,
    pub title: String,
    pub published_at: String,
    pub window_start: String,
    pub window_end: String,
    /// `None`: seed 001 art. 19's limit of 2.
    pub max_inspections_per_year: Option<u64>,
    /// `None`: the plan requires no minimum per stratum.
    pub min_per_stratum: Option<u64>,
    pub lines: Vec<PlanLineFact>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLineFact {
    pub item_code: String,
    pub stratum: String,
    /// As published, e.g. `≥10%`.
    pub ratio: String,
}

/// A completed draw of the department (or one its results name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawFact {
    pub plan_code: Option<String>,
    pub view: DrawView,
    /// The server's re-run of the record (`None`: the record could not be read).
    pub verified: Option<bool>,
}

/// The current version of a result of the department and year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultFact {
    pub result_code: String,
    pub draw_id: String,
    pub credit_code: String,
    pub enterprise_name: String,
    pub inspectors: Vec<String>,
    pub inspected_on: String,
    pub reported_on: String,
    pub delivered_on: Option<String>,
    pub entered_on: Option<String>,
    /// The date (Beijing) the current version was published.
    pub published_on: String,
    /// The date the result was first published (its first version).
    pub first_published_on: String,
    pub category: ResultCategory,
    pub rectification_deadline: Option<String>,
    pub rectification_status: Rectification,
    pub penalty_case: Option<String>,
}

/// An inspector's certificate as the directory shows it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateFact {
    pub name: String,
    pub valid_from: String,
    pub valid_until: String,
}

/// An inspection by a higher-level department of an object the department
/// later drew (inspected the same year, before the draw).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HigherInspection {
    pub draw_id: String,
    pub credit_code: String,
    pub result_code: String,
    pub department: String,
    pub inspected_on: String,
}

/// A department's own report, as it published it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeclaredReport {
    pub version: i64,
    pub title: String,
    pub text: String,
    pub published_at: String,
    /// Figure key → declared value (counts as integers, rates in percent).
    pub figures: BTreeMap<String, f64>,
}

/// What storage reads for a department-year; the draws only by id (the
/// caller reads and re-runs their records).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRows {
    pub department: DepartmentRef,
    pub plans: Vec<PlanFact>,
    /// Draw id and plan code: the department's draws of the year and every draw its results name.
    pub draws: Vec<(String, Option<String>)>,
    pub results: Vec<ResultFact>,
    pub certificates: BTreeMap<String, CertificateFact>,
    pub unprotected: BTreeMap<String, bool>,
    pub higher: Vec<HigherInspection>,
    pub declared: Option<DeclaredReport>,
}

/// Everything the report is computed from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportFacts {
    pub department: DepartmentRef,
    pub year: i64,
    /// Today in Beijing (`YYYY-MM-DD`): what is overdue, what is not yet due.
    pub today: String,
    pub plans: Vec<PlanFact>,
    pub draws: Vec<DrawFact>,
    pub results: Vec<ResultFact>,
    /// By certificate number.
    pub certificates: BTreeMap<String, CertificateFact>,
    /// Credit code → not protected by the yearly limit (经营异常名录,
    /// 严重违法失信名单 or already penalised), for every enterprise inspected
    /// more than once in the year or found in `higher`. Absent: not in the directory.
    pub unprotected: BTreeMap<String, bool>,
    pub higher: Vec<HigherInspection>,
    /// The department's row of the published feedback counts.
    pub feedback: Option<FeedbackStats>,
    /// The published counts of each inspector of the department's results of the year.
    #[serde(default)]
    pub feedback_inspectors: Vec<FeedbackStats>,
    pub declared: Option<DeclaredReport>,
}

// ---------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------

/// A share: `num` of `den` (no share when `den` is 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub num: u64,
    pub den: u64,
}

impl Share {
    /// In tenths of a percent, rounded half up; `None` when there is nothing to share.
    pub fn permille(self) -> Option<u64> {
        (self.den > 0).then(|| (self.num * 2000 + self.den) / (self.den * 2))
    }

    /// As shown: `95.7%`, or `—`.
    pub fn percent(self) -> String {
        self.permille().map_or_else(|| "—".to_owned(), |p| format!("{}.{}%", p / 10, p % 10))
    }

    /// The percentage as a number with one decimal (open data), `None` when there is nothing to share.
    pub fn value(self) -> Option<f64> {
        self.permille().map(|p| p as f64 / 10.0)
    }
}

/// One stratum of one draw, against the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRowFigures {
    pub plan_code: Option<String>,
    pub draw_id: String,
    pub stratum: String,
    pub pool: u64,
    pub eligible: u64,
    /// The plan line's ratio as published, when a line matches the stratum.
    pub planned_ratio: Option<String>,
    /// How many the draw's allocation asked for.
    pub quota: u64,
    pub drawn: u64,
    /// Drawn objects with a published result.
    pub inspected: u64,
    /// `drawn` of `eligible`.
    pub achieved: Share,
    /// `inspected` of `drawn`.
    pub completion: Share,
}

/// Whether something could be established: the three states of every check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Met,
    Violated,
    CannotCheck,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawFigures {
    pub draw_id: String,
    pub title: String,
    pub draw_date: String,
    pub plan_code: Option<String>,
    pub demo_randomness: bool,
    /// The commitment was published before the randomness existed.
    pub committed_first: Check,
    /// The server re-ran the record and every value matched.
    pub verified: Check,
    pub drawn: u64,
    pub recusals: u64,
}

/// One of the four deadlines, in working days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineFigures {
    pub rule: RuleId,
    pub limit: u32,
    /// Results whose two dates are published and in published calendar years.
    pub measured: u64,
    pub on_time: u64,
    /// Results for which it cannot be measured (a date missing, or a year without a calendar).
    pub unmeasured: u64,
    /// Working days → results.
    pub histogram: Vec<(u32, u64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultFigures {
    pub inspected: u64,
    /// In the order of [`ResultCategory::ALL`].
    pub categories: Vec<u64>,
    pub problems: u64,
    pub problem_rate: Share,
    pub rectification_done: u64,
    pub rectification_pending: u64,
    /// Marked overdue, or pending past its deadline.
    pub rectification_overdue: u64,
    pub penalty_cases: u64,
    /// Results corrected after their first publication.
    pub corrected: u64,
    /// Inspections per month of the year (January first).
    pub months: Vec<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorFigures {
    pub took_part: u64,
    pub max_inspections: u64,
    /// Median inspections per inspector, in halves (a median of 2.5 is 5).
    pub median_halves: u64,
    pub recusals: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackFigures {
    pub codes_issued: u64,
    /// `None`: fewer than 5 (not published).
    pub received: Option<u64>,
    /// In the order of [`crate::feedback::Satisfaction::ALL`].
    pub levels: Vec<Option<u64>>,
    /// Each inspector's published counts: feedback received and the "no" to
    /// each conduct question (in the order of [`crate::feedback::Conduct::ALL`]).
    pub inspectors: Vec<InspectorFeedback>,
}

/// One inspector's published feedback counts (`None`: fewer than 5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorFeedback {
    pub certificate: String,
    pub name: Option<String>,
    pub received: Option<u64>,
    pub conduct_problems: Vec<Option<u64>>,
}

/// Each rule the report checks, with its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    PlanByMarch,
    ReportByJanuary,
    RatioPerStratum,
    MinimumPerStratum,
    YearlyLimit,
    HigherLevelExcluded,
    TeamOfTwo,
    CertificateValid,
    DrawnTeamInspected,
    DrawVerified,
    ReportWithin5,
    DeliveryWithin5,
    EntryWithin10,
    PublicationWithin20,
    InspectionInWindow,
    DrawnObjectsInspected,
    RectificationOnTime,
}

impl RuleId {
    /// Where the rule comes from (seed and article), in the page's language.
    pub fn source(self, lang: crate::i18n::Lang) -> &'static str {
        let (zh, en) = match self {
            RuleId::PlanByMarch => ("001 第十五条", "001 art. 15"),
            RuleId::ReportByJanuary => ("001 第二十六条", "001 art. 26"),
            RuleId::RatioPerStratum => ("年度检查计划（002、004）", "the yearly plan (002, 004)"),
            RuleId::MinimumPerStratum => ("年度检查计划（004）", "the yearly plan (004)"),
            RuleId::YearlyLimit | RuleId::HigherLevelExcluded => ("001 第十九条", "001 art. 19"),
            RuleId::TeamOfTwo => ("000 第九条", "000 art. 9"),
            RuleId::CertificateValid => ("001 第十七条", "001 art. 17"),
            RuleId::DrawnTeamInspected => ("001 第十七、十八条", "001 arts. 17–18"),
            RuleId::DrawVerified => ("抽取协议 SPEC §13", "draw protocol SPEC §13"),
            RuleId::ReportWithin5 => ("001 第二十一条", "001 art. 21"),
            RuleId::DeliveryWithin5 => ("001 第二十二条", "001 art. 22"),
            RuleId::EntryWithin10 => ("001 第二十三条", "001 art. 23"),
            RuleId::PublicationWithin20 => ("002 第四部分", "002 part 4"),
            RuleId::InspectionInWindow => ("年度检查计划（002）", "the yearly plan (002)"),
            RuleId::DrawnObjectsInspected => ("001 第二十六条", "001 art. 26"),
            RuleId::RectificationOnTime => ("000 第十一条", "000 art. 11"),
        };
        lang.pick(zh, en)
    }
}

/// Why a case breaks its rule, with the numbers (worded by the page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Breach {
    /// Published on this date, after the deadline.
    PublishedOn { date: String, deadline: String },
    /// No report published, and the deadline has passed.
    NotPublished { deadline: String },
    /// Drawn `drawn` of `eligible`, below the plan's ratio.
    BelowRatio { drawn: u64, eligible: u64, ratio: String },
    /// Drawn fewer than the plan's minimum from a stratum with eligible objects.
    BelowMinimum { drawn: u64, minimum: u64 },
    /// Inspected `count` times in the year, above the limit.
    OverLimit { count: u64, limit: u64 },
    /// Drawn after a higher-level department inspected it this year.
    InspectedByHigher { department: String, result_code: String, inspected_on: String },
    /// A team or an inspection with fewer than two inspectors.
    TeamSize { size: u64 },
    /// An inspector whose certificate was not valid on the inspection date.
    CertificateNotValid { certificate: String, on: String, valid_from: String, valid_until: String },
    /// Inspected by others than the drawn team (after the published recusals).
    NotTheDrawnTeam { drawn: Vec<String>, inspected: Vec<String> },
    /// The server's re-run of the record differs from it.
    DoesNotVerify,
    /// `days` working days where the rule allows `limit`.
    Late { days: u32, limit: u32, from: String, to: String },
    /// Inspected outside the plan's window.
    OutsideWindow { on: String, start: String, end: String },
    /// Drawn, the plan's window closed, no result published.
    NoResult { window_end: String },
    /// Rectification deadline passed, not done.
    RectificationOverdue { deadline: String },
}

/// One row that breaks a rule, with the page that shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The record: a result code, draw id, plan code or credit code.
    pub record: String,
    /// A name to show with it (enterprise, plan title), when there is one.
    pub name: Option<String>,
    pub href: String,
    pub breach: Breach,
}

/// Why a rule (or part of it) cannot be checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Missing {
    NoPlan,
    NoDraws,
    NoResults,
    /// The report is not due yet (deadline).
    NotDueYet {
        deadline: String,
    },
    /// No plan line states a ratio for these strata.
    NoPlannedRatio {
        strata: u64,
    },
    /// Enterprises not in the directory: whether the limit protects them is unknown.
    UnknownEnterprises {
        count: u64,
    },
    /// Certificates not in the directory.
    UnknownCertificates {
        count: u64,
    },
    /// Results naming a draw that is not published.
    UnknownDraws {
        count: u64,
    },
    /// Results without one of the dates.
    DatesMissing {
        count: u64,
    },
    /// Working days of a year without a published calendar.
    NoCalendar {
        years: Vec<i32>,
    },
    /// Draws with demo randomness, which has no public time.
    DemoRandomness {
        count: u64,
    },
    /// Draws whose record could not be re-run.
    Unreadable {
        count: u64,
    },
    /// Plans' windows not closed yet.
    WindowOpen {
        until: String,
    },
}

/// One rule checked: met, violated (with cases), or cannot check (why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    pub rule: RuleId,
    pub state: Check,
    /// Every case (the page shows the first [`CASES_SHOWN`]).
    pub cases: Vec<Case>,
    /// What kept (part of) it from being checked.
    pub missing: Vec<Missing>,
}

/// Cases listed on the page per rule (all of them are in the JSON).
pub const CASES_SHOWN: usize = 50;

/// A figure the department may also declare, with the computed value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub key: FigureKey,
    /// Counts as integers, rates in percent with one decimal; `None` when there is nothing to compute.
    pub computed: Option<f64>,
    pub declared: Option<f64>,
    /// Declared and computed differ (only when both exist).
    pub differs: bool,
}

/// The figures a declared report is compared on, in the order shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKey {
    Plans,
    Draws,
    Drawn,
    Inspected,
    CompletionRate,
    Problems,
    ProblemRate,
    RectificationDone,
    RectificationOverdue,
    PenaltyCases,
    Inspectors,
    OnTimeRate,
    CodesIssued,
    FeedbackReceived,
}

impl FigureKey {
    pub const ALL: [FigureKey; 14] = [
        FigureKey::Plans,
        FigureKey::Draws,
        FigureKey::Drawn,
        FigureKey::Inspected,
        FigureKey::CompletionRate,
        FigureKey::Problems,
        FigureKey::ProblemRate,
        FigureKey::RectificationDone,
        FigureKey::RectificationOverdue,
        FigureKey::PenaltyCases,
        FigureKey::Inspectors,
        FigureKey::OnTimeRate,
        FigureKey::CodesIssued,
        FigureKey::FeedbackReceived,
    ];

    /// The key as written in JSON and in declared reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FigureKey::Plans => "plans",
            FigureKey::Draws => "draws",
            FigureKey::Drawn => "drawn",
            FigureKey::Inspected => "inspected",
            FigureKey::CompletionRate => "completion_rate",
            FigureKey::Problems => "problems",
            FigureKey::ProblemRate => "problem_rate",
            FigureKey::RectificationDone => "rectification_done",
            FigureKey::RectificationOverdue => "rectification_overdue",
            FigureKey::PenaltyCases => "penalty_cases",
            FigureKey::Inspectors => "inspectors",
            FigureKey::OnTimeRate => "on_time_rate",
            FigureKey::CodesIssued => "codes_issued",
            FigureKey::FeedbackReceived => "feedback_received",
        }
    }

    pub fn parse(text: &str) -> Option<FigureKey> {
        FigureKey::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// A rate (percent), not a count.
    pub fn is_rate(self) -> bool {
        matches!(self, FigureKey::CompletionRate | FigureKey::ProblemRate | FigureKey::OnTimeRate)
    }
}

/// A department-year's report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub department: DepartmentRef,
    pub year: i64,
    /// The date the figures are computed for.
    pub as_of: String,
    pub plans: Vec<PlanFact>,
    pub plan_rows: Vec<PlanRowFigures>,
    pub draws: Vec<DrawFigures>,
    pub deadlines: Vec<DeadlineFigures>,
    pub results: ResultFigures,
    pub inspectors: InspectorFigures,
    /// `None`: no feedback codes were issued.
    pub feedback: Option<FeedbackFigures>,
    pub rules: Vec<RuleCheck>,
    pub figures: Vec<Figure>,
    pub declared: Option<DeclaredReport>,
}

/// A report's headline, as listed on `/reports` and in `/api/reports`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub department_code: String,
    pub department: String,
    pub year: i64,
    pub plans: u64,
    pub draws: u64,
    pub drawn: u64,
    pub inspected: u64,
    /// Percent, one decimal.
    pub completion_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub problem_rate: Option<f64>,
    pub rules_violated: u64,
    pub rules_cannot_check: u64,
    pub declared: bool,
}

impl Headline {
    /// The JSON fields, in order (the CSV columns).
    pub const FIELDS: &'static [&'static str] = &[
        "department_code",
        "department",
        "year",
        "plans",
        "draws",
        "drawn",
        "inspected",
        "completion_rate",
        "on_time_rate",
        "problem_rate",
        "rules_violated",
        "rules_cannot_check",
        "declared",
    ];
}

impl Figure {
    /// The JSON fields, in order (the CSV columns of a report's figures).
    pub const FIELDS: &'static [&'static str] = &["key", "computed", "declared", "differs"];
}

// ---------------------------------------------------------------------------
// Computing it
// ---------------------------------------------------------------------------

/// Yearly inspections of one enterprise allowed when the plan says nothing (001 art. 19).
pub const DEFAULT_YEARLY_LIMIT: u64 = 2;

/// Inspectors per object at least (000 art. 9).
pub const MIN_TEAM: u64 = 2;

fn day(date: &str) -> Option<calendar::Day> {
    calendar::day(date.get(..10)?)
}

/// Working days from `from` to `to`, or the years the calendar lacks.
fn working_days(cal: &Calendar, from: &str, to: &str) -> Result<u32, Vec<i32>> {
    let (Some(a), Some(b)) = (day(from), day(to)) else { return Err(Vec::new()) };
    cal.working_days_between(a, b).map_err(|e| match e {
        calendar::CalendarError::NotPublished(y) => vec![y],
        _ => Vec::new(),
    })
}

/// A plan line's ratio as a fraction in ten-thousandths (`≥10%` → 1000, `1/5` → 2000).
pub fn parse_ratio(text: &str) -> Option<u64> {
    let t: String = text.chars().filter(|c| c.is_ascii_digit() || matches!(c, '.' | '%' | '/')).collect();
    if let Some((n, d)) = t.split_once('/') {
        let (n, d) = (n.parse::<u64>().ok()?, d.parse::<u64>().ok()?);
        return (d > 0).then(|| (n * 10_000).div_ceil(d));
    }
    let number = t.strip_suffix('%')?;
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let frac: String = frac.chars().chain(std::iter::repeat('0')).take(2).collect();
    Some(whole.parse::<u64>().ok()? * 100 + frac.parse::<u64>().ok()?)
}

fn result_href(code: &str) -> String {
    format!("/results/{code}")
}

fn draw_href(id: &str) -> String {
    format!("/draws/{id}")
}

/// The state of a rule from its cases and what was missing.
fn rule(rule: RuleId, cases: Vec<Case>, missing: Vec<Missing>) -> RuleCheck {
    let state = if !cases.is_empty() {
        Check::Violated
    } else if !missing.is_empty() {
        Check::CannotCheck
    } else {
        Check::Met
    };
    RuleCheck { rule, state, cases, missing }
}

/// The plan line that describes a stratum: the one naming it (by stratum
/// name or item code), or a plan's only line.
fn line_for<'p>(plan: &'p PlanFact, stratum_id: &str, stratum_name: &str) -> Option<&'p PlanLineFact> {
    plan.lines
        .iter()
        .find(|l| l.stratum == stratum_name || l.item_code == stratum_id)
        .or_else(|| (plan.lines.len() == 1).then(|| &plan.lines[0]))
}

/// Computes the report.
pub fn compute(facts: &ReportFacts, cal: &Calendar) -> Report {
    let year = facts.year;
    let year_text = year.to_string();
    let today = facts.today.as_str();
    let plans: BTreeMap<&str, &PlanFact> = facts.plans.iter().map(|p| (p.plan_code.as_str(), p)).collect();
    let draws: BTreeMap<&str, &DrawFact> = facts.draws.iter().map(|d| (d.view.id.as_str(), d)).collect();
    // The department's own draws of the year: under a plan of the year, or dated in it without a plan.
    let own_draws: Vec<&DrawFact> = facts
        .draws
        .iter()
        .filter(|d| match &d.plan_code {
            Some(code) => plans.contains_key(code.as_str()),
            None => d.view.draw_date.get(..4) == Some(year_text.as_str()),
        })
        .collect();
    let results_of: BTreeMap<(&str, &str), &ResultFact> =
        facts.results.iter().map(|r| ((r.draw_id.as_str(), r.credit_code.as_str()), r)).collect();

    // 1. Plans: each stratum of each draw against its plan line.
    let mut plan_rows = Vec::new();
    let mut ratio_cases = Vec::new();
    let mut minimum_cases = Vec::new();
    let mut no_ratio = 0u64;
    for d in &own_draws {
        let plan = d.plan_code.as_deref().and_then(|c| plans.get(c));
        for s in &d.view.strata {
            let line = plan.and_then(|p| line_for(p, &s.id, &s.name));
            let drawn = s.selected.len() as u64;
            let inspected =
                s.selected.iter().filter(|o| results_of.contains_key(&(d.view.id.as_str(), o.object.as_str()))).count()
                    as u64;
            let achieved = Share { num: drawn, den: s.eligible };
            match line.and_then(|l| parse_ratio(&l.ratio).map(|r| (l, r))) {
                Some((l, min)) => {
                    // drawn / eligible ≥ min / 10000
                    if s.eligible > 0 && drawn * 10_000 < min * s.eligible {
                        ratio_cases.push(Case {
                            record: d.view.id.clone(),
                            name: Some(s.name.clone()),
                            href: draw_href(&d.view.id),
                            breach: Breach::BelowRatio { drawn, eligible: s.eligible, ratio: l.ratio.clone() },
                        });
                    }
                }
                None => no_ratio += 1,
            }
            if let Some(minimum) = plan.and_then(|p| p.min_per_stratum)
                && s.eligible > 0
                && drawn < minimum
            {
                minimum_cases.push(Case {
                    record: d.view.id.clone(),
                    name: Some(s.name.clone()),
                    href: draw_href(&d.view.id),
                    breach: Breach::BelowMinimum { drawn, minimum },
                });
            }
            plan_rows.push(PlanRowFigures {
                plan_code: d.plan_code.clone(),
                draw_id: d.view.id.clone(),
                stratum: s.name.clone(),
                pool: s.pool,
                eligible: s.eligible,
                planned_ratio: line.map(|l| l.ratio.clone()),
                quota: s.quota,
                drawn,
                inspected,
                achieved,
                completion: Share { num: inspected, den: drawn },
            });
        }
    }

    // 2. Draws: commitment first, re-run by the server.
    let mut draw_rows = Vec::new();
    let mut unreadable = 0u64;
    let mut verify_cases = Vec::new();
    for d in &own_draws {
        let v = &d.view;
        let committed_first = match (&v.randomness.kind, v.committed_at.as_deref()) {
            (RandomnessKind::Demo { .. }, _) | (_, None) => Check::CannotCheck,
            (RandomnessKind::Drand { time, .. }, Some(at)) => {
                match (draw::id::parse_rfc3339(at), draw::id::parse_rfc3339(time)) {
                    (Some(a), Some(t)) if a < t => Check::Met,
                    (Some(_), Some(_)) => Check::Violated,
                    _ => Check::CannotCheck,
                }
            }
            (RandomnessKind::PublicNumbers { date, .. }, Some(at)) => {
                if at.get(..10).is_some_and(|a| a < date.as_str()) { Check::Met } else { Check::Violated }
            }
        };
        let demo_randomness = v.randomness.is_demo();
        let verified = match d.verified {
            Some(true) => Check::Met,
            Some(false) => {
                verify_cases.push(Case {
                    record: v.id.clone(),
                    name: Some(v.title.clone()),
                    href: draw_href(&v.id),
                    breach: Breach::DoesNotVerify,
                });
                Check::Violated
            }
            None => {
                unreadable += 1;
                Check::CannotCheck
            }
        };
        draw_rows.push(DrawFigures {
            draw_id: v.id.clone(),
            title: v.title.clone(),
            draw_date: v.draw_date.clone(),
            plan_code: d.plan_code.clone(),
            demo_randomness,
            committed_first,
            verified,
            drawn: v.strata.iter().map(|s| s.selected.len() as u64).sum(),
            recusals: v.recusals.len() as u64,
        });
    }

    // 3. Timeliness, in working days.
    type Span = fn(&ResultFact) -> (Option<&str>, Option<&str>);
    let spans: [(RuleId, u32, Span); 4] = [
        (RuleId::ReportWithin5, 5, |r| (Some(&r.inspected_on), Some(&r.reported_on))),
        (RuleId::DeliveryWithin5, 5, |r| (Some(&r.reported_on), r.delivered_on.as_deref())),
        (RuleId::EntryWithin10, 10, |r| (r.delivered_on.as_deref(), r.entered_on.as_deref())),
        (RuleId::PublicationWithin20, 20, |r| (Some(&r.inspected_on), Some(&r.first_published_on))),
    ];
    let mut deadlines = Vec::new();
    let mut deadline_rules = Vec::new();
    for (id, limit, dates) in spans {
        let mut histogram: BTreeMap<u32, u64> = BTreeMap::new();
        let (mut measured, mut on_time, mut unmeasured, mut no_dates) = (0u64, 0u64, 0u64, 0u64);
        let mut years: BTreeSet<i32> = BTreeSet::new();
        let mut cases = Vec::new();
        for r in &facts.results {
            let (Some(from), Some(to)) = dates(r) else {
                unmeasured += 1;
                no_dates += 1;
                continue;
            };
            match working_days(cal, from, to) {
                Ok(days) => {
                    measured += 1;
                    *histogram.entry(days).or_default() += 1;
                    if days <= limit {
                        on_time += 1;
                    } else {
                        cases.push(Case {
                            record: r.result_code.clone(),
                            name: Some(r.enterprise_name.clone()),
                            href: result_href(&r.result_code),
                            breach: Breach::Late { days, limit, from: from.to_owned(), to: to.to_owned() },
                        });
                    }
                }
                Err(missing_years) => {
                    unmeasured += 1;
                    years.extend(missing_years);
                }
            }
        }
        let mut missing = Vec::new();
        if facts.results.is_empty() {
            missing.push(Missing::NoResults);
        }
        if no_dates > 0 {
            missing.push(Missing::DatesMissing { count: no_dates });
        }
        if !years.is_empty() {
            missing.push(Missing::NoCalendar { years: years.into_iter().collect() });
        }
        deadlines.push(DeadlineFigures {
            rule: id,
            limit,
            measured,
            on_time,
            unmeasured,
            histogram: histogram.into_iter().collect(),
        });
        deadline_rules.push(rule(id, cases, missing));
    }

    // 4. Results.
    let mut categories = vec![0u64; ResultCategory::ALL.len()];
    let mut months = vec![0u64; 12];
    let (mut done, mut pending, mut overdue, mut penalties, mut corrected) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut rectification_cases = Vec::new();
    for r in &facts.results {
        if let Some(i) = ResultCategory::ALL.iter().position(|c| *c == r.category) {
            categories[i] += 1;
        }
        if r.inspected_on.get(..4) == Some(year_text.as_str())
            && let Some(m) =
                r.inspected_on.get(5..7).and_then(|m| m.parse::<usize>().ok()).filter(|m| (1..=12).contains(m))
        {
            months[m - 1] += 1;
        }
        let past_deadline = r.rectification_deadline.as_deref().is_some_and(|d| d < today);
        match r.rectification_status {
            Rectification::Done => done += 1,
            Rectification::Overdue => overdue += 1,
            Rectification::Pending if past_deadline => overdue += 1,
            Rectification::Pending => pending += 1,
            Rectification::None => {}
        }
        if matches!(r.rectification_status, Rectification::Overdue | Rectification::Pending) && past_deadline {
            rectification_cases.push(Case {
                record: r.result_code.clone(),
                name: Some(r.enterprise_name.clone()),
                href: result_href(&r.result_code),
                breach: Breach::RectificationOverdue { deadline: r.rectification_deadline.clone().unwrap_or_default() },
            });
        }
        penalties += u64::from(r.penalty_case.as_deref().is_some_and(|p| !p.trim().is_empty()));
        corrected += u64::from(r.published_on != r.first_published_on);
    }
    let inspected = facts.results.len() as u64;
    let problems: u64 =
        ResultCategory::ALL.iter().zip(&categories).filter(|(c, _)| c.is_problem()).map(|(_, n)| n).sum();
    let results = ResultFigures {
        inspected,
        categories,
        problems,
        problem_rate: Share { num: problems, den: inspected },
        rectification_done: done,
        rectification_pending: pending,
        rectification_overdue: overdue,
        penalty_cases: penalties,
        corrected,
        months,
    };

    // 5. Inspectors: teams, certificates, the drawn team.
    let mut per_inspector: BTreeMap<&str, u64> = BTreeMap::new();
    let mut team_cases = Vec::new();
    let mut certificate_cases = Vec::new();
    let mut drawn_team_cases = Vec::new();
    let mut unknown_certs: BTreeSet<&str> = BTreeSet::new();
    let mut unknown_draws = 0u64;
    for d in &own_draws {
        for s in &d.view.strata {
            for o in &s.selected {
                if (o.team.len() as u64) < MIN_TEAM {
                    team_cases.push(Case {
                        record: d.view.id.clone(),
                        name: Some(o.object.clone()),
                        href: draw_href(&d.view.id),
                        breach: Breach::TeamSize { size: o.team.len() as u64 },
                    });
                }
            }
        }
    }
    for r in &facts.results {
        for c in &r.inspectors {
            *per_inspector.entry(c.as_str()).or_default() += 1;
            match facts.certificates.get(c) {
                None => {
                    unknown_certs.insert(c);
                }
                Some(cert) => {
                    let on = r.inspected_on.as_str();
                    if on < cert.valid_from.as_str() || on > cert.valid_until.as_str() {
                        certificate_cases.push(Case {
                            record: r.result_code.clone(),
                            name: Some(format!("{} {}", cert.name, c)),
                            href: result_href(&r.result_code),
                            breach: Breach::CertificateNotValid {
                                certificate: c.clone(),
                                on: on.to_owned(),
                                valid_from: cert.valid_from.clone(),
                                valid_until: cert.valid_until.clone(),
                            },
                        });
                    }
                }
            }
        }
        if (r.inspectors.len() as u64) < MIN_TEAM {
            team_cases.push(Case {
                record: r.result_code.clone(),
                name: Some(r.enterprise_name.clone()),
                href: result_href(&r.result_code),
                breach: Breach::TeamSize { size: r.inspectors.len() as u64 },
            });
        }
        let team = draws.get(r.draw_id.as_str()).and_then(|d| {
            d.view.strata.iter().flat_map(|s| &s.selected).find(|o| o.object == r.credit_code).map(|o| &o.team)
        });
        match team {
            None => unknown_draws += 1,
            Some(team) => {
                let drawn: BTreeSet<&String> = team.iter().collect();
                let did: BTreeSet<&String> = r.inspectors.iter().collect();
                if drawn != did {
                    drawn_team_cases.push(Case {
                        record: r.result_code.clone(),
                        name: Some(r.enterprise_name.clone()),
                        href: result_href(&r.result_code),
                        breach: Breach::NotTheDrawnTeam { drawn: team.clone(), inspected: r.inspectors.clone() },
                    });
                }
            }
        }
    }
    let mut loads: Vec<u64> = per_inspector.values().copied().collect();
    loads.sort_unstable();
    let median_halves = match loads.len() {
        0 => 0,
        n if n % 2 == 1 => loads[n / 2] * 2,
        n => loads[n / 2 - 1] + loads[n / 2],
    };
    let inspectors = InspectorFigures {
        took_part: loads.len() as u64,
        max_inspections: loads.last().copied().unwrap_or(0),
        median_halves,
        recusals: draw_rows.iter().map(|d| d.recusals).sum(),
    };

    // 6. Feedback.
    let feedback = facts.feedback.as_ref().map(|f| FeedbackFigures {
        codes_issued: f.codes_issued,
        received: f.received,
        levels: f.levels.clone(),
        inspectors: facts
            .feedback_inspectors
            .iter()
            .filter_map(|i| {
                Some(InspectorFeedback {
                    certificate: i.certificate.clone()?,
                    name: i.inspector.clone(),
                    received: i.received,
                    conduct_problems: i.conduct_problems.clone(),
                })
            })
            .collect(),
    });

    // 7. Rule checks.
    let mut rules = Vec::new();
    {
        let cases: Vec<Case> = facts
            .plans
            .iter()
            .filter(|p| p.published_at.get(..10).is_none_or(|d| d > format!("{year}-03-31").as_str()))
            .map(|p| Case {
                record: p.plan_code.clone(),
                name: Some(p.title.clone()),
                href: format!("/plans/{}", p.plan_code),
                breach: Breach::PublishedOn {
                    date: p.published_at.get(..10).unwrap_or_default().to_owned(),
                    deadline: format!("{year}-03-31"),
                },
            })
            .collect();
        let missing = if facts.plans.is_empty() { vec![Missing::NoPlan] } else { Vec::new() };
        rules.push(rule(RuleId::PlanByMarch, cases, missing));
    }
    {
        let deadline = format!("{}-01-31", year + 1);
        let (cases, missing) = match &facts.declared {
            Some(d) if d.published_at.get(..10).is_some_and(|p| p <= deadline.as_str()) => (Vec::new(), Vec::new()),
            Some(d) => (
                vec![Case {
                    record: format!("{}-{year}", facts.department.code),
                    name: Some(d.title.clone()),
                    href: report_href(&facts.department.code, year),
                    breach: Breach::PublishedOn {
                        date: d.published_at.get(..10).unwrap_or_default().to_owned(),
                        deadline,
                    },
                }],
                Vec::new(),
            ),
            None if today > deadline.as_str() => (
                vec![Case {
                    record: format!("{}-{year}", facts.department.code),
                    name: None,
                    href: report_href(&facts.department.code, year),
                    breach: Breach::NotPublished { deadline },
                }],
                Vec::new(),
            ),
            None => (Vec::new(), vec![Missing::NotDueYet { deadline }]),
        };
        rules.push(rule(RuleId::ReportByJanuary, cases, missing));
    }
    let no_draws = || if own_draws.is_empty() { vec![Missing::NoDraws] } else { Vec::new() };
    {
        let mut missing = no_draws();
        if no_ratio > 0 {
            missing.push(Missing::NoPlannedRatio { strata: no_ratio });
        }
        rules.push(rule(RuleId::RatioPerStratum, ratio_cases, missing));
    }
    if facts.plans.iter().any(|p| p.min_per_stratum.is_some()) {
        rules.push(rule(RuleId::MinimumPerStratum, minimum_cases, no_draws()));
    }
    {
        // The strictest limit of the year's plans applies (the default when no plan sets one).
        let limit = facts.plans.iter().filter_map(|p| p.max_inspections_per_year).min().unwrap_or(DEFAULT_YEARLY_LIMIT);
        let mut counts: BTreeMap<&str, (u64, &ResultFact)> = BTreeMap::new();
        for r in &facts.results {
            counts.entry(r.credit_code.as_str()).or_insert((0, r)).0 += 1;
        }
        let mut cases = Vec::new();
        let mut unknown = 0u64;
        for (code, (count, r)) in counts.iter().filter(|(_, (n, _))| *n > limit) {
            match facts.unprotected.get(*code) {
                Some(true) => {}
                Some(false) => cases.push(Case {
                    record: (*code).to_owned(),
                    name: Some(r.enterprise_name.clone()),
                    href: format!("/enterprises/{code}"),
                    breach: Breach::OverLimit { count: *count, limit },
                }),
                None => unknown += 1,
            }
        }
        let mut missing = if facts.results.is_empty() { vec![Missing::NoResults] } else { Vec::new() };
        if unknown > 0 {
            missing.push(Missing::UnknownEnterprises { count: unknown });
        }
        rules.push(rule(RuleId::YearlyLimit, cases, missing));
    }
    {
        let mut cases = Vec::new();
        let mut unknown = 0u64;
        for h in &facts.higher {
            match facts.unprotected.get(&h.credit_code) {
                Some(true) => {}
                Some(false) => cases.push(Case {
                    record: h.draw_id.clone(),
                    name: Some(h.credit_code.clone()),
                    href: draw_href(&h.draw_id),
                    breach: Breach::InspectedByHigher {
                        department: h.department.clone(),
                        result_code: h.result_code.clone(),
                        inspected_on: h.inspected_on.clone(),
                    },
                }),
                None => unknown += 1,
            }
        }
        let mut missing = no_draws();
        if unknown > 0 {
            missing.push(Missing::UnknownEnterprises { count: unknown });
        }
        rules.push(rule(RuleId::HigherLevelExcluded, cases, missing));
    }
    {
        let missing =
            if own_draws.is_empty() && facts.results.is_empty() { vec![Missing::NoDraws] } else { Vec::new() };
        rules.push(rule(RuleId::TeamOfTwo, team_cases, missing));
    }
    {
        let mut missing = if facts.results.is_empty() { vec![Missing::NoResults] } else { Vec::new() };
        if !unknown_certs.is_empty() {
            missing.push(Missing::UnknownCertificates { count: unknown_certs.len() as u64 });
        }
        rules.push(rule(RuleId::CertificateValid, certificate_cases, missing));
    }
    {
        let mut missing = if facts.results.is_empty() { vec![Missing::NoResults] } else { Vec::new() };
        if unknown_draws > 0 {
            missing.push(Missing::UnknownDraws { count: unknown_draws });
        }
        rules.push(rule(RuleId::DrawnTeamInspected, drawn_team_cases, missing));
    }
    {
        let mut missing = no_draws();
        if unreadable > 0 {
            missing.push(Missing::Unreadable { count: unreadable });
        }
        rules.push(rule(RuleId::DrawVerified, verify_cases, missing));
    }
    rules.extend(deadline_rules);
    {
        let mut cases = Vec::new();
        let mut without_plan = 0u64;
        for r in &facts.results {
            match draws.get(r.draw_id.as_str()).and_then(|d| d.plan_code.as_deref()).and_then(|c| plans.get(c)) {
                Some(p) => {
                    let on = r.inspected_on.as_str();
                    if on < p.window_start.as_str() || on > p.window_end.as_str() {
                        cases.push(Case {
                            record: r.result_code.clone(),
                            name: Some(r.enterprise_name.clone()),
                            href: result_href(&r.result_code),
                            breach: Breach::OutsideWindow {
                                on: on.to_owned(),
                                start: p.window_start.clone(),
                                end: p.window_end.clone(),
                            },
                        });
                    }
                }
                None => without_plan += 1,
            }
        }
        let mut missing = if facts.results.is_empty() { vec![Missing::NoResults] } else { Vec::new() };
        if without_plan > 0 {
            missing.push(Missing::UnknownDraws { count: without_plan });
        }
        rules.push(rule(RuleId::InspectionInWindow, cases, missing));
    }
    {
        let mut cases = Vec::new();
        let mut open_until: Option<String> = None;
        let mut no_plan = false;
        for d in &own_draws {
            let Some(p) = d.plan_code.as_deref().and_then(|c| plans.get(c)) else {
                no_plan = true;
                continue;
            };
            if p.window_end.as_str() >= today {
                open_until = open_until.max(Some(p.window_end.clone()));
                continue;
            }
            for s in &d.view.strata {
                for o in &s.selected {
                    if !results_of.contains_key(&(d.view.id.as_str(), o.object.as_str())) {
                        cases.push(Case {
                            record: d.view.id.clone(),
                            name: Some(o.object.clone()),
                            href: format!("/enterprises/{}", o.object),
                            breach: Breach::NoResult { window_end: p.window_end.clone() },
                        });
                    }
                }
            }
        }
        let mut missing = no_draws();
        if let Some(until) = open_until {
            missing.push(Missing::WindowOpen { until });
        }
        if no_plan {
            missing.push(Missing::NoPlan);
        }
        rules.push(rule(RuleId::DrawnObjectsInspected, cases, missing));
    }
    {
        let missing = if facts.results.is_empty() { vec![Missing::NoResults] } else { Vec::new() };
        rules.push(rule(RuleId::RectificationOnTime, rectification_cases, missing));
    }

    // Declared against computed.
    let drawn: u64 = plan_rows.iter().map(|r| r.drawn).sum();
    let drawn_inspected: u64 = plan_rows.iter().map(|r| r.inspected).sum();
    let publication = &deadlines[3];
    let computed = |key: FigureKey| -> Option<f64> {
        Some(match key {
            FigureKey::Plans => facts.plans.len() as f64,
            FigureKey::Draws => own_draws.len() as f64,
            FigureKey::Drawn => drawn as f64,
            FigureKey::Inspected => inspected as f64,
            FigureKey::CompletionRate => return Share { num: drawn_inspected, den: drawn }.value(),
            FigureKey::Problems => problems as f64,
            FigureKey::ProblemRate => return results.problem_rate.value(),
            FigureKey::RectificationDone => done as f64,
            FigureKey::RectificationOverdue => overdue as f64,
            FigureKey::PenaltyCases => penalties as f64,
            FigureKey::Inspectors => inspectors.took_part as f64,
            FigureKey::OnTimeRate => return Share { num: publication.on_time, den: publication.measured }.value(),
            FigureKey::CodesIssued => return feedback.as_ref().map(|f| f.codes_issued as f64),
            FigureKey::FeedbackReceived => return feedback.as_ref().and_then(|f| f.received.map(|r| r as f64)),
        })
    };
    let figures = FigureKey::ALL
        .into_iter()
        .map(|key| {
            let computed = computed(key);
            let declared = facts.declared.as_ref().and_then(|d| d.figures.get(key.as_str()).copied());
            let differs = match (computed, declared) {
                // Rates are compared as shown, to one decimal; counts exactly.
                (Some(c), Some(d)) => (c * 10.0).round() != (d * 10.0).round(),
                _ => false,
            };
            Figure { key, computed, declared, differs }
        })
        .collect();

    Report {
        department: facts.department.clone(),
        year,
        as_of: facts.today.clone(),
        plans: facts.plans.clone(),
        plan_rows,
        draws: draw_rows,
        deadlines,
        results,
        inspectors,
        feedback,
        rules,
        figures,
        declared: facts.declared.clone(),
    }
}

/// The address of a department-year's report.
pub fn report_href(department: &str, year: i64) -> String {
    format!("/reports/{department}/{year}")
}

impl Report {
    /// Completion of the drawn objects: inspected of drawn.
    pub fn completion(&self) -> Share {
        Share {
            num: self.plan_rows.iter().map(|r| r.inspected).sum(),
            den: self.plan_rows.iter().map(|r| r.drawn).sum(),
        }
    }

    /// Results published within 20 working days of the inspection.
    pub fn on_time(&self) -> Share {
        self.deadlines
            .iter()
            .find(|d| d.rule == RuleId::PublicationWithin20)
            .map_or(Share { num: 0, den: 0 }, |d| Share { num: d.on_time, den: d.measured })
    }

    pub fn headline(&self) -> Headline {
        Headline {
            department_code: self.department.code.clone(),
            department: self.department.name.clone(),
            year: self.year,
            plans: self.plans.len() as u64,
            draws: self.draws.len() as u64,
            drawn: self.completion().den,
            inspected: self.results.inspected,
            completion_rate: self.completion().value(),
            on_time_rate: self.on_time().value(),
            problem_rate: self.results.problem_rate.value(),
            rules_violated: self.rules.iter().filter(|r| r.state == Check::Violated).count() as u64,
            rules_cannot_check: self.rules.iter().filter(|r| r.state == Check::CannotCheck).count() as u64,
            declared: self.declared.is_some(),
        }
    }
}

/// The sort orders of the jurisdiction view (`?sort=`), each with its column.
pub const SORTS: [&str; 5] = ["department", "completion", "on_time", "problem_rate", "flags"];

/// Sorts headlines: by year (newest first) and department code, or by one of
/// [`SORTS`] (rates from lowest, flags from most; rows without the figure last).
pub fn sort_headlines(rows: &mut [Headline], sort: Option<&str>) {
    let rate = |v: Option<f64>| v.map_or(i64::MAX, |v| (v * 10.0).round() as i64);
    rows.sort_by(|a, b| (-a.year, &a.department_code).cmp(&(-b.year, &b.department_code)));
    match sort {
        Some("department") => rows.sort_by(|a, b| a.department_code.cmp(&b.department_code)),
        Some("completion") => rows.sort_by_key(|h| rate(h.completion_rate)),
        Some("on_time") => rows.sort_by_key(|h| rate(h.on_time_rate)),
        Some("problem_rate") => rows.sort_by_key(|h| rate(h.problem_rate)),
        Some("flags") => rows.sort_by_key(|h| std::cmp::Reverse(h.rules_violated)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_read_as_plans_write_them() {
        assert_eq!(parse_ratio("≥10%"), Some(1000));
        assert_eq!(parse_ratio("不低于 3%"), Some(300));
        assert_eq!(parse_ratio("2.5%"), Some(250));
        assert_eq!(parse_ratio("1/5"), Some(2000));
        assert_eq!(parse_ratio("1/3"), Some(3334));
        assert_eq!(parse_ratio("每年 1 次"), None);
        assert_eq!(parse_ratio("1/0"), None);
    }

    #[test]
    fn shares_round_half_up_to_a_tenth_of_a_percent() {
        assert_eq!(Share { num: 19, den: 215 }.percent(), "8.8%");
        assert_eq!(Share { num: 1, den: 8 }.percent(), "12.5%");
        assert_eq!(Share { num: 1, den: 3 }.percent(), "33.3%");
        assert_eq!(Share { num: 2, den: 3 }.percent(), "66.7%");
        assert_eq!(Share { num: 0, den: 0 }.percent(), "—");
        assert_eq!(Share { num: 0, den: 0 }.value(), None);
    }

    // -----------------------------------------------------------------------
    // The rule checks, on facts written out by hand: a compliant department-
    // year, then one crafted change per rule (violated) and per kind of
    // missing data (cannot check). Dates are checked against the bundled
    // calendar by hand (2025: Dragon Boat Festival 31 May – 2 June).
    // -----------------------------------------------------------------------

    use crate::view::{AllocationView, RandomnessView, SelectedView, StratumView};

    const A: &str = "91110000000000001A";
    const B: &str = "91110000000000002B";

    fn view() -> DrawView {
        let selected = |position, object: &str, team: [&str; 2]| SelectedView {
            position,
            object: object.to_owned(),
            team: team.iter().map(|c| (*c).to_owned()).collect(),
        };
        DrawView {
            id: "990102-2025-01".to_owned(),
            title: "2025年抽查".to_owned(),
            department: "东河区局".to_owned(),
            unit: "一科".to_owned(),
            ancestors: vec!["省局".to_owned(), "市局".to_owned()],
            draw_date: "2025-05-28".to_owned(),
            published_at: "2025-05-28T10:00:00+08:00".to_owned(),
            commitment: "00".repeat(32),
            objects_root: "00".repeat(32),
            committed_at: Some("2025-05-27T09:00:00+08:00".to_owned()),
            randomness: RandomnessView {
                kind: RandomnessKind::Drand { round: 1, time: "2025-05-28T02:00:00Z".to_owned() },
                value: "00".repeat(32),
            },
            seed: "00".repeat(32),
            object_count: 20,
            inspector_count: 6,
            team_size: 2,
            allocation: AllocationView::Ratio,
            directed: None,
            strata: vec![StratumView {
                id: "S1".to_owned(),
                name: "大型超市".to_owned(),
                ratio: "1/10".to_owned(),
                pool: 20,
                eligible: 20,
                quota: 2,
                selected: vec![selected(1, A, ["C1", "C2"]), selected(2, B, ["C3", "C4"])],
            }],
            exclusions: Vec::new(),
            recusals: Vec::new(),
            recusal_head: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn result(
        object: &str,
        team: [&str; 2],
        dates: [&str; 4],
        category: ResultCategory,
        rectification: Rectification,
    ) -> ResultFact {
        ResultFact {
            result_code: format!("990102-2025-01-{object}"),
            draw_id: "990102-2025-01".to_owned(),
            credit_code: object.to_owned(),
            enterprise_name: format!("企业{}", &object[17..]),
            inspectors: team.iter().map(|c| (*c).to_owned()).collect(),
            inspected_on: dates[0].to_owned(),
            reported_on: dates[1].to_owned(),
            delivered_on: Some(dates[2].to_owned()),
            entered_on: Some(dates[3].to_owned()),
            published_on: dates[3].to_owned(),
            first_published_on: dates[3].to_owned(),
            category,
            rectification_deadline: (rectification != Rectification::None).then(|| "2025-07-10".to_owned()),
            rectification_status: rectification,
            penalty_case: None,
        }
    }

    fn compliant() -> ReportFacts {
        let cert = |until: &str| CertificateFact {
            name: "检查员".to_owned(),
            valid_from: "2020-01-01".to_owned(),
            valid_until: until.to_owned(),
        };
        ReportFacts {
            department: DepartmentRef { code: "990102".to_owned(), name: "东河区局".to_owned() },
            year: 2025,
            today: "2026-02-15".to_owned(),
            plans: vec![PlanFact {
                plan_code: "990102-2025-P1".to_owned(),
                title: "2025年计划".to_owned(),
                published_at: "2025-03-20T09:00:00+08:00".to_owned(),
                window_start: "2025-06-01".to_owned(),
                window_end: "2025-10-01".to_owned(),
                max_inspections_per_year: None,
                min_per_stratum: None,
                lines: vec![PlanLineFact {
                    item_code: "A01".to_owned(),
                    stratum: "大型超市".to_owned(),
                    ratio: "10%".to_owned(),
                }],
            }],
            draws: vec![DrawFact { plan_code: Some("990102-2025-P1".to_owned()), view: view(), verified: Some(true) }],
            results: vec![
                result(
                    A,
                    ["C1", "C2"],
                    ["2025-06-10", "2025-06-12", "2025-06-16", "2025-06-20"],
                    ResultCategory::NoProblem,
                    Rectification::None,
                ),
                result(
                    B,
                    ["C3", "C4"],
                    ["2025-06-11", "2025-06-13", "2025-06-17", "2025-06-24"],
                    ResultCategory::CorrectedOnOrder,
                    Rectification::Done,
                ),
            ],
            certificates: ["C1", "C2", "C3", "C4"].iter().map(|c| ((*c).to_owned(), cert("2030-12-31"))).collect(),
            unprotected: BTreeMap::new(),
            higher: Vec::new(),
            feedback: None,
            feedback_inspectors: Vec::new(),
            declared: Some(DeclaredReport {
                version: 1,
                title: "2025年执行情况".to_owned(),
                text: "全部完成。".to_owned(),
                published_at: "2026-01-20T09:00:00+08:00".to_owned(),
                figures: [("drawn".to_owned(), 2.0), ("problem_rate".to_owned(), 50.0)].into_iter().collect(),
            }),
        }
    }

    fn report(facts: &ReportFacts) -> Report {
        compute(facts, &Calendar::bundled())
    }

    fn check(facts: &ReportFacts, id: RuleId) -> RuleCheck {
        report(facts).rules.into_iter().find(|r| r.rule == id).unwrap_or_else(|| panic!("no check {id:?}"))
    }

    fn violated(facts: &ReportFacts, id: RuleId) -> Vec<Breach> {
        let c = check(facts, id);
        assert_eq!(c.state, Check::Violated, "{id:?}: {c:?}");
        c.cases.into_iter().map(|c| c.breach).collect()
    }

    fn cannot(facts: &ReportFacts, id: RuleId) -> Vec<Missing> {
        let c = check(facts, id);
        assert_eq!(c.state, Check::CannotCheck, "{id:?}: {c:?}");
        assert!(c.cases.is_empty());
        c.missing
    }

    #[test]
    fn a_compliant_year_meets_every_rule_and_its_figures_are_as_counted_by_hand() {
        let r = report(&compliant());
        for c in &r.rules {
            assert_eq!(c.state, Check::Met, "{c:?}");
        }
        // No plan asks for a minimum per stratum: that rule is not listed.
        assert!(r.rules.iter().all(|c| c.rule != RuleId::MinimumPerStratum));
        assert_eq!(r.rules.len(), 16);
        assert_eq!(r.completion(), Share { num: 2, den: 2 });
        assert_eq!(r.plan_rows[0].achieved.percent(), "10.0%");
        assert_eq!(r.results.problems, 1);
        assert_eq!(r.results.problem_rate.percent(), "50.0%");
        assert_eq!(r.results.categories, [1, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(r.results.months[5], 2);
        assert_eq!(r.results.rectification_done, 1);
        // Working days: report 2 and 2; delivery 2 and 2; entry 4 and 5; publication 8 and 9.
        let hist: Vec<Vec<(u32, u64)>> = r.deadlines.iter().map(|d| d.histogram.clone()).collect();
        assert_eq!(hist, [vec![(2, 2)], vec![(2, 2)], vec![(4, 1), (5, 1)], vec![(8, 1), (9, 1)]]);
        assert_eq!(r.inspectors.took_part, 4);
        assert_eq!(r.inspectors.median_halves, 2);
        assert_eq!(r.draws[0].committed_first, Check::Met);
        // The declared figures agree.
        assert!(r.figures.iter().all(|f| !f.differs), "{:?}", r.figures);
        let h = r.headline();
        assert_eq!((h.drawn, h.inspected, h.completion_rate, h.problem_rate), (2, 2, Some(100.0), Some(50.0)));
        assert_eq!((h.rules_violated, h.rules_cannot_check), (0, 0));
    }

    #[test]
    fn plans_after_march_and_late_or_missing_reports_are_violations() {
        let mut f = compliant();
        f.plans[0].published_at = "2025-04-01T09:00:00+08:00".to_owned();
        assert_eq!(
            violated(&f, RuleId::PlanByMarch),
            [Breach::PublishedOn { date: "2025-04-01".to_owned(), deadline: "2025-03-31".to_owned() }]
        );
        f.plans.clear();
        assert_eq!(cannot(&f, RuleId::PlanByMarch), [Missing::NoPlan]);

        let mut f = compliant();
        if let Some(d) = f.declared.as_mut() {
            d.published_at = "2026-02-03T09:00:00+08:00".to_owned();
        }
        assert_eq!(
            violated(&f, RuleId::ReportByJanuary),
            [Breach::PublishedOn { date: "2026-02-03".to_owned(), deadline: "2026-01-31".to_owned() }]
        );
        f.declared = None;
        assert_eq!(violated(&f, RuleId::ReportByJanuary), [Breach::NotPublished { deadline: "2026-01-31".to_owned() }]);
        f.today = "2026-01-10".to_owned();
        assert_eq!(cannot(&f, RuleId::ReportByJanuary), [Missing::NotDueYet { deadline: "2026-01-31".to_owned() }]);
    }

    #[test]
    fn ratios_and_minimums_are_the_plans_settings() {
        let mut f = compliant();
        f.plans[0].lines[0].ratio = "≥20%".to_owned();
        assert_eq!(
            violated(&f, RuleId::RatioPerStratum),
            [Breach::BelowRatio { drawn: 2, eligible: 20, ratio: "≥20%".to_owned() }]
        );
        f.plans[0].lines[0].ratio = "每年 1 次".to_owned();
        assert_eq!(cannot(&f, RuleId::RatioPerStratum), [Missing::NoPlannedRatio { strata: 1 }]);

        let mut f = compliant();
        f.plans[0].min_per_stratum = Some(3);
        assert_eq!(violated(&f, RuleId::MinimumPerStratum), [Breach::BelowMinimum { drawn: 2, minimum: 3 }]);
        f.plans[0].min_per_stratum = Some(2);
        assert_eq!(check(&f, RuleId::MinimumPerStratum).state, Check::Met);
        f.draws.clear();
        assert_eq!(cannot(&f, RuleId::RatioPerStratum), [Missing::NoDraws]);
    }

    #[test]
    fn the_yearly_limit_is_the_plans_and_spares_the_unprotected() {
        let mut f = compliant();
        let mut again = f.results[0].clone();
        again.result_code.push_str("-2");
        f.results.push(again);
        // Twice is within the default limit of 2 (001 art. 19) ...
        assert_eq!(check(&f, RuleId::YearlyLimit).state, Check::Met);
        // ... not within a plan's limit of 1, once the directory says A is protected.
        f.plans[0].max_inspections_per_year = Some(1);
        assert_eq!(cannot(&f, RuleId::YearlyLimit), [Missing::UnknownEnterprises { count: 1 }]);
        f.unprotected.insert(A.to_owned(), false);
        assert_eq!(violated(&f, RuleId::YearlyLimit), [Breach::OverLimit { count: 2, limit: 1 }]);
        // On the abnormal-operations list (or penalised): not protected by the limit.
        f.unprotected.insert(A.to_owned(), true);
        assert_eq!(check(&f, RuleId::YearlyLimit).state, Check::Met);
    }

    #[test]
    fn an_enterprise_inspected_by_a_higher_level_before_the_draw_breaks_the_exclusion() {
        let mut f = compliant();
        f.higher.push(HigherInspection {
            draw_id: "990102-2025-01".to_owned(),
            credit_code: B.to_owned(),
            result_code: "990100-2025-01-B".to_owned(),
            department: "市局".to_owned(),
            inspected_on: "2025-04-02".to_owned(),
        });
        assert_eq!(cannot(&f, RuleId::HigherLevelExcluded), [Missing::UnknownEnterprises { count: 1 }]);
        f.unprotected.insert(B.to_owned(), false);
        assert_eq!(
            violated(&f, RuleId::HigherLevelExcluded),
            [Breach::InspectedByHigher {
                department: "市局".to_owned(),
                result_code: "990100-2025-01-B".to_owned(),
                inspected_on: "2025-04-02".to_owned(),
            }]
        );
    }

    #[test]
    fn teams_certificates_and_the_drawn_team() {
        let mut f = compliant();
        f.results[0].inspectors = vec!["C1".to_owned()];
        assert_eq!(violated(&f, RuleId::TeamOfTwo), [Breach::TeamSize { size: 1 }]);

        let mut f = compliant();
        f.results[0].inspectors = vec!["C1".to_owned(), "C3".to_owned()];
        assert_eq!(
            violated(&f, RuleId::DrawnTeamInspected),
            [Breach::NotTheDrawnTeam {
                drawn: vec!["C1".to_owned(), "C2".to_owned()],
                inspected: vec!["C1".to_owned(), "C3".to_owned()],
            }]
        );
        f.results[0].draw_id = "990102-2025-09".to_owned();
        assert_eq!(cannot(&f, RuleId::DrawnTeamInspected), [Missing::UnknownDraws { count: 1 }]);

        let mut f = compliant();
        if let Some(c) = f.certificates.get_mut("C2") {
            c.valid_until = "2025-06-09".to_owned();
        }
        assert_eq!(
            violated(&f, RuleId::CertificateValid),
            [Breach::CertificateNotValid {
                certificate: "C2".to_owned(),
                on: "2025-06-10".to_owned(),
                valid_from: "2020-01-01".to_owned(),
                valid_until: "2025-06-09".to_owned(),
            }]
        );
        f.certificates.remove("C2");
        assert_eq!(cannot(&f, RuleId::CertificateValid), [Missing::UnknownCertificates { count: 1 }]);
    }

    #[test]
    fn draws_that_do_not_re_run_or_were_committed_late() {
        let mut f = compliant();
        f.draws[0].verified = Some(false);
        assert_eq!(violated(&f, RuleId::DrawVerified), [Breach::DoesNotVerify]);
        f.draws[0].verified = None;
        assert_eq!(cannot(&f, RuleId::DrawVerified), [Missing::Unreadable { count: 1 }]);
        f.draws[0].view.committed_at = Some("2025-05-28T11:00:00+08:00".to_owned());
        assert_eq!(report(&f).draws[0].committed_first, Check::Violated, "committed after the round's time");
        f.draws[0].view.randomness.kind = RandomnessKind::Demo { label: "demo".to_owned() };
        assert_eq!(report(&f).draws[0].committed_first, Check::CannotCheck, "demo randomness has no public time");
    }

    #[test]
    fn the_four_deadlines_in_working_days() {
        let mut f = compliant();
        // 10 June to 20 June 2025: 8 working days.
        f.results[0].reported_on = "2025-06-20".to_owned();
        assert_eq!(
            violated(&f, RuleId::ReportWithin5),
            [Breach::Late { days: 8, limit: 5, from: "2025-06-10".to_owned(), to: "2025-06-20".to_owned() }]
        );
        let r = report(&f);
        assert_eq!((r.deadlines[0].measured, r.deadlines[0].on_time), (2, 1));

        let mut f = compliant();
        f.results[1].delivered_on = None;
        assert_eq!(cannot(&f, RuleId::DeliveryWithin5), [Missing::DatesMissing { count: 1 }]);
        assert_eq!(cannot(&f, RuleId::EntryWithin10), [Missing::DatesMissing { count: 1 }]);

        let mut f = compliant();
        // 17 June to 2 July: 11 working days.
        f.results[1].entered_on = Some("2025-07-02".to_owned());
        assert_eq!(
            violated(&f, RuleId::EntryWithin10),
            [Breach::Late { days: 11, limit: 10, from: "2025-06-17".to_owned(), to: "2025-07-02".to_owned() }]
        );

        let mut f = compliant();
        // 10 June to 9 July: 21 working days; a later correction does not count.
        f.results[0].first_published_on = "2025-07-09".to_owned();
        f.results[0].published_on = "2025-07-09".to_owned();
        f.results[1].published_on = "2025-09-01".to_owned();
        assert_eq!(
            violated(&f, RuleId::PublicationWithin20),
            [Breach::Late { days: 21, limit: 20, from: "2025-06-10".to_owned(), to: "2025-07-09".to_owned() }]
        );
        assert_eq!(report(&f).results.corrected, 1);

        let mut f = compliant();
        f.results[0].inspected_on = "2023-12-20".to_owned();
        assert_eq!(cannot(&f, RuleId::ReportWithin5), [Missing::NoCalendar { years: vec![2023] }]);
    }

    #[test]
    fn windows_completion_and_rectification() {
        let mut f = compliant();
        f.results[0].inspected_on = "2025-10-09".to_owned();
        f.results[0].reported_on = "2025-10-10".to_owned();
        assert_eq!(
            violated(&f, RuleId::InspectionInWindow),
            [Breach::OutsideWindow {
                on: "2025-10-09".to_owned(),
                start: "2025-06-01".to_owned(),
                end: "2025-10-01".to_owned(),
            }]
        );

        let mut f = compliant();
        f.results.pop();
        assert_eq!(
            violated(&f, RuleId::DrawnObjectsInspected),
            [Breach::NoResult { window_end: "2025-10-01".to_owned() }]
        );
        assert_eq!(report(&f).completion().percent(), "50.0%");
        f.today = "2025-09-01".to_owned();
        assert_eq!(cannot(&f, RuleId::DrawnObjectsInspected), [Missing::WindowOpen { until: "2025-10-01".to_owned() }]);

        let mut f = compliant();
        f.results[1].rectification_status = Rectification::Pending;
        assert_eq!(
            violated(&f, RuleId::RectificationOnTime),
            [Breach::RectificationOverdue { deadline: "2025-07-10".to_owned() }]
        );
        assert_eq!(report(&f).results.rectification_overdue, 1);
        f.today = "2025-07-01".to_owned();
        assert_eq!(check(&f, RuleId::RectificationOnTime).state, Check::Met);
        assert_eq!(report(&f).results.rectification_pending, 1);
    }

    #[test]
    fn declared_figures_that_differ_are_marked() {
        let mut f = compliant();
        if let Some(d) = f.declared.as_mut() {
            d.figures.insert("drawn".to_owned(), 3.0);
            d.figures.insert("completion_rate".to_owned(), 100.04);
        }
        let r = report(&f);
        let figure = |k: FigureKey| r.figures.iter().find(|x| x.key == k).cloned().unwrap();
        let drawn = figure(FigureKey::Drawn);
        assert_eq!((drawn.computed, drawn.declared, drawn.differs), (Some(2.0), Some(3.0), true));
        // Rates are compared as shown, to a tenth of a percent.
        assert!(!figure(FigureKey::CompletionRate).differs);
        assert!(!figure(FigureKey::ProblemRate).differs);
        // A figure the department did not declare is not a difference.
        assert!(!figure(FigureKey::Inspectors).differs);
    }

    #[test]
    fn with_nothing_published_nothing_is_met() {
        let mut f = compliant();
        f.plans.clear();
        f.draws.clear();
        f.results.clear();
        f.declared = None;
        f.today = "2025-12-01".to_owned();
        f.plans.push(PlanFact { min_per_stratum: Some(1), ..compliant().plans[0].clone() });
        f.plans[0].published_at = "2025-03-01T09:00:00+08:00".to_owned();
        let r = report(&f);
        for c in &r.rules {
            let expected = if c.rule == RuleId::PlanByMarch { Check::Met } else { Check::CannotCheck };
            assert_eq!(c.state, expected, "{c:?}");
            assert!(c.rule == RuleId::PlanByMarch || !c.missing.is_empty(), "{c:?}: says why");
        }
        assert_eq!(r.rules.len(), 17, "every rule, the plan's minimum per stratum included");
        assert_eq!(r.completion().percent(), "—");

        // A result whose draw is not published: its window and team cannot be checked.
        let mut f = compliant();
        f.draws.clear();
        assert_eq!(cannot(&f, RuleId::InspectionInWindow), [Missing::UnknownDraws { count: 2 }]);
        assert_eq!(cannot(&f, RuleId::DrawnTeamInspected), [Missing::UnknownDraws { count: 2 }]);
    }
}
