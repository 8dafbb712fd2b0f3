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

/// Number of verification steps (`draw::StepKind`), for the progress bar.
pub const STEP_COUNT: usize = 7;

/// What a verification found, in display form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub matched: bool,
    pub steps: Vec<StepLine>,
    pub differences: Vec<DifferenceLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepLine {
    pub zh: &'static str,
    pub en: &'static str,
    pub ok: bool,
    pub detail: String,
}

impl StepLine {
    pub fn from_step(s: &draw::Step) -> StepLine {
        StepLine { zh: s.kind.zh(), en: s.kind.en(), ok: s.ok, detail: s.detail.clone() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DifferenceLine {
    /// Which step found it.
    pub step_zh: &'static str,
    /// Where, in words (Chinese first).
    pub location: String,
    /// What the re-run computed.
    pub recomputed: String,
    pub published: String,
}

impl Outcome {
    pub fn from_verification(v: &draw::Verification) -> Outcome {
        Outcome {
            matched: v.is_match(),
            steps: v.steps.iter().map(StepLine::from_step).collect(),
            differences: v
                .differences
                .iter()
                .map(|d| DifferenceLine {
                    step_zh: d.step.zh(),
                    location: d.location.clone(),
                    recomputed: d.expected.clone(),
                    published: d.published.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyState {
    Idle,
    /// Downloading the record and the verifier.
    Downloading,
    /// Steps done so far.
    Running(Vec<StepLine>),
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

    /// Imports `/pkg/verifier.js` and initialises its WebAssembly (once per page).
    pub async fn module() -> Result<JsValue, String> {
        let import = js_sys::Function::new_with_args(
            "url",
            "if (!window.__gongkaiVerifier) { window.__gongkaiVerifier = import(url).then(m => m.default().then(() => m)); } return window.__gongkaiVerifier;",
        );
        let promise = import
            .call1(&JsValue::NULL, &JsValue::from_str(super::VERIFIER_URL))
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

    /// Calls the verifier's `name` with `args` and a step callback; parses the verification.
    async fn run(
        name: &str,
        args: Vec<JsValue>,
        on_step: impl FnMut(draw::Step) + 'static,
    ) -> Result<draw::Verification, String> {
        let module = module().await?;
        let verify = function(&module, name)?;
        let mut on_step = on_step;
        let callback = Closure::<dyn FnMut(String)>::new(move |json: String| {
            if let Ok(step) = serde_json::from_str::<draw::Step>(&json) {
                on_step(step);
            }
        });
        let all = js_sys::Array::new();
        for a in args {
            all.push(&a);
        }
        all.push(callback.as_ref());
        let promise = verify.apply(&JsValue::NULL, &all).map_err(js_error)?;
        drop(all);
        let promise: js_sys::Promise =
            promise.dyn_into().map_err(|_| "验证程序出错 / the verifier failed".to_owned())?;
        let result = JsFuture::from(promise).await.map_err(js_error)?;
        drop(callback);
        let json = result.as_string().ok_or_else(|| "验证程序出错 / the verifier failed".to_owned())?;
        serde_json::from_str(&json).map_err(|e| format!("验证程序出错 / the verifier failed: {e}"))
    }

    /// Verifies record JSON text, calling `on_step` after each step.
    pub async fn verify(text: String, on_step: impl FnMut(draw::Step) + 'static) -> Result<draw::Verification, String> {
        run("verify", vec![JsValue::from_str(&text)], on_step).await
    }

    /// Verifies a record sent as its head (JSON without objects) and `pool.bin`.
    pub async fn verify_split(
        head: String,
        pool: Vec<u8>,
        on_step: impl FnMut(draw::Step) + 'static,
    ) -> Result<draw::Verification, String> {
        let bytes = js_sys::Uint8Array::from(pool.as_slice());
        drop(pool);
        run("verify_split", vec![JsValue::from_str(&head), bytes.into()], on_step).await
    }

    /// Checks a Merkle pool proof (JSON) against the committed objects root.
    pub async fn check_pool_proof(proof_json: &str, objects_root: &str) -> Result<bool, String> {
        let module = module().await?;
        let check = function(&module, "check_pool_proof")?;
        let ok = check
            .call2(&JsValue::NULL, &JsValue::from_str(proof_json), &JsValue::from_str(objects_root))
            .map_err(js_error)?;
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
            "无法下载抽取记录（HTTP {}）/ cannot download the record (HTTP {})",
            response.status(),
            response.status()
        ));
    }
    Ok(response)
}

/// Downloads draw `id`'s record and verifies it, reporting each step to `state`.
#[cfg(feature = "hydrate")]
pub async fn fetch_and_verify(id: &str, compact: bool, state: RwSignal<VerifyState>) -> VerifyState {
    let on_step = move |step: draw::Step| {
        state.update(|s| {
            if let VerifyState::Running(steps) = s {
                steps.push(StepLine::from_step(&step));
            }
        });
    };
    let result = async {
        if compact {
            let head = download(&format!("/api/draws/{id}/record-without-pool.json")).await?;
            let head = head.text().await.map_err(|e| format!("无法下载抽取记录 / cannot download the record: {e}"))?;
            let pool = download(&format!("/api/draws/{id}/pool.bin")).await?;
            let pool = pool.binary().await.map_err(|e| format!("无法下载名录库 / cannot download the pool: {e}"))?;
            state.set(VerifyState::Running(Vec::new()));
            wasm::verify_split(head, pool, on_step).await
        } else {
            let text = download(&format!("/api/draws/{id}/record.json")).await?;
            let text = text.text().await.map_err(|e| format!("无法下载抽取记录 / cannot download the record: {e}"))?;
            state.set(VerifyState::Running(Vec::new()));
            wasm::verify(text, on_step).await
        }
    };
    match result.await {
        Ok(v) => VerifyState::Done(Outcome::from_verification(&v)),
        Err(e) => VerifyState::Failed(e),
    }
}

fn step_items(lang: crate::i18n::Lang, steps: &[StepLine]) -> impl IntoView + use<> {
    steps
        .iter()
        .map(|step| {
            let mark = if step.ok { "✓" } else { "✗" };
            let class = if step.ok { "step-ok" } else { "step-bad" };
            let state = if step.ok { lang.pick("通过", "passed") } else { lang.pick("不通过", "failed") };
            view! {
                <li class=class>
                    <span class="mark" aria-hidden="true">{mark}" "</span>
                    <strong>{lang.pick(step.zh, step.en)}</strong>
                    <span class="visually-hidden">{format!("（{state}）")}</span>
                    <br/>
                    <small class="muted detail">{step.detail.clone()}</small>
                </li>
            }
        })
        .collect_view()
}

#[component]
pub fn VerifyPanel(
    /// The draw id.
    id: String,
    /// Number of objects in the pool (large pools are downloaded compactly).
    #[prop(default = 0)]
    object_count: u64,
) -> impl IntoView {
    let lang = use_lang();
    let compact = object_count >= COMPACT_FROM;
    // Effects run only in the browser, after hydration: until then the button is inert.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let state = RwSignal::new(VerifyState::Idle);
    let url = format!("/api/draws/{id}/record.json");
    let record_file = format!("{id}.record.json");

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
                leptos::task::spawn_local(async move {
                    let result = fetch_and_verify(&id, compact, state).await;
                    state.set(result);
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&id, compact);
        }
    };

    let result = move || {
        match state.get() {
        VerifyState::Idle => ().into_any(),
        VerifyState::Downloading => view! {
            <p class="verify-running">{lang.pick("正在下载抽取记录和验证程序…", "Downloading the record and the verifier…")}</p>
            <progress class="verify-progress" max=STEP_COUNT.to_string()>
                {lang.pick("正在下载", "Downloading")}
            </progress>
        }
        .into_any(),
        VerifyState::Running(steps) => {
            let done = steps.len();
            view! {
                <p class="verify-running">
                    {match lang {
                        crate::i18n::Lang::Zh => format!("正在重新计算：第 {} 步，共 {STEP_COUNT} 步…", (done + 1).min(STEP_COUNT)),
                        crate::i18n::Lang::En => format!("Recomputing: step {} of {STEP_COUNT}…", (done + 1).min(STEP_COUNT)),
                    }}
                </p>
                <progress class="verify-progress" max=STEP_COUNT.to_string() value=done.to_string()>
                    {format!("{done}/{STEP_COUNT}")}
                </progress>
                <ol class="steps-list">{step_items(lang, &steps)}</ol>
            }
            .into_any()
        }
        VerifyState::Failed(message) => view! {
            <p class="verify-bad">
                <span aria-hidden="true">"✗ "</span>
                {message}
            </p>
        }
        .into_any(),
        VerifyState::Done(outcome) => {
            let steps = step_items(lang, &outcome.steps);
            let not_run = STEP_COUNT.saturating_sub(outcome.steps.len());
            let not_run = (not_run > 0).then(|| {
                view! {
                    <p class="muted">
                        {match lang {
                            crate::i18n::Lang::Zh => format!("其余 {not_run} 步因上一步失败而未执行。"),
                            crate::i18n::Lang::En => format!("The other {not_run} steps were not run: a step before them failed."),
                        }}
                    </p>
                }
            });
            let differences = outcome
                .differences
                .iter()
                .map(|d| {
                    view! {
                        <li>
                            <strong>{d.location.clone()}</strong>
                            {lang.pick("：重新计算应为 ", ": recomputed ")}
                            <code class="expected">{d.recomputed.clone()}</code>
                            {lang.pick("，而公布的是 ", ", but the published value is ")}
                            <code class="published">{d.published.clone()}</code>
                            <br/>
                            <small class="muted">{lang.pick("所在步骤：", "Step: ")}{d.step_zh}</small>
                        </li>
                    }
                })
                .collect_view();
            let head = if outcome.matched {
                view! {
                    <p class="verify-ok">
                        <span aria-hidden="true">"✓ "</span>
                        {lang.pick("与公布结果一致", "Matches the published result")}
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <p class="verify-bad">
                        <span aria-hidden="true">"✗ "</span>
                        {lang.pick("与公布结果不一致", "Does NOT match the published result")}
                    </p>
                    <h3>{lang.pick("不一致之处", "Differences")}</h3>
                    <ul class="differences">{differences}</ul>
                }
                .into_any()
            };
            view! {
                {head}
                <progress class="verify-progress" max=STEP_COUNT.to_string() value=outcome.steps.len().to_string()>
                    {format!("{}/{STEP_COUNT}", outcome.steps.len())}
                </progress>
                <h3>{lang.pick("验证步骤", "Verification steps")}</h3>
                <ol class="steps-list">{steps}</ol>
                {not_run}
            }
            .into_any()
        }
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
            <div class="verify-result" role="status" aria-live="polite">
                {result}
            </div>
        </div>
    }
}
