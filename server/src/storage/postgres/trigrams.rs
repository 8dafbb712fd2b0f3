//! Which trigrams of a name search to ask the trigram index about.
//!
//! A name search `name ILIKE '%q%'` asks PostgreSQL's trigram index
//! (`enterprises_name_trgm`) about every trigram of `q`, and GIN reads the
//! posting list of each. A whole name's trigrams include ones that nearly every
//! name has (有限公, 限公司, 分公司), whose posting lists are the largest in the
//! index: at 10 million enterprises one whole-name search read 9,100 index pages
//! (54 ms warm, over a second cold). Its rarer trigrams alone find the same name
//! from 30 pages.
//!
//! So the search asks the index about a few selective trigrams of `q`, each as
//! its own condition `name ILIKE '%t%'` (implied by `name ILIKE '%q%'`), and
//! checks the whole pattern on the rows found (not through the index). The
//! answer is the same rows; only the work differs. How selective a trigram is
//! comes from a sample of the enterprises' names ([`TrigramStats`]), refreshed
//! in the background: stale figures make a search slower, never different.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use app::ssr::StorageError;

use super::PgStorage;

/// Names sampled for the figures (all of them when there are fewer).
const SAMPLE: usize = 50_000;
/// How old the figures may be before a search refreshes them (in the background).
const REFRESH_AFTER: Duration = Duration::from_secs(600);
/// A trigram in more names than this share narrows a search too little to be
/// worth reading its posting list (unless the query has nothing rarer).
const MAX_SHARE: f64 = 0.05;
/// Trigrams are added until the names expected to have them all are fewer than this.
const ENOUGH: f64 = 2.0;
/// At most this many trigrams are asked about.
const MAX_TRIGRAMS: usize = 4;

/// How many of the sampled names contain each trigram (three characters,
/// ASCII letters lower-cased), and how many names there are in all.
#[derive(Debug, Default)]
pub(super) struct TrigramStats {
    /// Names in the table (estimated by PostgreSQL when sampled).
    names: f64,
    /// Names sampled.
    sampled: f64,
    /// Sampled names containing each trigram, for trigrams in two or more of them.
    counts: HashMap<[char; 3], u32>,
}

/// A character that PostgreSQL's trigram extraction (pg_trgm, UTF-8 ctype)
/// takes into a trigram and that `ILIKE` on a `COLLATE "C"` column compares
/// as is or ASCII-case-folded: an ASCII letter or digit, or a Chinese
/// character (CJK Unified Ideographs and Extension A). Other characters are
/// never part of a selected trigram, so the index is always asked about real
/// trigrams (a pattern without one would read the whole index).
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

fn key(w: &[char]) -> [char; 3] {
    [w[0].to_ascii_lowercase(), w[1].to_ascii_lowercase(), w[2].to_ascii_lowercase()]
}

impl TrigramStats {
    /// The figures of a sample of `sample` names out of `names` in all.
    pub(super) fn from_sample<S: AsRef<str>>(names: f64, sample: &[S]) -> Self {
        let mut counts: HashMap<[char; 3], u32> = HashMap::new();
        let mut seen = Vec::new();
        for name in sample {
            let chars: Vec<char> = name.as_ref().chars().collect();
            seen.clear();
            seen.extend(chars.windows(3).filter(|w| w.iter().all(|&c| word_char(c))).map(key));
            seen.sort_unstable();
            seen.dedup();
            for k in &seen {
                *counts.entry(*k).or_default() += 1;
            }
        }
        counts.retain(|_, n| *n >= 2);
        let sampled = sample.len() as f64;
        Self { names: names.max(sampled), sampled, counts }
    }

    /// The share of names estimated to contain the trigram `w`.
    fn share(&self, w: &[char]) -> f64 {
        let n = self.counts.get(&key(w)).copied().unwrap_or(0) as f64;
        (n + 0.5) / (self.sampled + 1.0)
    }

    /// The trigrams of `q` (character positions in `q`) to ask the index
    /// about, rarest first; `None` when every trigram of `q` would be asked
    /// about anyway (then `q` itself is the indexed pattern).
    pub(super) fn selective(&self, q: &str) -> Option<Vec<String>> {
        let chars: Vec<char> = q.chars().collect();
        let all = chars.len().saturating_sub(2);
        let mut candidates: Vec<(usize, f64)> = (0..all)
            .filter(|&i| chars[i..i + 3].iter().all(|&c| word_char(c)))
            .map(|i| (i, self.share(&chars[i..i + 3])))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        candidates.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut kept: Vec<usize> = vec![candidates[0].0];
        let mut expected = self.names * candidates[0].1;
        // Trigrams that share no character with those kept first (adjacent
        // trigrams of a name mostly come together), then overlapping ones.
        for overlapping in [false, true] {
            for &(i, share) in &candidates {
                if expected < ENOUGH || kept.len() == MAX_TRIGRAMS || share > MAX_SHARE {
                    break;
                }
                let overlaps = kept.iter().any(|&k| k.abs_diff(i) < 3);
                if kept.contains(&i) || overlaps != overlapping {
                    continue;
                }
                kept.push(i);
                expected *= share;
            }
        }
        if kept.len() == all {
            return None;
        }
        Some(kept.into_iter().map(|i| chars[i..i + 3].iter().collect()).collect())
    }
}

/// The figures of one storage (shared by its clones), computed on the first
/// name search and refreshed in the background when older than [`REFRESH_AFTER`].
#[derive(Debug, Default)]
pub(super) struct TrigramCache {
    current: tokio::sync::Mutex<Option<(Instant, Arc<TrigramStats>)>>,
    refreshing: AtomicBool,
}

impl PgStorage {
    /// The trigram figures of the enterprises' names.
    pub(super) async fn trigram_stats(&self) -> Result<Arc<TrigramStats>, StorageError> {
        let mut current = self.trigrams.current.lock().await;
        match &*current {
            Some((at, stats)) => {
                if at.elapsed() > REFRESH_AFTER && !self.trigrams.refreshing.swap(true, Ordering::SeqCst) {
                    let storage = self.clone();
                    tokio::spawn(async move {
                        if let Ok(stats) = storage.sample_trigrams().await {
                            *storage.trigrams.current.lock().await = Some((Instant::now(), Arc::new(stats)));
                        }
                        storage.trigrams.refreshing.store(false, Ordering::SeqCst);
                    });
                }
                Ok(stats.clone())
            }
            None => {
                let stats = Arc::new(self.sample_trigrams().await?);
                *current = Some((Instant::now(), stats.clone()));
                Ok(stats)
            }
        }
    }

    /// Reads a sample of the names: all of them, up to twice [`SAMPLE`];
    /// beyond, about [`SAMPLE`] from pages chosen at random (`TABLESAMPLE SYSTEM`).
    #[tracing::instrument(level = "debug", skip_all, name = "storage.sample_trigrams")]
    async fn sample_trigrams(&self) -> Result<TrigramStats, StorageError> {
        let mut conn = self.reader().await?;
        let estimated: f64 =
            sqlx::query_scalar("SELECT reltuples::float8 FROM pg_class WHERE oid = 'enterprises'::regclass")
                .fetch_one(&mut *conn)
                .await?;
        let (names, sample): (f64, Vec<String>) = if estimated < 2.0 * SAMPLE as f64 {
            let sample: Vec<String> = sqlx::query_scalar("SELECT name FROM enterprises ORDER BY id DESC LIMIT $1")
                .bind(2 * SAMPLE as i64)
                .fetch_all(&mut *conn)
                .await?;
            (estimated.max(sample.len() as f64), sample)
        } else {
            let percent = (100.0 * SAMPLE as f64 / estimated).min(100.0) as f32;
            let sample = sqlx::query_scalar("SELECT name FROM enterprises TABLESAMPLE SYSTEM ($1)")
                .bind(percent)
                .fetch_all(&mut *conn)
                .await?;
            (estimated, sample)
        };
        Ok(TrigramStats::from_sample(names, &sample))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 10,000 names like the benchmark's: a city (1 in 10), two trade names (1 in 40 each), a
    /// legal form every name has, and a branch number for some.
    fn stats() -> TrigramStats {
        let cities = ["河朔", "云岭", "青川", "白水", "临江", "石门", "宁原", "丰台岭", "长泽", "南屏"];
        let trade = [
            "瑞丰", "恒达", "鑫源", "华泰", "永盛", "金科", "宏远", "嘉禾", "德润", "兴隆", "润丰", "天成", "博远",
            "安泰", "晟华", "锦程", "汇通", "凯旋", "盛和", "龙腾", "森茂", "信诚", "泽润", "弘业", "明辉", "启航",
            "丰源", "佳美", "同心", "立信", "长青", "宝丰", "康宁", "乐居", "星河", "远航", "正通", "众和", "和顺",
            "青禾",
        ];
        let names: Vec<String> = (0..10_000)
            .map(|i| {
                let branch = if i % 3 == 0 { format!("第{}分公司", i % 7 + 1) } else { String::new() };
                format!("{}市{}{}食品有限公司{branch}", cities[i % 10], trade[(i / 10) % 40], trade[(i / 400) % 40])
            })
            .collect();
        TrigramStats::from_sample(1_000_000.0, names.as_slice())
    }

    #[test]
    fn a_whole_name_is_asked_about_by_its_rare_trigrams_only() {
        // In the sample: 启航德 and 航德润 in 10 names each (one trade name after the other),
        // 司第3 in 476 (branch 3), 丰台岭 in 1,000, the legal form's trigrams in all. The
        // rarest first; then the rarest not overlapping it (司第3; 岭市启 and 德润食 overlap);
        // then overlapping ones until fewer than two names are expected (1,000,000 x 10.5/10,001
        // x 476.5/10,001 x 10.5/10,001 = 0.05).
        let picked = stats().selective("丰台岭市启航德润食品有限公司第3分公司");
        assert_eq!(picked, Some(vec!["启航德".to_owned(), "司第3".to_owned(), "航德润".to_owned()]));
    }

    #[test]
    fn a_query_of_common_trigrams_keeps_only_its_rarest() {
        // Every name has both trigrams: asking about one is enough work.
        assert_eq!(stats().selective("食品有限公司").map(|t| t.len()), Some(1));
        // Three characters: its one trigram, the whole query.
        assert_eq!(stats().selective("有限公"), None);
    }

    #[test]
    fn characters_the_index_does_not_take_are_never_in_a_selected_trigram() {
        let s = stats();
        // Only "abc" and "食品有" are made of word characters; "c-d" and "é" never.
        for q in ["abc-dé食品有", "ÉCOLE食品有", "a_b%c食品有", "x'y食品有"] {
            for t in s.selective(q).unwrap_or_default() {
                assert!(t.chars().all(word_char), "{q}: {t}");
            }
        }
        assert_eq!(s.selective("a-b-c"), None);
        assert_eq!(s.selective("ab"), None);
        assert_eq!(s.selective(""), None);
    }

    #[test]
    fn letters_are_counted_without_their_ascii_case() {
        let s = TrigramStats::from_sample(3.0, &["ABCx", "abcy", "AbCz"][..]);
        assert_eq!(s.counts.get(&['a', 'b', 'c']), Some(&3));
        assert_eq!(s.counts.get(&['b', 'c', 'x']), None, "trigrams of one name only are not kept");
    }
}
