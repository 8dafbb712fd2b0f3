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

/// Why an object of a draw's pool could not be drawn (SPEC §8): the draw
/// crate's reason, stored and served as the text a record writes
/// (`inspected_twice_this_year`), shown in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExclusionReason(pub draw::ExclusionReason);

impl ExclusionReason {
    pub fn as_str(self) -> &'static str {
        self.0.as_str()
    }

    /// The reason in the page's language.
    pub fn text(self, lang: crate::i18n::Lang) -> &'static str {
        lang.pick(self.0.zh(), self.0.en())
    }
}

impl From<draw::ExclusionReason> for ExclusionReason {
    fn from(r: draw::ExclusionReason) -> Self {
        ExclusionReason(r)
    }
}

/// A selected object's place in its stratum's drawn order: 1 for the first
/// (SPEC §10). Shown as it is; there is no arithmetic to get wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Position(u64);

impl Position {
    /// A 1-based position; `None` for 0 or one beyond what storage can hold.
    pub fn new(n: u64) -> Option<Position> {
        (1..=i64::MAX as u64).contains(&n).then_some(Position(n))
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl TryFrom<u64> for Position {
    type Error = String;
    fn try_from(n: u64) -> Result<Self, Self::Error> {
        Position::new(n).ok_or_else(|| format!("a position is 1 or more, not {n}"))
    }
}

impl From<Position> for u64 {
    fn from(p: Position) -> u64 {
        p.0
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Storage: the reason as its text, the position as an integer, for any sqlx
/// backend that stores text and 64-bit integers.
#[cfg(feature = "ssr")]
mod stored {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::{Database, Decode, Encode, Type};

    use super::{ExclusionReason, Position};

    impl<DB: Database> Type<DB> for ExclusionReason
    where
        str: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <str as Type<DB>>::type_info()
        }
        fn compatible(ty: &DB::TypeInfo) -> bool {
            <str as Type<DB>>::compatible(ty)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for ExclusionReason
    where
        &'r str: Decode<'r, DB>,
    {
        fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
            let text = <&str as Decode<DB>>::decode(value)?;
            draw::ExclusionReason::parse(text)
                .map(ExclusionReason)
                .ok_or_else(|| format!("unknown exclusion reason {text:?}").into())
        }
    }

    impl<'q, DB: Database> Encode<'q, DB> for ExclusionReason
    where
        &'q str: Encode<'q, DB>,
    {
        fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
            <&str as Encode<DB>>::encode_by_ref(&self.as_str(), buf)
        }
    }

    impl<DB: Database> Type<DB> for Position
    where
        i64: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <i64 as Type<DB>>::type_info()
        }
        fn compatible(ty: &DB::TypeInfo) -> bool {
            <i64 as Type<DB>>::compatible(ty)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for Position
    where
        i64: Decode<'r, DB>,
    {
        fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
            let n = <i64 as Decode<DB>>::decode(value)?;
            u64::try_from(n)
                .ok()
                .and_then(Position::new)
                .ok_or_else(|| format!("stored position {n} is not 1 or more").into())
        }
    }

    impl<'q, DB: Database> Encode<'q, DB> for Position
    where
        i64: Encode<'q, DB>,
    {
        fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
            // `new` keeps positions within i64.
            <i64 as Encode<DB>>::encode_by_ref(&(self.0 as i64), buf)
        }
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

    /// Whether the inspection found a problem (counted in the 发现问题率): not
    /// "no problem", not "closed or in liquidation", not "activity not found".
    pub fn is_problem(self) -> bool {
        !matches!(
            self,
            ResultCategory::NoProblem | ResultCategory::ClosedOrLiquidating | ResultCategory::NoSuchActivity
        )
    }

    /// The filter value that selects every category with a problem (`?category=problems`).
    pub const PROBLEMS: &'static str = "problems";
}

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

    #[test]
    fn reasons_and_positions_are_written_as_records_write_them() {
        let r = ExclusionReason(draw::ExclusionReason::InspectedByHigherLevel);
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"inspected_by_higher_level\"");
        assert_eq!(r.text(crate::i18n::Lang::En), "inspected this year by a higher-level department");
        assert_eq!(serde_json::to_string(&Position::new(1).unwrap()).unwrap(), "1");
        assert_eq!(serde_json::from_str::<Position>("3").unwrap().to_string(), "3");
        assert!(serde_json::from_str::<Position>("0").is_err());
        assert_eq!(Position::new(0), None);
        assert_eq!(Position::new(u64::MAX), None);
    }
}
