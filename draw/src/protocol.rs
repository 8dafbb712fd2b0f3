//! The draw itself, top to bottom (SPEC.md §8–11): eligibility, allocation,
//! object selection, inspector teams, recusals.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::input::{Allocation, Canonical, Stratum};
use crate::stream::Stream;

// ---------------------------------------------------------------------------
// §8 Eligibility
// ---------------------------------------------------------------------------

/// Why an object of the pool cannot be drawn (001 art. 19, 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// A directed draw's category filter leaves it out.
    OutsideDirectedFilter,
    /// Inspected twice already this year.
    InspectedTwiceThisYear,
    /// Inspected this year by a higher-level department.
    InspectedByHigherLevel,
    /// Inspected this year by another unit of the same department.
    InspectedByOtherUnit,
}

impl ExclusionReason {
    pub const ALL: [ExclusionReason; 4] = [
        Self::OutsideDirectedFilter,
        Self::InspectedTwiceThisYear,
        Self::InspectedByHigherLevel,
        Self::InspectedByOtherUnit,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Self::OutsideDirectedFilter => "不在定向抽取范围内",
            Self::InspectedTwiceThisYear => "本年度已被抽查两次",
            Self::InspectedByHigherLevel => "本年度已被上级部门抽查",
            Self::InspectedByOtherUnit => "本年度已被本部门其他单位抽查",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::OutsideDirectedFilter => "outside the directed draw's filter",
            Self::InspectedTwiceThisYear => "inspected twice this year",
            Self::InspectedByHigherLevel => "inspected this year by a higher-level department",
            Self::InspectedByOtherUnit => "inspected this year by another unit of the same department",
        }
    }

    /// The reason as a record writes it (SPEC §12), e.g. `inspected_twice_this_year`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutsideDirectedFilter => "outside_directed_filter",
            Self::InspectedTwiceThisYear => "inspected_twice_this_year",
            Self::InspectedByHigherLevel => "inspected_by_higher_level",
            Self::InspectedByOtherUnit => "inspected_by_other_unit",
        }
    }

    /// The reason written as `text` in a record, if any.
    pub fn parse(text: &str) -> Option<ExclusionReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

#[cfg(test)]
#[test]
fn exclusion_reasons_are_written_as_serde_writes_them() {
    for r in ExclusionReason::ALL {
        assert_eq!(serde_json::to_value(r).ok(), Some(serde_json::Value::String(r.as_str().to_owned())));
        assert_eq!(ExclusionReason::parse(r.as_str()), Some(r));
    }
    assert_eq!(ExclusionReason::parse("inspected_twice_this_year"), Some(ExclusionReason::InspectedTwiceThisYear));
    assert_eq!(ExclusionReason::parse("Inspected_twice_this_year"), None);
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub object: String,
    pub reason: ExclusionReason,
}

/// For each object in canonical order, `None` if eligible or the first reason
/// that excludes it, checked in the order of [`ExclusionReason::ALL`].
pub fn eligibility(c: &Canonical<'_>) -> Vec<Option<ExclusionReason>> {
    let input = c.input;
    // History is sorted by object, like the pool: walk both in step.
    let mut h = c.history.iter().peekable();
    c.objects
        .iter()
        .map(|o| {
            let id = o.id.as_slice();
            while h.next_if(|e| e.object.as_bytes() < id).is_some() {}
            let (mut count, mut higher, mut other_unit) = (0u32, false, false);
            while let Some(e) = h.next_if(|e| e.object.as_bytes() == id) {
                count += 1;
                higher |= c.ancestors.binary_search(&e.department.as_str()).is_ok();
                other_unit |= e.department == input.department && e.unit != input.unit;
            }
            if let Some(filter) = &c.directed
                && !o.categories.iter().any(|x| filter.binary_search(x).is_ok())
            {
                return Some(ExclusionReason::OutsideDirectedFilter);
            }
            // Listed or penalised enterprises are not protected by the frequency limit.
            if o.unprotected() {
                None
            } else if count >= 2 {
                Some(ExclusionReason::InspectedTwiceThisYear)
            } else if higher {
                Some(ExclusionReason::InspectedByHigherLevel)
            } else if other_unit {
                Some(ExclusionReason::InspectedByOtherUnit)
            } else {
                None
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Errors of a draw that cannot be carried out
// ---------------------------------------------------------------------------

/// Why a valid input still cannot be drawn. Nothing is published then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Infeasible {
    #[error(
        "plan.allocation.count: 抽取总数 {count} 超过可抽对象数 {eligible} / the total {count} exceeds the {eligible} eligible objects"
    )]
    TotalExceedsEligible { count: u64, eligible: u64 },
    #[error(
        "plan.allocation.count: 抽取总数 {count} 少于非空分层数 {strata}，无法每层至少一个 / the total {count} is below the {strata} non-empty strata that each need one"
    )]
    TotalBelowStrata { count: u64, strata: u64 },
    #[error(
        "plan.team: 分层 {stratum} 的检查组无法保证：符合条件的检查人员 {qualified} 名，减去与同一对象有利害关系的至多 {conflicted} 名、可能已达工作量上限的至多 {capped} 名，少于每组 {needed} 名 / stratum {stratum} cannot be staffed for every possible draw: {qualified} qualified inspectors, minus up to {conflicted} with a declared conflict with one object and up to {capped} who may have reached the load cap, is fewer than {needed} per team"
    )]
    TeamsNotGuaranteed { stratum: String, qualified: u64, conflicted: u64, capped: u128, needed: u64 },
    #[error(
        "plan.team.size: 分层 {stratum} 第 {position} 位对象 {object} 需要 {needed} 名检查人员，只有 {available} 名符合条件 / stratum {stratum} position {position} ({object}) needs {needed} inspectors, only {available} are eligible"
    )]
    NotEnoughInspectors { stratum: String, position: u64, object: String, needed: u64, available: u64 },
    #[error("recusals[{index}]{field}: {message}")]
    Recusal {
        index: usize,
        /// The field of the recusal at fault (`.object`, `.inspector`, `.reason`, `.date`), or empty.
        #[serde(default)]
        field: String,
        message: String,
    },
}

// ---------------------------------------------------------------------------
// §9 Allocation
// ---------------------------------------------------------------------------

/// How many objects each stratum draws, given its eligible count.
pub fn allocate(allocation: &Allocation, strata: &[&Stratum], eligible: &[u64]) -> Result<Vec<u64>, Infeasible> {
    match *allocation {
        Allocation::Ratio => Ok(strata
            .iter()
            .zip(eligible)
            .map(|(s, &n)| {
                let (num, den) = (u128::from(s.ratio.num), u128::from(s.ratio.den));
                (u128::from(n) * num).div_ceil(den) as u64
            })
            .collect()),
        Allocation::Total { count, min_one_per_stratum } => {
            let total: u64 = eligible.iter().sum();
            if count > total {
                return Err(Infeasible::TotalExceedsEligible { count, eligible: total });
            }
            let (base, weights): (Vec<u64>, Vec<u64>) = if min_one_per_stratum {
                let non_empty = eligible.iter().filter(|&&n| n > 0).count() as u64;
                if count < non_empty {
                    return Err(Infeasible::TotalBelowStrata { count, strata: non_empty });
                }
                eligible.iter().map(|&n| (u64::from(n > 0), n.saturating_sub(1))).unzip()
            } else {
                (vec![0; eligible.len()], eligible.to_vec())
            };
            let rest = count - base.iter().sum::<u64>();
            Ok(largest_remainder(rest, &weights).iter().zip(&base).map(|(a, b)| a + b).collect())
        }
    }
}

/// Shares `count` in proportion to `weights` (Hamilton's method): each gets
/// ⌊count·w/W⌋, then the rest go one each to the largest remainders
/// `count·w mod W`, ties to the earlier stratum in canonical order.
fn largest_remainder(count: u64, weights: &[u64]) -> Vec<u64> {
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if total == 0 {
        return vec![0; weights.len()];
    }
    let mut shares: Vec<u64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let p = u128::from(count) * u128::from(w);
        shares.push((p / total) as u64);
        remainders.push((p % total, i));
    }
    let left = count - shares.iter().sum::<u64>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left as usize) {
        shares[i] += 1;
    }
    shares
}

// ---------------------------------------------------------------------------
// §10 Object selection: partial Fisher–Yates, prefix-stable
// ---------------------------------------------------------------------------

/// Moves `k` uniformly chosen items to the front of `items`, in selection order:
/// for i in 0..k, j = i + U(n − i), swap items[i] and items[j].
pub fn partial_fisher_yates<T>(stream: &mut Stream, items: &mut [T], k: usize) {
    let n = items.len();
    for i in 0..k.min(n) {
        let j = i + stream.uniform((n - i) as u64) as usize;
        items.swap(i, j);
    }
}

// ---------------------------------------------------------------------------
// §11 Inspector teams and recusals
// ---------------------------------------------------------------------------

/// A drawn object with its place and team (certificate numbers in draw order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// 1-based position in the stratum's selection order.
    pub position: u64,
    pub object: String,
    /// Certificate numbers in draw order, after any recusals.
    pub team: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumResult {
    pub id: String,
    /// Objects of the pool in this stratum.
    pub pool: u64,
    /// Of them, eligible.
    pub eligible: u64,
    /// How many the allocation asks for.
    pub quota: u64,
    pub selected: Vec<Selection>,
}

/// A recusal (回避) made public after the draw: the inspector leaves the
/// object's team and the recusal stream draws the replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecusalRequest {
    pub object: String,
    pub inspector: String,
    pub reason: String,
    pub date: String,
}

/// Everything computed from a canonical input and its seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub exclusions: Vec<Exclusion>,
    pub strata: Vec<StratumResult>,
    /// Replacement inspector of each recusal, in order.
    pub replacements: Vec<String>,
}

/// Inspector bookkeeping shared by the team draw and the recusals.
struct Pools<'c> {
    certs: Vec<&'c str>,
    /// Base-eligible inspectors per stratum (indices in canonical order).
    eligible: Vec<Vec<u32>>,
    /// Per stratum, membership of each inspector in `eligible`.
    member: Vec<Vec<bool>>,
    /// Per stratum, how many of `eligible` are below the load cap.
    below_cap: Vec<u64>,
    /// Object id → inspectors who declared a conflict with it.
    conflicts: HashMap<&'c str, Vec<u32>>,
    load: Vec<u64>,
    cap: u64,
}

impl<'c> Pools<'c> {
    fn new(c: &Canonical<'c>) -> Self {
        let input = c.input;
        let team = &input.plan.team;
        let date = input.draw_date.as_str();
        let mut conflicts: HashMap<&str, Vec<u32>> = HashMap::new();
        for (i, p) in c.inspectors.iter().enumerate() {
            for &o in &p.conflicts {
                conflicts.entry(o).or_default().push(i as u32);
            }
        }
        let mut eligible = Vec::with_capacity(c.strata.len());
        let mut member = Vec::with_capacity(c.strata.len());
        for s in &c.strata {
            let needs = s.qualification.as_deref().or(team.qualification.as_deref());
            let m: Vec<bool> = c
                .inspectors
                .iter()
                .map(|p| {
                    let x = p.inspector;
                    c.units.binary_search(&x.unit.as_str()).is_ok()
                        && x.valid_from.as_str() <= date
                        && date <= x.valid_until.as_str()
                        && needs.is_none_or(|q| p.qualifications.binary_search(&q).is_ok())
                })
                .collect();
            eligible.push((0..m.len() as u32).filter(|&i| m[i as usize]).collect::<Vec<u32>>());
            member.push(m);
        }
        let below_cap = eligible.iter().map(|e| e.len() as u64).collect();
        Pools {
            certs: c.inspectors.iter().map(|p| p.inspector.cert.as_str()).collect(),
            eligible,
            member,
            below_cap,
            conflicts,
            load: vec![0; c.inspectors.len()],
            cap: team.load_cap,
        }
    }

    fn conflicted(&self, object: &str, inspector: u32) -> bool {
        self.conflicts.get(object).is_some_and(|v| v.contains(&inspector))
    }

    /// Inspectors of stratum `s` that object `object` may still get.
    fn available(&self, s: usize, object: &str) -> u64 {
        let blocked = self.conflicts.get(object).map_or(0, |v| {
            v.iter().filter(|&&i| self.member[s][i as usize] && self.load[i as usize] < self.cap).count()
        });
        self.below_cap[s] - blocked as u64
    }

    fn add_load(&mut self, i: u32, delta: i64) {
        let before = self.load[i as usize] < self.cap;
        self.load[i as usize] = self.load[i as usize].saturating_add_signed(delta);
        let after = self.load[i as usize] < self.cap;
        if before != after {
            for s in 0..self.member.len() {
                if self.member[s][i as usize] {
                    if after { self.below_cap[s] += 1 } else { self.below_cap[s] -= 1 }
                }
            }
        }
    }

    /// Draws one inspector of stratum `s` by rejection: j = U(|E_s|) until
    /// E_s[j] is acceptable. The caller has checked that one exists.
    fn draw_one(&self, stream: &mut Stream, s: usize, accept: impl Fn(u32) -> bool) -> u32 {
        let e = &self.eligible[s];
        loop {
            let i = e[stream.uniform(e.len() as u64) as usize];
            if accept(i) {
                return i;
            }
        }
    }
}

/// What a draw determines before any randomness: eligibility (§8), the
/// allocation (§9) and the guarantee that teams can always be formed (§11.2).
pub struct Prepared<'c> {
    pub excluded: Vec<Option<ExclusionReason>>,
    /// Objects of each stratum in the pool.
    pub pool: Vec<u64>,
    /// Eligible objects (canonical indices) of each stratum, in canonical order.
    pub candidates: Vec<Vec<u32>>,
    pub quota: Vec<u64>,
    pools: Pools<'c>,
}

/// Runs the seed-independent part of a draw and checks that no seed can make
/// it fail. `commit` refuses a plan that fails here, so a committed draw
/// always completes: nobody can re-roll by letting a draw fail.
pub fn prepare<'c>(c: &Canonical<'c>) -> Result<Prepared<'c>, Infeasible> {
    let excluded = eligibility(c);
    let mut pool = vec![0u64; c.strata.len()];
    let mut candidates: Vec<Vec<u32>> = vec![Vec::new(); c.strata.len()];
    for (i, (o, r)) in c.objects.iter().zip(&excluded).enumerate() {
        let s = o.stratum as usize;
        pool[s] += 1;
        if r.is_none() {
            candidates[s].push(i as u32);
        }
    }
    let eligible: Vec<u64> = candidates.iter().map(|v| v.len() as u64).collect();
    let quota = allocate(&c.input.plan.allocation, &c.strata, &eligible)?;

    // §11.2 guarantee: when any object is staffed, at most ⌊(T − size)/cap⌋
    // inspectors can have reached the cap (T = all places to fill), so at least
    // |B_s| − (its conflicts in B_s) − ⌊(T − size)/cap⌋ remain available.
    let team = &c.input.plan.team;
    let pools = Pools::new(c);
    // Exact integers (SPEC §11.2): T = size · Σ k_s < 2¹²⁸ (Σ k_s ≤ the number of
    // objects < 2⁶⁴), so u128 holds T and ⌊(T − size)/cap⌋ without saturating.
    let places: u128 = quota.iter().map(|&k| u128::from(k)).sum::<u128>() * u128::from(team.size);
    let capped: u128 = places.saturating_sub(u128::from(team.size)) / u128::from(team.load_cap);
    let mut worst_conflicts = vec![0u64; c.strata.len()];
    for (&object, inspectors) in &pools.conflicts {
        if let Some(i) = c.find(object).filter(|&i| excluded[i].is_none()) {
            let s = c.objects[i].stratum as usize;
            let n = inspectors.iter().filter(|&&p| pools.member[s][p as usize]).count() as u64;
            worst_conflicts[s] = worst_conflicts[s].max(n);
        }
    }
    for (s, stratum) in c.strata.iter().enumerate() {
        let qualified = pools.eligible[s].len() as u64;
        // |B_s| − c_s − capped ≥ size, as |B_s| ≥ size + c_s + capped (no negative numbers).
        let needed = u128::from(team.size) + u128::from(worst_conflicts[s]) + capped;
        if quota[s] > 0 && u128::from(qualified) < needed {
            return Err(Infeasible::TeamsNotGuaranteed {
                stratum: stratum.id.clone(),
                qualified,
                conflicted: worst_conflicts[s],
                capped,
                needed: team.size,
            });
        }
    }
    Ok(Prepared { excluded, pool, candidates, quota, pools })
}

/// Runs a draw: §8 eligibility, §9 allocation, §10 selection, §11 teams and recusals.
pub fn run(c: &Canonical<'_>, seed: &[u8; 32], recusals: &[RecusalRequest]) -> Result<Outcome, Infeasible> {
    // §8, §9 and the §11.2 guarantee.
    let Prepared { excluded, pool, mut candidates, quota, mut pools } = prepare(c)?;
    let eligible: Vec<u64> = candidates.iter().map(|v| v.len() as u64).collect();
    let exclusions = c
        .objects
        .iter()
        .zip(&excluded)
        .filter_map(|(o, r)| r.map(|reason| Exclusion { object: o.id_str().to_owned(), reason }))
        .collect();

    // §10: selection, one "objects" stream per stratum.
    for (s, stratum) in c.strata.iter().enumerate() {
        let mut stream = Stream::new(seed, "objects", &stratum.id);
        partial_fisher_yates(&mut stream, &mut candidates[s], quota[s] as usize);
    }

    // §11: teams, strata in canonical order, objects in selection order,
    // one "inspectors" stream per stratum.
    let size = c.input.plan.team.size;
    let mut teams: Vec<Vec<Vec<u32>>> = Vec::with_capacity(c.strata.len());
    for (s, stratum) in c.strata.iter().enumerate() {
        let mut stream = Stream::new(seed, "inspectors", &stratum.id);
        let mut stratum_teams = Vec::with_capacity(quota[s] as usize);
        for (pos, &o) in candidates[s][..quota[s] as usize].iter().enumerate() {
            let object = c.objects[o as usize].id_str();
            let available = pools.available(s, object);
            if available < size {
                return Err(Infeasible::NotEnoughInspectors {
                    stratum: stratum.id.clone(),
                    position: pos as u64 + 1,
                    object: object.to_owned(),
                    needed: size,
                    available,
                });
            }
            let mut team: Vec<u32> = Vec::with_capacity(size as usize);
            while (team.len() as u64) < size {
                let i = pools.draw_one(&mut stream, s, |i| {
                    !team.contains(&i) && pools.load[i as usize] < pools.cap && !pools.conflicted(object, i)
                });
                team.push(i);
            }
            for &i in &team {
                pools.add_load(i, 1);
            }
            stratum_teams.push(team);
        }
        teams.push(stratum_teams);
    }

    // §11.3: recusals, in published order, stream "recusal" keyed by the index.
    let mut recused: Vec<(&str, u32)> = Vec::new();
    let mut replacements = Vec::with_capacity(recusals.len());
    for (n, r) in recusals.iter().enumerate() {
        let fail_at = |field: &str, message: String| Infeasible::Recusal { index: n, field: field.into(), message };
        let fail = |message: String| fail_at("", message);
        let found = candidates.iter().enumerate().find_map(|(s, cand)| {
            cand[..quota[s] as usize].iter().position(|&o| c.objects[o as usize].id_str() == r.object).map(|p| (s, p))
        });
        let Some((s, p)) = found else {
            return Err(fail_at(".object", format!("对象 {} 未被抽中 / object {} was not drawn", r.object, r.object)));
        };
        let Some(slot) = teams[s][p].iter().position(|&i| pools.certs[i as usize] == r.inspector) else {
            return Err(fail_at(
                ".inspector",
                format!(
                    "{} 不在对象 {} 的检查组中 / {} is not on the team of {}",
                    r.inspector, r.object, r.inspector, r.object
                ),
            ));
        };
        // The reason is text (SPEC §2): 1–200 characters, no control
        // characters, no surrounding white space.
        if let Err(e) = crate::input::check_text(&r.reason) {
            return Err(fail_at(".reason", format!("回避须写明理由 / a recusal needs a reason: {e}")));
        }
        if crate::id::check_date(&r.date).is_err() || r.date < c.input.draw_date {
            return Err(fail_at(
                ".date",
                format!("日期 {} 无效或早于抽取日 / date invalid or before the draw", r.date),
            ));
        }
        let gone = teams[s][p][slot];
        recused.push((r.object.as_str(), gone));
        pools.add_load(gone, -1);
        let object = r.object.as_str();
        let team = &teams[s][p];
        let acceptable = |i: u32| {
            !team.contains(&i)
                && !recused.contains(&(object, i))
                && pools.load[i as usize] < pools.cap
                && !pools.conflicted(object, i)
        };
        if !pools.eligible[s].iter().any(|&i| acceptable(i)) {
            return Err(fail(format!(
                "没有可替换的检查人员 / no eligible inspector is left to replace {}",
                r.inspector
            )));
        }
        let mut stream = Stream::new(seed, "recusal", &n.to_string());
        let new = pools.draw_one(&mut stream, s, acceptable);
        pools.add_load(new, 1);
        teams[s][p][slot] = new;
        replacements.push(pools.certs[new as usize].to_owned());
    }

    // The result: each team as it stands after the recusals (each recusal
    // replaced its inspector in the same slot).
    let strata = c
        .strata
        .iter()
        .enumerate()
        .map(|(s, stratum)| StratumResult {
            id: stratum.id.clone(),
            pool: pool[s],
            eligible: eligible[s],
            quota: quota[s],
            selected: candidates[s][..quota[s] as usize]
                .iter()
                .zip(&teams[s])
                .enumerate()
                .map(|(pos, (&o, team))| Selection {
                    position: pos as u64 + 1,
                    object: c.objects[o as usize].id_str().to_owned(),
                    team: team.iter().map(|&i| pools.certs[i as usize].to_owned()).collect(),
                })
                .collect(),
        })
        .collect();
    Ok(Outcome { exclusions, strata, replacements })
}

impl fmt::Display for ExclusionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zh())
    }
}
