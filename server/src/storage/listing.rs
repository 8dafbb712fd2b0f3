//! The portal's lists, shared by both backends: the filters of each list
//! (`WHERE` clauses with `?` placeholders, which PostgreSQL numbers with
//! [`numbered`]), the page arithmetic, the walk by position and the search-text
//! helpers. A backend keeps what is its own: the SQL that differs (name
//! indexes, `json_each` or `= ANY`, the dialect's `LIKE`), binding and row
//! decoding.

use app::types::{COUNT_CAP, DrawStatus, DrawSummary, ListQuery, Paged, ResultCategory};

/// A value bound to a `?` of a dynamically built query.
#[derive(Clone, Debug)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    /// A text that no stored value equals: NULL (PostgreSQL's text with a NUL).
    NoText,
}

/// The `WHERE` of a list query, built from its filters.
#[derive(Clone, Default)]
pub(crate) struct Where {
    pub(crate) clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

impl Where {
    pub(crate) fn push(&mut self, clause: impl Into<String>, args: impl IntoIterator<Item = Arg>) {
        self.clauses.push(clause.into());
        self.args.extend(args);
    }

    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() { String::new() } else { format!(" WHERE {}", self.clauses.join(" AND ")) }
    }
}

/// `sql` with its `?` placeholders numbered `$1`, `$2`… in order (for
/// PostgreSQL). (The SQL written for lists has no `?` of its own: every value
/// is bound.)
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// What a backend writes its own way in the shared filters.
pub(crate) struct Dialect {
    /// A text compared with `=` (or `IN`).
    pub(crate) text: fn(String) -> Arg,
    /// The argument of `x {like} ? ESCAPE '\'` finding the substring `q`.
    pub(crate) pattern: fn(&str) -> Arg,
    /// `LIKE` (SQLite, ASCII case folded) or `ILIKE` (PostgreSQL, the same on `COLLATE "C"`).
    pub(crate) like: &'static str,
    /// An item's `seq` as text.
    pub(crate) seq_text: &'static str,
    /// The position of a substring: `instr(haystack, needle)` or `strpos(…)`.
    pub(crate) position: &'static str,
    /// Today's date in Beijing (`YYYY-MM-DD`).
    pub(crate) today: &'static str,
}

impl Dialect {
    fn text(&self, s: impl Into<String>) -> Arg {
        (self.text)(s.into())
    }
}

/// `%text%` for `LIKE … ESCAPE '\'`, with the wildcards of `text` escaped.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A search text that is a valid unified social credit code (in either case), upper-cased.
pub(crate) fn as_credit_code(q: &str) -> Option<String> {
    let upper = q.to_ascii_uppercase();
    draw::id::check_credit_code(&upper).ok().map(|_| upper)
}

/// Below this many characters a name search cannot use the trigram index.
const TRIGRAM: usize = 3;

/// The name index that answers a name query, if one can: the trigram index
/// from 3 characters, the bigram index (migration
/// `20261121000200_name_bigrams.sql`) for exactly 2 letters or digits. A
/// single character is scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameIndex {
    /// SQLite's `enterprise_names` (FTS5 trigram); PostgreSQL's GIN trigram index on `enterprises.name`.
    Trigram,
    /// SQLite's `enterprise_bigrams` (FTS5 unicode61); PostgreSQL's table `enterprise_bigrams`.
    Bigram,
}

pub(crate) fn name_index(q: &str) -> Option<NameIndex> {
    let n = q.chars().count();
    if n >= TRIGRAM {
        Some(NameIndex::Trigram)
    } else if n == 2 && q.chars().all(char::is_alphanumeric) {
        Some(NameIndex::Bigram)
    } else {
        None
    }
}

/// Names a result search takes from a name index before it scans the results
/// in date order instead. Lower than for enterprises: each matching name
/// costs a lookup of its results (about 13 µs a name at 1M results), while a
/// scan finds a page quickly only when the part is common among the results.
pub(crate) const RESULT_NAME_MATCH_LIMIT: i64 = 4000;

/// Names a search may take from the trigram index before the lists switch to
/// scanning in list order (a very common name part).
pub(crate) const NAME_MATCH_LIMIT: i64 = 2000;

pub(crate) const ITEM_COLUMNS: &str = "dep.code AS department_code, dep.name AS department, i.item_code, i.version, \
     i.seq, i.name, i.content, i.legal_basis, i.qualification, i.method, i.status, i.effective_from, i.published_at, \
     i.correction_reason";
pub(crate) const ITEM_CURRENT: &str = "NOT EXISTS (SELECT 1 FROM items n WHERE n.department_id = i.department_id \
     AND n.item_code = i.item_code AND n.version > i.version)";
pub(crate) const INSPECTOR_CURRENT: &str =
    "NOT EXISTS (SELECT 1 FROM inspectors n WHERE n.certificate = i.certificate AND n.version > i.version)";
pub(crate) const ENTERPRISE_CURRENT: &str = "e.id NOT IN (SELECT id FROM enterprises_superseded)";
pub(crate) const PLAN_COLUMNS: &str = "p.plan_code, p.version, p.year, dep.code AS department_code, \
     dep.name AS department, p.title, p.scope, p.inspector_requirements, p.window_start, p.window_end, \
     p.published_at, p.correction_reason";
pub(crate) const PLAN_CURRENT: &str =
    "NOT EXISTS (SELECT 1 FROM plans n WHERE n.plan_code = p.plan_code AND n.version > p.version)";
pub(crate) const RESULT_COLUMNS: &str = "r.result_code, r.version, r.draw_id, r.credit_code, r.enterprise_name, \
     dep.code AS department_code, dep.name AS department, r.year, r.item_codes, r.inspectors, r.inspected_on, \
     r.reported_on, r.delivered_on, r.entered_on, r.category, r.findings, r.rectification_deadline, \
     r.rectification_status, r.penalty_case, r.published_at, r.correction_reason";
pub(crate) const RESULT_CURRENT: &str = "r.id NOT IN (SELECT id FROM results_superseded)";

/// The filter "in the department with this code".
pub(crate) fn department_filter(d: &Dialect, w: &mut Where, column: &str, query: &ListQuery) {
    if let Some(code) = query.department() {
        w.push(format!("{column} = (SELECT id FROM departments WHERE code = ?)"), [d.text(code)]);
    }
}

/// The half-open range of dates `[year-01-01, year+1-01-01)`.
pub(crate) fn year_range(year: i64) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{:04}-01-01", year + 1))
}

/// The parts of a list query: `select` columns `from` the base table with its
/// joins; `base` is the base table alone (alias included), `key` its id column.
pub(crate) struct ListSql<'a> {
    pub(crate) select: &'a str,
    pub(crate) from: &'a str,
    pub(crate) base: &'a str,
    pub(crate) key: &'a str,
    pub(crate) order: &'a str,
}

/// `SELECT COUNT(*)` of the rows of `from` matching `w`, up to [`COUNT_CAP`] + 1.
pub(crate) fn count_sql(from: &str, w: &Where) -> String {
    format!("SELECT COUNT(*) FROM (SELECT 1 FROM {from}{} LIMIT {}) m", w.sql(), COUNT_CAP + 1)
}

impl ListSql<'_> {
    /// The keys of a stretch of the walk by position (publication order),
    /// newest first, after `after`: the SQL and its filter.
    pub(crate) fn walk_sql(&self, w: &Where, after: i64, per: u32) -> (String, Where) {
        let mut w = w.clone();
        w.push(format!("{} < ?", self.key), [Arg::Int(after)]);
        (
            format!(
                "SELECT {key} FROM {base}{} ORDER BY {key} DESC LIMIT {per}",
                w.sql(),
                key = self.key,
                base = self.base
            ),
            w,
        )
    }

    /// One page's rows: its keys found on `base` alone, then those rows with their joins.
    pub(crate) fn page_sql(&self, w: &Where, query: &ListQuery) -> String {
        let ListSql { select, from, base, key, order } = self;
        let (per, offset) = (query.per_page(), query.offset());
        format!(
            "SELECT {select} FROM {from} WHERE {key} IN \
             (SELECT {key} FROM {base}{} ORDER BY {order} LIMIT {per} OFFSET {offset}) ORDER BY {order}",
            w.sql()
        )
    }

    /// Every matching key, in list order.
    pub(crate) fn keys_sql(&self, w: &Where) -> String {
        format!("SELECT {} FROM {}{} ORDER BY {}", self.key, self.base, w.sql(), self.order)
    }

    /// The count of the matches (see [`count_sql`]).
    pub(crate) fn count_sql(&self, w: &Where) -> String {
        count_sql(self.base, w)
    }
}

/// Whether a page of `rows` rows is to be counted. A short first page is the
/// whole list: no need to count. A page past the end is always counted, so
/// that its total is the real one. `count`: whether the filters allow it.
pub(crate) fn needs_count(query: &ListQuery, rows: usize, count: bool) -> bool {
    let offset = query.offset();
    let past_end = rows == 0 && offset > 0;
    past_end || (count && !(offset == 0 && (rows as u64) < u64::from(query.per_page())))
}

/// A count read from the database.
pub(crate) fn counted(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// What to read of a list whose every matching key is known (in list order).
pub(crate) enum KeysPage {
    /// A stretch of the walk by position: these keys, newest first.
    Walk(Vec<i64>),
    /// The page's keys, in list order.
    Page(Vec<i64>),
}

/// The keys of the page that `query` asks for among `keys` (every match, in list order).
pub(crate) fn keys_page(query: &ListQuery, keys: &[i64]) -> KeysPage {
    if let Some(after) = query.after() {
        let mut walk: Vec<i64> = keys.iter().copied().filter(|k| *k < after).collect();
        walk.sort_unstable_by(|a, b| b.cmp(a));
        walk.truncate(query.per_page() as usize);
        return KeysPage::Walk(walk);
    }
    KeysPage::Page(keys.iter().skip(query.offset() as usize).take(query.per_page() as usize).copied().collect())
}

/// A page; `counted` is the number of matches when counted (`None`: not
/// counted, so a full page may be followed by more).
pub(crate) fn make_paged<T>(query: &ListQuery, rows: Vec<T>, counted: Option<u64>) -> Paged<T> {
    // Rows seen up to the end of this page; a page past the end proves nothing about the rows before it.
    let seen = if rows.is_empty() { 0 } else { query.offset() + rows.len() as u64 };
    let full = rows.len() as u64 == u64::from(query.per_page());
    let (total, capped) = match counted {
        Some(n) if n > COUNT_CAP => (COUNT_CAP.max(seen), true),
        Some(n) => (n.max(seen), false),
        None => (seen, full),
    };
    Paged {
        page: query.page(),
        per_page: query.per_page(),
        total,
        total_is_lower_bound: capped,
        rows,
        next_after: None,
    }
}

/// A stretch of a list walked by position (`after`): the rows of `keys`,
/// newest first, and where to go on from (when the stretch was full).
pub(crate) fn walked<T>(query: &ListQuery, keys: &[i64], rows: Vec<T>) -> Paged<T> {
    let full = keys.len() == query.per_page() as usize;
    Paged {
        page: 1,
        per_page: query.per_page(),
        total: rows.len() as u64,
        total_is_lower_bound: full,
        rows,
        next_after: if full { keys.last().copied() } else { None },
    }
}

/// The list of items: its filters and its SQL.
pub(crate) fn items_list(d: &Dialect, query: &ListQuery) -> (Where, ListSql<'static>) {
    let mut w = Where::default();
    w.push(ITEM_CURRENT, []);
    department_filter(d, &mut w, "i.department_id", query);
    if let Some(q) = query.q() {
        w.push(format!("(i.name {} ? ESCAPE '\\' OR i.item_code = ?)", d.like), [(d.pattern)(q), d.text(q)]);
    }
    if let Some(status) = query.status() {
        w.push("i.status = ?", [d.text(status)]);
    }
    let list = ListSql {
        select: ITEM_COLUMNS,
        from: "items i JOIN departments dep ON dep.id = i.department_id",
        base: "items i",
        key: "i.id",
        order: "i.department_id, i.seq, i.item_code",
    };
    (w, list)
}

/// The list of inspectors (with the backend's `select` columns): its filters and its SQL.
pub(crate) fn inspectors_list<'a>(d: &Dialect, query: &ListQuery, select: &'a str) -> (Where, ListSql<'a>) {
    let mut w = Where::default();
    w.push(INSPECTOR_CURRENT, []);
    department_filter(d, &mut w, "i.department_id", query);
    if let Some(q) = query.q() {
        w.push(format!("(i.name {} ? ESCAPE '\\' OR i.certificate = ?)", d.like), [(d.pattern)(q), d.text(q)]);
    }
    if let Some(unit) = query.unit() {
        w.push("i.unit = ?", [d.text(unit)]);
    }
    if let Some(qualification) = query.qualification() {
        w.push(
            format!("(';' || i.qualifications || ';') {} ? ESCAPE '\\'", d.like),
            [(d.pattern)(&format!(";{qualification};"))],
        );
    }
    match query.status() {
        Some("active") => w.push(format!("i.status = 'active' AND i.valid_until >= {}", d.today), []),
        Some("expired") => w.push(format!("i.valid_until < {}", d.today), []),
        Some("left") => w.push("i.status = 'left'", []),
        _ => {}
    }
    let list = ListSql {
        select,
        from: "inspectors i JOIN departments dep ON dep.id = i.department_id",
        base: "inspectors i",
        key: "i.id",
        order: "i.department_id, i.unit, i.name, i.certificate",
    };
    (w, list)
}

/// The list of plans: its filters and its SQL.
pub(crate) fn plans_list(d: &Dialect, query: &ListQuery) -> (Where, ListSql<'static>) {
    let mut w = Where::default();
    w.push(PLAN_CURRENT, []);
    department_filter(d, &mut w, "p.department_id", query);
    if let Some(year) = query.year() {
        w.push("p.year = ?", [Arg::Int(year)]);
    }
    if let Some(q) = query.q() {
        w.push(format!("p.title {} ? ESCAPE '\\'", d.like), [(d.pattern)(q)]);
    }
    let list = ListSql {
        select: PLAN_COLUMNS,
        from: "plans p JOIN departments dep ON dep.id = p.department_id",
        base: "plans p",
        key: "p.id",
        order: "p.year DESC, p.published_at DESC, p.plan_code",
    };
    (w, list)
}

/// The list of enterprises (with the backend's `select` columns).
pub(crate) fn enterprises_list(select: &str) -> ListSql<'_> {
    ListSql {
        select,
        from: "enterprises e JOIN departments dep ON dep.id = e.department_id",
        base: "enterprises e",
        key: "e.id",
        order: "e.id",
    }
}

/// How a list searches a name: a credit code, a name index (when it finds
/// few enough names), or a scan.
pub(crate) enum NameSearch {
    Code(String),
    Index(NameIndex),
    Scan,
}

/// The first step of a name search for `q`: a credit code, or the index to ask how many names match.
pub(crate) fn name_search(q: &str) -> NameSearch {
    match (as_credit_code(q), name_index(q)) {
        (Some(code), _) => NameSearch::Code(code),
        (None, Some(index)) => NameSearch::Index(index),
        (None, None) => NameSearch::Scan,
    }
}

/// The scan of a results search for `q` (the name part of many names, or too short for an index).
pub(crate) fn result_name_scan(d: &Dialect, w: &mut Where, q: &str) {
    w.push(format!("r.enterprise_name {} ? ESCAPE '\\'", d.like), [(d.pattern)(q)]);
}

/// The filters of the results list after the search text, and its SQL.
pub(crate) fn results_list(d: &Dialect, w: &mut Where, query: &ListQuery) -> ListSql<'static> {
    department_filter(d, w, "r.department_id", query);
    if let Some(year) = query.year() {
        // `year` is the year of `inspected_on`: the range lets the date index answer.
        let (from, to) = year_range(year);
        w.push("r.inspected_on >= ? AND r.inspected_on < ?", [d.text(from), d.text(to)]);
    }
    if let Some(item) = query.item() {
        // An item by its code, its number in the list (序号) or part of its name.
        w.push(
            format!(
                "EXISTS (SELECT 1 FROM items i WHERE (i.item_code = ? OR {} = ? \
                 OR i.name {} ? ESCAPE '\\') AND {}(';' || r.item_codes || ';', ';' || i.item_code || ';') > 0)",
                d.seq_text, d.like, d.position
            ),
            [d.text(item), d.text(item), (d.pattern)(item)],
        );
    }
    if query.category() == Some(ResultCategory::PROBLEMS) {
        let problems: Vec<&str> = ResultCategory::ALL.iter().filter(|c| c.is_problem()).map(|c| c.as_str()).collect();
        let marks = vec!["?"; problems.len()].join(", ");
        w.push(format!("r.category IN ({marks})"), problems.into_iter().map(|p| d.text(p)));
    } else if let Some(category) = query.category() {
        w.push("r.category = ?", [d.text(category)]);
    }
    if let Some(status) = query.rectification() {
        w.push("r.rectification_status = ?", [d.text(status)]);
    }
    ListSql {
        select: RESULT_COLUMNS,
        from: "results r JOIN departments dep ON dep.id = r.department_id",
        base: "results r",
        key: "r.id",
        order: "r.inspected_on DESC, r.id DESC",
    }
}

/// The search of draws: its filters on published draws `d` and on draws
/// awaiting randomness `c`, and which of the two the status asks for.
pub(crate) struct DrawsSearch {
    pub(crate) drawn: Where,
    pub(crate) awaiting: Where,
    pub(crate) with_drawn: bool,
    pub(crate) with_awaiting: bool,
}

impl DrawsSearch {
    pub(crate) fn new(d: &Dialect, query: &ListQuery) -> Self {
        let status = query.status();
        let (mut drawn, mut awaiting) = (Where::default(), Where::default());
        awaiting.push("NOT EXISTS (SELECT 1 FROM draws x WHERE x.id = c.draw_id)", []);
        department_filter(d, &mut drawn, "d.department_id", query);
        department_filter(d, &mut awaiting, "c.department_id", query);
        if let Some(year) = query.year() {
            let (from, to) = year_range(year);
            let range = [d.text(from), d.text(to)];
            drawn.push("d.draw_date >= ? AND d.draw_date < ?", range.clone());
            awaiting.push("c.draw_date >= ? AND c.draw_date < ?", range);
        }
        if let Some(q) = query.q() {
            drawn.push(format!("(d.title {} ? ESCAPE '\\' OR d.id = ?)", d.like), [(d.pattern)(q), d.text(q)]);
            awaiting.push(format!("(c.title {} ? ESCAPE '\\' OR c.draw_id = ?)", d.like), [(d.pattern)(q), d.text(q)]);
        }
        DrawsSearch {
            drawn,
            awaiting,
            with_drawn: status != Some(DrawStatus::AwaitingRandomness.as_str()),
            with_awaiting: status != Some(DrawStatus::Drawn.as_str()),
        }
    }

    /// The page's keys `(date, id, 0 drawn or 1 awaiting)` from the two date
    /// indexes, merged (`kinds`: the dialect's two kind literals); `None` when
    /// the status excludes both.
    pub(crate) fn keys_sql(&self, query: &ListQuery, kinds: [&str; 2]) -> Option<(String, Vec<Arg>)> {
        let mut parts = Vec::new();
        let mut args = Vec::new();
        if self.with_drawn {
            parts.push(format!("SELECT d.draw_date, d.id, {} FROM draws d{}", kinds[0], self.drawn.sql()));
            args.extend(self.drawn.args.iter().cloned());
        }
        if self.with_awaiting {
            parts.push(format!(
                "SELECT c.draw_date, c.draw_id, {} FROM draw_commitments c{}",
                kinds[1],
                self.awaiting.sql()
            ));
            args.extend(self.awaiting.args.iter().cloned());
        }
        if parts.is_empty() {
            return None;
        }
        let (per, offset) = (query.per_page(), query.offset());
        Some((format!("{} ORDER BY 1 DESC, 2 LIMIT {per} OFFSET {offset}", parts.join(" UNION ALL ")), args))
    }

    /// The counts to add up when the page is to be counted: SQL and arguments of each.
    pub(crate) fn count_sqls(&self) -> Vec<(String, &[Arg])> {
        [(self.with_drawn, "draws d", &self.drawn), (self.with_awaiting, "draw_commitments c", &self.awaiting)]
            .into_iter()
            .filter(|(on, ..)| *on)
            .map(|(_, from, w)| (count_sql(from, w), &w.args[..]))
            .collect()
    }
}

/// The ids of the keys of one kind (0 drawn, 1 awaiting).
pub(crate) fn draw_ids(keys: &[(String, String, i64)], kind: i64) -> Vec<String> {
    keys.iter().filter(|k| k.2 == kind).map(|k| k.1.clone()).collect()
}

/// The draws `found`, in the order of their `keys`.
pub(crate) fn draws_in_order(keys: &[(String, String, i64)], found: &[DrawSummary]) -> Vec<DrawSummary> {
    keys.iter().filter_map(|k| found.iter().find(|d| d.id == k.1 && d.is_awaiting() == (k.2 == 1)).cloned()).collect()
}

/// Whether a page of draws is to be counted (a short first page is the whole list).
pub(crate) fn draws_need_count(query: &ListQuery, rows: usize) -> bool {
    !(query.offset() == 0 && (rows as u64) < u64::from(query.per_page()))
}

/// The qualifications named in the inspectors' lists (`a; b`), sorted, once each.
pub(crate) fn qualifications(lists: &[String]) -> Vec<String> {
    let mut out: Vec<String> =
        lists.iter().flat_map(|l| l.split(';')).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    out.sort();
    out.dedup();
    out
}

/// A published calendar year from its row `(version, document, published_at, correction_reason)`.
pub(crate) fn calendar_year(
    (version, document, published_at, correction_reason): (i64, String, String, Option<String>),
) -> Result<app::calendar::PublishedYear, app::ssr::StorageError> {
    Ok(app::calendar::PublishedYear {
        calendar: serde_json::from_str(&document)?,
        version: u32::try_from(version).unwrap_or(u32::MAX),
        published_at,
        correction_reason,
    })
}

/// A log entry as shown, from its index, its bytes and its cosignatures.
pub(crate) fn log_entry_view(index: i64, entry: &[u8], cosigned: Vec<(String, i64)>) -> app::types::LogEntryView {
    app::types::LogEntryView { index: index as u64, entry: String::from_utf8_lossy(entry).into_owned(), cosigned }
}

/// A year's figures from its counts.
pub(crate) fn year_figures(
    year: i64,
    draws: i64,
    (results, problems, rectifications, rectified): (i64, i64, i64, i64),
) -> app::types::YearFigures {
    app::types::YearFigures {
        year,
        draws: counted(draws),
        results: counted(results),
        problems: counted(problems),
        rectifications: counted(rectifications),
        rectified: counted(rectified),
    }
}

/// The names of the problem categories.
pub(crate) fn problem_categories() -> Vec<&'static str> {
    ResultCategory::ALL.iter().filter(|c| c.is_problem()).map(|c| c.as_str()).collect()
}

// The detail pages' SQL that both backends run alike (with `?`, which PostgreSQL numbers).

/// Every version of a plan (`?`: its code), newest first.
pub(crate) fn plan_versions_sql() -> String {
    format!(
        "SELECT {PLAN_COLUMNS} FROM plans p JOIN departments dep ON dep.id = p.department_id \
         WHERE p.plan_code = ? ORDER BY p.version DESC"
    )
}

/// The lines of every version of a plan (`?`: its code), with their items' current names.
pub(crate) const PLAN_LINES_SQL: &str = "SELECT p.version, l.line, l.item_code, \
     (SELECT i.name FROM items i WHERE i.department_id = p.department_id AND i.item_code = l.item_code \
      ORDER BY i.version DESC LIMIT 1) AS item_name, \
     l.stratum, l.ratio, l.frequency, l.object_count \
     FROM plan_lines l JOIN plans p ON p.id = l.plan_id WHERE p.plan_code = ? ORDER BY p.version DESC, l.line";

/// Every version of a result (`?`: its code), newest first.
pub(crate) fn result_versions_sql() -> String {
    format!(
        "SELECT {RESULT_COLUMNS} FROM results r JOIN departments dep ON dep.id = r.department_id \
         WHERE r.result_code = ? ORDER BY r.version DESC"
    )
}

/// The draws that drew an enterprise (`?`: its credit code).
pub(crate) const ENTERPRISE_DRAWS_SQL: &str = "SELECT o.draw_id, d.title, d.draw_date, dep.name AS department, \
     o.stratum, o.outcome, o.position, o.team, o.exclusion_reason FROM draw_objects o JOIN draws d ON d.id = o.draw_id \
     JOIN departments dep ON dep.id = d.department_id WHERE o.credit_code = ? \
     ORDER BY d.draw_date DESC, d.id";

/// The current results of an enterprise (`?`: its credit code), newest first.
pub(crate) fn enterprise_results_sql() -> String {
    format!(
        "SELECT {RESULT_COLUMNS} FROM results r JOIN departments dep ON dep.id = r.department_id \
         WHERE r.credit_code = ? AND {RESULT_CURRENT} ORDER BY r.inspected_on DESC, r.id DESC"
    )
}

/// The current items of a department (`?`: its code), in list order.
pub(crate) fn department_items_sql() -> String {
    format!(
        "SELECT {ITEM_COLUMNS} FROM items i JOIN departments dep ON dep.id = i.department_id \
         WHERE dep.code = ? AND {ITEM_CURRENT} ORDER BY i.seq, i.item_code"
    )
}

/// Every version of an item (`?`: its department's code, `?`: its code), newest first.
pub(crate) fn item_versions_sql() -> String {
    format!(
        "SELECT {ITEM_COLUMNS} FROM items i JOIN departments dep ON dep.id = i.department_id \
         WHERE dep.code = ? AND i.item_code = ? ORDER BY i.version DESC"
    )
}

/// The current version of each published calendar year.
pub(crate) const CALENDAR_SQL: &str = "SELECT c.version, c.document, c.published_at, c.correction_reason \
     FROM calendar_years c \
     WHERE c.version = (SELECT MAX(version) FROM calendar_years WHERE year = c.year) ORDER BY c.year";

/// The runs of log_keys a lookup asks (migration `log_keys`): run 0 and those in log_runs.
macro_rules! log_runs {
    () => {
        "(SELECT 0 UNION ALL SELECT run FROM log_runs)"
    };
}

/// A log entry (`?` kind, `?` key, `?` version): its index and bytes, its key asked of each run.
pub(crate) const LOG_ENTRY_SQL: &str = concat!(
    "SELECT e.idx, e.entry FROM log_keys k JOIN log_entries e ON e.idx = k.idx WHERE k.run IN ",
    log_runs!(),
    " AND k.kind = ? AND k.key = ? AND k.version = ?"
);

/// The keys of the entries logged of a kind (`?`), from every run.
pub(crate) const LOG_KIND_KEYS_SQL: &str =
    concat!("SELECT key, version FROM log_keys WHERE run IN ", log_runs!(), " AND kind = ?");

/// Every entry's key as a lookup finds it (from the runs asked), by entry, for `server log verify`.
pub(crate) const LOG_KEYS_AUDIT_SQL: &str = concat!(
    "SELECT idx, kind, key, version FROM log_keys WHERE run IN ",
    log_runs!(),
    " ORDER BY idx, kind, key, version"
);

/// A large append's run (`?`: its first entry).
pub(crate) const LOG_RUN_INSERT: &str = "INSERT INTO log_runs (run) VALUES (?)";

/// The keys of the entries from `?` on (an append's), into run `?`, in key order.
pub(crate) const LOG_KEYS_INSERT: &str = "INSERT INTO log_keys (run, kind, key, version, idx) \
     SELECT ?, kind, key, version, idx FROM log_entries WHERE idx >= ? ORDER BY kind, key, version";

/// The witnesses that cosigned a tree holding the entry at index `?`, and when first.
pub(crate) const COSIGNED_SQL: &str =
    "SELECT witness, MIN(time) FROM log_cosignatures WHERE size > ? GROUP BY witness ORDER BY witness";

/// The draws dated in `[?, ?)`, counted.
pub(crate) const YEAR_DRAWS_SQL: &str = "SELECT COUNT(*) FROM draws WHERE draw_date >= ? AND draw_date < ?";

/// The current plan of a draw (`?`: its id).
pub(crate) fn draw_plan_sql() -> String {
    format!(
        "SELECT p.plan_code, p.title FROM draws d JOIN plans p ON p.plan_code = d.plan_code \
         WHERE d.id = ? AND {PLAN_CURRENT}"
    )
}

/// The current results of a draw (`?`: its id).
pub(crate) fn draw_results_sql() -> String {
    format!(
        "SELECT r.credit_code, r.result_code, r.category FROM results r \
         WHERE r.draw_id = ? AND {RESULT_CURRENT} ORDER BY r.inspected_on, r.id"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_the_wildcards_of_the_search_text() {
        assert_eq!(like_pattern("食品"), "%食品%");
        assert_eq!(like_pattern("100%_纯"), "%100\\%\\_纯%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
        assert_eq!(like_pattern(""), "%%");
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(numbered("a = ? AND (b LIKE ? OR c = ?)"), "a = $1 AND (b LIKE $2 OR c = $3)");
    }
}
