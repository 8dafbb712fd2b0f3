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
}

const fn t(zh: &'static str, en: &'static str, note: &'static str) -> Term {
    Term { zh, en, note }
}

/// The glossary, in the order a reader meets the terms.
pub const TERMS: &[Term] = &[
    t(
        "双随机、一公开",
        "double random, one public",
        "inspected objects and inspectors are both drawn at random, and the results are published",
    ),
    t(
        "一单两库一细则",
        "one list, two directories, one rule",
        "the item list, the inspector and object directories, and the implementing rules",
    ),
    t(
        "随机抽查事项清单",
        "item list",
        "what may be inspected at random, with its legal basis and inspector qualifications",
    ),
    t(
        "执法检查人员名录库",
        "inspector directory",
        "enforcement staff who may be drawn, with certificate numbers and qualifications",
    ),
    t("检查对象名录库", "object directory", "enterprises (and products) of the jurisdiction, classified by item"),
    t(
        "统一社会信用代码",
        "unified social credit code",
        "the 18-character enterprise identifier of GB 32100-2015; the last character is a check character",
    ),
    t("执法证号", "enforcement certificate number", "identifies an inspector"),
    t("年度检查计划", "annual inspection plan", "scope, ratio and frequency of the year's random inspections"),
    t("抽查比例", "sampling ratio", "share of the eligible objects that is drawn"),
    t("分层", "stratum", "a group drawn separately, e.g. one kind of check or one credit-risk class"),
    t("抽取", "draw", "the random selection of objects and of inspector teams"),
    t("定向抽取", "directed draw", "a draw restricted to objects of given categories"),
    t("检查组", "inspection team", "at least two inspectors sent to one object"),
    t("回避", "recusal", "an inspector with an interest in an object does not inspect it"),
    t("承诺值", "commitment", "hash of every input of a draw, published before the randomness exists"),
    t("随机源", "public randomness", "a value nobody knew when the commitment was published, e.g. a drand round"),
    t("种子", "seed", "hash of the commitment and the public randomness; every random choice derives from it"),
    t("排除", "exclusion", "an object left out of a draw by rule, published with its reason"),
    t("经营异常名录", "abnormal operations list", "enterprises on it are not protected by the frequency limit"),
    t("严重违法失信企业名单", "serious violation list", "enterprises on it are not protected by the frequency limit"),
    t("验证", "verification", "recomputing a draw from its published record"),
    t(
        "默克尔包含证明",
        "Merkle inclusion proof",
        "the sibling hashes that show one enterprise is in the committed pool, checked against the pool's Merkle root",
    ),
    t(
        "演示随机数",
        "demo randomness",
        "randomness chosen by the publisher for demonstrations; unlike a public beacon it proves nothing",
    ),
    t("北京时间", "Beijing time", "UTC+8, the time zone every time on the portal is shown in (with UTC beside it)"),
    t(
        "更正",
        "correction",
        "a published record is never changed: a correction is a new version that says what it replaces and why",
    ),
    t("整改", "rectification", "putting right what an inspection found, by a deadline; its status is published"),
    t("现行版本", "current version", "the highest version of a record; lists show it, detail pages show every version"),
    t("检查结果", "inspection result", "category, findings and rectification of one inspected object, published"),
    t("开放数据", "open data", "every published list as JSON and as CSV, with the same filters as its page"),
    t(
        "评价码",
        "feedback code",
        "a one-time code on the written result with which the inspected enterprise rates the inspection",
    ),
    t("好差评", "good/bad rating", "the five-level rating of government services (very satisfied … very dissatisfied)"),
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
