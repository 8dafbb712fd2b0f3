//! The draw verifier for the browser: `draw::verify` (with drand's BLS check)
//! behind a small JavaScript interface. Built separately from the page bundle
//! (`scripts/lib.sh` `build_verifier`) into `pkg/verifier.js` +
//! `pkg/verifier_bg.wasm`, and imported by the draw page only when someone
//! verifies a draw or checks a proof.
//!
//! Every function takes and returns JSON text (the same JSON as the API and the CLI).

use wasm_bindgen::prelude::*;

/// Resolves after the browser has run its event loop once (`setTimeout(0)`),
/// so the page repaints and stays responsive between verification steps.
async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let set_timeout = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match set_timeout {
            Some(f) => {
                if f.call2(&JsValue::NULL, &resolve, &JsValue::from(0)).is_err() {
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Reads a record by the same rules as `gongkai verify` (SPEC §3.1, §12):
/// every problem named with its record and field.
fn parse_record(text: &str) -> Result<draw::DrawRecord, String> {
    draw::json::parse_record(text).map_err(|e| {
        let problems: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        format!("抽取记录格式无效 / the file is not a valid draw record:\n{}", problems.join("\n"))
    })
}

/// Verifies a draw record (JSON text). After each step, calls `on_step` with
/// the step as JSON (`{"kind","ok","detail"}`) and yields to the event loop.
/// Resolves to the whole verification as JSON (`{"steps","differences"}`, as
/// `gongkai verify --json` prints it); rejects with a bilingual message if the
/// text is not a draw record.
///
/// `hash_right`, if given, hashes the right half of a large pool's Merkle tree
/// elsewhere (a second Web Worker, `public/verify-helper.js`) while this one
/// hashes the left half: it is called with the right half's leaf data (a
/// `Uint8Array` of its own, which it may transfer) and returns a promise of the
/// 32-byte `MTH(D[k:n])` ([`merkle_root_of_leaf_data`]), or of `null`, and then
/// the right half is hashed here too. The result is the same either way.
#[wasm_bindgen]
pub async fn verify(
    record_json: String,
    on_step: js_sys::Function,
    hash_right: Option<js_sys::Function>,
) -> Result<String, JsValue> {
    let record = parse_record(&record_json).map_err(|e| JsValue::from_str(&e))?;
    drop(record_json);
    yield_to_event_loop().await;
    stepwise(&record, &on_step, hash_right).await
}

/// [`verify`], checking also that the record's commitment is the one the
/// portal published before the randomness (`commitment`, hex; SPEC §13
/// step 2): the page passes the commitment it shows, so a record whose
/// inputs were changed and commitment recomputed does not verify.
#[wasm_bindgen]
pub async fn verify_against(
    record_json: String,
    commitment: String,
    on_step: js_sys::Function,
    hash_right: Option<js_sys::Function>,
) -> Result<String, JsValue> {
    let published = published(&commitment)?;
    let record = parse_record(&record_json).map_err(|e| JsValue::from_str(&e))?;
    drop(record_json);
    yield_to_event_loop().await;
    stepwise_against(&record, published, &on_step, hash_right).await
}

/// [`verify_split`] against the commitment published before the randomness (see [`verify_against`]).
#[wasm_bindgen]
pub async fn verify_split_against(
    head_json: String,
    pool: Vec<u8>,
    commitment: String,
    on_step: js_sys::Function,
    hash_right: Option<js_sys::Function>,
) -> Result<String, JsValue> {
    let published = published(&commitment)?;
    let record = join(&head_json, &pool).map_err(|e| JsValue::from_str(&e))?;
    drop((head_json, pool));
    yield_to_event_loop().await;
    stepwise_against(&record, published, &on_step, hash_right).await
}

fn published(commitment: &str) -> Result<draw::record::Published, JsValue> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(commitment, &mut bytes)
        .map_err(|_| JsValue::from_str("公布的承诺值无效 / the published commitment is not 64 hex digits"))?;
    Ok(draw::record::Published { commitment: Some(bytes), recusal_head: None })
}

/// `draw::record::verify_stepwise_with`, reporting each step to `on_step`
/// and yielding to the event loop after it.
async fn stepwise(
    record: &draw::DrawRecord,
    on_step: &js_sys::Function,
    hash_right: Option<js_sys::Function>,
) -> Result<String, JsValue> {
    stepwise_against(record, draw::record::Published::default(), on_step, hash_right).await
}

/// `draw::record::verify_stepwise_against`, reporting each step to `on_step`
/// and yielding to the event loop after it.
async fn stepwise_against(
    record: &draw::DrawRecord,
    published: draw::record::Published,
    on_step: &js_sys::Function,
    hash_right: Option<js_sys::Function>,
) -> Result<String, JsValue> {
    let verification = draw::record::verify_stepwise_against(
        record,
        published,
        |step| {
            if let Ok(json) = serde_json::to_string(step) {
                let _ = on_step.call1(&JsValue::NULL, &JsValue::from_str(&json));
            }
            yield_to_event_loop()
        },
        hash_right.map(|f| move |data: Vec<u8>| right_root_elsewhere(&f, &data)),
    )
    .await;
    serde_json::to_string(&verification).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// Hands the right half's leaf data to `hash_right` now (so the other worker
/// starts at once) and returns the future of its answer; `None` on any failure.
fn right_root_elsewhere(
    hash_right: &js_sys::Function,
    data: &[u8],
) -> impl std::future::Future<Output = Option<draw::merkle::Hash>> + use<> {
    let bytes = js_sys::Uint8Array::from(data);
    let promise = hash_right.call1(&JsValue::NULL, &bytes).ok().and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    async move {
        let answer = wasm_bindgen_futures::JsFuture::from(promise?).await.ok()?;
        let root = answer.dyn_into::<js_sys::Uint8Array>().ok()?;
        let mut hash = [0u8; 32];
        if root.length() as usize != hash.len() {
            return None;
        }
        root.copy_to(&mut hash);
        Some(hash)
    }
}

/// The Merkle tree hash of framed leaf data (`draw::commitment::halves`):
/// the second worker's part of [`verify`]. `undefined` if the data is not framed leaf data.
#[wasm_bindgen]
pub fn merkle_root_of_leaf_data(data: &[u8]) -> Option<Vec<u8>> {
    draw::commitment::halves::root_of_leaf_data(data).map(|h| h.to_vec())
}

fn join(head_json: &str, pool: &[u8]) -> Result<draw::DrawRecord, String> {
    let mut record = parse_record(head_json)?;
    record.input.objects = draw::pool_bin::decode(pool).map_err(|e| e.to_string())?;
    Ok(record)
}

/// [`verify`] for a record transferred compactly: the record without its
/// objects (`record-without-pool.json`) and the pool as `pool.bin` (SPEC.md §15).
#[wasm_bindgen]
pub async fn verify_split(
    head_json: String,
    pool: Vec<u8>,
    on_step: js_sys::Function,
    hash_right: Option<js_sys::Function>,
) -> Result<String, JsValue> {
    let record = join(&head_json, &pool).map_err(|e| JsValue::from_str(&e))?;
    drop((head_json, pool));
    yield_to_event_loop().await;
    stepwise(&record, &on_step, hash_right).await
}

/// [`verify_split`] without pauses, for measuring.
#[wasm_bindgen]
pub fn verify_split_now(head_json: &str, pool: &[u8]) -> Result<String, JsValue> {
    let record = join(head_json, pool).map_err(|e| JsValue::from_str(&e))?;
    serde_json::to_string(&draw::verify(&record)).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// Verifies a record synchronously (no pauses): for measuring, and for tools.
#[wasm_bindgen]
pub fn verify_now(record_json: &str) -> Result<String, JsValue> {
    let record = parse_record(record_json).map_err(|e| JsValue::from_str(&e))?;
    serde_json::to_string(&draw::verify(&record)).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// Checks a pool proof (JSON of `draw::PoolProof`) against a committed `objects_root` (hex).
#[wasm_bindgen]
pub fn check_pool_proof(proof_json: &str, objects_root: &str) -> bool {
    serde_json::from_str::<draw::PoolProof>(proof_json).is_ok_and(|p| draw::check_pool_proof(&p, objects_root))
}

/// Checks the pool proof in a lookup answer (JSON of `draw::Lookup`, as
/// `/api/draws/{id}/objects/{code}` sends it) against `objects_root` (hex).
/// False when the answer has no proof.
#[wasm_bindgen]
pub fn check_lookup_proof(lookup_json: &str, objects_root: &str) -> bool {
    serde_json::from_str::<draw::Lookup>(lookup_json)
        .ok()
        .and_then(|l| l.proof)
        .is_some_and(|p| draw::check_pool_proof(&p, objects_root))
}

/// Recomputes the commitment (hex) of committed inputs (JSON of `draw::DrawInput`).
#[wasm_bindgen]
pub fn commitment_of_input(input_json: &str) -> Result<String, JsValue> {
    let input: draw::DrawInput = serde_json::from_str(input_json)
        .map_err(|e| JsValue::from_str(&format!("输入格式无效 / not valid draw inputs: {e}")))?;
    let c = draw::commit(&input).map_err(|e| JsValue::from_str(&e.to_string()))?;
    Ok(c.commitment)
}
