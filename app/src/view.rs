//! What the draw page shows, computed on the server from a stored draw record.
//!
//! The page does not ship the whole record (the full object pool) to the browser
//! as hydration data; the verify button downloads the record itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::types::{DrawSummary, ExclusionReason};

/// The head of a record's recusal chain, when every recusal is bound into it.
pub fn recusal_head(record: &draw::DrawRecord) -> Option<String> {
    if record.recusals.is_empty() || record.recusals.iter().any(|r| r.prev.is_none()) {
        return None;
    }
    let mut seed = [0u8; 32];
    hex::decode_to_slice(&record.seed, &mut seed).ok()?;
    draw::record::recusal_chain(&seed, &record.recusals).last().map(hex::encode)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawView {
    pub id: String,
    pub title: String,
    pub department: String,
    pub unit: String,
    pub ancestors: Vec<String>,
    pub draw_date: String,
    pub published_at: String,
    pub commitment: String,
    pub objects_root: String,
    pub committed_at: Option<String>,
    pub randomness: RandomnessView,
    pub seed: String,
    pub object_count: u64,
    pub inspector_count: u64,
    pub team_size: u64,
    pub allocation: AllocationView,
    pub directed: Option<Vec<String>>,
    pub strata: Vec<StratumView>,
    /// Number of excluded objects per reason code, in reason order.
    pub exclusions: Vec<ExclusionCount>,
    pub recusals: Vec<RecusalView>,
    /// The head of the recusal chain (SPEC §11.3), when the recusals are bound into one.
    #[serde(default)]
    pub recusal_head: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllocationView {
    Ratio,
    Total { count: u64, min_one_per_stratum: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RandomnessKind {
    /// drand quicknet round, with the time it is emitted (UTC).
    Drand {
        round: u64,
        time: String,
    },
    PublicNumbers {
        description: String,
        date: String,
    },
    /// Chosen by the publisher: not a public beacon.
    Demo {
        label: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomnessView {
    pub kind: RandomnessKind,
    /// The published randomness: hex bytes (drand, demo) or an RFC 3797 key string.
    pub value: String,
}

impl RandomnessView {
    pub fn is_demo(&self) -> bool {
        matches!(self.kind, RandomnessKind::Demo { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumView {
    pub id: String,
    pub name: String,
    pub ratio: String,
    pub pool: u64,
    pub eligible: u64,
    pub quota: u64,
    pub selected: Vec<SelectedView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectedView {
    pub position: u64,
    /// 统一社会信用代码.
    pub object: String,
    /// Certificate numbers of the inspection team.
    pub team: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionCount {
    pub reason: ExclusionReason,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecusalView {
    pub object: String,
    /// Certificate number of the inspector who recused.
    pub inspector: String,
    /// Certificate number of the replacement drawn from the recusal stream.
    pub replacement: String,
    pub reason: String,
    pub date: String,
}

impl DrawView {
    /// Builds the page view of a record.
    pub fn from_record(summary: &DrawSummary, record: &draw::DrawRecord) -> DrawView {
        let input = &record.input;
        let randomness = RandomnessView {
            kind: match &input.randomness_source {
                draw::RandomnessSource::DrandQuicknet { round } => RandomnessKind::Drand {
                    round: *round,
                    time: draw::id::format_utc(draw::randomness::quicknet_round_time(*round)),
                },
                draw::RandomnessSource::PublicNumbers { description, date } => {
                    RandomnessKind::PublicNumbers { description: description.clone(), date: date.clone() }
                }
                draw::RandomnessSource::Demo { label } => RandomnessKind::Demo { label: label.clone() },
            },
            value: match &record.randomness {
                draw::Randomness::DrandQuicknet { randomness, .. } => randomness.clone(),
                draw::Randomness::PublicNumbers { key } => key.clone(),
                draw::Randomness::Demo { value } => value.clone(),
            },
        };
        let names: BTreeMap<&str, &draw::Stratum> = input.plan.strata.iter().map(|s| (s.id.as_str(), s)).collect();
        let strata = record
            .result
            .strata
            .iter()
            .map(|s| {
                let plan = names.get(s.id.as_str());
                StratumView {
                    id: s.id.clone(),
                    name: plan.map(|p| p.name.clone()).unwrap_or_else(|| s.id.clone()),
                    ratio: plan.map(|p| format!("{}/{}", p.ratio.num, p.ratio.den)).unwrap_or_default(),
                    pool: s.pool,
                    eligible: s.eligible,
                    quota: s.quota,
                    selected: s
                        .selected
                        .iter()
                        .map(|sel| SelectedView {
                            position: sel.position,
                            object: sel.object.clone(),
                            team: sel.team.clone(),
                        })
                        .collect(),
                }
            })
            .collect();
        let mut counts: BTreeMap<draw::ExclusionReason, u64> = BTreeMap::new();
        for e in &record.result.exclusions {
            *counts.entry(e.reason).or_default() += 1;
        }
        DrawView {
            id: summary.id.clone(),
            title: input.title.clone(),
            department: input.department.clone(),
            unit: input.unit.clone(),
            ancestors: input.ancestors.clone(),
            draw_date: input.draw_date.clone(),
            published_at: summary.published_at.clone().unwrap_or_default(),
            commitment: record.commitment.clone(),
            objects_root: record.objects_root.clone(),
            committed_at: record.committed_at.clone().or_else(|| summary.committed_at.clone()),
            randomness,
            seed: record.seed.clone(),
            object_count: input.objects.len() as u64,
            inspector_count: input.inspectors.len() as u64,
            team_size: input.plan.team.size,
            allocation: match &input.plan.allocation {
                draw::Allocation::Ratio => AllocationView::Ratio,
                draw::Allocation::Total { count, min_one_per_stratum } => {
                    AllocationView::Total { count: *count, min_one_per_stratum: *min_one_per_stratum }
                }
            },
            directed: input.plan.directed.as_ref().map(|d| d.categories.clone()),
            strata,
            exclusions: counts
                .into_iter()
                .map(|(reason, count)| ExclusionCount { reason: reason.into(), count })
                .collect(),
            recusals: record
                .recusals
                .iter()
                .map(|r| RecusalView {
                    object: r.request.object.clone(),
                    inspector: r.request.inspector.clone(),
                    replacement: r.replacement.clone(),
                    reason: r.request.reason.clone(),
                    date: r.request.date.clone(),
                })
                .collect(),
            recusal_head: recusal_head(record),
        }
    }

    /// Number of selected objects over all strata.
    pub fn selected_count(&self) -> usize {
        self.strata.iter().map(|s| s.selected.len()).sum()
    }
}

/// What `/draws/{id}` shows: a completed draw, or a commitment still awaiting its randomness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DrawPageData {
    Drawn(Box<DrawView>, DirectoryNames, DrawLinks),
    Awaiting(Box<CommitmentView>),
}

/// Names from the directories (检查对象名录库, 执法检查人员名录库) for the codes a
/// draw record holds: shown beside the codes, marked as coming from the
/// directories (the record itself has only the codes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryNames {
    /// Credit code → the enterprise's current name.
    pub enterprises: BTreeMap<String, String>,
    /// Certificate number → the inspector's current name.
    pub inspectors: BTreeMap<String, String>,
}

/// What the portal has published about a draw besides its record: the plan it
/// was made under and the published results of the selected enterprises.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawLinks {
    /// The plan's code and current title.
    pub plan: Option<(String, String)>,
    /// Credit code → the current result of its inspection under this draw (code, category).
    pub results: BTreeMap<String, (String, crate::types::ResultCategory)>,
}

impl DrawView {
    /// The selected enterprises' credit codes and their teams' certificates.
    pub fn codes(&self) -> (Vec<String>, Vec<String>) {
        let selected = self.strata.iter().flat_map(|s| &s.selected);
        let objects = selected.clone().map(|s| s.object.clone()).collect();
        let mut certs: Vec<String> = selected.flat_map(|s| s.team.iter().cloned()).collect();
        certs.sort();
        certs.dedup();
        (objects, certs)
    }
}

/// A draw that is committed and waits for its public randomness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentView {
    pub id: String,
    pub title: String,
    pub department: String,
    pub unit: String,
    pub draw_date: String,
    pub commitment: String,
    pub committed_at: Option<String>,
    /// The randomness the draw waits for (its value is empty: not known yet).
    pub randomness: RandomnessKind,
    pub object_count: u64,
    pub inspector_count: u64,
    pub team_size: u64,
}

impl CommitmentView {
    pub fn from_input(summary: &DrawSummary, input: &draw::DrawInput) -> CommitmentView {
        CommitmentView {
            id: summary.id.clone(),
            title: input.title.clone(),
            department: input.department.clone(),
            unit: input.unit.clone(),
            draw_date: input.draw_date.clone(),
            commitment: summary.commitment.clone(),
            committed_at: summary.committed_at.clone(),
            randomness: match &input.randomness_source {
                draw::RandomnessSource::DrandQuicknet { round } => RandomnessKind::Drand {
                    round: *round,
                    time: draw::id::format_utc(draw::randomness::quicknet_round_time(*round)),
                },
                draw::RandomnessSource::PublicNumbers { description, date } => {
                    RandomnessKind::PublicNumbers { description: description.clone(), date: date.clone() }
                }
                draw::RandomnessSource::Demo { label } => RandomnessKind::Demo { label: label.clone() },
            },
            object_count: input.objects.len() as u64,
            inspector_count: input.inspectors.len() as u64,
            team_size: input.plan.team.size,
        }
    }
}

/// A time shown to people: Beijing time and UTC, from an RFC 3339 string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownTime {
    pub unix: i64,
    /// `YYYY-MM-DD HH:MM:SS` in Beijing time (UTC+8).
    pub beijing: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub utc: String,
}

impl ShownTime {
    pub fn parse(rfc3339: &str) -> Option<ShownTime> {
        draw::id::parse_rfc3339(rfc3339).map(ShownTime::from_unix)
    }

    pub fn from_unix(unix: i64) -> ShownTime {
        ShownTime { unix, beijing: draw::id::format_beijing(unix), utc: draw::id::format_utc(unix) }
    }
}

impl RandomnessKind {
    /// When the randomness came (or comes) into existence, if it has a precise time.
    pub fn time(&self) -> Option<ShownTime> {
        match self {
            RandomnessKind::Drand { time, .. } => ShownTime::parse(time),
            RandomnessKind::PublicNumbers { .. } | RandomnessKind::Demo { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_beijing_time_and_utc() {
        let t = ShownTime::parse("2025-06-01T02:00:00Z").unwrap();
        assert_eq!(t.beijing, "2025-06-01 10:00:00");
        assert_eq!(t.utc, "2025-06-01T02:00:00Z");
        assert_eq!(ShownTime::parse("2025-06-01T10:00:00+08:00"), Some(t));
        assert_eq!(ShownTime::parse("yesterday"), None);
    }
}
