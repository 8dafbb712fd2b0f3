//! Domain terms, Chinese ↔ English. The portal's English texts use these
//! translations, and the home page shows the list so that readers of either
//! language can follow the regulations, which exist only in Chinese.

/// One term of the 双随机、一公开 vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub zh: &'static str,
    pub en: &'static str,
    /// A short explanation in English.
    pub note: &'static str,
    /// The same explanation in Chinese.
    pub note_zh: &'static str,
}

const fn t(zh: &'static str, en: &'static str, note: &'static str, note_zh: &'static str) -> Term {
    Term { zh, en, note, note_zh }
}

impl Term {
    /// The explanation in the page's language.
    pub fn note(&self, lang: crate::i18n::Lang) -> &'static str {
        lang.pick(self.note_zh, self.note)
    }
}

/// The glossary, in the order a reader meets the terms.
pub const TERMS: &[Term] = &[
    t(
        "双随机、一公开",
        "double random, one public",
        "inspected objects and inspectors are both drawn at random, and the results are published",
        "随机抽取检查对象，随机选派执法检查人员，抽查情况及查处结果及时向社会公开",
    ),
    t(
        "一单两库一细则",
        "one list, two directories, one rule",
        "the item list, the inspector and object directories, and the implementing rules",
        "随机抽查事项清单、检查对象名录库和执法检查人员名录库、随机抽查工作细则",
    ),
    t(
        "随机抽查事项清单",
        "item list",
        "what may be inspected at random, with its legal basis and inspector qualifications",
        "可以随机抽查的事项，写明依据、检查人员资格和检查方式",
    ),
    t(
        "执法检查人员名录库",
        "inspector directory",
        "enforcement staff who may be drawn, with certificate numbers and qualifications",
        "可被抽取的执法人员，含执法证号和资格",
    ),
    t(
        "检查对象名录库",
        "object directory",
        "enterprises (and products) of the jurisdiction, classified by item",
        "本辖区的企业（及产品），按抽查事项分类",
    ),
    t(
        "统一社会信用代码",
        "unified social credit code",
        "the 18-character enterprise identifier of GB 32100-2015; the last character is a check character",
        "GB 32100-2015 规定的 18 位企业代码，最后一位是校验码",
    ),
    t("执法证号", "enforcement certificate number", "identifies an inspector", "标识一名执法检查人员"),
    t(
        "年度检查计划",
        "annual inspection plan",
        "scope, ratio and frequency of the year's random inspections",
        "当年随机抽查的范围、比例和频次",
    ),
    t("抽查比例", "sampling ratio", "share of the eligible objects that is drawn", "从符合条件的检查对象中抽取的比例"),
    t(
        "分层",
        "stratum",
        "a group drawn separately, e.g. one kind of check or one credit-risk class",
        "分别抽取的一组对象，例如一类检查或一个信用风险等级",
    ),
    t("抽取", "draw", "the random selection of objects and of inspector teams", "随机选出检查对象和检查组"),
    t("定向抽取", "directed draw", "a draw restricted to objects of given categories", "只在指定类别的对象中抽取"),
    t("检查组", "inspection team", "at least two inspectors sent to one object", "派往一个检查对象的至少两名检查人员"),
    t(
        "回避",
        "recusal",
        "an inspector with an interest in an object does not inspect it",
        "与检查对象有利害关系的检查人员不参加对它的检查",
    ),
    t(
        "承诺值",
        "commitment",
        "hash of every input of a draw, published before the randomness exists",
        "一次抽取全部输入的哈希值，在随机数产生之前公布",
    ),
    t(
        "随机源",
        "public randomness",
        "a value nobody knew when the commitment was published, e.g. a drand round",
        "公布承诺值时还没有人知道的数，例如某一轮 drand 随机信标",
    ),
    t(
        "种子",
        "seed",
        "hash of the commitment and the public randomness; every random choice derives from it",
        "承诺值与公共随机数的哈希值，每一个随机选择都由它导出",
    ),
    t(
        "排除",
        "exclusion",
        "an object left out of a draw by rule, published with its reason",
        "按规则不参加本次抽取的对象，连同原因一起公布",
    ),
    t(
        "经营异常名录",
        "abnormal operations list",
        "enterprises on it are not protected by the frequency limit",
        "列入的企业不受抽查频次限制的保护",
    ),
    t(
        "严重违法失信企业名单",
        "serious violation list",
        "enterprises on it are not protected by the frequency limit",
        "列入的企业不受抽查频次限制的保护",
    ),
    t("验证", "verification", "recomputing a draw from its published record", "根据公布的记录重新计算一次抽取"),
    t(
        "默克尔包含证明",
        "Merkle inclusion proof",
        "the sibling hashes that show one enterprise is in the committed pool, checked against the pool's Merkle root",
        "一组相邻哈希值，对照名录库的默克尔根即可证明某家企业在承诺的名录库中",
    ),
    t(
        "演示随机数",
        "demo randomness",
        "randomness chosen by the publisher for demonstrations; unlike a public beacon it proves nothing",
        "发布者为演示自行选定的随机数；与公共随机信标不同，它证明不了什么",
    ),
    t(
        "北京时间",
        "Beijing time",
        "UTC+8, the time zone every time on the portal is shown in (with UTC beside it)",
        "UTC+8，本站所有时间都按北京时间显示（并附 UTC 时间）",
    ),
    t(
        "更正",
        "correction",
        "a published record is never changed: a correction is a new version that says what it replaces and why",
        "已公布的记录从不修改：更正是一个新版本，写明替换了什么、为什么",
    ),
    t(
        "整改",
        "rectification",
        "putting right what an inspection found, by a deadline; its status is published",
        "在期限内纠正检查发现的问题；整改情况向社会公示",
    ),
    t(
        "现行版本",
        "current version",
        "the highest version of a record; lists show it, detail pages show every version",
        "记录的最高版本；列表显示现行版本，详情页显示全部版本",
    ),
    t(
        "检查结果",
        "inspection result",
        "category, findings and rectification of one inspected object, published",
        "一个检查对象的结果类别、发现的问题和整改情况，向社会公示",
    ),
    t(
        "开放数据",
        "open data",
        "every published list as JSON and as CSV, with the same filters as its page",
        "每一个公示列表都提供 JSON 和 CSV，筛选条件与页面相同",
    ),
    t(
        "评价码",
        "feedback code",
        "a one-time code on the written result with which the inspected enterprise rates the inspection",
        "写在检查结果书面文书上的一次性代码，被检查企业用它评价本次检查",
    ),
    t(
        "好差评",
        "good/bad rating",
        "the five-level rating of government services (very satisfied … very dissatisfied)",
        "政务服务的五级评价（非常满意……非常不满意）",
    ),
];

/// The English for a Chinese term, if the glossary has it.
pub fn english(zh: &str) -> Option<&'static str> {
    TERMS.iter().find(|term| term.zh == zh).map(|term| term.en)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn terms_are_unique_and_complete() {
        let mut zh = HashSet::new();
        let mut en = HashSet::new();
        for term in TERMS {
            assert!(zh.insert(term.zh), "duplicate Chinese term {}", term.zh);
            assert!(en.insert(term.en), "duplicate English term {}", term.en);
            assert!(!term.note.is_empty(), "{} has no explanation", term.zh);
            assert!(
                term.note_zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{} has no Chinese explanation",
                term.zh
            );
        }
    }

    #[test]
    fn key_terms_translate() {
        assert_eq!(english("随机抽查事项清单"), Some("item list"));
        assert_eq!(english("执法检查人员名录库"), Some("inspector directory"));
        assert_eq!(english("检查对象名录库"), Some("object directory"));
        assert_eq!(english("统一社会信用代码"), Some("unified social credit code"));
        assert_eq!(english("回避"), Some("recusal"));
        assert_eq!(english("承诺值"), Some("commitment"));
        assert_eq!(english("随机源"), Some("public randomness"));
        assert_eq!(english("种子"), Some("seed"));
        assert_eq!(english("分层"), Some("stratum"));
        assert_eq!(english("抽取"), Some("draw"));
        assert_eq!(english("不存在"), None);
    }
}
