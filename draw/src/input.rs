//! Draw inputs (SPEC.md §3) and their validation into canonical order.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::{check_certificate, check_credit_code, check_date};

pub const VERSION: &str = "v1";

/// Everything a draw depends on. All of it is bound by the commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct DrawInput {
    /// Protocol version, `"v1"`.
    pub version: String,
    /// Permanent identifier of the draw, e.g. `"150602-2025-01"`.
    pub draw_id: String,
    pub title: String,
    /// The department that draws (e.g. a district bureau).
    pub department: String,
    /// The unit inside the department that runs this draw.
    pub unit: String,
    /// Higher-level departments of `department`. The protocol treats them as a
    /// set; by convention they are listed top-level first (province, city), and
    /// the portal stores a draw's department chain in that order.
    #[serde(default)]
    pub ancestors: Vec<String>,
    /// Calendar date of the draw, `YYYY-MM-DD`; certificates must be valid on it.
    pub draw_date: String,
    /// The public randomness, fixed before it exists.
    pub randomness_source: RandomnessSource,
    pub plan: Plan,
    /// The object pool (检查对象名录库 extract).
    pub objects: Vec<Object>,
    /// The inspector pool (执法检查人员名录库 extract).
    pub inspectors: Vec<Inspector>,
    /// Inspections of this year before the draw (for the frequency limit).
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// Where the public randomness will come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RandomnessSource {
    /// A drand quicknet round (3 s period, genesis 1692803367).
    DrandQuicknet { round: u64 },
    /// RFC 3797-style public numbers (e.g. lottery results of a stated date).
    PublicNumbers { description: String, date: String },
    /// Demo randomness chosen by the publisher: not public, for demonstrations only.
    Demo { label: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct Plan {
    /// Strata (分层), e.g. kinds of checks or credit-risk classes.
    pub strata: Vec<Stratum>,
    pub allocation: Allocation,
    pub team: TeamRule,
    /// A directed draw (定向抽取) keeps only objects in one of these categories.
    #[serde(default)]
    pub directed: Option<DirectedFilter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct Stratum {
    pub id: String,
    pub name: String,
    /// Sampling ratio 抽查比例 in (0, 1], as an exact fraction.
    pub ratio: Ratio,
    /// Qualification an inspector needs for this stratum (overrides the team rule's).
    #[serde(default)]
    pub qualification: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct Ratio {
    pub num: u64,
    pub den: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Allocation {
    /// Each stratum draws ⌈ratio × eligible⌉.
    Ratio,
    /// `count` objects in all, shared by largest remainder in proportion to the
    /// eligible objects; with `min_one_per_stratum`, every non-empty stratum first gets one.
    Total { count: u64, min_one_per_stratum: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct TeamRule {
    /// Inspectors per object, at least 2.
    pub size: u64,
    /// Most objects one inspector may be sent to in this draw.
    pub load_cap: u64,
    /// Qualification every inspector needs (unless the stratum names its own).
    #[serde(default)]
    pub qualification: Option<String>,
    /// Units whose directories inspectors are drawn from (own, and subordinates' if the plan says so).
    pub units: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct DirectedFilter {
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct Object {
    /// 统一社会信用代码.
    pub id: String,
    pub stratum: String,
    #[serde(default)]
    pub categories: Vec<String>,
    /// On the 经营异常名录 (abnormal operations list).
    #[serde(default)]
    pub abnormal: bool,
    /// On the 严重违法失信企业名单 (serious violation list).
    #[serde(default)]
    pub serious_violation: bool,
    /// Already penalised (已被处罚).
    #[serde(default)]
    pub penalised: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct Inspector {
    /// 执法证号, the inspector's identifier.
    pub cert: String,
    pub unit: String,
    #[serde(default)]
    pub qualifications: Vec<String>,
    pub valid_from: String,
    pub valid_until: String,
    /// Credit codes of objects this inspector declared an interest in (回避).
    #[serde(default)]
    pub conflicts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // SPEC §3.1: unknown fields are refused at every level
pub struct HistoryEntry {
    pub object: String,
    pub department: String,
    pub unit: String,
    pub date: String,
}

/// One problem with the input: which record and field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Path of the field, e.g. `objects[12] (91110000600037341X).id`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every problem found in an input. Nothing is drawn from an input that has any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "输入有 {} 处错误 / the input has {} problem(s):", self.problems.len(), self.problems.len())?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// A validated input with every list in canonical order (SPEC.md §3.2).
#[derive(Debug)]
pub struct Canonical<'a> {
    pub input: &'a DrawInput,
    pub ancestors: Vec<&'a str>,
    /// Strata sorted by id bytes.
    pub strata: Vec<&'a Stratum>,
    pub units: Vec<&'a str>,
    pub directed: Option<Vec<&'a str>>,
    /// Objects sorted by credit code bytes.
    pub objects: Vec<CanonicalObject<'a>>,
    /// Inspectors sorted by certificate bytes, with sorted qualifications and conflicts.
    pub inspectors: Vec<CanonicalInspector<'a>>,
    /// History sorted by (object, date, department, unit).
    pub history: Vec<&'a HistoryEntry>,
}

/// An object of the pool in compact canonical form.
#[derive(Debug)]
pub struct CanonicalObject<'a> {
    /// The credit code's 18 ASCII bytes.
    pub id: [u8; 18],
    /// Index of its stratum in canonical stratum order.
    pub stratum: u32,
    /// Bit 0 abnormal operations, bit 1 serious violation, bit 2 penalised.
    pub flags: u8,
    /// Position in the input's `objects` list.
    pub input_index: u32,
    /// Sorted categories.
    pub categories: Vec<&'a str>,
}

impl CanonicalObject<'_> {
    pub fn id_str(&self) -> &str {
        std::str::from_utf8(&self.id).unwrap_or("")
    }

    /// Not protected by the frequency limit (listed or penalised).
    pub fn unprotected(&self) -> bool {
        self.flags != 0
    }
}

#[derive(Debug)]
pub struct CanonicalInspector<'a> {
    pub inspector: &'a Inspector,
    pub qualifications: Vec<&'a str>,
    pub conflicts: Vec<&'a str>,
}

/// Text fields (names, units, categories…): 1..=200 characters, no control characters,
/// no leading or trailing whitespace.
pub fn check_text(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if n == 0 || n > 200 {
        return Err(format!("应为 1–200 个字符，实为 {n} 个 / must have 1–200 characters, has {n}"));
    }
    if s.chars().any(char::is_control) || s.trim() != s {
        return Err("不得含控制字符或首尾空白 / no control characters or surrounding whitespace".into());
    }
    Ok(())
}

/// `draw_id`: 1–64 characters from `A–Z a–z 0–9 - _ .` (SPEC §2).
pub fn check_draw_id(s: &str) -> Result<(), String> {
    let ok =
        (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err("应为 1–64 个 ASCII 字母、数字、“-”“_”“.” / must be 1–64 ASCII letters, digits, '-', '_' or '.'".into())
    }
}

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem { field: field.into(), message: message.into() });
    }
    fn check<E: fmt::Display>(&mut self, field: impl FnOnce() -> String, r: Result<(), E>) {
        if let Err(e) = r {
            self.report(field(), e.to_string());
        }
    }
    /// Sorts a set of strings, reporting each text problem and each duplicate.
    fn set<'a>(&mut self, field: impl Fn() -> String, xs: &'a [String]) -> Vec<&'a str> {
        for (i, x) in xs.iter().enumerate() {
            self.check(|| format!("{}[{i}]", field()), check_text(x));
        }
        let mut v: Vec<&str> = xs.iter().map(String::as_str).collect();
        v.sort_unstable();
        for w in v.windows(2) {
            if w[0] == w[1] {
                self.report(field(), format!("重复的值 “{}” / duplicate value '{}'", w[0], w[0]));
            }
        }
        v.dedup();
        v
    }
}

impl DrawInput {
    /// The draw year, from `draw_date`.
    pub fn year(&self) -> &str {
        self.draw_date.get(..4).unwrap_or("")
    }

    /// Validates every field and puts every list in canonical order.
    pub fn canonical(&self) -> Result<Canonical<'_>, InputError> {
        let mut c = Checker { problems: Vec::new() };
        if self.version != VERSION {
            c.report("version", format!("不支持的版本 “{}”，应为 “{VERSION}” / unsupported version", self.version));
        }
        c.check(|| "draw_id".into(), check_draw_id(&self.draw_id));
        c.check(|| "title".into(), check_text(&self.title));
        c.check(|| "department".into(), check_text(&self.department));
        c.check(|| "unit".into(), check_text(&self.unit));
        c.check(|| "draw_date".into(), check_date(&self.draw_date));
        let ancestors = c.set(|| "ancestors".into(), &self.ancestors);
        if ancestors.contains(&self.department.as_str()) {
            c.report("ancestors", "不得包含本部门 / must not contain the drawing department itself");
        }
        match &self.randomness_source {
            RandomnessSource::DrandQuicknet { round } => {
                if *round == 0 {
                    c.report("randomness_source.round", "drand 轮次从 1 开始 / drand rounds start at 1");
                } else if *round > crate::randomness::QUICKNET_LAST_ROUND {
                    c.report(
                        "randomness_source.round",
                        format!(
                            "drand 轮次不得超过 {}（公元 10000 年前的最后一轮）/ a drand round is at most {} (the last one before the year 10000)",
                            crate::randomness::QUICKNET_LAST_ROUND,
                            crate::randomness::QUICKNET_LAST_ROUND
                        ),
                    );
                }
            }
            RandomnessSource::PublicNumbers { description, date } => {
                c.check(|| "randomness_source.description".into(), check_text(description));
                c.check(|| "randomness_source.date".into(), check_date(date));
            }
            RandomnessSource::Demo { label } => c.check(|| "randomness_source.label".into(), check_text(label)),
        }

        // Plan.
        let plan = &self.plan;
        if plan.strata.is_empty() {
            c.report("plan.strata", "至少需要一个分层 / at least one stratum is needed");
        }
        for (i, s) in plan.strata.iter().enumerate() {
            c.check(|| format!("plan.strata[{i}].id"), check_text(&s.id));
            c.check(|| format!("plan.strata[{i}].name"), check_text(&s.name));
            if s.ratio.num == 0 || s.ratio.den == 0 || s.ratio.num > s.ratio.den {
                c.report(
                    format!("plan.strata[{i}] ({}).ratio", s.id),
                    format!(
                        "抽查比例 {}/{} 不在 (0, 1] 内 / the ratio {}/{} is outside (0, 1]",
                        s.ratio.num, s.ratio.den, s.ratio.num, s.ratio.den
                    ),
                );
            }
            if let Some(q) = &s.qualification {
                c.check(|| format!("plan.strata[{i}].qualification"), check_text(q));
            }
        }
        let mut strata: Vec<&Stratum> = plan.strata.iter().collect();
        strata.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        for w in strata.windows(2) {
            if w[0].id == w[1].id {
                c.report("plan.strata", format!("重复的分层 “{}” / duplicate stratum id", w[0].id));
            }
        }
        let team = &plan.team;
        if team.size < 2 {
            c.report(
                "plan.team.size",
                format!("每个对象至少 2 名检查人员，实为 {} / at least 2 inspectors per object", team.size),
            );
        }
        if team.load_cap == 0 {
            c.report("plan.team.load_cap", "至少为 1 / must be at least 1");
        }
        if let Some(q) = &team.qualification {
            c.check(|| "plan.team.qualification".into(), check_text(q));
        }
        let units = c.set(|| "plan.team.units".into(), &team.units);
        if units.is_empty() {
            c.report(
                "plan.team.units",
                "至少指定一个执法人员所在单位 / name at least one unit to draw inspectors from",
            );
        }
        let directed = plan.directed.as_ref().map(|d| {
            let v = c.set(|| "plan.directed.categories".into(), &d.categories);
            if v.is_empty() {
                c.report(
                    "plan.directed.categories",
                    "定向抽取至少需要一个类别 / a directed draw needs at least one category",
                );
            }
            v
        });

        // Objects: one sequential pass into compact form, then sort by id bytes.
        let stratum_ids: Vec<&str> = strata.iter().map(|s| s.id.as_str()).collect();
        let mut objects: Vec<CanonicalObject<'_>> = Vec::with_capacity(self.objects.len());
        for (i, o) in self.objects.iter().enumerate() {
            let id = match check_credit_code(&o.id) {
                Ok(id) => id,
                Err(e) => {
                    c.report(format!("objects[{i}] ({}).id", o.id), e.to_string());
                    [0; 18]
                }
            };
            let stratum = match stratum_ids.iter().position(|&s| s == o.stratum) {
                Some(s) => s as u32,
                None => {
                    c.report(
                        format!("objects[{i}] ({}).stratum", o.id),
                        format!("计划中没有分层 “{}” / the plan has no stratum '{}'", o.stratum, o.stratum),
                    );
                    0
                }
            };
            let categories = c.set(|| format!("objects[{i}] ({}).categories", o.id), &o.categories);
            let flags = u8::from(o.abnormal) | u8::from(o.serious_violation) << 1 | u8::from(o.penalised) << 2;
            objects.push(CanonicalObject { id, stratum, flags, input_index: i as u32, categories });
        }
        // Byte order of the 18-byte ids, compared as integers.
        objects.sort_unstable_by_key(|o| {
            let (hi, lo) = o.id.split_at(16);
            (u128::from_be_bytes(hi.try_into().unwrap_or_default()), u16::from_be_bytes([lo[0], lo[1]]), o.input_index)
        });
        for w in objects.windows(2) {
            if w[0].id == w[1].id && c.problems.len() < 1000 {
                c.report(
                    format!("objects[{}] ({}).id", w[1].input_index, w[1].id_str()),
                    format!("与 objects[{}] 重复 / duplicate of objects[{}]", w[0].input_index, w[0].input_index),
                );
            }
        }

        // Inspectors.
        let mut inspectors = Vec::with_capacity(self.inspectors.len());
        for (i, p) in self.inspectors.iter().enumerate() {
            let at = |f: &str| format!("inspectors[{i}] ({}).{f}", p.cert);
            c.check(|| at("cert"), check_certificate(&p.cert));
            c.check(|| at("unit"), check_text(&p.unit));
            c.check(|| at("valid_from"), check_date(&p.valid_from));
            c.check(|| at("valid_until"), check_date(&p.valid_until));
            if p.valid_from > p.valid_until {
                c.report(at("valid_until"), "有效期结束早于开始 / validity ends before it starts");
            }
            for (j, code) in p.conflicts.iter().enumerate() {
                if let Err(e) = check_credit_code(code) {
                    c.report(at(&format!("conflicts[{j}]")), e.to_string());
                }
            }
            inspectors.push(CanonicalInspector {
                inspector: p,
                qualifications: c.set(|| at("qualifications"), &p.qualifications),
                conflicts: c.set(|| at("conflicts"), &p.conflicts),
            });
        }
        inspectors.sort_unstable_by(|a, b| a.inspector.cert.cmp(&b.inspector.cert));
        for w in inspectors.windows(2) {
            if w[0].inspector.cert == w[1].inspector.cert {
                c.report(
                    "inspectors",
                    format!("重复的执法证号 “{}” / duplicate certificate number", w[0].inspector.cert),
                );
            }
        }

        // History.
        let year = self.year();
        for (i, h) in self.history.iter().enumerate() {
            let at = |f: &str| format!("history[{i}] ({}).{f}", h.object);
            if let Err(e) = check_credit_code(&h.object) {
                c.report(at("object"), e.to_string());
            }
            c.check(|| at("department"), check_text(&h.department));
            c.check(|| at("unit"), check_text(&h.unit));
            match check_date(&h.date) {
                Err(e) => c.report(at("date"), e.to_string()),
                Ok(()) if !h.date.starts_with(year) || h.date.as_str() > self.draw_date.as_str() => c.report(
                    at("date"),
                    format!(
                        "{} 不在抽取当年且早于抽取日 {} / not in the draw year on or before the draw date",
                        h.date, self.draw_date
                    ),
                ),
                Ok(()) => {}
            }
        }
        let mut history: Vec<&HistoryEntry> = self.history.iter().collect();
        history.sort_unstable_by(|a, b| {
            (&a.object, &a.date, &a.department, &a.unit).cmp(&(&b.object, &b.date, &b.department, &b.unit))
        });

        if !c.problems.is_empty() {
            return Err(InputError { problems: c.problems });
        }
        Ok(Canonical { input: self, ancestors, strata, units, directed, objects, inspectors, history })
    }
}

impl Canonical<'_> {
    /// Position of an object in the canonical pool.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.objects.binary_search_by(|o| o.id.as_slice().cmp(id.as_bytes())).ok()
    }
}
