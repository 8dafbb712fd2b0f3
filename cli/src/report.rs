//! What the commands print: problems, the randomness a draw binds to, and
//! summaries of records.

use draw::randomness::{QUICKNET_CHAIN_HASH, quicknet_round_time};
use draw::{DrawError, DrawRecord, InputError, Randomness, RandomnessSource};

use super::clock;

/// Where the records of each list came from, when they came from CSV files:
/// (list name in the input, file, line of each record).
#[derive(Debug, Default)]
pub struct Origins {
    pub lists: Vec<(&'static str, String, Vec<u64>)>,
}

impl Origins {
    /// The CSV place of a problem field such as `objects[12] (…).id`, if any.
    fn place(&self, field: &str) -> Option<String> {
        self.lists.iter().find_map(|(list, file, lines)| {
            let rest = field.strip_prefix(list)?.strip_prefix('[')?;
            let index: usize = rest[..rest.find(']')?].parse().ok()?;
            let line = lines.get(index)?;
            Some(format!("{file} 第 {line} 行 / line {line}"))
        })
    }
}

/// Formats the problems of an input, each with its CSV line when known.
/// Why inputs cannot be committed: every input problem (with the CSV origins),
/// or why the plan cannot be drawn (checked before any randomness exists).
pub fn commit_error(error: &DrawError, extra: &[String], origins: &Origins) -> String {
    match error {
        DrawError::Input(e) => problems(e, extra, origins),
        other if extra.is_empty() => draw_error(other),
        other => problems(&InputError { problems: Vec::new() }, extra, origins) + &draw_error(other),
    }
}

pub fn problems(error: &InputError, extra: &[String], origins: &Origins) -> String {
    let n = error.problems.len() + extra.len();
    let mut out = format!("输入有 {n} 处错误，未写出任何文件 / the input has {n} problem(s); nothing was written:\n");
    for p in extra {
        out.push_str(&format!("  {p}\n"));
    }
    for p in &error.problems {
        match origins.place(&p.field) {
            Some(place) => out.push_str(&format!("  {place} — {}: {}\n", p.field, p.message)),
            None => out.push_str(&format!("  {}: {}\n", p.field, p.message)),
        }
    }
    out
}

/// Formats why a draw could not be made.
pub fn draw_error(error: &DrawError) -> String {
    match error {
        DrawError::Input(e) => problems(e, &[], &Origins::default()),
        DrawError::Randomness(e) => format!("随机数 / randomness: {e}"),
        DrawError::Infeasible(e) => {
            format!("无法完成抽取，未写出任何文件 / the draw cannot be made; nothing was written:\n  {e}")
        }
    }
}

/// Lines telling when and where the committed randomness comes from.
pub fn source_lines(source: &RandomnessSource) -> Vec<String> {
    match source {
        RandomnessSource::DrandQuicknet { round } => {
            let t = quicknet_round_time(*round);
            vec![
                format!("drand quicknet 第 {round} 轮 / round {round}"),
                format!("  生成时间 / emitted at: {} (UTC)", clock::utc(t)),
                format!("                         {} (北京时间 / Beijing time)", clock::beijing(t)),
                format!("  链 / chain: {QUICKNET_CHAIN_HASH}"),
            ]
        }
        RandomnessSource::PublicNumbers { description, date } => {
            vec![format!("{date} 公布的公开号码 / public numbers published on {date}"), format!("  {description}")]
        }
        RandomnessSource::Demo { label } => vec![format!(
            "演示随机数（非公共随机源，仅供演示）/ demo randomness, not a public beacon, for demonstrations only: {label}"
        )],
    }
}

/// A warning when a drand round already exists at `now`: a commitment
/// published now no longer binds to randomness that did not yet exist.
pub fn already_emitted(source: &RandomnessSource, now: Option<i64>) -> Option<String> {
    let (RandomnessSource::DrandQuicknet { round }, Some(now)) = (source, now) else {
        return None;
    };
    let t = quicknet_round_time(*round);
    (t <= now).then(|| {
        format!(
            "注意：drand 第 {round} 轮已于 {}（北京时间）生成；承诺值必须在随机数产生之前公布 / \
             warning: drand round {round} was already emitted at {}; a commitment must be published before its randomness exists",
            clock::beijing(t),
            clock::utc(t)
        )
    })
}

/// One line naming the randomness of a record.
pub fn randomness_line(r: &Randomness) -> String {
    match r {
        Randomness::DrandQuicknet { round, randomness, .. } => {
            format!("drand quicknet 第 {round} 轮 / round {round}: {randomness}")
        }
        Randomness::PublicNumbers { key } => format!("公开号码 / public numbers: {key}"),
        Randomness::Demo { value } => format!("演示 / demo: {value}"),
    }
}

/// The per-stratum summary of a record, and optionally every selection.
pub fn summary(record: &DrawRecord, list: bool) -> String {
    let mut out = String::new();
    let names: std::collections::HashMap<&str, &str> =
        record.input.plan.strata.iter().map(|s| (s.id.as_str(), s.name.as_str())).collect();
    let (mut pool, mut eligible, mut selected) = (0, 0, 0);
    for s in &record.result.strata {
        let name = names.get(s.id.as_str()).copied().unwrap_or("");
        out.push_str(&format!(
            "  分层 {}（{name}）：对象库 {}，可抽 {}，抽中 {} / stratum {}: pool {}, eligible {}, selected {}\n",
            s.id,
            s.pool,
            s.eligible,
            s.selected.len(),
            s.id,
            s.pool,
            s.eligible,
            s.selected.len()
        ));
        pool += s.pool;
        eligible += s.eligible;
        selected += s.selected.len();
    }
    out.push_str(&format!(
        "  合计：对象库 {pool}，可抽 {eligible}，抽中 {selected} / total: pool {pool}, eligible {eligible}, selected {selected}\n"
    ));
    let excluded = &record.result.exclusions;
    if !excluded.is_empty() {
        let mut counts: std::collections::BTreeMap<_, usize> = std::collections::BTreeMap::new();
        for e in excluded {
            *counts.entry(e.reason).or_default() += 1;
        }
        let reasons: Vec<String> = counts.iter().map(|(r, n)| format!("{} {n} / {} {n}", r.zh(), r.en())).collect();
        out.push_str(&format!("  排除 / excluded: {}（{}）\n", excluded.len(), reasons.join("；")));
    }
    if list {
        for s in &record.result.strata {
            for sel in &s.selected {
                out.push_str(&format!(
                    "  {} #{} {}  检查人员 / inspectors: {}\n",
                    s.id,
                    sel.position,
                    sel.object,
                    sel.team.join("、")
                ));
            }
        }
    }
    out
}
