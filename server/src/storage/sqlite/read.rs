//! Reading published records (the pages and the JSON API).

use app::ssr::{DrawSource, PortalSource, StorageError};
use app::types::{
    Department, DepartmentDetail, DrawObjectRow, DrawSummary, EnterpriseDetail, EnterpriseRow, InspectorRow, ItemName,
    ItemRow, Latest, ListQuery, Paged, PlanDetail, PlanLineRow, PlanRow, RecusalRow, ResultCategory, ResultRow,
    StoredCommitment, StoredDraw, YearFigures,
};
use sqlx::Sqlite;
use sqlx::sqlite::{SqliteArguments, SqliteRow};

use super::SqliteStorage;
use crate::storage::listing::*;

/// A [`RecusalRow`] from `draw_recusals r` with the current directory names.
const RECUSAL_SELECT: &str = "SELECT r.draw_id, d.title AS draw_title, r.credit_code, \
     (SELECT e.name FROM enterprises e WHERE e.credit_code = r.credit_code ORDER BY e.version DESC LIMIT 1) AS enterprise, \
     r.inspector, (SELECT i.name FROM inspectors i WHERE i.certificate = r.inspector ORDER BY i.version DESC LIMIT 1) \
       AS inspector_name, \
     r.replacement, (SELECT i.name FROM inspectors i WHERE i.certificate = r.replacement ORDER BY i.version DESC LIMIT 1) \
       AS replacement_name, \
     r.reason, r.date FROM draw_recusals r JOIN draws d ON d.id = r.draw_id";

/// Columns of a [`DrawSummary`] from `draws d JOIN departments dep`.
const DRAWN_COLUMNS: &str = "d.id, dep.name AS department, d.title, d.draw_date, d.commitment, \
     d.committed_at, d.published_at, json_extract(d.record_json, '$.randomness.source') AS randomness_source, \
     'drawn' AS status";

/// Columns of a [`DrawSummary`] from `draw_commitments c JOIN departments dep`.
const AWAITING_COLUMNS: &str = "c.draw_id AS id, dep.name AS department, c.title, c.draw_date, c.commitment, \
     c.committed_at, NULL AS published_at, \
     json_extract(c.input_json, '$.randomness_source.source') AS randomness_source, \
     'awaiting_randomness' AS status";

#[async_trait::async_trait]
impl DrawSource for SqliteStorage {
    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_draws")]
    async fn list_draws(&self) -> Result<Vec<DrawSummary>, StorageError> {
        let sql = format!(
            "SELECT * FROM ( \
               SELECT {DRAWN_COLUMNS} FROM draws d JOIN departments dep ON dep.id = d.department_id \
               UNION ALL \
               SELECT {AWAITING_COLUMNS} FROM draw_commitments c JOIN departments dep ON dep.id = c.department_id \
               WHERE NOT EXISTS (SELECT 1 FROM draws d WHERE d.id = c.draw_id) \
             ) ORDER BY draw_date DESC, id"
        );
        Ok(sqlx::query_as::<_, DrawSummary>(&sql).fetch_all(&self.pool).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_draw")]
    async fn find_draw(&self, id: &str) -> Result<Option<StoredDraw>, StorageError> {
        let sql = format!(
            "SELECT {DRAWN_COLUMNS}, d.record_json FROM draws d \
             JOIN departments dep ON dep.id = d.department_id WHERE d.id = ?"
        );
        Ok(sqlx::query_as::<_, StoredDraw>(&sql).bind(id).fetch_optional(&self.pool).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_draw_view")]
    async fn find_draw_view(&self, id: &str) -> Result<Option<String>, StorageError> {
        let view: Option<Option<String>> =
            sqlx::query_scalar("SELECT view_json FROM draws WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        Ok(view.flatten())
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_commitment")]
    async fn find_commitment(&self, id: &str) -> Result<Option<StoredCommitment>, StorageError> {
        let sql = format!(
            "SELECT {AWAITING_COLUMNS}, c.input_json FROM draw_commitments c \
             JOIN departments dep ON dep.id = c.department_id WHERE c.draw_id = ?"
        );
        Ok(sqlx::query_as::<_, StoredCommitment>(&sql).bind(id).fetch_optional(&self.pool).await?)
    }
}

// ---------------------------------------------------------------------------
// The portal's lists and detail pages
// ---------------------------------------------------------------------------

/// A text bound as itself (SQLite stores and compares any text).
fn text(s: impl Into<String>) -> Arg {
    Arg::Text(s.into())
}

/// The argument of `LIKE ? ESCAPE '\'` for a substring.
fn pattern(q: &str) -> Arg {
    Arg::Text(like_pattern(q))
}

/// SQLite's writing of the shared list filters.
const SQLITE: Dialect = Dialect {
    text: Arg::Text,
    pattern,
    like: "LIKE",
    seq_text: "CAST(i.seq AS TEXT)",
    position: "instr",
    today: "date('now', '+8 hours')",
};

type QueryAs<'q, T> = sqlx::query::QueryAs<'q, Sqlite, T, SqliteArguments<'q>>;
type QueryScalar<'q, T> = sqlx::query::QueryScalar<'q, Sqlite, T, SqliteArguments<'q>>;

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

/// An FTS5 phrase that matches `text` as a substring (trigram tokenizer).
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The FTS5 table of a name index.
fn fts_table(index: NameIndex) -> &'static str {
    match index {
        NameIndex::Trigram => "enterprise_names",
        NameIndex::Bigram => "enterprise_bigrams",
    }
}

const INSPECTOR_COLUMNS: &str = "dep.code AS department_code, dep.name AS department, i.certificate, i.version, \
     i.name, i.unit, i.post, i.qualifications, i.valid_from, i.valid_until, \
     (i.valid_until < date('now', '+8 hours')) AS expired, i.status, i.published_at, i.correction_reason";

const ENTERPRISE_COLUMNS: &str = "e.credit_code, e.version, e.name, dep.code AS department_code, \
     dep.name AS department, e.region, e.industry, e.licences, e.abnormal, e.serious_violation, e.penalised, \
     e.credit_class, e.published_at, e.correction_reason";

/// Columns of a [`DrawSummary`] from `draws d JOIN departments dep LEFT JOIN draw_sources s`
/// (the randomness source without parsing the record).
const DRAWN_LIST_COLUMNS: &str = "d.id, dep.name AS department, d.title, d.draw_date, d.commitment, \
     d.committed_at, d.published_at, \
     COALESCE(s.randomness_source, json_extract(d.record_json, '$.randomness.source')) AS randomness_source, \
     'drawn' AS status";

impl SqliteStorage {
    /// Adds a name search on enterprises `e` (substring). From 3 characters the
    /// trigram index finds the names; when it finds very many (a common part
    /// like 有限公司), or below 3 characters, the names are scanned in list
    /// order instead, which fills a page quickly. Returns whether the matches
    /// can be counted cheaply (not for a scan).
    #[tracing::instrument(level = "debug", skip_all, name = "storage.enterprise_name_filter")]
    async fn enterprise_name_filter(&self, w: &mut Where, q: &str) -> Result<bool, StorageError> {
        if let Some(index) = name_index(q)
            && self.name_matches(index, q, NAME_MATCH_LIMIT).await? <= NAME_MATCH_LIMIT
        {
            let index = fts_table(index);
            w.push(format!("e.id IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)"), [text(fts_phrase(q))]);
            Ok(true)
        } else {
            w.push("e.name LIKE ? ESCAPE '\\'", [pattern(q)]);
            Ok(false)
        }
    }

    /// How many names (of any version) contain `q` according to `index`,
    /// counted up to `limit` + 1.
    #[tracing::instrument(level = "debug", skip_all, name = "storage.name_matches")]
    async fn name_matches(&self, index: NameIndex, q: &str, limit: i64) -> Result<i64, StorageError> {
        let index = fts_table(index);
        let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM {index} WHERE {index} MATCH ? LIMIT {})", limit + 1);
        Ok(sqlx::query_scalar(&sql).bind(fts_phrase(q)).fetch_one(&self.pool).await?)
    }

    /// One page of a list. The page's keys are found on `base` alone (an index
    /// scan for the common filters, without reading the rows it skips), then
    /// only those rows are read with their joins. `count`: whether to count the
    /// matches (up to [`COUNT_CAP`]); filters that must read every row skip it.
    #[tracing::instrument(level = "debug", skip_all, name = "storage.paged")]
    async fn paged<T>(
        &self,
        list: &ListSql<'_>,
        w: &Where,
        query: &ListQuery,
        count: bool,
    ) -> Result<Paged<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
    {
        if let Some(after) = query.after() {
            // Walking the whole list: by position (publication order), newest first.
            let (sql, w) = list.walk_sql(w, after, query.per_page());
            let keys: Vec<i64> = bind_scalar(sqlx::query_scalar(&sql), &w.args).fetch_all(&self.pool).await?;
            return self.walked_rows(list, query, keys).await;
        }
        let sql = list.page_sql(w, query);
        let rows = bind_as(sqlx::query_as::<_, T>(&sql), &w.args).fetch_all(&self.pool).await?;
        let counted = if needs_count(query, rows.len(), count) {
            let n: i64 = bind_scalar(sqlx::query_scalar(&list.count_sql(w)), &w.args).fetch_one(&self.pool).await?;
            Some(counted(n))
        } else {
            None
        };
        Ok(make_paged(query, rows, counted))
    }

    /// The rows of `keys` in `order` (SQLite reads the keys as a JSON array).
    async fn rows_of_keys<T>(&self, list: &ListSql<'_>, keys: &[i64], order: &str) -> Result<Vec<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
    {
        let ListSql { select, from, key, .. } = list;
        let sql =
            format!("SELECT {select} FROM {from} WHERE {key} IN (SELECT value FROM json_each(?)) ORDER BY {order}");
        Ok(sqlx::query_as::<_, T>(&sql).bind(serde_json::to_string(keys)?).fetch_all(&self.pool).await?)
    }

    /// The rows of `keys` (newest first), as a stretch of a walk (see [`walked`]).
    async fn walked_rows<T>(
        &self,
        list: &ListSql<'_>,
        query: &ListQuery,
        keys: Vec<i64>,
    ) -> Result<Paged<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
    {
        let rows = self.rows_of_keys(list, &keys, &format!("{} DESC", list.key)).await?;
        Ok(walked(query, &keys, rows))
    }

    /// A page of a list whose matches are few (found through a name index):
    /// every matching key is read once, in list order, which both counts them
    /// and finds the page; then only the page's rows are read.
    async fn paged_by_keys<T>(&self, list: &ListSql<'_>, w: &Where, query: &ListQuery) -> Result<Paged<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
    {
        let keys: Vec<i64> = bind_scalar(sqlx::query_scalar(&list.keys_sql(w)), &w.args).fetch_all(&self.pool).await?;
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
                NameSearch::Index(index)
                    if self.name_matches(index, q, RESULT_NAME_MATCH_LIMIT).await? <= RESULT_NAME_MATCH_LIMIT =>
                {
                    by_names = true;
                    let index = fts_table(index);
                    w.push(
                        format!(
                            "r.credit_code IN (SELECT e.credit_code FROM enterprises e WHERE e.id IN \
                             (SELECT rowid FROM {index} WHERE {index} MATCH ?))"
                        ),
                        [text(fts_phrase(q))],
                    );
                }
                _ => {
                    result_name_scan(&SQLITE, &mut w, q);
                    count = false;
                }
            }
        }
        let list = results_list(&SQLITE, &mut w, query);
        if by_names {
            return self.paged_by_keys(&list, &w, query).await;
        }
        self.paged(&list, &w, query, count).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.current_plans")]
    async fn current_plans(&self, query: &ListQuery) -> Result<Paged<PlanRow>, StorageError> {
        let (w, list) = plans_list(&SQLITE, query);
        self.paged(&list, &w, query, true).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.draws_page")]
    async fn draws_page(&self, query: &ListQuery) -> Result<Paged<DrawSummary>, StorageError> {
        let search = DrawsSearch::new(&SQLITE, query);
        // The page's keys from the two date indexes, merged; then only those rows.
        let Some((sql, args)) = search.keys_sql(query, ["0", "1"]) else {
            return Ok(make_paged(query, Vec::new(), None));
        };
        let keys = bind_as(sqlx::query_as::<_, (String, String, i64)>(&sql), &args).fetch_all(&self.pool).await?;
        let mut found: Vec<DrawSummary> = Vec::with_capacity(keys.len());
        for (kind, sql) in [
            (
                0,
                format!(
                    "SELECT {DRAWN_LIST_COLUMNS} FROM draws d JOIN departments dep ON dep.id = d.department_id \
                     LEFT JOIN draw_sources s ON s.draw_id = d.id WHERE d.id IN"
                ),
            ),
            (
                1,
                format!(
                    "SELECT {AWAITING_COLUMNS} FROM draw_commitments c JOIN departments dep ON dep.id = c.department_id \
                     WHERE c.draw_id IN"
                ),
            ),
        ] {
            let ids: Vec<Arg> = draw_ids(&keys, kind).into_iter().map(Arg::Text).collect();
            if ids.is_empty() {
                continue;
            }
            let marks = vec!["?"; ids.len()].join(", ");
            let sql = format!("{sql} ({marks})");
            found.extend(bind_as(sqlx::query_as::<_, DrawSummary>(&sql), &ids).fetch_all(&self.pool).await?);
        }
        let rows = draws_in_order(&keys, &found);
        let counted = if draws_need_count(query, rows.len()) {
            let mut n = 0u64;
            for (sql, args) in search.count_sqls() {
                let k: i64 = bind_scalar(sqlx::query_scalar(&sql), args).fetch_one(&self.pool).await?;
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
             LEFT JOIN draw_sources s ON s.draw_id = d.id WHERE d.plan_code = ?1 \
             UNION ALL \
             SELECT {AWAITING_COLUMNS} FROM draw_commitments c JOIN departments dep ON dep.id = c.department_id \
             WHERE c.plan_code = ?1 AND NOT EXISTS (SELECT 1 FROM draws x WHERE x.id = c.draw_id) \
             ORDER BY draw_date DESC, id"
        );
        Ok(sqlx::query_as::<_, DrawSummary>(&sql).bind(plan_code).fetch_all(&self.pool).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.department_rows")]
    async fn department_rows(&self, filter: &str, args: &[Arg]) -> Result<Vec<Department>, StorageError> {
        let sql = format!(
            "SELECT d.code, d.name, d.level, p.code AS parent_code, p.name AS parent_name, \
             (SELECT COUNT(*) FROM items i WHERE i.department_id = d.id AND i.status = 'active' AND {ITEM_CURRENT}) \
             AS item_count \
             FROM departments d LEFT JOIN departments p ON p.id = d.parent_id {filter} \
             ORDER BY CASE d.level WHEN 'province' THEN 0 WHEN 'city' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, \
             d.code IS NULL, d.code, d.name"
        );
        Ok(bind_as(sqlx::query_as::<_, Department>(&sql), args).fetch_all(&self.pool).await?)
    }
}

#[async_trait::async_trait]
impl PortalSource for SqliteStorage {
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
        let sql = department_items_sql();
        let items = sqlx::query_as::<_, ItemRow>(&sql).bind(code).fetch_all(&self.pool).await?;
        Ok(Some(DepartmentDetail { department, children, items }))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_items")]
    async fn list_items(&self, query: &ListQuery) -> Result<Paged<ItemRow>, StorageError> {
        let (w, list) = items_list(&SQLITE, query);
        self.paged(&list, &w, query, true).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.item_versions")]
    async fn item_versions(&self, department: &str, item: &str) -> Result<Vec<ItemRow>, StorageError> {
        let sql = item_versions_sql();
        Ok(sqlx::query_as::<_, ItemRow>(&sql).bind(department).bind(item).fetch_all(&self.pool).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_inspectors")]
    async fn list_inspectors(&self, query: &ListQuery) -> Result<Paged<InspectorRow>, StorageError> {
        let (w, list) = inspectors_list(&SQLITE, query, INSPECTOR_COLUMNS);
        self.paged(&list, &w, query, true).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.inspector_versions")]
    async fn inspector_versions(&self, certificate: &str) -> Result<Vec<InspectorRow>, StorageError> {
        let sql = format!(
            "SELECT {INSPECTOR_COLUMNS} FROM inspectors i JOIN departments dep ON dep.id = i.department_id \
             WHERE i.certificate = ? ORDER BY i.version DESC"
        );
        Ok(sqlx::query_as::<_, InspectorRow>(&sql).bind(certificate).fetch_all(&self.pool).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.inspector_facets")]
    async fn inspector_facets(&self) -> Result<(Vec<String>, Vec<String>), StorageError> {
        let sql =
            format!("SELECT DISTINCT i.unit FROM inspectors i WHERE {INSPECTOR_CURRENT} ORDER BY i.unit LIMIT 500");
        let units: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&self.pool).await?;
        let sql = format!("SELECT DISTINCT i.qualifications FROM inspectors i WHERE {INSPECTOR_CURRENT} LIMIT 2000");
        let lists: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&self.pool).await?;
        Ok((units, qualifications(&lists)))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.list_plans")]
    async fn list_plans(&self, query: &ListQuery) -> Result<Paged<PlanRow>, StorageError> {
        self.current_plans(query).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_plan")]
    async fn find_plan(&self, code: &str) -> Result<Option<PlanDetail>, StorageError> {
        let sql = plan_versions_sql();
        let versions = sqlx::query_as::<_, PlanRow>(&sql).bind(code).fetch_all(&self.pool).await?;
        if versions.is_empty() {
            return Ok(None);
        }
        let lines = sqlx::query_as::<_, PlanLineRow>(PLAN_LINES_SQL).bind(code).fetch_all(&self.pool).await?;
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
        let sql = result_versions_sql();
        Ok(sqlx::query_as::<_, ResultRow>(&sql).bind(code).fetch_all(&self.pool).await?)
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
        department_filter(&SQLITE, &mut w, "e.department_id", query);
        let list = enterprises_list(ENTERPRISE_COLUMNS);
        self.paged(&list, &w, query, count).await
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.find_enterprise")]
    async fn find_enterprise(&self, credit_code: &str) -> Result<Option<EnterpriseDetail>, StorageError> {
        let code = credit_code.to_ascii_uppercase();
        let sql = format!(
            "SELECT {ENTERPRISE_COLUMNS} FROM enterprises e JOIN departments dep ON dep.id = e.department_id \
             WHERE e.credit_code = ? ORDER BY e.version DESC"
        );
        let versions = sqlx::query_as::<_, EnterpriseRow>(&sql).bind(&code).fetch_all(&self.pool).await?;
        let draws = sqlx::query_as::<_, DrawObjectRow>(ENTERPRISE_DRAWS_SQL).bind(&code).fetch_all(&self.pool).await?;
        let sql = enterprise_results_sql();
        let results = sqlx::query_as::<_, ResultRow>(&sql).bind(&code).fetch_all(&self.pool).await?;
        if versions.is_empty() && draws.is_empty() && results.is_empty() {
            return Ok(None);
        }
        let sql = format!("{RECUSAL_SELECT} WHERE r.credit_code = ? ORDER BY r.date DESC, r.draw_id, r.seq");
        let recusals = sqlx::query_as::<_, RecusalRow>(&sql).bind(&code).fetch_all(&self.pool).await?;
        Ok(Some(EnterpriseDetail { versions, draws, results, recusals }))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.directory_names")]
    async fn directory_names(
        &self,
        credit_codes: &[String],
        certificates: &[String],
    ) -> Result<app::view::DirectoryNames, StorageError> {
        // The current version of each (the highest), in chunks well under SQLite's parameter limit.
        async fn names(
            pool: &sqlx::SqlitePool,
            table: &str,
            key: &str,
            codes: &[String],
        ) -> Result<std::collections::BTreeMap<String, String>, StorageError> {
            let mut out = std::collections::BTreeMap::new();
            for chunk in codes.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(",");
                let sql = format!(
                    "SELECT t.{key}, t.name FROM {table} t WHERE t.{key} IN ({marks}) \
                     AND t.version = (SELECT MAX(version) FROM {table} WHERE {key} = t.{key})"
                );
                let mut query = sqlx::query_as::<_, (String, String)>(&sql);
                for code in chunk {
                    query = query.bind(code);
                }
                out.extend(query.fetch_all(pool).await?);
            }
            Ok(out)
        }
        Ok(app::view::DirectoryNames {
            enterprises: names(&self.pool, "enterprises", "credit_code", credit_codes).await?,
            inspectors: names(&self.pool, "inspectors", "certificate", certificates).await?,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.calendar_years")]
    async fn calendar_years(&self) -> Result<Vec<app::calendar::PublishedYear>, StorageError> {
        let rows: Vec<(i64, String, String, Option<String>)> =
            sqlx::query_as(CALENDAR_SQL).fetch_all(&self.pool).await?;
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
        let sql = format!(
            "{RECUSAL_SELECT} WHERE r.inspector = ?1 \
             UNION ALL {RECUSAL_SELECT} WHERE r.replacement = ?1 AND r.inspector <> ?1 \
             ORDER BY 10 DESC, 1"
        );
        Ok(sqlx::query_as::<_, RecusalRow>(&sql).bind(certificate).fetch_all(&self.pool).await?)
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
        let row: Option<(i64, Vec<u8>)> =
            sqlx::query_as(LOG_ENTRY_SQL).bind(kind).bind(key).bind(version).fetch_optional(&self.pool).await?;
        let Some((index, entry)) = row else { return Ok(None) };
        let cosigned: Vec<(String, i64)> = sqlx::query_as(COSIGNED_SQL).bind(index).fetch_all(&self.pool).await?;
        Ok(Some(log_entry_view(index, &entry, cosigned)))
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.year_figures")]
    async fn year_figures(&self, years: &[i64]) -> Result<Vec<YearFigures>, StorageError> {
        let problems = problem_categories();
        let marks = vec!["?"; problems.len()].join(", ");
        let results_sql = format!(
            "SELECT COUNT(*), IFNULL(SUM(r.category IN ({marks})), 0), \
             IFNULL(SUM(r.rectification_status <> 'none'), 0), IFNULL(SUM(r.rectification_status = 'done'), 0) \
             FROM results r WHERE {RESULT_CURRENT} AND r.inspected_on >= ? AND r.inspected_on < ?"
        );
        let mut out = Vec::with_capacity(years.len());
        for &year in years {
            let (from, to) = year_range(year);
            let mut q = sqlx::query_as::<_, (i64, i64, i64, i64)>(&results_sql);
            for p in &problems {
                q = q.bind(*p);
            }
            let counts = q.bind(&from).bind(&to).fetch_one(&self.pool).await?;
            let draws: i64 = sqlx::query_scalar(YEAR_DRAWS_SQL).bind(&from).bind(&to).fetch_one(&self.pool).await?;
            out.push(year_figures(year, draws, counts));
        }
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all, name = "storage.draw_links")]
    async fn draw_links(&self, draw_id: &str) -> Result<app::view::DrawLinks, StorageError> {
        let plan: Option<(String, String)> =
            sqlx::query_as(&draw_plan_sql()).bind(draw_id).fetch_optional(&self.pool).await?;
        let results: Vec<(String, String, ResultCategory)> =
            sqlx::query_as(&draw_results_sql()).bind(draw_id).fetch_all(&self.pool).await?;
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
        let marks = vec!["?"; codes.len()].join(", ");
        let sql = format!(
            "SELECT dep.code AS department_code, i.item_code, i.name FROM items i \
             JOIN departments dep ON dep.id = i.department_id \
             WHERE i.item_code IN ({marks}) AND {ITEM_CURRENT} ORDER BY dep.code, i.item_code"
        );
        let mut q = sqlx::query_as::<_, ItemName>(&sql);
        for c in codes {
            q = q.bind(c);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }
}
