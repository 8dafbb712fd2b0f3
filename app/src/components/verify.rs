//! "在浏览器中验证 / Verify in your browser": downloads the published record and
//! recomputes the draw with the `draw` crate compiled to WebAssembly.
//!
//! The verifier (with drand's BLS12-381 check) is its own WebAssembly module,
//! `/pkg/verifier.js` (crate `verifier/`), imported only when someone presses
//! the button, so the page bundle stays small.

use leptos::prelude::*;

use crate::i18n::use_lang;

/// Where the browser's draw verifier module is served.
pub const VERIFIER_URL: &str = "/pkg/verifier.js";
/// The Web Worker that runs the verifier off the page's main thread (`public/verify-worker.js`).
pub const WORKER_URL: &str = "/verify-worker.js";
/// The module that defines `window.gongkaiLoadVerifier` (public/verifier-loader.js);
/// pages with a verifying island load it.
pub const LOADER_URL: &str = "/verifier-loader.js";

/// Number of verification steps (`draw::StepKind`), for the progress bar.
pub const STEP_COUNT: usize = 7;

/// What a verification found: the draw crate's structured steps and
/// differences, worded in the page's language when shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub matched: bool,
    pub steps: Vec<draw::Step>,
    pub differences: Vec<draw::Difference>,
}

impl Outcome {
    pub fn from_verification(v: &draw::Verification) -> Outcome {
        Outcome { matched: v.is_match(), steps: v.steps.clone(), differences: v.differences.clone() }
    }
}

/// A download or loading failure (written bilingually, Chinese first): the
/// whole message on Chinese pages, its English alone on English pages.
pub fn failure_text(lang: crate::i18n::Lang, message: &str) -> String {
    match lang {
        crate::i18n::Lang::Zh => message.to_owned(),
        crate::i18n::Lang::En => draw::words::one_language(message, draw::words::Language::English),
    }
}

/// The draw crate's words in the page's language.
fn language(lang: crate::i18n::Lang) -> draw::words::Language {
    match lang {
        crate::i18n::Lang::Zh => draw::words::Language::Chinese,
        crate::i18n::Lang::En => draw::words::Language::English,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyState {
    Idle,
    /// Downloading the record and the verifier.
    Downloading,
    /// Steps done so far.
    Running(Vec<draw::Step>),
    Done(Outcome),
    /// The record could not be downloaded or read.
    Failed(String),
}

impl VerifyState {
    fn busy(&self) -> bool {
        matches!(self, VerifyState::Downloading | VerifyState::Running(_))
    }
}

/// Loading and calling the separate verifier module (browser only).
#[cfg(feature = "hydrate")]
pub mod wasm {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    fn js_error(e: JsValue) -> String {
        e.as_string()
            .or_else(|| js_sys::Reflect::get(&e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()))
            .unwrap_or_else(|| "未知错误 / unknown error".to_owned())
    }

    /// Imports `/pkg/verifier.js` (once per page); every function of the
    /// returned object returns a promise. `verify` and `verify_split` run in a
    /// Web Worker (`/verify-worker.js`, the same module) so that the page stays
    /// responsive while a large draw is verified; the page compiles the
    /// WebAssembly itself only for what runs on it (the proof and commitment
    /// checks, or everything where workers are unavailable). The verifier needs WebAssembly SIMD; a browser without it
    /// is told so (the smallest SIMD module, as `wasm-feature-detect` checks it).
    pub async fn module() -> Result<JsValue, String> {
        let load = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("gongkaiLoadVerifier"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| format!("无法加载验证程序 / cannot load the verifier: {}", super::LOADER_URL))?;
        let promise = load
            .call2(&JsValue::NULL, &JsValue::from_str(super::VERIFIER_URL), &JsValue::from_str(super::WORKER_URL))
            .map_err(|e| format!("无法加载验证程序 / cannot load the verifier: {}", js_error(e)))?;
        let promise: js_sys::Promise =
            promise.dyn_into().map_err(|_| "无法加载验证程序 / cannot load the verifier".to_owned())?;
        JsFuture::from(promise)
            .await
            .map_err(|e| format!("无法加载验证程序 / cannot load the verifier: {}", js_error(e)))
    }

    fn function(module: &JsValue, name: &str) -> Result<js_sys::Function, String> {
        js_sys::Reflect::get(module, &JsValue::from_str(name))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| format!("验证程序缺少 {name} / the verifier has no {name}"))
    }

    /// Calls the verifier's `name` with `args` and waits for its promise.
    async fn call(name: &str, args: &[&JsValue]) -> Result<JsValue, String> {
        let module = module().await?;
        let f = function(&module, name)?;
        let promise = f.apply(&JsValue::NULL, &args.iter().collect::<js_sys::Array>()).map_err(js_error)?;
        let promise: js_sys::Promise =
            promise.dyn_into().map_err(|_| "验证程序出错 / the verifier failed".to_owned())?;
        JsFuture::from(promise).await.map_err(js_error)
    }

    /// Calls the verifier's `name` with `args` and a step callback; parses the verification.
    async fn run(
        name: &str,
        args: Vec<JsValue>,
        on_step: impl FnMut(draw::Step) + 'static,
    ) -> Result<draw::Verification, String> {
        let mut on_step = on_step;
        let callback = Closure::<dyn FnMut(String)>::new(move |json: String| {
            if let Ok(step) = serde_json::from_str::<draw::Step>(&json) {
                on_step(step);
            }
        });
        let mut all: Vec<&JsValue> = args.iter().collect();
        all.push(callback.as_ref());
        let result = call(name, &all).await;
        drop(all);
        drop(callback);
        let result = result?;
        let json = result.as_string().ok_or_else(|| "验证程序出错 / the verifier failed".to_owned())?;
        serde_json::from_str(&json).map_err(|e| format!("验证程序出错 / the verifier failed: {e}"))
    }

    /// Verifies record JSON text against the commitment the page shows (published
    /// before the randomness), calling `on_step` after each step.
    pub async fn verify(
        text: String,
        commitment: &str,
        on_step: impl FnMut(draw::Step) + 'static,
    ) -> Result<draw::Verification, String> {
        run("verify_against", vec![JsValue::from_str(&text), JsValue::from_str(commitment)], on_step).await
    }

    /// Downloads the record at `url` and verifies it (as [`verify`]); the
    /// verifier's worker downloads it while the verifier compiles.
    pub async fn verify_from(
        url: &str,
        commitment: &str,
        on_step: impl FnMut(draw::Step) + 'static,
    ) -> Result<draw::Verification, String> {
        run("verify_from", vec![JsValue::from_str(url), JsValue::from_str(commitment)], on_step).await
    }

    /// Downloads a record sent as its head (JSON without objects, `head_url`)
    /// and `pool.bin` (`pool_url`), both at once while the verifier compiles,
    /// and verifies it against the commitment the page shows.
    pub async fn verify_split_from(
        head_url: &str,
        pool_url: &str,
        commitment: &str,
        on_step: impl FnMut(draw::Step) + 'static,
    ) -> Result<draw::Verification, String> {
        run(
            "verify_split_from",
            vec![JsValue::from_str(head_url), JsValue::from_str(pool_url), JsValue::from_str(commitment)],
            on_step,
        )
        .await
    }

    /// Recomputes the commitment (hex) of committed inputs (JSON text).
    pub async fn commitment_of_input(input_json: &str) -> Result<String, String> {
        let value = call("commitment_of_input", &[&JsValue::from_str(input_json)]).await?;
        value.as_string().ok_or_else(|| "验证程序出错 / the verifier failed".to_owned())
    }

    /// Checks the Merkle pool proof in a lookup answer (JSON of `draw::Lookup`)
    /// against the committed objects root.
    pub async fn check_lookup_proof(lookup_json: &str, objects_root: &str) -> Result<bool, String> {
        let ok =
            call("check_lookup_proof", &[&JsValue::from_str(lookup_json), &JsValue::from_str(objects_root)]).await?;
        Ok(ok.as_bool().unwrap_or(false))
    }
}

/// Pools larger than this are downloaded compactly (`pool.bin`, SPEC.md §15).
pub const COMPACT_FROM: u64 = 20_000;

#[cfg(feature = "hydrate")]
async fn download(url: &str) -> Result<gloo_net::http::Response, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("无法下载抽取记录 / cannot download the record: {e}"))?;
    if !response.ok() {
        return Err(format!(
            "无法下载抽取记录（HTTP {}） / cannot download the record (HTTP {})",
            response.status(),
            response.status()
        ));
    }
    Ok(response)
}

/// Downloads draw `id`'s record and verifies it against `commitment` (the one
/// the page shows, published before the randomness), reporting each step to `state`.
#[cfg(feature = "hydrate")]
pub async fn fetch_and_verify(id: &str, commitment: &str, compact: bool, state: RwSignal<VerifyState>) -> VerifyState {
    // The first step ends the download (the verifier's worker downloads the record).
    let on_step = move |step: draw::Step| {
        state.update(|s| match s {
            VerifyState::Running(steps) => steps.push(step),
            VerifyState::Downloading => *s = VerifyState::Running(vec![step]),
            _ => {}
        });
    };
    let result = async {
        if compact {
            let head = format!("/api/draws/{id}/record-without-pool.json");
            let pool = format!("/api/draws/{id}/pool.bin");
            wasm::verify_split_from(&head, &pool, commitment, on_step).await
        } else {
            wasm::verify_from(&format!("/api/draws/{id}/record.json"), commitment, on_step).await
        }
    };
    match result.await {
        Ok(v) => VerifyState::Done(Outcome::from_verification(&v)),
        Err(e) => VerifyState::Failed(e),
    }
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

// The results are built as HTML text rather than views: the page bundle stays small.

fn steps_html(lang: crate::i18n::Lang, steps: &[draw::Step]) -> String {
    let mut out = String::from("<ol class=\"steps-list\">");
    for step in steps {
        let (mark, class, state) = if step.ok {
            ("✓", "step-ok", lang.pick("通过", "passed"))
        } else {
            ("✗", "step-bad", lang.pick("不通过", "failed"))
        };
        out.push_str(&format!(
            "<li class=\"{class}\"><span class=\"mark\" aria-hidden=\"true\">{mark} </span><strong>{}</strong><span class=\"visually-hidden\">（{state}）</span><br><small class=\"muted detail\">{}</small></li>",
            esc(draw::words::step_title(step, language(lang))),
            esc(&draw::words::detail(&step.detail, language(lang)))
        ));
    }
    out.push_str("</ol>");
    out
}

fn progress_html(done: usize, indeterminate: bool) -> String {
    if indeterminate {
        format!("<progress class=\"verify-progress\" max=\"{STEP_COUNT}\"></progress>")
    } else {
        format!(
            "<progress class=\"verify-progress\" max=\"{STEP_COUNT}\" value=\"{done}\">{done}/{STEP_COUNT}</progress>"
        )
    }
}

/// The verification panel's result area, as HTML.
pub fn state_html(lang: crate::i18n::Lang, state: &VerifyState) -> String {
    use crate::i18n::Lang;
    match state {
        VerifyState::Idle => String::new(),
        VerifyState::Downloading => format!(
            "<p class=\"verify-running\">{}</p>{}",
            lang.pick("正在下载抽取记录和验证程序…", "Downloading the record and the verifier…"),
            progress_html(0, true)
        ),
        VerifyState::Running(steps) => {
            let next = (steps.len() + 1).min(STEP_COUNT);
            let text = match lang {
                Lang::Zh => format!("正在重新计算：第 {next} 步，共 {STEP_COUNT} 步…"),
                Lang::En => format!("Recomputing: step {next} of {STEP_COUNT}…"),
            };
            format!(
                "<p class=\"verify-running\">{text}</p>{}{}",
                progress_html(steps.len(), false),
                steps_html(lang, steps)
            )
        }
        VerifyState::Failed(message) => {
            format!(
                "<p class=\"verify-bad\"><span aria-hidden=\"true\">✗ </span>{}</p>",
                esc(&failure_text(lang, message))
            )
        }
        VerifyState::Done(outcome) => {
            let mut out = String::new();
            if outcome.matched {
                out.push_str(&format!(
                    "<p class=\"verify-ok\"><span aria-hidden=\"true\">✓ </span>{}</p>",
                    lang.pick("与公布结果一致", "Matches the published result")
                ));
                if let Some(caveat) = draw::words::caveat(&outcome.steps, language(lang)) {
                    out.push_str(&format!("<p class=\"verify-caveat\">{}</p>", esc(caveat)));
                }
            } else {
                out.push_str(&format!(
                    "<p class=\"verify-bad\"><span aria-hidden=\"true\">✗ </span>{}</p><h3>{}</h3><ul class=\"differences\">",
                    lang.pick("与公布结果不一致", "Does NOT match the published result"),
                    lang.pick("不一致之处", "Differences")
                ));
                let words = language(lang);
                for d in &outcome.differences {
                    out.push_str(&format!(
                        "<li><strong>{}</strong>{}<code class=\"expected\">{}</code>{}<code class=\"published\">{}</code><br><small class=\"muted\">{}{}</small></li>",
                        esc(&draw::words::place(&d.place, words)),
                        lang.pick("：重新计算应为 ", ": recomputed "),
                        esc(&draw::words::value(&d.expected, words)),
                        lang.pick("，而公布的是 ", ", but the published value is "),
                        esc(&draw::words::value(&d.published, words)),
                        lang.pick("所在步骤：", "Step: "),
                        esc(draw::words::step(d.step, words))
                    ));
                }
                out.push_str("</ul>");
            }
            out.push_str(&progress_html(outcome.steps.len(), false));
            out.push_str(&format!("<h3>{}</h3>", lang.pick("验证步骤", "Verification steps")));
            out.push_str(&steps_html(lang, &outcome.steps));
            let not_run = STEP_COUNT.saturating_sub(outcome.steps.len());
            if not_run > 0 {
                out.push_str(&match lang {
                    Lang::Zh => format!("<p class=\"muted\">其余 {not_run} 步因上一步失败而未执行。</p>"),
                    Lang::En => format!(
                        "<p class=\"muted\">The other {not_run} steps were not run: a step before them failed.</p>"
                    ),
                });
            }
            out
        }
    }
}

#[island]
pub fn VerifyPanel(
    /// The draw id.
    id: String,
    /// Number of objects in the pool (large pools are downloaded compactly).
    object_count: u64,
    /// The commitment published before the randomness (hex), as the page shows
    /// it: the record must carry this one (a record with other inputs and a
    /// recomputed commitment does not verify).
    commitment: String,
) -> impl IntoView {
    let lang = use_lang();
    let compact = object_count >= COMPACT_FROM;
    // Effects run only in the browser, after hydration: until then the button is inert.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let state = RwSignal::new(VerifyState::Idle);
    let url = format!("/api/draws/{id}/record.json");
    let record_file = format!("{id}.record.json");

    // After a verification, focus moves to its outcome (not back to the page).
    let outcome_ref = NodeRef::<leptos::html::Div>::new();
    let run = {
        let id = id.clone();
        move |_| {
            if state.with_untracked(VerifyState::busy) {
                return;
            }
            state.set(VerifyState::Downloading);
            #[cfg(feature = "hydrate")]
            {
                let id = id.clone();
                let commitment = commitment.clone();
                leptos::task::spawn_local(async move {
                    let result = fetch_and_verify(&id, &commitment, compact, state).await;
                    state.set(result);
                    if let Some(outcome) = outcome_ref.get_untracked() {
                        let _ = outcome.focus();
                    }
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&id, &commitment, compact, outcome_ref);
        }
    };

    view! {
        <div class="verify-panel">
            <p class="verify-actions">
                <button
                    type="button"
                    class="verify-button"
                    on:click=run
                    disabled=move || !ready.get() || state.with(VerifyState::busy)
                >
                    {lang.pick("在浏览器中验证", "Verify in your browser")}
                </button>
                " "
                <a class="button-link" href=url.clone() download=record_file rel="external">
                    {lang.pick("下载抽取记录", "Download the record")}
                </a>
            </p>
            <noscript>
                <p>
                    {lang.pick(
                        "浏览器验证需要启用 JavaScript 和 WebAssembly。也可以按下面的方法离线验证。",
                        "Verifying in the browser needs JavaScript and WebAssembly. You can also verify offline as described below.",
                    )}
                </p>
            </noscript>
            <div
                class="verify-result"
                role="status"
                aria-live="polite"
                tabindex="-1"
                node_ref=outcome_ref
                inner_html=move || state.with(|s| state_html(lang, s))
            ></div>
        </div>
    }
}

/// "在浏览器中核对承诺值": recomputes the commitment of a draw awaiting its
/// randomness from the published inputs, in the browser.
#[island]
pub fn CommitmentCheck(
    /// The draw id.
    id: String,
    /// The published commitment (hex).
    commitment: String,
) -> impl IntoView {
    let lang = use_lang();
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    // None: not run; Some(Ok(recomputed)); Some(Err(message)).
    let state: RwSignal<Option<Result<String, String>>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let run = {
        let id = id.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            #[cfg(feature = "hydrate")]
            {
                let id = id.clone();
                leptos::task::spawn_local(async move {
                    let result = async {
                        let text = download(&format!("/api/draws/{id}/input.json"))
                            .await?
                            .text()
                            .await
                            .map_err(|e| format!("无法下载输入 / cannot download the inputs: {e}"))?;
                        wasm::commitment_of_input(&text).await
                    };
                    state.set(Some(result.await));
                    busy.set(false);
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &id;
        }
    };
    let result = move || match state.get() {
        None => String::new(),
        Some(Ok(recomputed)) if recomputed == commitment => format!(
            "<p class=\"verify-ok\"><span aria-hidden=\"true\">✓ </span>{}<code class=\"hash\">{}</code></p>",
            lang.pick(
                "由公布的输入重算的承诺值与公布的承诺值一致：",
                "The commitment recomputed from the published inputs equals the published one: "
            ),
            esc(&recomputed)
        ),
        Some(Ok(recomputed)) => format!(
            "<p class=\"verify-bad\"><span aria-hidden=\"true\">✗ </span>{}<code class=\"hash\">{}</code>{}<code class=\"hash\">{}</code></p>",
            lang.pick("重算的承诺值与公布的不一致。重算：", "The recomputed commitment differs. Recomputed: "),
            esc(&recomputed),
            lang.pick("；公布：", "; published: "),
            esc(&commitment)
        ),
        Some(Err(message)) => format!("<p class=\"verify-bad\">{}</p>", esc(&message)),
    };
    view! {
        <p>
            <button
                type="button"
                class="verify-button"
                on:click=run
                disabled=move || !ready.get() || busy.get()
            >
                {lang.pick("在浏览器中核对承诺值", "Check the commitment in your browser")}
            </button>
        </p>
        <div class="commitment-check" role="status" aria-live="polite" inner_html=result></div>
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, VerifyState, esc, state_html};
    use crate::i18n::Lang;

    fn has_chinese(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
    }

    /// A tampered record's differences and steps are worded in the page's
    /// language: nothing Chinese on the English page.
    #[test]
    fn differences_and_steps_are_in_the_pages_language() {
        let shape = draw::synthetic::Shape {
            objects: 60,
            strata: 2,
            inspectors: 12,
            select: 8,
            team_size: 2,
            load_cap: 10,
            history: 5,
            seed: 4,
        };
        let mut record =
            draw::draw(draw::synthetic::input(&shape), draw::Randomness::Demo { value: "ab".repeat(32) }).unwrap();
        record.result.strata[0].selected[0].team.reverse();
        record.result.strata[1].selected.pop();
        let v = draw::verify(&record);
        assert!(!v.is_match());
        let done = VerifyState::Done(Outcome::from_verification(&v));
        let en = state_html(Lang::En, &done);
        assert!(en.contains("Does NOT match the published result"), "{en}");
        assert!(en.contains("position 1: the team of") && en.contains("(none)"), "{en}");
        assert!(!has_chinese(&en), "{en}");
        let zh = state_html(Lang::Zh, &done);
        assert!(zh.contains("与公布结果不一致") && zh.contains("的检查组") && zh.contains("（无）"), "{zh}");
        // A matching demo draw says what a match does not show, and does not
        // call demo randomness public.
        let honest =
            draw::draw(draw::synthetic::input(&shape), draw::Randomness::Demo { value: "ab".repeat(32) }).unwrap();
        let matched = VerifyState::Done(Outcome::from_verification(&draw::verify(&honest)));
        let (zh, en) = (state_html(Lang::Zh, &matched), state_html(Lang::En, &matched));
        assert!(zh.contains("与公布结果一致") && zh.contains("不能证明抽取没有被操纵"), "{zh}");
        assert!(!zh.contains("指定的公共随机数得出"), "{zh}");
        assert!(en.contains("cannot show that the draw was not steered") && !has_chinese(&en), "{en}");
        let failed = VerifyState::Failed("无法下载抽取记录 / cannot download the record: 404".into());
        assert!(!has_chinese(&state_html(Lang::En, &failed)));
        let simd = VerifyState::Failed(
            "无法加载验证程序 / cannot load the verifier: 您的浏览器不支持 WebAssembly SIMD。 / Your browser does not support WebAssembly SIMD.".into(),
        );
        let (en, zh) = (state_html(Lang::En, &simd), state_html(Lang::Zh, &simd));
        assert!(!has_chinese(&en) && en.contains("Your browser does not support WebAssembly SIMD"), "{en}");
        assert!(zh.contains("您的浏览器不支持 WebAssembly SIMD"), "{zh}");
    }

    #[test]
    fn text_put_into_inner_html_is_escaped() {
        assert_eq!(
            esc("</p><script>alert('x')</script><img src=x onerror=\"y\">&amp;"),
            "&lt;/p&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=&quot;y&quot;&gt;&amp;amp;"
        );
        assert_eq!(esc("东胜区 A-1"), "东胜区 A-1");
        assert_eq!(esc(""), "");
    }
}
