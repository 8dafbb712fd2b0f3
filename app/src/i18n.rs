//! Interface language: Simplified Chinese first, English on request.
//!
//! The language comes from `?lang=` (which also sets a cookie) or the cookie, and
//! defaults to zh-CN. The server renders `<html lang>` accordingly; in the browser
//! an island reads that attribute back, so both sides always agree.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the chosen language.
pub const COOKIE: &str = "gongkai_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Value used in `?lang=` and in the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Value of the `<html lang>` attribute.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Accepts `zh`, `zh-CN`, `zh-Hans`, `en`, `en-US`… (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let primary = s.split(['-', '_']).next().unwrap_or("");
        match primary {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// The language asked for by a query string (`lang=…`), if any.
pub fn from_query(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

/// The language remembered in a `Cookie:` header, if any.
pub fn from_cookie_header(header: &str) -> Option<Lang> {
    header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .and_then(|(_, v)| Lang::parse(v))
}

/// Resolves the language of a request: query first, then cookie, then zh-CN.
/// Returns whether the query asked for it (then the cookie should be set).
pub fn resolve(query: Option<&str>, cookie_header: Option<&str>) -> (Lang, bool) {
    if let Some(lang) = query.and_then(from_query) {
        return (lang, true);
    }
    (cookie_header.and_then(from_cookie_header).unwrap_or_default(), false)
}

/// The `Set-Cookie` value that remembers `lang` for a year.
pub fn set_cookie_value(lang: Lang) -> String {
    format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code())
}

/// The language of the current request (server) or page (browser).
pub fn current_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| {
                let cookie = parts.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok());
                resolve(parts.uri.query(), cookie).0
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        document()
            .document_element()
            .and_then(|el| el.get_attribute("lang"))
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::default()
    }
}

/// The language provided by [`crate::App`] on the server; in an island in the
/// browser (which has no context from the page around it), the page's `<html lang>`.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_else(current_lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_wins_over_cookie() {
        assert_eq!(resolve(Some("lang=en"), Some("gongkai_lang=zh")), (Lang::En, true));
        assert_eq!(resolve(Some("x=1&lang=zh-CN"), Some("gongkai_lang=en")), (Lang::Zh, true));
    }

    #[test]
    fn cookie_is_used_without_query() {
        assert_eq!(resolve(None, Some("a=b; gongkai_lang=en")), (Lang::En, false));
        assert_eq!(resolve(Some("page=2"), Some("gongkai_lang=en")), (Lang::En, false));
    }

    #[test]
    fn default_is_simplified_chinese() {
        assert_eq!(resolve(None, None), (Lang::Zh, false));
        assert_eq!(resolve(Some("lang=fr"), Some("gongkai_lang=de")), (Lang::Zh, false));
        assert_eq!(Lang::default().html_lang(), "zh-CN");
    }

    #[test]
    fn cookie_value_round_trips() {
        let v = set_cookie_value(Lang::En);
        let pair = v.split(';').next().unwrap_or_default();
        assert_eq!(from_cookie_header(pair), Some(Lang::En));
        assert!(v.contains("Path=/"));
    }
}
