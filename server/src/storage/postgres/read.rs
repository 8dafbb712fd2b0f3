//! Reading published records (the pages and the JSON API) on PostgreSQL: the
//! translation of `storage/sqlite/read.rs`, which answers exactly as SQLite
//! does for the same rows (same rows, order, pages, counts). The lists'
//! filters, page arithmetic and search-text helpers are SQLite's, shared in
//! `storage::listing` (written with `?`, numbered here by [`numbered`]).
//!
//! Where the SQL differs, and why:
//! * SQLite's `LIKE` folds ASCII case: here `ILIKE`, which on the `COLLATE "C"`
//!   columns folds ASCII case only, too.
//! * Name search: SQLite's FTS5 tables become the trigram index on
//!   `enterprises.name` and the table `enterprise_bigrams` (see the
//!   migration's header), folding case as FTS5 does: [`trigram_filter`],
//!   [`bigram_forms`]. What remains different: SQLite's two-character index
//!   (unicode61) also removes diacritics (`fe` finds `Café` there, not here),
//!   and SQLite fails where this answers: a name search of 3 characters or
//!   more with a NUL (FTS5: "unterminated string"; here: no name), and a
//!   `LIKE` pattern over 50,000 bytes ("LIKE or GLOB pattern too complex").
//! * PostgreSQL text cannot hold the character NUL (SQLite's can), and a
//!   search text from an address may contain one: a value compared with `=`
//!   that holds one is bound as NULL (equal to nothing, as in SQLite, where no
//!   stored value holds one), and a `LIKE` pattern is cut at its first NUL, as
//!   SQLite's `LIKE` reads it (a C string).
//! * `json_extract` → `#>>`, `json_each(?)` → `= ANY($n)`, `instr` → `strpos`,
//!   `date('now', '+8 hours')` → [`BEIJING_TODAY`], `IFNULL(SUM(bool))` →
//!   `COUNT(*) FILTER`; `NULLS FIRST`/`LAST` where SQLite's order of NULLs
//!   (first ascending) differs from PostgreSQL's (last ascending).

use app::ssr::{DrawSource, PortalSource, StorageError};
use app::types::{
    Department, DepartmentDetail, DrawObjectRow, DrawSummary, EnterpriseDetail, EnterpriseRow, InspectorRow, ItemName,
    ItemRow, Latest, ListQuery, Paged, PlanDetail, PlanLineRow, PlanRow, RecusalRow, ResultCategory, ResultRow,
    StoredCommitment, StoredDraw, YearFigures,
};
use sqlx::Postgres;
use sqlx::postgres::{PgArguments, PgRow};

use super::PgStorage;
use super::trigrams::TrigramStats;
use crate::storage::listing::*;

/// Today's date in Beijing (`YYYY-MM-DD`), as SQLite's `date('now', '+8 hours')`.
const BEIJING_TODAY: &str = "to_char(timezone('UTC', now()) + interval '8 hours', 'YYYY-MM-DD')";

/// The columns of a [`RecusalRow`] (with the current directory names) from
/// `draw_recusals r JOIN draws d`, and its `seq`.
const RECUSAL_COLUMNS: &str = "r.draw_id, d.title AS draw_title, r.credit_code, \
     (SELECT e.name FROM enterprises e WHERE e.credit_code = r.credit_code ORDER BY e.version DESC LIMIT 1) AS enterprise, \
     r.inspector, (SELECT i.name FROM inspectors i WHERE i.certificate = r.inspector ORDER BY i.version DESC LIMIT 1) \
       AS inspector_name, \
     r.replacement, (SELECT i.name FROM inspectors i WHERE i.certificate = r.replacement ORDER BY i.version DESC LIMIT 1) \
       AS replacement_name, \
     r.reason, r.date, r.seq";
const RECUSAL_FROM: &str = "draw_recusals r JOIN draws d ON d.id = r.draw_id";

/// Columns of a [`DrawSummary`] from `draws d JOIN departments dep`.
const DRAWN_COLUMNS: &str = "d.id, dep.name AS department, d.title, d.draw_date, d.commitment, \
     d.committed_at, d.published_at, d.record_json::json #>> '{randomness,source}' AS randomness_source, \
     'drawn' AS status";

/// Columns of a [`DrawSummary`] from `draw_commitments c JOIN departments dep`.
const AWAITING_COLUMNS: &str = "c.draw_id AS id, dep.name AS department, c.title, c.draw_date, c.commitment, \
     c.committed_at, NULL AS published_at, \
     c.input_json::json #>> '{randomness_source,source}' AS randomness_source, \
     'awaiting_randomness' AS status";

#[async_trait::async_trait]
impl DrawSource for PgStorage {
    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_draws")]
    async fn list_draws(&self) -> Result<Vec<DrawSummary>, StorageError> {
        let sql = format!(
            "SELECT * FROM ( \
               SELECT {DRAWN_COLUMNS} FROM draws d JOIN departments dep ON dep.id = d.department_id \
               UNION ALL \
               SELECT {AWAITING_COLUMNS} FROM draw_commitments c JOIN departments dep ON dep.id = c.department_id \
               WHERE NOT EXISTS (SELECT 1 FROM draws d WHERE d.id = c.draw_id) \
             ) u ORDER BY draw_date DESC, id"
        );
        Ok(sqlx::query_as::<_, DrawSummary>(&sql).fetch_all(&mut *self.reader().await?).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_draw")]
    async fn find_draw(&self, id: &str) -> Result<Option<StoredDraw>, StorageError> {
        let sql = format!(
            "SELECT {DRAWN_COLUMNS}, d.record_json FROM draws d \
             JOIN departments dep ON dep.id = d.department_id WHERE d.id = $1"
        );
        Ok(sqlx::query_as::<_, StoredDraw>(&sql).bind(key(id)).fetch_optional(&mut *self.reader().await?).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_draw_view")]
    async fn find_draw_view(&self, id: &str) -> Result<Option<String>, StorageError> {
        let view: Option<Option<String>> = sqlx::query_scalar("SELECT view_json FROM draws WHERE id = $1")
            .bind(key(id))
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(view.flatten())
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_commitment")]
    async fn find_commitment(&self, id: &str) -> Result<Option<StoredCommitment>, StorageError> {
        let sql = format!(
            "SELECT {AWAITING_COLUMNS}, c.input_json FROM draw_commitments c \
             JOIN departments dep ON dep.id = c.department_id WHERE c.draw_id = $1"
        );
        Ok(sqlx::query_as::<_, StoredCommitment>(&sql).bind(key(id)).fetch_optional(&mut *self.reader().await?).await?)
    }
}

// ---------------------------------------------------------------------------
// The portal's lists and detail pages
// ---------------------------------------------------------------------------

/// A text compared with `=` (or `IN`): itself, or, when it holds a NUL
/// character, NULL. PostgreSQL cannot bind such a text, and no stored value
/// holds one, so in SQLite it equals nothing too; `x = NULL` is not true either.
fn text(s: impl Into<String>) -> Arg {
    let s = s.into();
    if s.contains('\0') { Arg::NoText } else { Arg::Text(s) }
}

/// [`text`] for a query bound directly.
pub(super) fn key(s: &str) -> Option<&str> {
    (!s.contains('\0')).then_some(s)
}

/// A `LIKE` pattern as SQLite's `LIKE` reads it: up to its first NUL character
/// (SQLite matches the pattern as a C string: `%ab` + NUL + `c%` is `%ab`).
/// Escaping puts a backslash before a wildcard, never before a NUL, so the cut
/// never leaves a lone escape character.
fn as_sqlite_reads(pattern: String) -> String {
    match pattern.find('\0') {
        Some(at) => pattern[..at].to_owned(),
        None => pattern,
    }
}

/// The argument of `x ILIKE ? ESCAPE '\'` for SQLite's `x LIKE ? ESCAPE '\'` with `like_pattern(q)`.
fn like(q: &str) -> Arg {
    Arg::Text(as_sqlite_reads(like_pattern(q)))
}

/// PostgreSQL's writing of the shared list filters (SQLite's `LIKE`, `CAST`,
/// `instr` and `date('now', '+8 hours')` translated).
const PG: Dialect =
    Dialect { text, pattern: like, like: "ILIKE", seq_text: "i.seq::text", position: "strpos", today: BEIJING_TODAY };

type QueryAs<'q, T> = sqlx::query::QueryAs<'q, Postgres, T, PgArguments>;
type QueryScalar<'q, T> = sqlx::query::QueryScalar<'q, Postgres, T, PgArguments>;

fn bind_as<'q, T>(mut q: QueryAs<'q, T>, args: &[Arg]) -> QueryAs<'q, T> {
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Int(i) => q.bind(*i),
            Arg::NoText => q.bind(None::<String>),
        };
    }
    q
}

fn bind_scalar<'q, T>(mut q: QueryScalar<'q, T>, args: &[Arg]) -> QueryScalar<'q, T> {
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Int(i) => q.bind(*i),
            Arg::NoText => q.bind(None::<String>),
        };
    }
    q
}

/// `expired`: [`BEIJING_TODAY`] written out.
const INSPECTOR_COLUMNS: &str = "dep.code AS department_code, dep.name AS department, i.certificate, i.version, \
     i.name, i.unit, i.post, i.qualifications, i.valid_from, i.valid_until, \
     (i.valid_until < to_char(timezone('UTC', now()) + interval '8 hours', 'YYYY-MM-DD')) AS expired, \
     i.status, i.published_at, i.correction_reason";

/// The 0/1 flags are BIGINT, as in SQLite; the row's fields are booleans (SQLite: non-zero).
const ENTERPRISE_COLUMNS: &str = "e.credit_code, e.version, e.name, dep.code AS department_code, \
     dep.name AS department, e.region, e.industry, e.licences, (e.abnormal <> 0) AS abnormal, \
     (e.serious_violation <> 0) AS serious_violation, (e.penalised <> 0) AS penalised, \
     e.credit_class, e.published_at, e.correction_reason";

/// Columns of a [`DrawSummary`] from `draws d JOIN departments dep LEFT JOIN draw_sources s`
/// (the randomness source without parsing the record).
const DRAWN_LIST_COLUMNS: &str = "d.id, dep.name AS department, d.title, d.draw_date, d.commitment, \
     d.committed_at, d.published_at, \
     COALESCE(s.randomness_source, d.record_json::json #>> '{randomness,source}') AS randomness_source, \
     'drawn' AS status";
/// Whether `c` is a letter with another case beyond ASCII (É, Ａ, Σ…).
fn cased_beyond_ascii(c: char) -> bool {
    !c.is_ascii() && (c.to_lowercase().ne(std::iter::once(c)) || c.to_uppercase().ne(std::iter::once(c)))
}

/// The condition on enterprises `e` that SQLite's trigram match
/// `enterprise_names MATCH '"q"'` is: the name contains `q`, case folded.
///
/// FTS5's trigram tokenizer folds the case of every letter, `ILIKE` on a
/// `COLLATE "C"` column that of ASCII letters only. When `q` has a letter
/// with a case beyond ASCII, the trigram index narrows the names with a
/// pattern in which each such letter is `_` (any one character), and
/// `lower()` in the database's character type (UTF-8, see the migration)
/// compares the rest. A text with a NUL character is in no name (SQLite's
/// FTS5 refuses it: "unterminated string").
///
/// The trigram index is asked only about the selective trigrams of `q` that
/// `stats` picks (see `trigrams.rs`), each its own condition `e.name ILIKE
/// '%t%'`; the whole pattern is then checked on `(e.name || '')`, which the
/// index does not answer, so PostgreSQL checks it on the rows found.
fn trigram_filter(q: &str, stats: &TrigramStats) -> (String, Vec<Arg>) {
    if q.contains('\0') {
        return ("FALSE".to_owned(), Vec::new());
    }
    let selective = stats.selective(q);
    let name = if selective.is_some() { "(e.name || '')" } else { "e.name" };
    let (clause, args) = if !q.chars().any(cased_beyond_ascii) {
        (format!("{name} ILIKE ? ESCAPE '\\'"), vec![Arg::Text(like_pattern(q))])
    } else {
        let mut relaxed = String::from("%");
        for c in q.chars() {
            if cased_beyond_ascii(c) {
                relaxed.push('_');
            } else {
                if matches!(c, '%' | '_' | '\\') {
                    relaxed.push('\\');
                }
                relaxed.push(c);
            }
        }
        relaxed.push('%');
        (
            format!(
                "({name} ILIKE ? ESCAPE '\\' AND lower(e.name COLLATE \"default\") LIKE lower(? COLLATE \"default\") ESCAPE '\\')"
            ),
            vec![Arg::Text(relaxed), Arg::Text(like_pattern(q))],
        )
    };
    let Some(trigrams) = selective else { return (clause, args) };
    // A selected trigram holds letters, digits and Chinese characters only: no `%`, `_` or `\`.
    let indexed = vec!["e.name ILIKE ?"; trigrams.len()].join(" AND ");
    let args = trigrams.into_iter().map(|t| Arg::Text(format!("%{t}%"))).chain(args).collect();
    (format!("({indexed} AND {clause})"), args)
}

/// The rows of `enterprise_bigrams` that SQLite's bigram match
/// `enterprise_bigrams MATCH '"q"'` finds, for a query of two letters or digits.
///
/// SQLite's unicode61 tokenizer folds the case of every letter; the table
/// holds each pair of a name with its ASCII letters lower-cased (as
/// `postgres::write::name_bigrams` and `storage::copy` write it). So the
/// query is every case of its two characters, each as stored: one form for
/// Chinese or ASCII text, up to nine for letters with cases beyond ASCII.
fn bigram_forms(q: &str) -> Vec<String> {
    let cases = |c: char| -> Vec<char> {
        let mut out = vec![c.to_ascii_lowercase()];
        for mapped in [c.to_lowercase().collect::<Vec<char>>(), c.to_uppercase().collect()] {
            if let [m] = mapped[..] {
                let m = m.to_ascii_lowercase();
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        out
    };
    let chars: Vec<char> = q.chars().collect();
    let mut forms = Vec::new();
    if let [a, b] = chars[..] {
        for x in cases(a) {
            for y in cases(b) {
                forms.push([x, y].iter().collect());
            }
        }
    }
    forms
}

/// `enterprise_bigrams WHERE …` for [`bigram_forms`].
fn bigram_where(q: &str) -> (String, Vec<Arg>) {
    let forms = bigram_forms(q);
    let marks = vec!["?"; forms.len()].join(", ");
    (format!("enterprise_bigrams WHERE bigram IN ({marks})"), forms.into_iter().map(Arg::Text).collect())
}

/// The condition on enterprises `e` that the name index `index` answers for `q`.
fn name_filter(index: NameIndex, q: &str, stats: &TrigramStats) -> (String, Vec<Arg>) {
    match index {
        NameIndex::Trigram => trigram_filter(q, stats),
        NameIndex::Bigram => {
            let (from, args) = bigram_where(q);
            (format!("e.id IN (SELECT enterprise_id FROM {from})"), args)
        }
    }
}

impl PgStorage {
    /// Adds a name search on enterprises `e` (substring), as SQLite's: the
    /// index when it finds at most [`NAME_MATCH_LIMIT`] names, else a scan in
    /// list order. Returns whether the matches can be counted cheaply.
    #[tracing::instrument(level = "debug", skip_all, name = "storage.enterprise_name_filter")]
    async fn enterprise_name_filter(&self, w: &mut Where, q: &str) -> Result<bool, StorageError> {
        if let Some(index) = name_index(q)
            && self.name_matches(index, q, NAME_MATCH_LIMIT).await? <= NAME_MATCH_LIMIT
        {
            let (clause, args) = name_filter(index, q, &*self.trigram_stats().await?);
            w.push(clause, args);
            Ok(true)
        } else {
            w.push("e.name ILIKE ? ESCAPE '\\'", [like(q)]);
            Ok(false)
        }
    }

    /// How many names (of any version) contain `q` according to `index`,
    /// counted up to `limit` + 1.
    #[tracing::instrument(level = "debug", skip_all, name = "storage.name_matches")]
    async fn name_matches(&self, index: NameIndex, q: &str, limit: i64) -> Result<i64, StorageError> {
        // SQLite counts FTS rows: enterprise versions. A version may have several forms of the pair.
        let (select, args) = match index {
            NameIndex::Trigram => {
                let (clause, args) = trigram_filter(q, &*self.trigram_stats().await?);
                (format!("SELECT 1 FROM enterprises e WHERE {clause}"), args)
            }
            NameIndex::Bigram => {
                let (from, args) = bigram_where(q);
                (format!("SELECT DISTINCT enterprise_id FROM {from}"), args)
            }
        };
        let sql = numbered(&format!("SELECT COUNT(*) FROM ({select} LIMIT {}) m", limit + 1));
        Ok(bind_scalar(sqlx::query_scalar(&sql), &args).fetch_one(&mut *self.reader().await?).await?)
    }

    /// The credit codes of the names (of any version) that contain `q`
    /// according to `index`, when there are at most `limit` such names
    /// (counted as [`Self::name_matches`] counts them); `None` when more.
    /// The names are read once, and the results then by code.
    #[tracing::instrument(level = "debug", skip_all, name = "storage.matching_codes")]
    async fn matching_codes(&self, index: NameIndex, q: &str, limit: i64) -> Result<Option<Vec<String>>, StorageError> {
        let (clause, args) = name_filter(index, q, &*self.trigram_stats().await?);
        let sql = numbered(&format!("SELECT e.credit_code FROM enterprises e WHERE {clause} LIMIT {}", limit + 1));
        let codes: Vec<String> =
            bind_scalar(sqlx::query_scalar(&sql), &args).fetch_all(&mut *self.reader().await?).await?;
        if codes.len() as i64 > limit {
            return Ok(None);
        }
        Ok(Some(codes.into_iter().collect::<std::collections::BTreeSet<String>>().into_iter().collect()))
    }

    /// One page of a list (see SQLite's `paged`): the page's keys on `base`
    /// alone, then those rows with their joins; counted up to [`COUNT_CAP`].
    #[tracing::instrument(level = "debug", skip_all, name = "storage.paged")]
    async fn paged<T>(
        &self,
        list: &ListSql<'_>,
        w: &Where,
        query: &ListQuery,
        count: bool,
    ) -> Result<Paged<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        if let Some(after) = query.after() {
            // Walking the whole list: by position (publication order), newest first.
            let (sql, w) = list.walk_sql(w, after, query.per_page());
            let keys: Vec<i64> =
                bind_scalar(sqlx::query_scalar(&numbered(&sql)), &w.args).fetch_all(&mut *self.reader().await?).await?;
            return self.walked_rows(list, query, keys).await;
        }
        let sql = numbered(&list.page_sql(w, query));
        let rows = bind_as(sqlx::query_as::<_, T>(&sql), &w.args).fetch_all(&mut *self.reader().await?).await?;
        let counted = if needs_count(query, rows.len(), count) {
            let sql = numbered(&list.count_sql(w));
            let n: i64 = bind_scalar(sqlx::query_scalar(&sql), &w.args).fetch_one(&mut *self.reader().await?).await?;
            Some(counted(n))
        } else {
            None
        };
        Ok(make_paged(query, rows, counted))
    }

    /// The rows of `keys` in `order` (bound as an array).
    async fn rows_of_keys<T>(&self, list: &ListSql<'_>, keys: &[i64], order: &str) -> Result<Vec<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let ListSql { select, from, key, .. } = list;
        let sql = format!("SELECT {select} FROM {from} WHERE {key} = ANY($1) ORDER BY {order}");
        Ok(sqlx::query_as::<_, T>(&sql).bind(keys).fetch_all(&mut *self.reader().await?).await?)
    }

    /// The rows of `keys` (newest first), as a stretch of a walk (see [`walked`]).
    async fn walked_rows<T>(
        &self,
        list: &ListSql<'_>,
        query: &ListQuery,
        keys: Vec<i64>,
    ) -> Result<Paged<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let rows = self.rows_of_keys(list, &keys, &format!("{} DESC", list.key)).await?;
        Ok(walked(query, &keys, rows))
    }

    /// A page of a list whose matches are few (found through a name index):
    /// every matching key is read once, in list order, which both counts them
    /// and finds the page; then only the page's rows are read.
    async fn paged_by_keys<T>(&self, list: &ListSql<'_>, w: &Where, query: &ListQuery) -> Result<Paged<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let sql = numbered(&list.keys_sql(w));
        let keys: Vec<i64> =
            bind_scalar(sqlx::query_scalar(&sql), &w.args).fetch_all(&mut *self.reader().await?).await?;
        let page = match keys_page(query, &keys) {
            KeysPage::Walk(walk) => return self.walked_rows(list, query, walk).await,
            KeysPage::Page(page) => page,
        };
        let rows = if page.is_empty() { Vec::new() } else { self.rows_of_keys(list, &page, list.order).await? };
        Ok(make_paged(query, rows, Some(keys.len() as u64)))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.current_results")]
    async fn current_results(&self, query: &ListQuery) -> Result<Paged<ResultRow>, StorageError> {
        let mut w = Where::default();
        w.push(RESULT_CURRENT, []);
        let mut count = true;
        let mut by_names = false;
        if let Some(q) = query.q() {
            match name_search(q) {
                NameSearch::Code(code) => w.push("r.credit_code = ?", [text(code)]),
                // Few matching names: take their credit codes from the index. Very many
                // (a common part like 有限公司): scan the newest results, which finds a page quickly.
                NameSearch::Index(index) => match self.matching_codes(index, q, RESULT_NAME_MATCH_LIMIT).await? {
                    Some(codes) => {
                        by_names = true;
                        // Credit codes are letters and digits: no comma.
                        w.push("r.credit_code = ANY(string_to_array(?, ','))", [text(codes.join(","))]);
                    }
                    None => {
                        result_name_scan(&PG, &mut w, q);
                        count = false;
                    }
                },
                NameSearch::Scan => {
                    result_name_scan(&PG, &mut w, q);
                    count = false;
                }
            }
        }
        let list = results_list(&PG, &mut w, query);
        if by_names {
            return self.paged_by_keys(&list, &w, query).await;
        }
        self.paged(&list, &w, query, count).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.current_plans")]
    async fn current_plans(&self, query: &ListQuery) -> Result<Paged<PlanRow>, StorageError> {
        let (w, list) = plans_list(&PG, query);
        self.paged(&list, &w, query, true).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.draws_page")]
    async fn draws_page(&self, query: &ListQuery) -> Result<Paged<DrawSummary>, StorageError> {
        let search = DrawsSearch::new(&PG, query);
        // The page's keys from the two date indexes, merged; then only those rows.
        let Some((sql, args)) = search.keys_sql(query, ["0::BIGINT", "1::BIGINT"]) else {
            return Ok(make_paged(query, Vec::new(), None));
        };
        let keys = bind_as(sqlx::query_as::<_, (String, String, i64)>(&numbered(&sql)), &args)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        let mut found: Vec<DrawSummary> = Vec::with_capacity(keys.len());
        for (kind, sql) in [
            (
                0,
                format!(
                    "SELECT {DRAWN_LIST_COLUMNS} FROM draws d JOIN departments dep ON dep.id = d.department_id \
                     LEFT JOIN draw_sources s ON s.draw_id = d.id WHERE d.id = ANY($1)"
                ),
            ),
            (
                1,
                format!(
                    "SELECT {AWAITING_COLUMNS} FROM draw_commitments c JOIN departments dep ON dep.id = c.department_id \
                     WHERE c.draw_id = ANY($1)"
                ),
            ),
        ] {
            let ids = draw_ids(&keys, kind);
            if ids.is_empty() {
                continue;
            }
            found.extend(sqlx::query_as::<_, DrawSummary>(&sql).bind(ids).fetch_all(&mut *self.reader().await?).await?);
        }
        let rows = draws_in_order(&keys, &found);
        let counted = if draws_need_count(query, rows.len()) {
            let mut n = 0u64;
            for (sql, args) in search.count_sqls() {
                let k: i64 = bind_scalar(sqlx::query_scalar(&numbered(&sql)), args)
                    .fetch_one(&mut *self.reader().await?)
                    .await?;
                n += counted(k);
            }
            Some(n)
        } else {
            None
        };
        Ok(make_paged(query, rows, counted))
    }
    #[tracing::instrument(level = "debug", skip_all, name = "storage.draws_of_plan")]
    async fn draws_of_plan(&self, plan_code: &str) -> Result<Vec<DrawSummary>, StorageError> {
        let sql = format!(
            "SELECT {DRAWN_LIST_COLUMNS} FROM draws d JOIN departments dep ON dep.id = d.department_id \
             LEFT JOIN draw_sources s ON s.draw_id = d.id WHERE d.plan_code = $1 \
             UNION ALL \
             SELECT {AWAITING_COLUMNS} FROM draw_commitments c JOIN departments dep ON dep.id = c.department_id \
             WHERE c.plan_code = $1 AND NOT EXISTS (SELECT 1 FROM draws x WHERE x.id = c.draw_id) \
             ORDER BY draw_date DESC, id"
        );
        Ok(sqlx::query_as::<_, DrawSummary>(&sql).bind(key(plan_code)).fetch_all(&mut *self.reader().await?).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.department_rows")]
    async fn department_rows(&self, filter: &str, args: &[Arg]) -> Result<Vec<Department>, StorageError> {
        // SQLite sorts NULL first (`d.code IS NULL` already puts them last; NULLS FIRST only says so).
        let sql = numbered(&format!(
            "SELECT d.code, d.name, d.level, p.code AS parent_code, p.name AS parent_name, \
             (SELECT COUNT(*) FROM items i WHERE i.department_id = d.id AND i.status = 'active' AND {ITEM_CURRENT}) \
             AS item_count \
             FROM departments d LEFT JOIN departments p ON p.id = d.parent_id {filter} \
             ORDER BY CASE d.level WHEN 'province' THEN 0 WHEN 'city' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, \
             d.code IS NULL, d.code NULLS FIRST, d.name"
        ));
        Ok(bind_as(sqlx::query_as::<_, Department>(&sql), args).fetch_all(&mut *self.reader().await?).await?)
    }
}

#[async_trait::async_trait]
impl PortalSource for PgStorage {
    #[tracing::instrument(level = "debug", skip_all, name = "storage.latest")]
    async fn latest(&self, n: u32) -> Result<Latest, StorageError> {
        let first = ListQuery { per_page: Some(n.to_string()), ..ListQuery::default() };
        // Draws are the portal's main publication: a few more of them.
        let draws = ListQuery { per_page: Some((n * 2).to_string()), ..ListQuery::default() };
        Ok(Latest {
            draws: self.draws_page(&draws).await?.rows,
            results: self.current_results(&first).await?.rows,
            plans: self.current_plans(&first).await?.rows,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_departments")]
    async fn list_departments(&self) -> Result<Vec<Department>, StorageError> {
        self.department_rows("", &[]).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_department")]
    async fn find_department(&self, code: &str) -> Result<Option<DepartmentDetail>, StorageError> {
        let Some(department) = self.department_rows("WHERE d.code = ?", &[text(code)]).await?.into_iter().next() else {
            return Ok(None);
        };
        let children = self.department_rows("WHERE p.code = ?", &[text(code)]).await?;
        let sql = numbered(&department_items_sql());
        let items = sqlx::query_as::<_, ItemRow>(&sql).bind(key(code)).fetch_all(&mut *self.reader().await?).await?;
        Ok(Some(DepartmentDetail { department, children, items }))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_items")]
    async fn list_items(&self, query: &ListQuery) -> Result<Paged<ItemRow>, StorageError> {
        let (w, list) = items_list(&PG, query);
        self.paged(&list, &w, query, true).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.item_versions")]
    async fn item_versions(&self, department: &str, item: &str) -> Result<Vec<ItemRow>, StorageError> {
        let sql = numbered(&item_versions_sql());
        Ok(sqlx::query_as::<_, ItemRow>(&sql)
            .bind(key(department))
            .bind(key(item))
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_inspectors")]
    async fn list_inspectors(&self, query: &ListQuery) -> Result<Paged<InspectorRow>, StorageError> {
        let (w, list) = inspectors_list(&PG, query, INSPECTOR_COLUMNS);
        self.paged(&list, &w, query, true).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.inspector_versions")]
    async fn inspector_versions(&self, certificate: &str) -> Result<Vec<InspectorRow>, StorageError> {
        let sql = format!(
            "SELECT {INSPECTOR_COLUMNS} FROM inspectors i JOIN departments dep ON dep.id = i.department_id \
             WHERE i.certificate = $1 ORDER BY i.version DESC"
        );
        Ok(sqlx::query_as::<_, InspectorRow>(&sql).bind(key(certificate)).fetch_all(&mut *self.reader().await?).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.inspector_facets")]
    async fn inspector_facets(&self) -> Result<(Vec<String>, Vec<String>), StorageError> {
        let sql =
            format!("SELECT DISTINCT i.unit FROM inspectors i WHERE {INSPECTOR_CURRENT} ORDER BY i.unit LIMIT 500");
        let units: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut *self.reader().await?).await?;
        // SQLite's `SELECT DISTINCT … LIMIT 2000` (no ORDER BY) scans the table in
        // rowid order and keeps each list the first time it sees it: the same 2000 here.
        let sql = format!(
            "SELECT q FROM (SELECT i.qualifications AS q, MIN(i.id) AS first FROM inspectors i \
             WHERE {INSPECTOR_CURRENT} GROUP BY i.qualifications) l ORDER BY first LIMIT 2000"
        );
        let lists: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut *self.reader().await?).await?;
        Ok((units, qualifications(&lists)))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_plans")]
    async fn list_plans(&self, query: &ListQuery) -> Result<Paged<PlanRow>, StorageError> {
        self.current_plans(query).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_plan")]
    async fn find_plan(&self, code: &str) -> Result<Option<PlanDetail>, StorageError> {
        let sql = numbered(&plan_versions_sql());
        let versions = sqlx::query_as::<_, PlanRow>(&sql).bind(key(code)).fetch_all(&mut *self.reader().await?).await?;
        if versions.is_empty() {
            return Ok(None);
        }
        let lines = sqlx::query_as::<_, PlanLineRow>(&numbered(PLAN_LINES_SQL))
            .bind(key(code))
            .fetch_all(&mut *self.reader().await?)
            .await?;
        let draws = self.draws_of_plan(code).await?;
        Ok(Some(PlanDetail { versions, lines, draws }))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.search_draws")]
    async fn search_draws(&self, query: &ListQuery) -> Result<Paged<DrawSummary>, StorageError> {
        self.draws_page(query).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_results")]
    async fn list_results(&self, query: &ListQuery) -> Result<Paged<ResultRow>, StorageError> {
        self.current_results(query).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.result_versions")]
    async fn result_versions(&self, code: &str) -> Result<Vec<ResultRow>, StorageError> {
        let sql = numbered(&result_versions_sql());
        Ok(sqlx::query_as::<_, ResultRow>(&sql).bind(key(code)).fetch_all(&mut *self.reader().await?).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_enterprises")]
    async fn list_enterprises(&self, query: &ListQuery) -> Result<Paged<EnterpriseRow>, StorageError> {
        let mut w = Where::default();
        w.push(ENTERPRISE_CURRENT, []);
        let mut count = true;
        if let Some(q) = query.q() {
            match as_credit_code(q) {
                Some(code) => w.push("e.credit_code = ?", [text(code)]),
                None => count = self.enterprise_name_filter(&mut w, q).await?,
            }
        }
        department_filter(&PG, &mut w, "e.department_id", query);
        let list = enterprises_list(ENTERPRISE_COLUMNS);
        self.paged(&list, &w, query, count).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_enterprise")]
    async fn find_enterprise(&self, credit_code: &str) -> Result<Option<EnterpriseDetail>, StorageError> {
        let code = credit_code.to_ascii_uppercase();
        let code = key(&code);
        let sql = format!(
            "SELECT {ENTERPRISE_COLUMNS} FROM enterprises e JOIN departments dep ON dep.id = e.department_id \
             WHERE e.credit_code = $1 ORDER BY e.version DESC"
        );
        let versions =
            sqlx::query_as::<_, EnterpriseRow>(&sql).bind(code).fetch_all(&mut *self.reader().await?).await?;
        let draws = sqlx::query_as::<_, DrawObjectRow>(&numbered(ENTERPRISE_DRAWS_SQL))
            .bind(code)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        let sql = numbered(&enterprise_results_sql());
        let results = sqlx::query_as::<_, ResultRow>(&sql).bind(code).fetch_all(&mut *self.reader().await?).await?;
        if versions.is_empty() && draws.is_empty() && results.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {RECUSAL_COLUMNS} FROM {RECUSAL_FROM} WHERE r.credit_code = $1 ORDER BY r.date DESC, r.draw_id, r.seq"
        );
        let recusals = sqlx::query_as::<_, RecusalRow>(&sql).bind(code).fetch_all(&mut *self.reader().await?).await?;
        Ok(Some(EnterpriseDetail { versions, draws, results, recusals }))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.directory_names")]
    async fn directory_names(
        &self,
        credit_codes: &[String],
        certificates: &[String],
    ) -> Result<app::view::DirectoryNames, StorageError> {
        // The current version of each (the highest). A code with a NUL is in no directory.
        async fn names(
            conn: &mut sqlx::PgConnection,
            table: &str,
            key: &str,
            codes: &[String],
        ) -> Result<std::collections::BTreeMap<String, String>, StorageError> {
            let codes: Vec<&str> = codes.iter().map(String::as_str).filter(|c| !c.contains('\0')).collect();
            if codes.is_empty() {
                return Ok(std::collections::BTreeMap::new());
            }
            let sql = format!(
                "SELECT t.{key}, t.name FROM {table} t WHERE t.{key} = ANY($1) \
                 AND t.version = (SELECT MAX(version) FROM {table} WHERE {key} = t.{key})"
            );
            Ok(sqlx::query_as::<_, (String, String)>(&sql).bind(codes).fetch_all(conn).await?.into_iter().collect())
        }
        // One connection for both: a connection taken inside the struct literal
        // lives until the literal's end, so taking a second one there held two
        // at once, and 16 such requests waited on each other for the whole pool
        // (the mixed load at 64 clients stalled until the acquire timeout).
        let mut conn = self.reader().await?;
        let enterprises = names(&mut conn, "enterprises", "credit_code", credit_codes).await?;
        let inspectors = names(&mut conn, "inspectors", "certificate", certificates).await?;
        Ok(app::view::DirectoryNames { enterprises, inspectors })
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.calendar_years")]
    async fn calendar_years(&self) -> Result<Vec<app::calendar::PublishedYear>, StorageError> {
        let rows: Vec<(i64, String, String, Option<String>)> =
            sqlx::query_as(CALENDAR_SQL).fetch_all(&mut *self.reader().await?).await?;
        rows.into_iter().map(calendar_year).collect()
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.feedback_facts")]
    async fn feedback_facts(
        &self,
        department: Option<&str>,
        year: Option<i64>,
        certificate: Option<&str>,
        closed_before: &str,
    ) -> Result<Vec<app::feedback::FeedbackFact>, StorageError> {
        self.feedback_fact_rows(department, year, certificate, closed_before).await
    }

    async fn demo_feedback_codes(&self) -> Result<Vec<app::feedback::DemoCode>, StorageError> {
        self.demo_code_rows().await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.inspector_recusals")]
    async fn inspector_recusals(&self, certificate: &str) -> Result<Vec<RecusalRow>, StorageError> {
        // SQLite merges the two parts, each sorted by date and draw, taking the
        // first part's row first on a tie, and sorts each part stably from its
        // index scan (by draw and `seq`): `part, seq` make that order explicit.
        let sql = format!(
            "SELECT {RECUSAL_COLUMNS}, 0 AS part FROM {RECUSAL_FROM} WHERE r.inspector = $1 \
             UNION ALL SELECT {RECUSAL_COLUMNS}, 1 AS part FROM {RECUSAL_FROM} \
             WHERE r.replacement = $1 AND r.inspector <> $1 \
             ORDER BY date DESC, draw_id, part, seq"
        );
        Ok(sqlx::query_as::<_, RecusalRow>(&sql).bind(key(certificate)).fetch_all(&mut *self.reader().await?).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.report_keys")]
    async fn report_keys(&self) -> Result<Vec<(app::report::DepartmentRef, i64)>, StorageError> {
        self.report_key_rows().await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.report_rows")]
    async fn report_rows(&self, department: &str, year: i64) -> Result<Option<app::report::ReportRows>, StorageError> {
        self.report_fact_rows(department, year).await
    }

    async fn publication_mark(&self) -> Result<String, StorageError> {
        self.mark().await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.log_entry")]
    async fn log_entry(
        &self,
        kind: &str,
        key: &str,
        version: i64,
    ) -> Result<Option<app::types::LogEntryView>, StorageError> {
        // As SQLite's: the stored entry itself (the log's own table), not the published row.
        let row: Option<(i64, Vec<u8>)> = sqlx::query_as(&numbered(LOG_ENTRY_SQL))
            .bind(self::key(kind))
            .bind(self::key(key))
            .bind(version)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        let Some((index, entry)) = row else { return Ok(None) };
        let cosigned: Vec<(String, i64)> =
            sqlx::query_as(&numbered(COSIGNED_SQL)).bind(index).fetch_all(&mut *self.reader().await?).await?;
        Ok(Some(log_entry_view(index, &entry, cosigned)))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.year_figures")]
    async fn year_figures(&self, years: &[i64]) -> Result<Vec<YearFigures>, StorageError> {
        let problems = problem_categories();
        // SQLite: IFNULL(SUM(condition), 0), a count of the rows where it holds.
        let results_sql = format!(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE r.category = ANY($1)), \
             COUNT(*) FILTER (WHERE r.rectification_status <> 'none'), \
             COUNT(*) FILTER (WHERE r.rectification_status = 'done') \
             FROM results r WHERE {RESULT_CURRENT} AND r.inspected_on >= $2 AND r.inspected_on < $3"
        );
        let mut out = Vec::with_capacity(years.len());
        for &year in years {
            let (from, to) = year_range(year);
            let counts = sqlx::query_as::<_, (i64, i64, i64, i64)>(&results_sql)
                .bind(&problems)
                .bind(&from)
                .bind(&to)
                .fetch_one(&mut *self.reader().await?)
                .await?;
            let draws: i64 = sqlx::query_scalar(&numbered(YEAR_DRAWS_SQL))
                .bind(&from)
                .bind(&to)
                .fetch_one(&mut *self.reader().await?)
                .await?;
            out.push(year_figures(year, draws, counts));
        }
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.draw_links")]
    async fn draw_links(&self, draw_id: &str) -> Result<app::view::DrawLinks, StorageError> {
        let plan: Option<(String, String)> = sqlx::query_as(&numbered(&draw_plan_sql()))
            .bind(key(draw_id))
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        let results: Vec<(String, String, ResultCategory)> = sqlx::query_as(&numbered(&draw_results_sql()))
            .bind(key(draw_id))
            .fetch_all(&mut *self.reader().await?)
            .await?;
        Ok(app::view::DrawLinks {
            plan,
            results: results.into_iter().map(|(code, result, category)| (code, (result, category))).collect(),
        })
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.item_names")]
    async fn item_names(&self, codes: &[String]) -> Result<Vec<ItemName>, StorageError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        // A code with a NUL names no item. SQLite sorts a NULL code first.
        let codes: Vec<&str> = codes.iter().map(String::as_str).filter(|c| !c.contains('\0')).collect();
        let sql = format!(
            "SELECT dep.code AS department_code, i.item_code, i.name FROM items i \
             JOIN departments dep ON dep.id = i.department_id \
             WHERE i.item_code = ANY($1) AND {ITEM_CURRENT} ORDER BY dep.code NULLS FIRST, i.item_code"
        );
        Ok(sqlx::query_as::<_, ItemName>(&sql).bind(codes).fetch_all(&mut *self.reader().await?).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_stop_where_sqlite_stops() {
        assert_eq!(as_sqlite_reads(like_pattern("ab\0c")), "%ab");
        assert_eq!(as_sqlite_reads(like_pattern("\\\0")), "%\\\\");
        assert!(matches!(text("a\0b"), Arg::NoText));
        assert_eq!(key("a\0"), None);
    }

    #[test]
    fn a_pair_is_looked_up_in_every_case_as_stored() {
        let forms = |q: &str| bigram_forms(q).into_iter().collect::<std::collections::BTreeSet<String>>();
        assert_eq!(bigram_forms("食品"), ["食品"]);
        assert_eq!(bigram_forms("Ab"), ["ab"]);
        assert_eq!(forms("Ａb"), ["ａb", "Ａb"].map(String::from).into());
        assert_eq!(forms("σΟ"), ["σο", "σΟ", "Σο", "ΣΟ"].map(String::from).into());
        assert_eq!(bigram_forms("abc"), Vec::<String>::new());
    }

    #[test]
    fn a_letter_with_case_beyond_ascii_is_compared_by_lower_case() {
        let none = TrigramStats::default();
        assert_eq!(trigram_filter("食品厂", &none).1.len(), 1);
        assert_eq!(trigram_filter("abc", &none).1.len(), 1);
        let (clause, args) = trigram_filter("Café_", &none);
        assert!(clause.contains("lower("), "{clause}");
        // The index is asked about "Caf" only (é is no trigram character); the relaxed pattern
        // and the lower-cased one are checked on the rows found.
        assert!(matches!(&args[0], Arg::Text(p) if p == "%Caf%"), "{args:?}");
        assert!(matches!(&args[1], Arg::Text(p) if p == "%Caf_\\_%"), "{args:?}");
        assert_eq!(args.len(), 3);
        assert_eq!(trigram_filter("ab\0c", &none).0, "FALSE");
    }

    #[test]
    fn the_whole_pattern_is_checked_where_the_index_does_not_answer() {
        // Without figures every trigram is as rare as the next: the first is enough.
        let (clause, args) = trigram_filter("丰台岭市启航", &TrigramStats::default());
        assert_eq!(clause, "(e.name ILIKE ? AND (e.name || '') ILIKE ? ESCAPE '\\')");
        assert!(
            matches!(&args[..], [Arg::Text(t), Arg::Text(q)] if t == "%丰台岭%" && q == "%丰台岭市启航%"),
            "{args:?}"
        );
    }
}
