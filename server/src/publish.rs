//! Publishing a draw: what happens between what a department hands in and
//! what storage persists. A commitment's input is parsed and committed to
//! again; a draw record is parsed and re-run, and every stored value of the
//! draw (its summary, its page view, the outcome of every object) is built
//! from the verified record, so nothing stored can disagree with it.
//! Storage only persists [`VerifiedCommitment`] and [`VerifiedDraw`], which
//! only this module makes; a second backend implements persistence, not this.

use std::collections::BTreeMap;

use app::calendar::{Calendar, CalendarError, CalendarYear};
use app::types::{DrawStatus, DrawSummary, ExclusionReason, Outcome, Position};
use app::view::DrawView;
use draw::{DrawInput, DrawRecord};

use crate::storage::{Storage, StorageError};

/// Why a submission was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The submitted input or record is not publishable (it does not parse,
    /// does not re-run to itself, or does not follow from its input).
    #[error("{draw_id}: {reason}")]
    Invalid { draw_id: String, reason: String },
    /// Storage refused it (a duplicate, a commitment that differs, an unknown
    /// department) or failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn invalid(draw_id: &str, reason: impl Into<String>) -> PublishError {
    PublishError::Invalid { draw_id: draw_id.to_owned(), reason: reason.into() }
}

/// A commitment as handed in: the committed input exactly as published.
#[derive(Clone, Debug)]
pub struct CommitmentSubmission {
    pub input_json: String,
    /// The department (by code) that publishes it; its name must be the input's `department`.
    pub department_code: String,
    pub plan_code: Option<String>,
    pub committed_at: String,
}

/// A commitment whose value was recomputed from its input.
#[derive(Clone, Debug)]
#[allow(clippy::manual_non_exhaustive)] // `_verified`: built only here, after the checks
pub struct VerifiedCommitment {
    pub draw_id: String,
    pub department_code: String,
    /// The drawing department named by the input.
    pub department_name: String,
    pub plan_code: Option<String>,
    pub title: String,
    pub draw_date: String,
    /// Lowercase hex, computed here (§5 of the spec).
    pub commitment: String,
    pub input_json: String,
    pub committed_at: String,
    /// The publication's entry in the log (docs/LOG.md), appended with it.
    pub log_entry: crate::log::Entry,
    _verified: (),
}

/// Parses the input and commits to it.
pub fn verify_commitment(submission: CommitmentSubmission) -> Result<VerifiedCommitment, PublishError> {
    let input: DrawInput = serde_json::from_str(&submission.input_json)
        .map_err(|e| invalid("?", format!("承诺输入无法读取 / the committed input cannot be read: {e}")))?;
    let commitment = draw::commit(&input)
        .map_err(|e| invalid(&input.draw_id, format!("承诺输入无效 / invalid committed input: {e}")))?;
    let log_entry = crate::log::Entry::of_draw(
        crate::log::Kind::DrawCommitment,
        &input.draw_id,
        &submission.committed_at,
        submission.input_json.as_bytes(),
    )
    .map_err(|e| invalid(&input.draw_id, e.to_string()))?;
    Ok(VerifiedCommitment {
        log_entry,
        draw_id: input.draw_id.clone(),
        department_code: submission.department_code,
        department_name: input.department.clone(),
        plan_code: submission.plan_code,
        title: input.title.clone(),
        draw_date: input.draw_date.clone(),
        commitment: commitment.commitment,
        input_json: submission.input_json,
        committed_at: submission.committed_at,
        _verified: (),
    })
}

/// A draw record as handed in.
#[derive(Clone, Debug)]
pub struct DrawSubmission {
    /// The exact JSON to serve at `/api/draws/{id}/record.json`.
    pub record_json: String,
    /// The drawing department's chain, top-level first, the department itself
    /// last; the record's own (`ancestors` then `department`) when `None`.
    pub department_path: Option<Vec<String>>,
    pub committed_at: Option<String>,
    pub published_at: String,
    /// The annual plan the draw carries out, if any (else the commitment's).
    pub plan_code: Option<String>,
}

/// What happened to one object of the pool in the draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectOutcome {
    pub credit_code: String,
    pub stratum: String,
    pub outcome: Outcome,
    /// When selected.
    pub position: Option<Position>,
    /// The team's certificates separated by `;`, when selected.
    pub team: Option<String>,
    /// When excluded.
    pub exclusion_reason: Option<ExclusionReason>,
}

/// A draw record that re-ran to itself, with everything stored about it built from it.
#[derive(Clone, Debug)]
#[allow(clippy::manual_non_exhaustive)] // `_verified`: built only here, after the checks
pub struct VerifiedDraw {
    /// Id, title, draw date, commitment and randomness kind come from the record.
    pub summary: DrawSummary,
    pub department_path: Vec<String>,
    pub record_json: String,
    /// JSON of the draw page's [`DrawView`] (a cache: rebuilt from the record if it ever does not parse).
    pub view_json: String,
    pub objects: Vec<ObjectOutcome>,
    /// The record's public recusals, in order.
    pub recusals: Vec<draw::record::Recusal>,
    pub plan_code: Option<String>,
    /// The publication's entry in the log (docs/LOG.md), appended with it.
    pub log_entry: crate::log::Entry,
    _verified: (),
}

/// Parses the record, re-runs it from its own input and checks that it
/// matches; builds every stored value of the draw from it.
pub fn verify_draw(submission: DrawSubmission) -> Result<VerifiedDraw, PublishError> {
    let record: DrawRecord = serde_json::from_str(&submission.record_json)
        .map_err(|e| invalid("?", format!("抽取记录无法读取 / the draw record cannot be read: {e}")))?;
    let id = record.input.draw_id.clone();
    let verification = draw::verify(&record);
    if let Some(first) = verification.differences.first() {
        return Err(invalid(
            &id,
            format!("重新计算与记录不一致 / re-running the draw does not give the record: {first}"),
        ));
    }
    if !verification.is_match() {
        return Err(invalid(&id, "记录无法复核 / the record does not verify"));
    }
    let input = &record.input;
    let department_path = submission
        .department_path
        .unwrap_or_else(|| input.ancestors.iter().cloned().chain([input.department.clone()]).collect());
    if department_path.last() != Some(&input.department) {
        return Err(invalid(
            &id,
            format!(
                "部门层级的最后一级应为抽取部门 {} / the department chain must end with the drawing department {}",
                input.department, input.department
            ),
        ));
    }
    let summary = DrawSummary {
        id: id.clone(),
        department: input.department.clone(),
        title: input.title.clone(),
        draw_date: input.draw_date.clone(),
        commitment: record.commitment.clone(),
        committed_at: submission.committed_at,
        published_at: Some(submission.published_at),
        randomness_source: record.randomness.kind().to_owned(),
        status: DrawStatus::Drawn,
    };
    let view_json = serde_json::to_string(&DrawView::from_record(&summary, &record))
        .map_err(|e| invalid(&id, format!("page view not encodable: {e}")))?;
    let log_entry = crate::log::Entry::of_draw(
        crate::log::Kind::Draw,
        &id,
        summary.published_at.as_deref().unwrap_or_default(),
        submission.record_json.as_bytes(),
    )
    .map_err(|e| invalid(&id, e.to_string()))?;
    Ok(VerifiedDraw {
        log_entry,
        objects: outcomes(&record),
        recusals: record.recusals.clone(),
        summary,
        department_path,
        record_json: submission.record_json,
        view_json,
        plan_code: submission.plan_code,
        _verified: (),
    })
}

/// The outcome of every object of the pool, in the pool's order.
fn outcomes(record: &DrawRecord) -> Vec<ObjectOutcome> {
    let mut selected: BTreeMap<&str, (Option<Position>, String)> = BTreeMap::new();
    for s in &record.result.strata {
        for sel in &s.selected {
            selected.insert(&sel.object, (Position::new(sel.position), sel.team.join(";")));
        }
    }
    let excluded: BTreeMap<&str, ExclusionReason> =
        record.result.exclusions.iter().map(|e| (e.object.as_str(), e.reason.into())).collect();
    record
        .input
        .objects
        .iter()
        .map(|o| {
            let (outcome, position, team, exclusion_reason) =
                match (selected.get(o.id.as_str()), excluded.get(o.id.as_str())) {
                    (Some((p, t)), _) => (Outcome::Selected, *p, Some(t.clone()), None),
                    (None, Some(r)) => (Outcome::Excluded, None, None, Some(*r)),
                    (None, None) => (Outcome::NotSelected, None, None, None),
                };
            ObjectOutcome {
                credit_code: o.id.clone(),
                stratum: o.stratum.clone(),
                outcome,
                position,
                team,
                exclusion_reason,
            }
        })
        .collect()
}

/// Verifies a commitment and stores it.
pub async fn publish_commitment(
    storage: &dyn Storage,
    submission: CommitmentSubmission,
) -> Result<VerifiedCommitment, PublishError> {
    let verified = verify_commitment(submission)?;
    storage.insert_commitment(&verified).await?;
    tracing::info!(draw = %verified.draw_id, commitment = %verified.commitment, "commitment published");
    Ok(verified)
}

/// Verifies a draw record and stores it (storage refuses it if a commitment
/// published before names another value).
pub async fn publish_draw(storage: &dyn Storage, submission: DrawSubmission) -> Result<VerifiedDraw, PublishError> {
    let verified = verify_draw(submission)?;
    storage.insert_draw(&verified).await?;
    tracing::info!(draw = %verified.summary.id, objects = verified.objects.len(), "draw published");
    Ok(verified)
}

/// A year of the working-day calendar that passed its checks
/// ([`app::calendar::CalendarYear::check`]), with the document stored for it.
#[derive(Clone, Debug)]
pub struct VerifiedCalendarYear {
    year: i32,
    document: String,
}

impl VerifiedCalendarYear {
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The JSON stored and served for the year.
    pub fn document(&self) -> &str {
        &self.document
    }
}

/// Checks a year of the working-day calendar as its notice can set it out.
pub fn verify_calendar_year(year: &CalendarYear) -> Result<VerifiedCalendarYear, CalendarError> {
    year.check()?;
    let document = serde_json::to_string(year).map_err(|e| CalendarError::Invalid {
        year: year.year,
        field: "year".into(),
        zh: format!("无法编码：{e}"),
        en: format!("cannot be encoded: {e}"),
    })?;
    Ok(VerifiedCalendarYear { year: year.year, document })
}

/// Why a calendar year was not published.
#[derive(Debug, thiserror::Error)]
pub enum CalendarPublishError {
    #[error(transparent)]
    Invalid(#[from] CalendarError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Checks a calendar year and publishes it (a correction when a reason is given); returns its version.
pub async fn publish_calendar_year(
    storage: &dyn Storage,
    year: &CalendarYear,
    published_at: &str,
    correction_reason: Option<&str>,
) -> Result<u32, CalendarPublishError> {
    let verified = verify_calendar_year(year)?;
    let version = storage.insert_calendar_year(&verified, published_at, correction_reason).await?;
    tracing::info!(year = year.year, version, "calendar year published");
    Ok(version)
}

/// Publishes every bundled year (`app/calendar/cn.json`) that is not published yet,
/// so that a new portal counts working days from its first start. Returns the years added.
pub async fn seed_calendar(storage: &dyn Storage, published_at: &str) -> Result<Vec<i32>, CalendarPublishError> {
    let published: Vec<i32> = storage.calendar_years().await?.iter().map(|y| y.calendar.year).collect();
    let mut added = Vec::new();
    for year in Calendar::bundled_years() {
        if !published.contains(&year.year) {
            publish_calendar_year(storage, &year, published_at, None).await?;
            added.push(year.year);
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn record() -> DrawRecord {
        let shape = draw::synthetic::Shape {
            objects: 30,
            strata: 2,
            inspectors: 10,
            select: 5,
            team_size: 2,
            load_cap: 3,
            history: 3,
            seed: 4,
        };
        draw::draw(draw::synthetic::input(&shape), draw::Randomness::Demo { value: "00".repeat(32) }).unwrap()
    }

    fn submission(record: &DrawRecord) -> DrawSubmission {
        DrawSubmission {
            record_json: serde_json::to_string(record).unwrap(),
            department_path: None,
            committed_at: None,
            published_at: "2025-06-01T10:00:00+08:00".to_owned(),
            plan_code: None,
        }
    }

    #[test]
    fn the_stored_summary_and_outcomes_come_from_the_record() {
        let record = record();
        let v = verify_draw(submission(&record)).unwrap();
        assert_eq!(v.summary.id, record.input.draw_id);
        assert_eq!(v.summary.title, record.input.title);
        assert_eq!(v.summary.draw_date, record.input.draw_date);
        assert_eq!(v.summary.commitment, record.commitment);
        assert_eq!(v.summary.department, record.input.department);
        assert_eq!(v.objects.len(), record.input.objects.len());
        let first = &record.result.strata.iter().find(|s| !s.selected.is_empty()).unwrap().selected[0];
        let o = v.objects.iter().find(|o| o.credit_code == first.object).unwrap();
        assert_eq!((o.outcome, o.position), (Outcome::Selected, Position::new(1)));
        assert_eq!(v.objects.iter().filter(|o| o.outcome == Outcome::Excluded).count(), record.result.exclusions.len());
    }

    #[test]
    fn a_record_that_does_not_re_run_to_itself_is_refused_naming_the_draw() {
        let mut record = record();
        let team = &mut record.result.strata[0].selected[0].team;
        team.swap(0, 1);
        let err = verify_draw(submission(&record)).unwrap_err();
        let PublishError::Invalid { draw_id, reason } = err else { panic!("{err:?}") };
        assert_eq!(draw_id, record.input.draw_id);
        assert!(reason.contains("re-running the draw does not give the record"), "{reason}");
    }

    #[test]
    fn a_department_chain_must_end_with_the_drawing_department() {
        let record = record();
        let mut s = submission(&record);
        s.department_path = Some(vec!["某省局".to_owned(), "另一个局".to_owned()]);
        assert!(matches!(verify_draw(s), Err(PublishError::Invalid { .. })));
    }

    #[test]
    fn a_commitment_is_computed_not_taken() {
        let record = record();
        let v = verify_commitment(CommitmentSubmission {
            input_json: serde_json::to_string(&record.input).unwrap(),
            department_code: "150102".to_owned(),
            plan_code: None,
            committed_at: "2025-05-26T09:00:00+08:00".to_owned(),
        })
        .unwrap();
        assert_eq!(v.commitment, record.commitment);
        assert_eq!(
            (v.title.as_str(), v.draw_date.as_str()),
            (record.input.title.as_str(), record.input.draw_date.as_str())
        );
        let err = verify_commitment(CommitmentSubmission {
            input_json: "{\"version\":\"v1\"}".to_owned(),
            department_code: "150102".to_owned(),
            plan_code: None,
            committed_at: "2025-05-26T09:00:00+08:00".to_owned(),
        })
        .unwrap_err();
        assert!(matches!(err, PublishError::Invalid { .. }), "{err:?}");
    }
}
