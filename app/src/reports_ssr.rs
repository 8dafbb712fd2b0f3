//! Serving execution reports (server only): the facts read from storage, the
//! draws re-run, the report computed and kept until something is published.
//!
//! A report of a large department-year reads every result of the year; it is
//! computed once and kept, keyed by the storage's publication mark (records
//! are append-only, so a new row anywhere changes the mark) and today's date
//! (what is overdue changes with the date).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::calendar::Calendar;
use crate::report::{self, DrawFact, Headline, Report, ReportFacts};
use crate::ssr::{DrawSource, PortalSource, StorageError};
use crate::types::{DrawStatus, ListQuery, YearFigures};
use crate::view::{CommitmentView, DrawView, RandomnessKind};

type Key = (String, i64);
type Keys = Arc<Vec<(report::DepartmentRef, i64)>>;
/// A draw's page view and whether its record re-runs to itself (`None`: unreadable).
type RerunDraw = Arc<(DrawView, Option<bool>)>;

/// The reports and re-run draws of one portal (one storage).
pub struct Reports {
    today: Box<dyn Fn() -> String + Send + Sync>,
    reports: Mutex<HashMap<Key, (String, Arc<Report>)>>,
    keys: Mutex<Option<(String, Keys)>>,
    /// Draw id → its view and whether its record re-runs to itself (published draws never change).
    draws: Mutex<HashMap<String, RerunDraw>>,
    /// The home page's figures of this year and last, and the next draw.
    home: Mutex<Option<(String, Arc<HomeFacts>)>>,
}

/// The reports, as Leptos context and server state.
#[derive(Clone)]
pub struct ReportService(pub Arc<Reports>);

impl Reports {
    /// `today` gives today's date in Beijing (`YYYY-MM-DD`).
    pub fn new(today: impl Fn() -> String + Send + Sync + 'static) -> Reports {
        Reports {
            today: Box::new(today),
            reports: Mutex::new(HashMap::new()),
            keys: Mutex::new(None),
            draws: Mutex::new(HashMap::new()),
            home: Mutex::new(None),
        }
    }

    pub fn today(&self) -> String {
        (self.today)()
    }

    /// What a kept value is valid for: the storage's publication mark and today.
    async fn mark(&self, portal: &dyn PortalSource) -> Result<String, StorageError> {
        Ok(format!("{} {}", portal.publication_mark().await?, self.today()))
    }

    /// This year's and last year's figures across the portal and the next draw
    /// awaiting its randomness (the home page), kept until something is
    /// published or the date changes: choosing the next draw parses each
    /// awaiting draw's committed input, which holds its whole pool.
    pub async fn home(
        &self,
        portal: &dyn PortalSource,
        draws: &dyn DrawSource,
    ) -> Result<Arc<HomeFacts>, StorageError> {
        let mark = self.mark(portal).await?;
        if let Some((m, home)) = self.home.lock().ok().and_then(|h| h.clone())
            && m == mark
        {
            return Ok(home);
        }
        let today = self.today();
        let year: i64 = today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let figures = portal.year_figures(&[year, year - 1]).await?;
        let next_draw = next_draw(portal, draws, &today).await?;
        let home = Arc::new(HomeFacts { figures, next_draw });
        if let Ok(mut h) = self.home.lock() {
            *h = Some((mark, home.clone()));
        }
        Ok(home)
    }

    /// The department-years with something to report.
    pub async fn keys(&self, portal: &dyn PortalSource) -> Result<Keys, StorageError> {
        let mark = self.mark(portal).await?;
        self.keys_at(portal, mark).await
    }

    async fn keys_at(&self, portal: &dyn PortalSource, mark: String) -> Result<Keys, StorageError> {
        if let Some((m, keys)) = self.keys.lock().ok().and_then(|k| k.clone())
            && m == mark
        {
            return Ok(keys);
        }
        let keys = Arc::new(portal.report_keys().await?);
        if let Ok(mut k) = self.keys.lock() {
            *k = Some((mark, keys.clone()));
        }
        Ok(keys)
    }

    async fn draw(&self, draws: &dyn DrawSource, id: &str) -> Result<Option<RerunDraw>, StorageError> {
        if let Some(d) = self.draws.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(Some(d));
        }
        let Some(stored) = draws.find_draw(id).await? else { return Ok(None) };
        let entry = match serde_json::from_str::<draw::DrawRecord>(&stored.record_json) {
            Ok(record) => {
                let verified = draw::verify(&record).is_match();
                (DrawView::from_record(&stored.summary, &record), Some(verified))
            }
            Err(e) => {
                tracing::error!(draw = %id, error = %e, "stored record does not parse");
                match draws.find_draw_view(id).await?.and_then(|v| serde_json::from_str::<DrawView>(&v).ok()) {
                    Some(view) => (view, None),
                    None => return Ok(None),
                }
            }
        };
        let entry = Arc::new(entry);
        if let Ok(mut m) = self.draws.lock() {
            m.insert(id.to_owned(), entry.clone());
        }
        Ok(Some(entry))
    }

    /// A department-year's report as of `mark`, `None` for an unknown department.
    async fn report_at(
        &self,
        portal: &dyn PortalSource,
        draws: &dyn DrawSource,
        department: &str,
        year: i64,
        mark: &str,
    ) -> Result<Option<Arc<Report>>, StorageError> {
        let key = (department.to_owned(), year);
        if let Some((m, report)) = self.reports.lock().ok().and_then(|r| r.get(&key).cloned())
            && m == mark
        {
            return Ok(Some(report));
        }
        let Some(rows) = portal.report_rows(department, year).await? else { return Ok(None) };
        let today = self.today();
        let mut facts_draws = Vec::with_capacity(rows.draws.len());
        for (id, plan_code) in &rows.draws {
            if let Some(d) = self.draw(draws, id).await? {
                facts_draws.push(DrawFact { plan_code: plan_code.clone(), view: d.0.clone(), verified: d.1 });
            }
        }
        let (feedback, feedback_inspectors): (Vec<_>, Vec<_>) =
            crate::feedback::published_stats(portal, Some(department), Some(year), None, &today)
                .await?
                .into_iter()
                .partition(|s| s.certificate.is_none());
        let feedback = feedback.into_iter().next();
        let calendar = Calendar::published(&portal.calendar_years().await?);
        let facts = ReportFacts {
            department: rows.department,
            year,
            today,
            plans: rows.plans,
            draws: facts_draws,
            results: rows.results,
            certificates: rows.certificates,
            unprotected: rows.unprotected,
            higher: rows.higher,
            feedback,
            feedback_inspectors,
            declared: rows.declared,
        };
        let report = Arc::new(report::compute(&facts, &calendar));
        if let Ok(mut r) = self.reports.lock() {
            r.insert(key, (mark.to_owned(), report.clone()));
        }
        Ok(Some(report))
    }

    /// The headline of every department-year (filters: a department and its
    /// sub-departments, a year).
    pub async fn headlines(
        &self,
        portal: &dyn PortalSource,
        draws: &dyn DrawSource,
        departments: Option<&[String]>,
        year: Option<i64>,
    ) -> Result<Vec<Headline>, StorageError> {
        let mark = self.mark(portal).await?;
        self.headlines_at(portal, draws, departments, year, &mark).await
    }

    async fn headlines_at(
        &self,
        portal: &dyn PortalSource,
        draws: &dyn DrawSource,
        departments: Option<&[String]>,
        year: Option<i64>,
        mark: &str,
    ) -> Result<Vec<Headline>, StorageError> {
        let keys = self.keys_at(portal, mark.to_owned()).await?;
        let mut out = Vec::new();
        for (d, y) in keys.iter() {
            if year.is_some_and(|year| year != *y) || departments.is_some_and(|ds| !ds.contains(&d.code)) {
                continue;
            }
            if let Some(report) = self.report_at(portal, draws, &d.code, *y, mark).await? {
                out.push(report.headline());
            }
        }
        Ok(out)
    }

    /// A published department-year's report with the headlines of all the
    /// department's years (oldest first), all as of one publication mark;
    /// `None` when the department has nothing that year.
    pub async fn page(
        &self,
        portal: &dyn PortalSource,
        draws: &dyn DrawSource,
        department: &str,
        year: i64,
    ) -> Result<Option<(Arc<Report>, Vec<Headline>)>, StorageError> {
        let mark = self.mark(portal).await?;
        let keys = self.keys_at(portal, mark.clone()).await?;
        if !keys.iter().any(|(d, y)| d.code == department && *y == year) {
            return Ok(None);
        }
        let Some(report) = self.report_at(portal, draws, department, year, &mark).await? else { return Ok(None) };
        let mut trend =
            self.headlines_at(portal, draws, Some(std::slice::from_ref(&department.to_owned())), None, &mark).await?;
        trend.sort_by_key(|h| h.year);
        Ok(Some((report, trend)))
    }
}

/// What the home page shows beyond the latest publications.
#[derive(Clone, Debug)]
pub struct HomeFacts {
    /// This year's figures, then last year's.
    pub figures: Vec<YearFigures>,
    /// The awaiting draw whose randomness comes first from today on (else the latest past one).
    pub next_draw: Option<CommitmentView>,
}

/// The awaiting draw whose randomness comes first from `today` on; if all are
/// past, the one whose randomness came last.
async fn next_draw(
    portal: &dyn PortalSource,
    draws: &dyn DrawSource,
    today: &str,
) -> Result<Option<CommitmentView>, StorageError> {
    let query = ListQuery {
        status: Some(DrawStatus::AwaitingRandomness.as_str().to_owned()),
        per_page: Some("100".to_owned()),
        ..ListQuery::default()
    };
    let mut next: Option<(bool, String, CommitmentView)> = None;
    for summary in portal.search_draws(&query).await?.rows {
        let Some(committed) = draws.find_commitment(&summary.id).await? else { continue };
        let Ok(input) = serde_json::from_str::<draw::DrawInput>(&committed.input_json) else { continue };
        let view = CommitmentView::from_input(&committed.summary, &input);
        // When the randomness comes (UTC time or date), as text that sorts.
        let when = match &view.randomness {
            RandomnessKind::Drand { time, .. } => time.clone(),
            RandomnessKind::PublicNumbers { date, .. } => date.clone(),
            RandomnessKind::Demo { .. } => view.draw_date.clone(),
        };
        let upcoming = when.get(..10).is_some_and(|d| d >= today);
        let better = match &next {
            None => true,
            Some((best_upcoming, best, _)) => match (upcoming, *best_upcoming) {
                (true, false) => true,
                (false, true) => false,
                (true, true) => when < *best,
                (false, false) => when > *best,
            },
        };
        if better {
            next = Some((upcoming, when, view));
        }
    }
    Ok(next.map(|n| n.2))
}
