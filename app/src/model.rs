//! The closed sets of values the portal publishes, shared by the pages, the
//! open data, the import and storage: each is an enum that is written as the
//! same text everywhere (JSON, CSV, the database), so no page matches a
//! literal and no list of values exists twice.

use serde::{Deserialize, Serialize};

/// Declares an enum whose values are written as fixed texts (serde, and
/// SQLite TEXT under `ssr`), with `ALL`, `as_str` and `parse`.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type))]
        #[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT"))]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] #[cfg_attr(feature = "ssr", sqlx(rename = $text))] $variant,)*
        }

        impl $name {
            /// Every value, in the order of the declaration.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The text it is written as.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The value written as `text`, if any.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Where a published draw stands.
    DrawStatus {
        /// The draw is made and its record published.
        Drawn = "drawn",
        /// Committed; the randomness is not known yet, or the draw not made yet.
        AwaitingRandomness = "awaiting_randomness",
    }
);

text_enum!(
    /// What happened to one object of a draw's pool.
    Outcome {
        Selected = "selected",
        NotSelected = "not_selected",
        Excluded = "excluded",
    }
);

text_enum!(
    /// Where the rectification of a finding stands (整改).
    Rectification {
        /// Nothing to rectify.
        None = "none",
        Pending = "pending",
        Done = "done",
        Overdue = "overdue",
    }
);

text_enum!(
    /// The level of a department in the administrative hierarchy.
    Level {
        Province = "province",
        City = "city",
        District = "district",
    }
);

text_enum!(
    /// An item of a 随机抽查事项清单: in force, or withdrawn.
    ItemStatus {
        Active = "active",
        Withdrawn = "withdrawn",
    }
);

text_enum!(
    /// An inspector of the directory: serving, or has left.
    InspectorStatus {
        Active = "active",
        Left = "left",
    }
);

text_enum!(
    /// The eight result categories used in practice (DOMAIN.md §6), written in Chinese everywhere.
    ResultCategory {
        NoProblem = "未发现问题",
        CorrectedOnOrder = "发现问题已责令改正",
        FurtherAction = "发现问题待后续处理",
        NotDisclosed = "未按规定公示应当公示的信息",
        Unreachable = "通过登记的住所（经营场所）无法联系",
        ClosedOrLiquidating = "已关闭停业或正在组织清算",
        Obstructed = "不配合检查情节严重",
        NoSuchActivity = "未发现开展本次抽查涉及的经营活动",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_their_texts_in_json_and_back() {
        assert_eq!(serde_json::to_string(&DrawStatus::AwaitingRandomness).unwrap(), "\"awaiting_randomness\"");
        assert_eq!(
            serde_json::to_string(&ResultCategory::Unreachable).unwrap(),
            "\"通过登记的住所（经营场所）无法联系\""
        );
        assert_eq!(serde_json::from_str::<Outcome>("\"not_selected\"").unwrap(), Outcome::NotSelected);
        assert!(serde_json::from_str::<Outcome>("\"Selected\"").is_err());
        assert_eq!(ResultCategory::ALL.len(), 8);
        for c in ResultCategory::ALL {
            assert_eq!(ResultCategory::parse(c.as_str()), Some(*c));
        }
        assert_eq!(Level::parse("county"), None);
    }
}

impl ResultCategory {
    /// The category in English, for the English pages (the data keeps the Chinese).
    pub fn en(self) -> &'static str {
        match self {
            ResultCategory::NoProblem => "No problem found",
            ResultCategory::CorrectedOnOrder => "Problem found, ordered to correct",
            ResultCategory::FurtherAction => "Problem found, further action to follow",
            ResultCategory::NotDisclosed => "Did not publish information it must publish",
            ResultCategory::Unreachable => "Cannot be reached at its registered address",
            ResultCategory::ClosedOrLiquidating => "Closed, suspended or in liquidation",
            ResultCategory::Obstructed => "Seriously obstructed the inspection",
            ResultCategory::NoSuchActivity => "The inspected business activity was not found",
        }
    }

    /// The category in the page's language.
    pub fn text(self, lang: crate::i18n::Lang) -> &'static str {
        lang.pick(self.as_str(), self.en())
    }
}
