//! Reading inputs and records from JSON by the rules of SPEC.md §3.1 and
//! §12, the same for `commit` and `verify`: every type problem is reported
//! with its record and field, not only serde's first error.
//!
//! Two phases. First the JSON itself: duplicate keys (anywhere), unknown
//! fields (at every level of the input, the published randomness, the
//! result and the recusals; only the record's own top level may carry fields
//! this protocol does not define, and they are ignored), missing required
//! fields, `null` where it is not allowed, and values of the wrong type
//! (`0` for a boolean, `1.0` or 2⁶⁴ for an integer, a string for a set…).
//! Every such problem is reported. Only a document without any is then
//! validated by the rules of §3.2 ([`DrawInput::canonical`]).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::input::{
    Allocation, DirectedFilter, DrawInput, HistoryEntry, InputError, Inspector, Object, Plan, Problem,
    RandomnessSource, Ratio, Stratum, TeamRule,
};
use crate::protocol::{Exclusion, ExclusionReason, RecusalRequest, Selection, StratumResult};
use crate::randomness::Randomness;
use crate::record::{DrawRecord, DrawResult, Recusal};

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg<'de> {
    Key(Cow<'de, str>),
    Index(usize),
}

/// A key, borrowed from the text when it has no escapes (no allocation).
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Collects the path of every repeated key of every object.
struct Walk<'a, 'de> {
    path: &'a mut Vec<Seg<'de>>,
    found: &'a mut Vec<Vec<Seg<'de>>>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            self.path.push(Seg::Index(i));
            let more = seq.next_element_seed(Walk { path: &mut *self.path, found: &mut *self.found })?;
            self.path.pop();
            if more.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<Cow<'de, str>> = HashSet::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            self.path.push(Seg::Key(key.clone()));
            if !seen.insert(key) {
                self.found.push(self.path.clone());
            }
            map.next_value_seed(Walk { path: &mut *self.path, found: &mut *self.found })?;
            self.path.pop();
        }
        Ok(())
    }
}

/// Lists whose entries are named by an identifier as well as their index.
fn label_key(list: &[Seg<'_>]) -> Option<&'static str> {
    let keys: Vec<&str> = list
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_ref()),
            Seg::Index(_) => None,
        })
        .collect();
    let keys = if keys.first() == Some(&"input") { &keys[1..] } else { &keys[..] };
    match (keys, list.len()) {
        (["objects"], _) => Some("id"),
        (["inspectors"], _) => Some("cert"),
        (["history"], _) => Some("object"),
        (["plan", "strata"], _) => Some("id"),
        _ => None,
    }
}

/// `objects[3] (91…).abnormal`, as §3.2 names a field.
fn show_path(root: &Value, path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    let mut at = Some(root);
    for (n, seg) in path.iter().enumerate() {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
                at = at.and_then(|v| v.get(k.as_ref()));
            }
            Seg::Index(i) => {
                out.push_str(&format!("[{i}]"));
                at = at.and_then(|v| v.get(i));
                if let Some(key) = label_key(&path[..n])
                    && let Some(id) = at.and_then(|v| v.get(key)).and_then(Value::as_str)
                {
                    out.push_str(&format!(" ({id})"));
                }
            }
        }
    }
    out
}

/// Parses JSON text, reporting every duplicate key (which `serde_json::Value`
/// would silently resolve to the last value).
pub fn parse_value(text: &str) -> Result<Value, InputError> {
    let (value, duplicates) = parse_with_duplicates(text)?;
    if duplicates.is_empty() { Ok(value) } else { Err(InputError { problems: duplicates }) }
}

/// The parsed value and a problem for every duplicate key; an error only
/// when the text is not JSON.
pub fn parse_with_duplicates(text: &str) -> Result<(Value, Vec<Problem>), InputError> {
    let syntax = |e: serde_json::Error| InputError {
        problems: vec![Problem {
            field: format!("第 {} 行第 {} 列 / line {}, column {}", e.line(), e.column(), e.line(), e.column()),
            message: format!("不是有效的 JSON / not valid JSON: {e}"),
        }],
    };
    let (mut path, mut found) = (Vec::new(), Vec::new());
    let mut d = serde_json::Deserializer::from_str(text);
    Walk { path: &mut path, found: &mut found }.deserialize(&mut d).map_err(syntax)?;
    d.end().map_err(syntax)?;
    let value: Value = serde_json::from_str(text).map_err(syntax)?;
    let problems = found
        .iter()
        .map(|p| Problem {
            field: show_path(&value, p),
            message: "键重复：同一对象中出现两次 / duplicate key: it appears twice in the same object".into(),
        })
        .collect();
    Ok((value, problems))
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(_) => "字符串 / a string".into(),
        Value::Array(_) => "数组 / an array".into(),
        Value::Object(_) => "对象 / an object".into(),
    }
}

/// Field-by-field reader collecting every problem.
struct Reader {
    problems: Vec<Problem>,
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") }
}

/// `at[i]`, with the entry's identifier when it has one: `objects[3] (91…)`.
fn entry(at: &str, i: usize, v: &Value, id: &str) -> String {
    match v.get(id).and_then(Value::as_str) {
        Some(x) => format!("{at}[{i}] ({x})"),
        None => format!("{at}[{i}]"),
    }
}

impl Reader {
    fn bad(&mut self, field: String, message: impl Into<String>) {
        self.problems.push(Problem { field, message: message.into() });
    }

    /// The object at `at`, reporting every field not in `fields`.
    fn object<'v>(&mut self, v: &'v Value, at: &str, fields: &[&str]) -> Option<&'v Map<String, Value>> {
        let Some(m) = v.as_object() else {
            let at = if at.is_empty() { "input" } else { at };
            self.bad(
                at.to_owned(),
                format!("应为 JSON 对象，实为 {} / must be a JSON object, found {}", kind(v), kind(v)),
            );
            return None;
        };
        for k in m.keys() {
            if !fields.contains(&k.as_str()) {
                self.bad(join(at, k), "未定义的字段 / unknown field (SPEC §3.1: unknown fields are refused)");
            }
        }
        Some(m)
    }

    /// A required field: present and not null.
    fn required<'v>(&mut self, m: &'v Map<String, Value>, at: &str, key: &str) -> Option<&'v Value> {
        match m.get(key) {
            None => {
                self.bad(join(at, key), "缺少此字段 / the field is missing");
                None
            }
            Some(Value::Null) => {
                self.bad(join(at, key), "不得为 null / must not be null");
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A field with a default when absent: `null` is not the default, it is an error.
    fn defaulted<'v>(&mut self, m: &'v Map<String, Value>, at: &str, key: &str) -> Option<&'v Value> {
        match m.get(key) {
            Some(Value::Null) => {
                self.bad(
                    join(at, key),
                    "不得为 null；省略此字段即为默认值 / must not be null; leave the field out for its default",
                );
                None
            }
            other => other,
        }
    }

    fn string(&mut self, v: &Value, at: String) -> String {
        match v {
            Value::String(s) => s.clone(),
            other => {
                self.bad(at, format!("应为字符串，实为 {} / must be a string, found {}", kind(other), kind(other)));
                String::new()
            }
        }
    }

    fn req_string(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> String {
        match self.required(m, at, key) {
            Some(v) => self.string(v, join(at, key)),
            None => String::new(),
        }
    }

    /// Absent or null: none (the two mean the same, SPEC §3.1).
    fn nullable_string(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<String> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(self.string(v, join(at, key))),
        }
    }

    fn u64(&mut self, v: &Value, at: String) -> u64 {
        if let Value::Number(n) = v
            && let Some(x) = n.as_u64()
        {
            return x;
        }
        self.bad(
            at,
            format!(
                "应为 0 … 2⁶⁴−1 的整数（不带小数点或指数），实为 {} / must be an integer 0 … 2^64-1 written without fraction or exponent, found {}",
                kind(v),
                kind(v)
            ),
        );
        0
    }

    fn req_u64(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> u64 {
        match self.required(m, at, key) {
            Some(v) => self.u64(v, join(at, key)),
            None => 0,
        }
    }

    fn bool(&mut self, v: &Value, at: String) -> bool {
        match v {
            Value::Bool(b) => *b,
            other => {
                self.bad(
                    at,
                    format!("应为 true 或 false，实为 {} / must be true or false, found {}", kind(other), kind(other)),
                );
                false
            }
        }
    }

    /// A flag: absent is false.
    fn flag(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> bool {
        match self.defaulted(m, at, key) {
            Some(v) => self.bool(v, join(at, key)),
            None => false,
        }
    }

    fn strings(&mut self, v: &Value, at: String) -> Vec<String> {
        let Some(items) = v.as_array() else {
            self.bad(at, format!("应为字符串数组，实为 {} / must be an array of strings, found {}", kind(v), kind(v)));
            return Vec::new();
        };
        items.iter().enumerate().map(|(i, x)| self.string(x, format!("{at}[{i}]"))).collect()
    }

    /// A set: absent is empty.
    fn set(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Vec<String> {
        match self.defaulted(m, at, key) {
            Some(v) => self.strings(v, join(at, key)),
            None => Vec::new(),
        }
    }

    fn req_set(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Vec<String> {
        match self.required(m, at, key) {
            Some(v) => self.strings(v, join(at, key)),
            None => Vec::new(),
        }
    }

    /// A list of records, each read by `one`.
    fn list<T>(
        &mut self,
        v: Option<&Value>,
        at: &str,
        id: &str,
        mut one: impl FnMut(&mut Self, &Value, &str) -> T,
    ) -> Vec<T> {
        let Some(v) = v else { return Vec::new() };
        let Some(items) = v.as_array() else {
            self.bad(at.to_owned(), format!("应为数组，实为 {} / must be an array, found {}", kind(v), kind(v)));
            return Vec::new();
        };
        items.iter().enumerate().map(|(i, x)| one(self, x, &entry(at, i, x, id))).collect()
    }

    fn source(&mut self, v: &Value, at: &str) -> RandomnessSource {
        let placeholder = RandomnessSource::Demo { label: String::new() };
        match v.get("source").and_then(Value::as_str) {
            Some("drand-quicknet") => {
                let Some(m) = self.object(v, at, &["source", "round"]) else { return placeholder };
                RandomnessSource::DrandQuicknet { round: self.req_u64(m, at, "round") }
            }
            Some("public-numbers") => {
                let Some(m) = self.object(v, at, &["source", "description", "date"]) else { return placeholder };
                RandomnessSource::PublicNumbers {
                    description: self.req_string(m, at, "description"),
                    date: self.req_string(m, at, "date"),
                }
            }
            Some("demo") => {
                let Some(m) = self.object(v, at, &["source", "label"]) else { return placeholder };
                RandomnessSource::Demo { label: self.req_string(m, at, "label") }
            }
            _ => {
                if let Some(m) = self.object(v, at, &["source", "round", "description", "date", "label"])
                    && self.required(m, at, "source").is_some()
                {
                    self.bad(
                        join(at, "source"),
                        "应为 drand-quicknet、public-numbers 或 demo / must be drand-quicknet, public-numbers or demo",
                    );
                }
                placeholder
            }
        }
    }

    fn plan(&mut self, v: &Value, at: &str) -> Plan {
        let mut plan = empty_plan();
        let Some(m) = self.object(v, at, &["strata", "allocation", "team", "directed"]) else { return plan };
        let strata_at = join(at, "strata");
        let strata = self.required(m, at, "strata");
        plan.strata = self.list(strata, &strata_at, "id", |r, x, at| {
            let mut s = Stratum {
                id: String::new(),
                name: String::new(),
                ratio: Ratio { num: 0, den: 0 },
                qualification: None,
            };
            if let Some(m) = r.object(x, at, &["id", "name", "ratio", "qualification"]) {
                s.id = r.req_string(m, at, "id");
                s.name = r.req_string(m, at, "name");
                if let Some(ratio) = r.required(m, at, "ratio") {
                    let rat = join(at, "ratio");
                    if let Some(rm) = r.object(ratio, &rat, &["num", "den"]) {
                        s.ratio = Ratio { num: r.req_u64(rm, &rat, "num"), den: r.req_u64(rm, &rat, "den") };
                    }
                }
                s.qualification = r.nullable_string(m, at, "qualification");
            }
            s
        });
        if let Some(a) = self.required(m, at, "allocation") {
            let aat = join(at, "allocation");
            match a.get("mode").and_then(Value::as_str) {
                Some("ratio") => {
                    self.object(a, &aat, &["mode"]);
                }
                Some("total") => {
                    if let Some(am) = self.object(a, &aat, &["mode", "count", "min_one_per_stratum"]) {
                        let count = self.req_u64(am, &aat, "count");
                        let min_one = match self.required(am, &aat, "min_one_per_stratum") {
                            Some(b) => self.bool(b, join(&aat, "min_one_per_stratum")),
                            None => false,
                        };
                        plan.allocation = Allocation::Total { count, min_one_per_stratum: min_one };
                    }
                }
                _ => {
                    if let Some(am) = self.object(a, &aat, &["mode", "count", "min_one_per_stratum"])
                        && self.required(am, &aat, "mode").is_some()
                    {
                        self.bad(join(&aat, "mode"), "应为 ratio 或 total / must be \"ratio\" or \"total\"");
                    }
                }
            }
        }
        if let Some(t) = self.required(m, at, "team") {
            let tat = join(at, "team");
            if let Some(tm) = self.object(t, &tat, &["size", "load_cap", "qualification", "units"]) {
                plan.team = TeamRule {
                    size: self.req_u64(tm, &tat, "size"),
                    load_cap: self.req_u64(tm, &tat, "load_cap"),
                    qualification: self.nullable_string(tm, &tat, "qualification"),
                    units: self.req_set(tm, &tat, "units"),
                };
            }
        }
        match m.get("directed") {
            None | Some(Value::Null) => {}
            Some(d) => {
                let dat = join(at, "directed");
                if let Some(dm) = self.object(d, &dat, &["categories"]) {
                    plan.directed = Some(DirectedFilter { categories: self.req_set(dm, &dat, "categories") });
                }
            }
        }
        plan
    }

    /// A `DrawInput`, its fields named from `prefix` (`""`, or `"input"` in a record).
    fn input(&mut self, v: &Value, prefix: &str) -> DrawInput {
        let mut input = empty_input();
        let at = prefix;
        let Some(m) = self.object(
            v,
            at,
            &[
                "version",
                "draw_id",
                "title",
                "department",
                "unit",
                "ancestors",
                "draw_date",
                "randomness_source",
                "plan",
                "objects",
                "inspectors",
                "history",
            ],
        ) else {
            return input;
        };
        input.version = self.req_string(m, at, "version");
        input.draw_id = self.req_string(m, at, "draw_id");
        input.title = self.req_string(m, at, "title");
        input.department = self.req_string(m, at, "department");
        input.unit = self.req_string(m, at, "unit");
        input.ancestors = self.set(m, at, "ancestors");
        input.draw_date = self.req_string(m, at, "draw_date");
        if let Some(s) = self.required(m, at, "randomness_source") {
            input.randomness_source = self.source(s, &join(at, "randomness_source"));
        }
        if let Some(p) = self.required(m, at, "plan") {
            input.plan = self.plan(p, &join(at, "plan"));
        }
        let objects = self.required(m, at, "objects");
        input.objects = self.list(objects, &join(at, "objects"), "id", |r, x, at| {
            let mut o = Object {
                id: String::new(),
                stratum: String::new(),
                categories: Vec::new(),
                abnormal: false,
                serious_violation: false,
                penalised: false,
            };
            if let Some(m) =
                r.object(x, at, &["id", "stratum", "categories", "abnormal", "serious_violation", "penalised"])
            {
                o.id = r.req_string(m, at, "id");
                o.stratum = r.req_string(m, at, "stratum");
                o.categories = r.set(m, at, "categories");
                o.abnormal = r.flag(m, at, "abnormal");
                o.serious_violation = r.flag(m, at, "serious_violation");
                o.penalised = r.flag(m, at, "penalised");
            }
            o
        });
        let inspectors = self.required(m, at, "inspectors");
        input.inspectors = self.list(inspectors, &join(at, "inspectors"), "cert", |r, x, at| {
            let mut p = Inspector {
                cert: String::new(),
                unit: String::new(),
                qualifications: Vec::new(),
                valid_from: String::new(),
                valid_until: String::new(),
                conflicts: Vec::new(),
            };
            if let Some(m) =
                r.object(x, at, &["cert", "unit", "qualifications", "valid_from", "valid_until", "conflicts"])
            {
                p.cert = r.req_string(m, at, "cert");
                p.unit = r.req_string(m, at, "unit");
                p.qualifications = r.set(m, at, "qualifications");
                p.valid_from = r.req_string(m, at, "valid_from");
                p.valid_until = r.req_string(m, at, "valid_until");
                p.conflicts = r.set(m, at, "conflicts");
            }
            p
        });
        let history = self.defaulted(m, at, "history");
        input.history = self.list(history, &join(at, "history"), "object", |r, x, at| {
            let mut h = HistoryEntry {
                object: String::new(),
                department: String::new(),
                unit: String::new(),
                date: String::new(),
            };
            if let Some(m) = r.object(x, at, &["object", "department", "unit", "date"]) {
                h.object = r.req_string(m, at, "object");
                h.department = r.req_string(m, at, "department");
                h.unit = r.req_string(m, at, "unit");
                h.date = r.req_string(m, at, "date");
            }
            h
        });
        input
    }

    /// Lower-case hex of a hash: 64 digits `0-9a-f` (SPEC §4).
    fn hash_hex(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> String {
        let s = self.req_string(m, at, key);
        if self.problems.last().is_some_and(|p| p.field == join(at, key)) {
            return s;
        }
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            self.bad(join(at, key), "十六进制须为小写（0-9a-f）/ hex must be lower case (0-9a-f)");
        } else if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            self.bad(join(at, key), "应为 64 位十六进制数字 / must be 64 hex digits");
        }
        s
    }

    fn randomness(&mut self, v: &Value, at: &str) -> Randomness {
        let placeholder = Randomness::Demo { value: String::new() };
        match v.get("source").and_then(Value::as_str) {
            Some("drand-quicknet") => {
                let Some(m) = self.object(v, at, &["source", "round", "signature", "randomness"]) else {
                    return placeholder;
                };
                Randomness::DrandQuicknet {
                    round: self.req_u64(m, at, "round"),
                    signature: self.req_string(m, at, "signature"),
                    randomness: self.req_string(m, at, "randomness"),
                }
            }
            Some("public-numbers") => {
                let Some(m) = self.object(v, at, &["source", "key"]) else { return placeholder };
                Randomness::PublicNumbers { key: self.req_string(m, at, "key") }
            }
            Some("demo") => {
                let Some(m) = self.object(v, at, &["source", "value"]) else { return placeholder };
                Randomness::Demo { value: self.req_string(m, at, "value") }
            }
            _ => {
                if let Some(m) = self.object(v, at, &["source", "round", "signature", "randomness", "key", "value"])
                    && self.required(m, at, "source").is_some()
                {
                    self.bad(
                        join(at, "source"),
                        "应为 drand-quicknet、public-numbers 或 demo / must be drand-quicknet, public-numbers or demo",
                    );
                }
                placeholder
            }
        }
    }

    fn result(&mut self, v: &Value, at: &str) -> DrawResult {
        let mut result = DrawResult { strata: Vec::new(), exclusions: Vec::new() };
        let Some(m) = self.object(v, at, &["strata", "exclusions"]) else { return result };
        let strata = self.required(m, at, "strata");
        result.strata = self.list(strata, &join(at, "strata"), "id", |r, x, at| {
            let mut s = StratumResult { id: String::new(), pool: 0, eligible: 0, quota: 0, selected: Vec::new() };
            if let Some(m) = r.object(x, at, &["id", "pool", "eligible", "quota", "selected"]) {
                s.id = r.req_string(m, at, "id");
                s.pool = r.req_u64(m, at, "pool");
                s.eligible = r.req_u64(m, at, "eligible");
                s.quota = r.req_u64(m, at, "quota");
                let selected = r.required(m, at, "selected");
                s.selected = r.list(selected, &join(at, "selected"), "object", |r, x, at| {
                    let mut sel = Selection { position: 0, object: String::new(), team: Vec::new() };
                    if let Some(m) = r.object(x, at, &["position", "object", "team"]) {
                        sel.position = r.req_u64(m, at, "position");
                        sel.object = r.req_string(m, at, "object");
                        sel.team = r.req_set(m, at, "team");
                    }
                    sel
                });
            }
            s
        });
        let exclusions = self.required(m, at, "exclusions");
        result.exclusions = self.list(exclusions, &join(at, "exclusions"), "object", |r, x, at| {
            let mut e = Exclusion { object: String::new(), reason: ExclusionReason::OutsideDirectedFilter };
            if let Some(m) = r.object(x, at, &["object", "reason"]) {
                e.object = r.req_string(m, at, "object");
                if let Some(reason) = r.required(m, at, "reason") {
                    match serde_json::from_value::<ExclusionReason>(reason.clone()) {
                        Ok(reason) => e.reason = reason,
                        Err(_) => r.bad(
                            join(at, "reason"),
                            format!("不是已定义的排除理由：{} / not a defined exclusion reason", kind(reason)),
                        ),
                    }
                }
            }
            e
        });
        result
    }
}

fn empty_plan() -> Plan {
    Plan {
        strata: Vec::new(),
        allocation: Allocation::Ratio,
        team: TeamRule { size: 0, load_cap: 0, qualification: None, units: Vec::new() },
        directed: None,
    }
}

fn empty_input() -> DrawInput {
    DrawInput {
        version: String::new(),
        draw_id: String::new(),
        title: String::new(),
        department: String::new(),
        unit: String::new(),
        ancestors: Vec::new(),
        draw_date: String::new(),
        randomness_source: RandomnessSource::Demo { label: String::new() },
        plan: empty_plan(),
        objects: Vec::new(),
        inspectors: Vec::new(),
        history: Vec::new(),
    }
}

fn finish<T>(r: Reader, value: T) -> Result<T, InputError> {
    if r.problems.is_empty() { Ok(value) } else { Err(InputError { problems: r.problems }) }
}

/// Reads a `DrawInput` from a parsed JSON value by the rules of §3.1,
/// reporting every type problem (duplicate keys cannot be seen in a
/// `Value`: use [`parse_input`] on the text).
pub fn input_from_value(v: &Value) -> Result<DrawInput, InputError> {
    input_reading(v, Vec::new())
}

fn input_reading(v: &Value, problems: Vec<Problem>) -> Result<DrawInput, InputError> {
    let mut r = Reader { problems };
    let input = r.input(v, "");
    finish(r, input)
}

/// Reads a `DrawInput` from JSON text by the rules of §3.1 (every problem,
/// duplicate keys included). The result still has to be validated (§3.2).
pub fn parse_input(text: &str) -> Result<DrawInput, InputError> {
    if let Some(input) = fast_input(text) {
        return Ok(input);
    }
    let (value, duplicates) = parse_with_duplicates(text)?;
    input_reading(&value, duplicates)
}

/// The plan of an input, the rest skipped.
#[derive(serde::Deserialize)]
struct PlanOf {
    plan: Value,
}

/// Whether the text has a duplicate key (or is not JSON): a cheap pass.
fn has_duplicates(text: &str) -> bool {
    let (mut path, mut found) = (Vec::new(), Vec::new());
    let mut d = serde_json::Deserializer::from_str(text);
    Walk { path: &mut path, found: &mut found }.deserialize(&mut d).is_err() || !found.is_empty()
}

/// The fast path for a valid input: no duplicate key, serde's typed parse
/// (which, with `deny_unknown_fields` on every input type, refuses what
/// [`Reader::input`] refuses) and the plan read strictly (serde lets a unit
/// variant such as `{"mode": "ratio"}` carry unknown fields). Any problem
/// sends the text to the slow path, which names every one.
fn fast_input(text: &str) -> Option<DrawInput> {
    if has_duplicates(text) {
        return None;
    }
    let input: DrawInput = serde_json::from_str(text).ok()?;
    let PlanOf { plan } = serde_json::from_str(text).ok()?;
    let mut r = Reader { problems: Vec::new() };
    r.plan(&plan, "plan");
    r.problems.is_empty().then_some(input)
}

/// Reads a record (§12) from a parsed JSON value: the input by the rules of
/// §3.1 (its fields named `input.…`), and every other field the record
/// defines, strictly; fields of the record's top level that §12 does not
/// define are ignored.
pub fn record_from_value(v: &Value) -> Result<DrawRecord, InputError> {
    record_reading(v, Vec::new())
}

fn record_reading(v: &Value, problems: Vec<Problem>) -> Result<DrawRecord, InputError> {
    let mut r = Reader { problems };
    let Some(m) = v.as_object() else {
        r.bad("record".into(), format!("应为 JSON 对象，实为 {} / must be a JSON object, found {}", kind(v), kind(v)));
        return Err(InputError { problems: r.problems });
    };
    let input = match r.required(m, "", "input") {
        Some(i) => r.input(i, "input"),
        None => empty_input(),
    };
    let record = record_fields(&mut r, m, input, None);
    finish(r, record)
}

/// Every field of a record but `input` (given), read strictly; `result` too
/// when given already read (the fast path, [`StrictResult`]).
fn record_fields(
    r: &mut Reader,
    m: &Map<String, Value>,
    input: DrawInput,
    read_result: Option<DrawResult>,
) -> DrawRecord {
    let format = r.req_string(m, "", "format");
    let version = r.req_string(m, "", "version");
    let commitment = r.hash_hex(m, "", "commitment");
    let objects_root = r.hash_hex(m, "", "objects_root");
    let committed_at = r.nullable_string(m, "", "committed_at");
    let randomness = match r.required(m, "", "randomness") {
        Some(x) => r.randomness(x, "randomness"),
        None => Randomness::Demo { value: String::new() },
    };
    let seed = r.hash_hex(m, "", "seed");
    let result = match read_result {
        Some(result) => result,
        None => match r.required(m, "", "result") {
            Some(x) => r.result(x, "result"),
            None => DrawResult { strata: Vec::new(), exclusions: Vec::new() },
        },
    };
    let recusals = r.defaulted(m, "", "recusals");
    let recusals = r.list(recusals, "recusals", "object", |r, x, at| {
        let mut request = RecusalRequest {
            object: String::new(),
            inspector: String::new(),
            reason: String::new(),
            date: String::new(),
        };
        let mut replacement = String::new();
        let mut prev = None;
        if let Some(m) = r.object(x, at, &["object", "inspector", "reason", "date", "replacement", "prev"]) {
            request.object = r.req_string(m, at, "object");
            request.inspector = r.req_string(m, at, "inspector");
            request.reason = r.req_string(m, at, "reason");
            request.date = r.req_string(m, at, "date");
            replacement = r.req_string(m, at, "replacement");
            if m.contains_key("prev") {
                prev = Some(r.hash_hex(m, at, "prev"));
            }
        }
        Recusal { request, replacement, prev }
    });
    DrawRecord { format, version, input, commitment, objects_root, committed_at, randomness, seed, result, recusals }
}

/// Reads a record from JSON text (every problem, duplicate keys included).
pub fn parse_record(text: &str) -> Result<DrawRecord, InputError> {
    if let Some(record) = fast_record(text) {
        return Ok(record);
    }
    let (value, duplicates) = parse_with_duplicates(text)?;
    record_reading(&value, duplicates)
}

/// A record's input plan, everything else skipped.
#[derive(serde::Deserialize)]
struct InputPlanOf {
    input: PlanOf,
}

/// A record for the fast path: the input and the result typed (serde
/// refuses what the strict reader refuses, see [`StrictResult`]), the other
/// fields of §12 kept as JSON to be read strictly, and any other top-level
/// field skipped (§12 ignores them). No `#[serde(flatten)]`: it would buffer
/// the whole document.
#[derive(serde::Deserialize)]
struct FastRecord {
    input: DrawInput,
    result: StrictResult,
    #[serde(default, deserialize_with = "present")]
    format: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    version: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    commitment: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    objects_root: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    committed_at: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    randomness: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    seed: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    recusals: Option<Value>,
}

/// A field that is present, `null` included (`Option<Value>` alone reads `null` as absent).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// `result` as [`Reader::result`] reads it: every field required and not
/// null, no other field, positions and counts unsigned integers.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictResult {
    strata: Vec<StrictStratum>,
    exclusions: Vec<StrictExclusion>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictStratum {
    id: String,
    pool: u64,
    eligible: u64,
    quota: u64,
    selected: Vec<StrictSelection>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictSelection {
    position: u64,
    object: String,
    team: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictExclusion {
    object: String,
    reason: ExclusionReason,
}

impl From<StrictResult> for DrawResult {
    fn from(r: StrictResult) -> Self {
        DrawResult {
            strata: r
                .strata
                .into_iter()
                .map(|s| StratumResult {
                    id: s.id,
                    pool: s.pool,
                    eligible: s.eligible,
                    quota: s.quota,
                    selected: s
                        .selected
                        .into_iter()
                        .map(|x| Selection { position: x.position, object: x.object, team: x.team })
                        .collect(),
                })
                .collect(),
            exclusions: r.exclusions.into_iter().map(|e| Exclusion { object: e.object, reason: e.reason }).collect(),
        }
    }
}

/// The fast path for a valid record (see [`fast_input`]): the input and the
/// result typed, the plan and every other field of the record read strictly.
/// One typed pass over the document and one that skips all but the plan, so
/// a record of a million objects is read without building its JSON tree.
fn fast_record(text: &str) -> Option<DrawRecord> {
    if has_duplicates(text) {
        return None;
    }
    let fast: FastRecord = serde_json::from_str(text).ok()?;
    let InputPlanOf { input: PlanOf { plan } } = serde_json::from_str(text).ok()?;
    let mut r = Reader { problems: Vec::new() };
    r.plan(&plan, "input.plan");
    let mut rest = Map::new();
    for (key, value) in [
        ("format", fast.format),
        ("version", fast.version),
        ("commitment", fast.commitment),
        ("objects_root", fast.objects_root),
        ("committed_at", fast.committed_at),
        ("randomness", fast.randomness),
        ("seed", fast.seed),
        ("recusals", fast.recusals),
    ] {
        if let Some(value) = value {
            rest.insert(key.to_owned(), value);
        }
    }
    let record = record_fields(&mut r, &rest, fast.input, Some(fast.result.into()));
    r.problems.is_empty().then_some(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde's derive refuses what the strict reader refuses, so that a valid
    /// document can take the fast path (typed parse) with the same verdict.
    #[test]
    fn typed_parse_refuses_unknown_fields_in_tagged_enums_too() {
        let bad = r#"{"source": "demo", "label": "x", "round": 1}"#;
        assert!(serde_json::from_str::<RandomnessSource>(bad).is_err());
        let good = r#"{"source": "demo", "label": "x"}"#;
        assert!(serde_json::from_str::<RandomnessSource>(good).is_ok());
        // …except a unit variant: `{"mode": "ratio"}` with more fields is
        // accepted by serde, so the fast path reads the plan strictly too.
        assert!(serde_json::from_str::<Allocation>(r#"{"mode": "ratio", "count": 1}"#).is_ok());
        let input = serde_json::to_value(crate::synthetic::input(&crate::synthetic::Shape {
            objects: 10,
            strata: 2,
            inspectors: 6,
            select: 2,
            team_size: 2,
            load_cap: 5,
            history: 0,
            seed: 1,
        }))
        .unwrap_or_default();
        let mut bad = input.clone();
        bad["plan"]["allocation"] = serde_json::json!({"mode": "ratio", "count": 1});
        let e = parse_input(&bad.to_string()).err().map(|e| e.problems);
        assert_eq!(
            e.map(|p| p.iter().map(|p| p.field.clone()).collect::<Vec<_>>()),
            Some(vec!["plan.allocation.count".to_owned()])
        );
        assert!(parse_input(&input.to_string()).is_ok());
        assert!(serde_json::from_str::<Randomness>(r#"{"source": "demo", "value": "00", "x": 1}"#).is_err());
        assert!(serde_json::from_str::<Ratio>(r#"{"num": 1, "den": 2, "num": 1}"#).is_err());
    }

    /// A problem's field without the labels of list entries (`[0] (S00)` → `[0]`).
    fn unlabelled(field: &str) -> String {
        let mut out = String::new();
        let mut rest = field;
        while let Some(i) = rest.find(" (") {
            out.push_str(&rest[..i]);
            rest = rest[i..].find(')').map_or("", |j| &rest[i + j + 1..]);
        }
        out + rest
    }

    /// The record's fast path ([`fast_record`]) takes exactly the records the
    /// strict reader takes, and gives the same record: a valid one (with an
    /// unknown top-level field, which §12 ignores) is read by both alike; each
    /// broken one is refused by the fast path and named by the reader.
    #[test]
    fn fast_record_agrees_with_the_strict_reader() {
        let shape = crate::synthetic::Shape {
            objects: 40,
            strata: 2,
            inspectors: 8,
            select: 6,
            team_size: 2,
            load_cap: 5,
            history: 4,
            seed: 1,
        };
        let record = crate::draw(crate::synthetic::input(&shape), Randomness::Demo { value: "00".repeat(32) })
            .unwrap_or_else(|e| panic!("the synthetic draw runs: {e}"));
        let mut good = serde_json::to_value(&record).unwrap_or_default();
        good["published_by"] = serde_json::json!("ignored");
        good["recusals"] = serde_json::json!([]);
        let text = good.to_string();
        assert_eq!(fast_record(&text).as_ref(), Some(&record));
        assert_eq!(record_from_value(&good).as_ref(), Ok(&record));
        assert_eq!(parse_record(&text).as_ref(), Ok(&record));

        type Break = fn(&mut Value);
        let cases: [(&str, Break); 11] = [
            ("result.strata[0].selected[0].colour", |v| v["result"]["strata"][0]["selected"][0]["colour"] = 1.into()),
            ("result.strata[0].selected[0].position", |v| {
                v["result"]["strata"][0]["selected"][0]["position"] = Value::Null
            }),
            ("result.strata[0].selected[0].position", |v| {
                v["result"]["strata"][0]["selected"][0]["position"] = (1.5).into()
            }),
            ("result.strata[0].selected[0].team[0]", |v| v["result"]["strata"][0]["selected"][0]["team"][0] = 7.into()),
            ("result.strata[0].quota", |v| v["result"]["strata"][0]["quota"] = (-1).into()),
            ("result.strata[0].note", |v| v["result"]["strata"][0]["note"] = "x".into()),
            ("result.exclusions", |v| v["result"].as_object_mut().map(|m| m.remove("exclusions")).map_or((), |_| ())),
            ("result.exclusions[0].reason", |v| v["result"]["exclusions"][0]["reason"] = "bad_luck".into()),
            ("seed", |v| v["seed"] = "AB".into()),
            ("committed_at", |v| v["committed_at"] = 5.into()),
            ("recusals", |v| v["recusals"] = Value::Null),
        ];
        for (field, break_it) in cases {
            let mut bad = good.clone();
            break_it(&mut bad);
            let text = bad.to_string();
            assert_eq!(fast_record(&text), None, "{field}: the fast path refuses it");
            let problems = parse_record(&text).err().map(|e| e.problems).unwrap_or_default();
            assert!(
                problems.iter().any(|p| unlabelled(&p.field) == field),
                "{field}: the reader names it, got {problems:?}"
            );
        }
    }
}
