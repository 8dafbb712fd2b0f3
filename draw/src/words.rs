//! A verification in words, in Chinese or in English: the edge where the
//! structured [`Verification`](crate::Verification) becomes text, shared by
//! the portal's pages, the browser's verifier and the command line (which
//! prints both languages).

use crate::id::{format_beijing, format_utc};
use crate::input::RandomnessSource;
use crate::randomness::quicknet_round_time;
use crate::record::{Chain, Count, Detail, Difference, Place, SeedFrom, StepKind, Value};

/// The language of the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

impl Language {
    fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Chinese => zh,
            Language::English => en,
        }
    }
}

/// What a step checks.
pub fn step(kind: StepKind, lang: Language) -> &'static str {
    lang.pick(kind.zh(), kind.en())
}

/// What a step that ran checked: [`step`], except that a seed from demo
/// randomness is not said to come from public randomness.
pub fn step_title(s: &crate::record::Step, lang: Language) -> &'static str {
    match (&s.detail, lang) {
        (Detail::Seed { from: SeedFrom::Demo, .. }, Language::Chinese) => {
            "种子由承诺值和演示随机数得出（演示随机数不是公共随机源）"
        }
        (Detail::Seed { from: SeedFrom::Demo, .. }, Language::English) => {
            "the seed follows from the commitment and the demo randomness (not a public beacon)"
        }
        _ => step(s.kind, lang),
    }
}

/// What a match does not show, when it does not show it: a draw from demo
/// randomness matches whatever seed its publisher chose.
pub fn caveat(steps: &[crate::record::Step], lang: Language) -> Option<&'static str> {
    let demo = steps.iter().any(|s| matches!(s.detail, Detail::Seed { from: SeedFrom::Demo, .. }));
    demo.then(|| {
        lang.pick(
            "一致只说明：公布的结果确由公布的输入和这个随机数算出。演示随机数由发布者选定，不是事先无法预知的公共随机数，因此不能证明抽取没有被操纵。",
            "A match shows only that the published result follows from the published inputs and this randomness. Demo randomness is chosen by the publisher, not an unpredictable public beacon, so it cannot show that the draw was not steered.",
        )
    })
}

/// One language of a bilingual message `中文 / English` (each line split at
/// its first ` / `; a line without one is kept whole). The crate's input,
/// randomness and draw errors are written this way. In English, a message
/// that wraps another bilingual one (`前缀 / prefix: 内层 / inner`) is split
/// again, down to the English of both.
pub fn one_language(bilingual: &str, lang: Language) -> String {
    bilingual
        .lines()
        .map(|line| match (line.split_once(" / "), lang) {
            (Some((zh, _)), Language::Chinese) => zh.trim_end().to_owned(),
            (Some((prefix_and_zh, en)), Language::English) => {
                let en = if en.contains(" / ") { one_language(en, lang) } else { en.to_owned() };
                match prefix_and_zh.rsplit_once(": ") {
                    // Keep a leading "field: " that precedes the Chinese text.
                    Some((prefix, _)) if prefix.is_ascii() => format!("{prefix}: {en}"),
                    _ => en,
                }
            }
            (None, _) => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// When and from what the committed randomness comes.
pub fn source(s: &RandomnessSource, lang: Language) -> String {
    match (s, lang) {
        (RandomnessSource::DrandQuicknet { round }, Language::Chinese) => {
            format!("drand quicknet 第 {round} 轮，北京时间 {} 生成", format_beijing(quicknet_round_time(*round)))
        }
        (RandomnessSource::DrandQuicknet { round }, Language::English) => {
            format!("drand quicknet round {round}, emitted {}", format_utc(quicknet_round_time(*round)))
        }
        (RandomnessSource::PublicNumbers { description, date }, Language::Chinese) => {
            format!("{date} 公布的公开号码：{description}")
        }
        (RandomnessSource::PublicNumbers { description, date }, Language::English) => {
            format!("public numbers published on {date}: {description}")
        }
        (RandomnessSource::Demo { label }, Language::Chinese) => format!("演示随机数（非公共随机源）：{label}"),
        (RandomnessSource::Demo { label }, Language::English) => {
            format!("demo randomness, not a public beacon: {label}")
        }
    }
}

/// What a step compared, or why it could not run.
pub fn detail(d: &Detail, lang: Language) -> String {
    use Language::{Chinese as Zh, English as En};
    match (d, lang) {
        (Detail::Inputs { objects, inspectors, history }, Zh) => {
            format!("{objects} 个对象、{inspectors} 名检查人员、{history} 条本年检查记录")
        }
        (Detail::Inputs { objects, inspectors, history }, En) => {
            format!("{objects} objects, {inspectors} inspectors, {history} inspections earlier this year")
        }
        (Detail::VersionsDiffer { record, input }, Zh) => {
            format!("记录的 version “{record}” 与 input.version “{input}” 不同")
        }
        (Detail::VersionsDiffer { record, input }, En) => {
            format!("the record's version '{record}' differs from input.version '{input}'")
        }
        (Detail::UnknownFormat { format, version }, Zh) => format!("不认识的记录格式或版本：{format} {version}"),
        (Detail::UnknownFormat { format, version }, En) => {
            format!("unknown record format or version: {format} {version}")
        }
        (Detail::Invalid { error }, _) => one_language(error, lang),
        (Detail::CannotDraw { error }, Zh) => format!("按公布的输入无法完成抽取：{}", one_language(error, lang)),
        (Detail::CannotDraw { error }, En) => format!("the inputs cannot be drawn: {}", one_language(error, lang)),
        (Detail::Commitment { recomputed, published, committed_at, source: s, published_before }, Zh) => {
            let timing = match published_before {
                Some(p) => format!("事先公布的承诺值 {p}"),
                None => "未给出事先公布的承诺值：只检查了一致性，未检查时间".to_owned(),
            };
            format!(
                "重算 {recomputed}，记录 {published}；承诺时间 {}；随机源 {}；{timing}",
                committed_at.as_deref().unwrap_or("未记录"),
                source(s, lang)
            )
        }
        (Detail::Commitment { recomputed, published, committed_at, source: s, published_before }, En) => {
            let timing = match published_before {
                Some(p) => format!("the commitment published before the randomness: {p}"),
                None => "no commitment published before the randomness was given: consistency checked, not timing"
                    .to_owned(),
            };
            format!(
                "recomputed {recomputed}, in the record {published}; committed at {}; randomness: {}; {timing}",
                committed_at.as_deref().unwrap_or("not recorded"),
                source(s, lang)
            )
        }
        (Detail::Seed { seed, from }, Zh) => {
            let how = match from {
                SeedFrom::Drand { round } => {
                    format!("drand quicknet 第 {round} 轮的 BLS 签名已用 quicknet 公钥验证，随机数 = SHA-256(签名)")
                }
                SeedFrom::PublicNumbers { key } => format!("公开号码串 {key} 符合 RFC 3797 格式"),
                SeedFrom::Demo => "演示随机数，不是公共随机信标".to_owned(),
            };
            format!("种子 {seed}；{how}")
        }
        (Detail::Seed { seed, from }, En) => {
            let how = match from {
                SeedFrom::Drand { round } => format!(
                    "the BLS signature of drand quicknet round {round} was checked against the quicknet public key, randomness = SHA-256(signature)"
                ),
                SeedFrom::PublicNumbers { key } => format!("the public numbers {key} form an RFC 3797 key string"),
                SeedFrom::Demo => "demo randomness, not a public beacon".to_owned(),
            };
            format!("seed {seed}; {how}")
        }
        (Detail::Eligibility { excluded }, Zh) => format!("{excluded} 个对象被排除"),
        (Detail::Eligibility { excluded }, En) => format!("{excluded} objects excluded"),
        (Detail::Selection { strata, selected }, Zh) => format!("{strata} 个分层共抽中 {selected} 个对象"),
        (Detail::Selection { strata, selected }, En) => format!("{selected} objects selected in {strata} strata"),
        (Detail::Teams { size }, Zh) => format!("每个对象 {size} 名检查人员"),
        (Detail::Teams { size }, En) => format!("{size} inspectors per object"),
        (Detail::Recusals { count, chain }, Zh) => {
            let chain = match chain {
                Chain::Empty => String::new(),
                Chain::Checked { head } => format!("；回避链头 {head}，已对照公布的链头"),
                Chain::Unchecked { head } => format!("；回避链头 {head}，未对照公布的链头：只检查了一致性"),
                Chain::Unlinked => "；回避未链接（链出现之前的 v1 记录）：理由和日期未被约束".to_owned(),
            };
            format!("{count} 次回避{chain}")
        }
        (Detail::Recusals { count, chain }, En) => {
            let chain = match chain {
                Chain::Empty => String::new(),
                Chain::Checked { head } => format!("; chain head {head}, checked against the published head"),
                Chain::Unchecked { head } => {
                    format!("; chain head {head}, not checked against a published head: consistency only")
                }
                Chain::Unlinked => "; the recusals are not chained (a v1 record from before the chain): their reasons and dates are not bound".to_owned(),
            };
            format!("{count} recusal{}{chain}", if *count == 1 { "" } else { "s" })
        }
    }
}

/// Where a difference is.
pub fn place(p: &Place, lang: Language) -> String {
    use Language::{Chinese as Zh, English as En};
    let count = |c: &Count| match (c, lang) {
        (Count::Pool, Zh) => "对象数",
        (Count::Pool, En) => "pool",
        (Count::Eligible, Zh) => "可抽数",
        (Count::Eligible, En) => "eligible",
        (Count::Quota, Zh) => "应抽数",
        (Count::Quota, En) => "quota",
    };
    match (p, lang) {
        (Place::Commitment, Zh) => "承诺值".into(),
        (Place::Commitment, En) => "commitment".into(),
        (Place::ObjectsRoot, Zh) => "对象库默克尔根".into(),
        (Place::ObjectsRoot, En) => "objects Merkle root".into(),
        (Place::CommitmentPublishedBefore, Zh) => "记录的承诺值与随机数产生前公布的承诺值".into(),
        (Place::CommitmentPublishedBefore, En) => {
            "the record's commitment vs the one published before the randomness".into()
        }
        (Place::Seed, Zh) => "种子".into(),
        (Place::Seed, En) => "seed".into(),
        (Place::ExclusionReason { object }, Zh) => format!("排除对象 {object} 的理由"),
        (Place::ExclusionReason { object }, En) => format!("exclusion reason of {object}"),
        (Place::ShouldBeExcluded { object }, Zh) => format!("对象 {object} 应被排除"),
        (Place::ShouldBeExcluded { object }, En) => format!("{object} should be excluded"),
        (Place::ShouldNotBeExcluded { object }, Zh) => format!("对象 {object} 不应被排除"),
        (Place::ShouldNotBeExcluded { object }, En) => format!("{object} should not be excluded"),
        (Place::ExclusionOrder, Zh) => "排除名单的顺序（应按信用代码字节序）".into(),
        (Place::ExclusionOrder, En) => "order of result.exclusions (canonical object order)".into(),
        (Place::Stratum { stratum }, Zh) => format!("分层 {stratum}"),
        (Place::Stratum { stratum }, En) => format!("stratum {stratum}"),
        (Place::StratumCount { stratum, count: c }, Zh) => format!("分层 {stratum} 的{}", count(c)),
        (Place::StratumCount { stratum, count: c }, En) => format!("stratum {stratum} {}", count(c)),
        (Place::Selected { stratum, position }, Zh) => format!("分层 {stratum} 第 {position} 位"),
        (Place::Selected { stratum, position }, En) => format!("stratum {stratum} position {position}"),
        (Place::Position { stratum, position, object }, Zh) => {
            format!("分层 {stratum} 第 {position} 位 {object} 的位次")
        }
        (Place::Position { stratum, position, object }, En) => {
            format!("stratum {stratum} position {position}: the position written for {object}")
        }
        (Place::Team { stratum, position, object }, Zh) => format!("分层 {stratum} 第 {position} 位 {object} 的检查组"),
        (Place::Team { stratum, position, object }, En) => {
            format!("stratum {stratum} position {position}: the team of {object}")
        }
        (Place::StrataOrder, Zh) => "分层的顺序（应按分层标识字节序）".into(),
        (Place::StrataOrder, En) => "order of result.strata (canonical stratum order)".into(),
        (Place::NotInPool { object }, Zh) => format!("抽中对象 {object} 不在公布的名录库中"),
        (Place::NotInPool { object }, En) => format!("drawn object {object} is not in the published pool"),
        (Place::Replacement { recusal, inspector, object }, Zh) => {
            format!("第 {recusal} 次回避（{inspector} 回避 {object}）的替换人员")
        }
        (Place::Replacement { recusal, inspector, object }, En) => {
            format!("replacement of recusal {recusal} ({inspector} recused from {object})")
        }
        (Place::RecusalLink { recusal }, Zh) => format!("第 {recusal} 次回避的 prev（回避链）"),
        (Place::RecusalLink { recusal }, En) => format!("prev of recusal {recusal} (the recusal chain)"),
        (Place::RecusalHead, Zh) => "公布的回避链头不在本记录的回避链中：已公布的回避被改动或删除".into(),
        (Place::RecusalHead, En) => {
            "the published recusal chain head is not in this record's chain: a published recusal was edited or removed"
                .into()
        }
    }
}

/// A value of a difference.
pub fn value(v: &Value, lang: Language) -> String {
    use Language::{Chinese as Zh, English as En};
    match (v, lang) {
        (Value::Text(t), _) => t.clone(),
        (Value::Number(n), _) => n.to_string(),
        (Value::List(items), Zh) => items.join("、"),
        (Value::List(items), En) => items.join(", "),
        (Value::Nothing, Zh) => "（无）".into(),
        (Value::Nothing, En) => "(none)".into(),
        (Value::Reason(r), Zh) => r.zh().into(),
        (Value::Reason(r), En) => r.en().into(),
        (Value::Eligible, Zh) => "可抽".into(),
        (Value::Eligible, En) => "eligible".into(),
        (Value::NotExcluded, Zh) => "未排除".into(),
        (Value::NotExcluded, En) => "not excluded".into(),
        (Value::NotInPool, Zh) => "不在名录库中".into(),
        (Value::NotInPool, En) => "not in the pool".into(),
        (Value::DrawnAt(p), Zh) => format!("第 {p} 位抽中"),
        (Value::DrawnAt(p), En) => format!("drawn at position {p}"),
        (Value::Objects(n), Zh) => format!("{n} 个对象"),
        (Value::Objects(n), En) => format!("{n} objects"),
        (Value::NotInPlan, Zh) => "计划中没有的分层".into(),
        (Value::NotInPlan, En) => "a stratum the plan does not have".into(),
    }
}

/// A whole difference in one sentence.
pub fn difference(d: &Difference, lang: Language) -> String {
    let (at, expected, published) = (place(&d.place, lang), value(&d.expected, lang), value(&d.published, lang));
    match lang {
        Language::Chinese => format!("{at}：应为 {expected}，公布为 {published}"),
        Language::English => format!("{at}: expected {expected}, published {published}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilingual_errors_are_split_per_line_keeping_the_field() {
        let text =
            "the input has 1 problem(s):\nrandomness_source.round: drand 轮次从 1 开始 / drand rounds start at 1";
        assert_eq!(
            one_language(text, Language::English),
            "the input has 1 problem(s):\nrandomness_source.round: drand rounds start at 1"
        );
        assert_eq!(
            one_language(text, Language::Chinese),
            "the input has 1 problem(s):\nrandomness_source.round: drand 轮次从 1 开始"
        );
        assert_eq!(one_language("no separator", Language::English), "no separator");
        // A bilingual message wrapped in another.
        let nested = "无法加载验证程序 / cannot load the verifier: 您的浏览器不支持 WebAssembly SIMD。 / Your browser does not support WebAssembly SIMD.";
        assert_eq!(
            one_language(nested, Language::English),
            "cannot load the verifier: Your browser does not support WebAssembly SIMD."
        );
    }

    #[test]
    fn english_words_have_no_chinese_and_chinese_words_say_the_same() {
        let d = Difference {
            step: StepKind::Selection,
            place: Place::Selected { stratum: "A".into(), position: 3 },
            expected: Value::Text("91110000600037341X".into()),
            published: Value::Nothing,
        };
        assert_eq!(
            difference(&d, Language::English),
            "stratum A position 3: expected 91110000600037341X, published (none)"
        );
        assert_eq!(difference(&d, Language::Chinese), "分层 A 第 3 位：应为 91110000600037341X，公布为 （无）");
        let team = Value::List(vec!["C1".into(), "C2".into()]);
        assert_eq!(value(&team, Language::English), "C1, C2");
        let recusals = Detail::Recusals { count: 2, chain: Chain::Unlinked };
        assert!(!detail(&recusals, Language::English).chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }
}
