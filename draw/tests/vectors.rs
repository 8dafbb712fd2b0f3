//! Golden vectors: every file in `vectors/` reproduces exactly, natively and
//! on wasm32 (`cargo test -p draw --target wasm32-unknown-unknown`, run by
//! wasm-bindgen-test-runner in Node). The vectors are embedded, so the wasm
//! build needs no file system.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation here is a failed test or tool run

use draw::{DrawInput, DrawRecord, Randomness, RecusalRequest, draw, recuse, verify};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

macro_rules! vectors {
    ($($name:literal,)*) => {
        &[$(($name, include_str!(concat!("../vectors/", $name, ".json"))),)*]
    };
}

const VECTORS: &[(&str, &str)] = vectors!(
    "01-ratio-basic",
    "02-ratio-rounding",
    "03-total-largest-remainder",
    "04-total-min-one",
    "05-total-tie",
    "06-empty-stratum",
    "07-tiny-stratum",
    "08-excluded-twice",
    "09-excluded-higher-level",
    "10-excluded-other-unit",
    "11-directed-filter",
    "12-unprotected-lists",
    "13-once-not-excluded",
    "14-conflicts",
    "15-load-cap",
    "16-certificate-validity",
    "17-stratum-qualification",
    "18-subordinate-units",
    "19-recusal",
    "20-two-recusals",
    "21-infeasible-team",
    "22-infeasible-load-cap",
    "23-infeasible-total",
    "24-infeasible-min-one",
    "25-bad-credit-code",
    "26-duplicate-object",
    "27-ratio-out-of-range",
    "28-drand-source",
    "29-public-numbers",
    "30-risk-classes",
    "31-cap-not-guaranteed",
    "32-drand-wrong-round",
    "33-team-bound-exact",
    "34-upper-case-hex",
    "35-min-one-empty-stratum",
    "36-type-errors",
    "37-duplicate-key",
    "38-unknown-fields",
    "39-null-vs-absent",
    "40-drand-round-zero",
    "41-public-numbers-text-and-date",
    "42-recusal-reason-text",
    "43-recusal-chain",
    "44-drand-round-too-large",
);

const PRIMITIVES: &str = include_str!("../vectors/primitives.json");

/// Runs a vector: the record, or the error's message and the fields it names.
fn run(vector: &Value) -> Result<DrawRecord, (String, Vec<String>)> {
    let other = |e: String| (e.clone(), vec![e.split(": ").next().unwrap_or("").to_owned()]);
    // SPEC §3.1: the input is read strictly (every type problem reported with
    // its record and field); `input_json` holds it as text where the JSON
    // itself matters (duplicate keys).
    let input = match vector.get("input_json").and_then(Value::as_str) {
        Some(text) => draw::json::parse_input(text),
        None => draw::json::input_from_value(&vector["input"]),
    };
    // The text reader (fast path for valid inputs) gives the same verdict.
    if let Some(v) = vector.get("input") {
        let fields = |r: &Result<DrawInput, draw::InputError>| {
            r.as_ref().map_err(|e| e.problems.iter().map(|p| p.field.clone()).collect::<Vec<_>>()).cloned()
        };
        assert_eq!(fields(&draw::json::parse_input(&v.to_string())), fields(&input));
    }
    let input: DrawInput = input.map_err(|e| (e.to_string(), e.problems.iter().map(|p| p.field.clone()).collect()))?;
    // Read strictly, it is what serde's derive reads from a valid input.
    if let Some(v) = vector.get("input") {
        assert_eq!(serde_json::from_value::<DrawInput>(v.clone()).ok().as_ref(), Some(&input));
    }
    let randomness: Randomness =
        serde_json::from_value(vector["randomness"].clone()).map_err(|e| other(e.to_string()))?;
    let recusals: Vec<RecusalRequest> =
        serde_json::from_value(vector["recusals"].clone()).map_err(|e| other(e.to_string()))?;
    let failed = |e: draw::DrawError| (e.to_string(), e.fields());
    let mut record = draw(input, randomness).map_err(failed)?;
    let link = vector.get("link").and_then(Value::as_bool).unwrap_or(false);
    for r in recusals {
        record = if link {
            draw::recuse_linked(&record, r).map_err(failed)?.0
        } else {
            recuse(&record, r).map_err(failed)?
        };
    }
    Ok(record)
}

/// Team rules hold in every successful vector: size, distinct members, no
/// declared conflict, load cap, certificate valid, unit and qualification.
fn check_teams(record: &DrawRecord) {
    let input = &record.input;
    let mut load = std::collections::HashMap::new();
    for s in &record.result.strata {
        let stratum = input.plan.strata.iter().find(|x| x.id == s.id).expect("stratum in plan");
        let needs = stratum.qualification.as_ref().or(input.plan.team.qualification.as_ref());
        for sel in &s.selected {
            assert_eq!(sel.team.len() as u64, input.plan.team.size, "{}: team size", sel.object);
            for (k, cert) in sel.team.iter().enumerate() {
                assert!(!sel.team[..k].contains(cert), "{}: {cert} twice", sel.object);
                let p = input.inspectors.iter().find(|p| &p.cert == cert).expect("inspector exists");
                assert!(!p.conflicts.contains(&sel.object), "{cert} declared a conflict with {}", sel.object);
                assert!(
                    p.valid_from <= input.draw_date && input.draw_date <= p.valid_until,
                    "{cert} certificate not valid"
                );
                assert!(input.plan.team.units.contains(&p.unit), "{cert} from a unit outside the plan");
                if let Some(q) = needs {
                    assert!(p.qualifications.contains(q), "{cert} lacks {q}");
                }
                *load.entry(cert.clone()).or_insert(0u64) += 1;
            }
        }
    }
    assert!(load.values().all(|&l| l <= input.plan.team.load_cap), "load cap exceeded: {load:?}");
}

/// An error vector states its error exactly (`expected_error`, the reference
/// implementation's words), or, for vectors added since, by hand: the field
/// of every problem, in any order (`expected_fields`) and words the message must
/// contain (`expected_error_contains`), which any implementation can check.
fn check_error(name: &str, expected: &Value, error: &(String, Vec<String>)) {
    let (message, fields) = error;
    if let Some(exact) = expected.get("expected_error") {
        assert_eq!(Some(message.as_str()), exact.as_str(), "{name}: error");
    }
    let stated = expected.get("expected_fields");
    assert!(stated.is_some() || expected.get("expected_error").is_some(), "{name}: failed unexpectedly: {message}");
    if let Some(stated) = stated {
        let mut stated: Vec<String> = serde_json::from_value(stated.clone()).expect("expected_fields is a list");
        let mut fields = fields.clone();
        stated.sort();
        fields.sort();
        assert_eq!(fields, stated, "{name}: fields named by the error (sorted): {message}");
    }
    for words in expected.get("expected_error_contains").and_then(Value::as_array).into_iter().flatten() {
        let words = words.as_str().expect("string");
        assert!(message.contains(words), "{name}: the error should contain {words:?}: {message}");
    }
}

#[test]
fn every_vector_reproduces() {
    assert!(VECTORS.len() >= 20);
    for (name, text) in VECTORS {
        let vector: Value = serde_json::from_str(text).expect("vector is JSON");
        let expected = &vector["expected"];
        match run(&vector) {
            Ok(record) => {
                assert!(
                    expected.get("expected_error").is_none() && expected.get("expected_fields").is_none(),
                    "{name}: should have failed"
                );
                let mut got = serde_json::json!({
                    "commitment": record.commitment,
                    "objects_root": record.objects_root,
                    "seed": record.seed,
                    "result": record.result,
                    "recusals": record.recusals,
                });
                if vector.get("link").and_then(Value::as_bool) == Some(true) {
                    let v = verify(&record);
                    assert!(v.recusals_chained, "{name}");
                    got["recusal_head"] = serde_json::json!(v.recusal_head);
                }
                assert_eq!(&got, expected, "{name}: record differs from the vector");
                assert!(verify(&record).is_match(), "{name}: record does not verify");
                // The record as published reads back strictly, unchanged.
                let text = serde_json::to_string(&record).expect("JSON");
                assert_eq!(draw::json::parse_record(&text).as_ref(), Ok(&record), "{name}: strict record read");
                check_teams(&record);
            }
            Err(e) => check_error(name, expected, &e),
        }
    }
}

#[test]
fn primitives_reproduce() {
    use draw::stream::Stream;
    let p: Value = serde_json::from_str(PRIMITIVES).expect("JSON");
    let mut zero = Stream::from_key([0; 32]);
    for w in p["chacha20_zero_key"]["first_u64_words_hex"].as_array().expect("array") {
        assert_eq!(format!("{:016x}", zero.next_u64()), w.as_str().expect("hex"));
    }
    let seed: [u8; 32] =
        hex::decode(p["stream"]["seed"].as_str().expect("seed")).expect("hex").try_into().expect("32 bytes");
    let mut s = Stream::new(&seed, "objects", "A");
    for call in p["uniform"]["calls"].as_array().expect("calls") {
        let n: u64 = call["n"].as_str().expect("n").parse().expect("u64");
        let before = s.words_read();
        assert_eq!(s.uniform(n).to_string(), call["value"].as_str().expect("value"));
        assert_eq!(s.words_read() - before, call["words"].as_u64().expect("words"));
    }
    let mut fy = Stream::new(&seed, "objects", "B");
    let mut items: Vec<u32> = (0..20).collect();
    draw::protocol::partial_fisher_yates(&mut fy, &mut items, 5);
    let want: Vec<u32> = serde_json::from_value(p["partial_fisher_yates"]["selected"].clone()).expect("list");
    assert_eq!(items[..5], want[..]);
    let key = p["rfc3797"]["key"].as_str().expect("key");
    let want: Vec<u32> = serde_json::from_value(p["rfc3797"]["selected"].clone()).expect("list");
    assert_eq!(draw::rfc3797::select(key, 25, 11), want);
    assert_eq!(want, [17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22]);
}

/// No vector file is left out of the embedded list.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_vector_file_is_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("vectors dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && n != "primitives.json")
        .map(|n| n.trim_end_matches(".json").to_owned())
        .collect();
    files.sort();
    let listed: Vec<String> = VECTORS.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(files, listed);
}

/// "Was I in this draw?": a drawn, an excluded and an absent enterprise.
#[test]
fn lookup_places_drawn_excluded_and_absent_enterprises() {
    let (_, text) = VECTORS.iter().find(|(n, _)| *n == "08-excluded-twice").expect("vector 08");
    let vector: Value = serde_json::from_str(text).expect("JSON");
    let record = run(&vector).expect("draws");
    let drawn = &record.result.strata[0].selected[1];
    let l = draw::lookup(&record, &drawn.object).expect("valid input");
    let placement = l.selected.expect("drawn");
    assert_eq!((placement.stratum.as_str(), placement.position), ("A", 2));
    assert_eq!(placement.team, drawn.team);
    assert!(draw::check_pool_proof(&l.proof.expect("in the pool"), &record.objects_root));

    let excluded = &record.result.exclusions[0];
    let l = draw::lookup(&record, &excluded.object).expect("valid input");
    assert_eq!(l.excluded, Some(excluded.reason));
    assert!(l.selected.is_none());
    let proof = l.proof.expect("in the pool");
    assert!(draw::check_pool_proof(&proof, &record.objects_root));
    // The proof does not check against another root, nor for another enterprise.
    assert!(!draw::check_pool_proof(&proof, &record.commitment));
    let mut other = proof.clone();
    other.object = drawn.object.clone();
    assert!(!draw::check_pool_proof(&other, &record.objects_root));

    let absent = draw::synthetic::credit_code(999);
    let l = draw::lookup(&record, &absent).expect("valid input");
    assert!(l.proof.is_none() && l.excluded.is_none() && l.selected.is_none());
}

fn vector_record(name: &str) -> DrawRecord {
    let (_, text) = VECTORS.iter().find(|(n, _)| *n == name).expect("vector");
    run(&serde_json::from_str(text).expect("JSON")).expect("draws")
}

/// §12: strata and exclusions are published in canonical order; the same
/// entries in another order are a difference, not an equivalent record.
#[test]
fn strata_and_exclusions_out_of_canonical_order_are_differences() {
    let honest = vector_record("02-ratio-rounding");
    assert!(verify(&honest).is_match());
    let mut reversed = honest.clone();
    reversed.result.strata.reverse();
    let v = verify(&reversed);
    assert!(!v.is_match());
    assert_eq!(v.differences.len(), 1, "{:?}", v.differences);
    assert_eq!(v.differences[0].step, draw::StepKind::Selection);
    assert_eq!(v.differences[0].place, draw::Place::StrataOrder, "{:?}", v.differences);

    let honest = vector_record("11-directed-filter");
    let mut reversed = honest.clone();
    reversed.result.exclusions.reverse();
    let v = verify(&reversed);
    assert_eq!(v.differences.len(), 1, "{:?}", v.differences);
    assert_eq!(v.differences[0].step, draw::StepKind::Eligibility);
    assert_eq!(v.differences[0].place, draw::Place::ExclusionOrder, "{:?}", v.differences);
}

/// §13 step 2: the record carries its own commitment, so a record whose
/// inputs were edited after the randomness was known, with commitment, seed
/// and result recomputed, is consistent. Only the commitment published
/// before the randomness tells it apart.
#[test]
fn a_forged_record_is_consistent_but_not_the_published_commitment() {
    let honest = vector_record("01-ratio-basic");
    let first = honest.result.strata[0].selected[0].object.clone();
    // The forger drops the first drawn enterprise from the pool and re-draws
    // with the same randomness: another enterprise comes first.
    let mut input = honest.input.clone();
    input.objects.retain(|o| o.id != first);
    let forged = draw(input, honest.randomness.clone()).expect("draws");
    assert_ne!(forged.result.strata[0].selected[0].object, first);
    assert_ne!(forged.commitment, honest.commitment);

    let alone = verify(&forged);
    assert!(alone.is_match() && !alone.timing_checked && alone.published_commitment.is_none());

    let published: [u8; 32] = hex::decode(&honest.commitment).expect("hex").try_into().expect("32 bytes");
    let v = draw::verify_against(&forged, Some(published));
    assert!(!v.is_match() && v.timing_checked);
    assert_eq!(v.differences.len(), 1, "{:?}", v.differences);
    assert_eq!(v.differences[0].step, draw::StepKind::Commitment);
    assert_eq!(v.differences[0].place, draw::Place::CommitmentPublishedBefore);
    assert_eq!(
        (&v.differences[0].expected, &v.differences[0].published),
        (&draw::Value::Text(honest.commitment.clone()), &draw::Value::Text(forged.commitment.clone()))
    );

    let v = draw::verify_against(&honest, Some(published));
    assert!(v.is_match() && v.timing_checked);
    assert_eq!(v.published_commitment.as_deref(), Some(honest.commitment.as_str()));
}

/// §11.3: a recusal's reason and date are bound by the recusal chain. An
/// edited reason, with every link recomputed, is consistent, but not the
/// chain head the portal published; a v1 record without links is verified
/// and said to be unbound.
#[test]
fn an_edited_recusal_differs_from_the_published_chain_head() {
    let record = vector_record("43-recusal-chain");
    let head: [u8; 32] = hex::decode(verify(&record).recusal_head.expect("head")).expect("hex").try_into().expect("32");
    let published = draw::Published { commitment: None, recusal_head: Some(head) };
    let v = draw::verify_published(&record, published);
    assert!(v.is_match() && v.recusals_chained && v.recusal_head_checked);

    // The head published after the first recusal still checks the first one.
    let seed: [u8; 32] = hex::decode(&record.seed).expect("hex").try_into().expect("32");
    let first = draw::recusal_chain(&seed, &record.recusals)[1];
    assert!(draw::verify_published(&record, draw::Published { recusal_head: Some(first), ..published }).is_match());

    let mut edited = record.clone();
    edited.recusals[0].request.reason = "另一理由".into();
    edited.recusals[1].request.date = "2025-06-06".into();
    draw::link_recusals(&mut edited);
    assert!(verify(&edited).is_match(), "re-linked, the edit is consistent");
    let v = draw::verify_published(&edited, published);
    assert!(!v.is_match());
    assert_eq!(v.differences.len(), 1, "{:?}", v.differences);
    assert_eq!(v.differences[0].step, draw::StepKind::Recusals);
    assert_eq!(v.differences[0].place, draw::Place::RecusalHead);
    assert_eq!(v.differences[0].published, draw::Value::Text(hex::encode(head)));

    // The first one edited without re-linking: the link after it differs.
    let mut unlinked_edit = record.clone();
    unlinked_edit.recusals[0].request.reason = "另一理由".into();
    let v = verify(&unlinked_edit);
    assert_eq!(v.differences.len(), 1, "{:?}", v.differences);
    assert_eq!(v.differences[0].place, draw::Place::RecusalLink { recusal: 2 }, "{:?}", v.differences);

    // A v1 record from before the chain: verified, and said to be unbound.
    let old = vector_record("20-two-recusals");
    let v = verify(&old);
    assert!(v.is_match() && !v.recusals_chained);
    assert!(
        v.steps.iter().any(|s| s.detail == draw::Detail::Recusals { count: 2, chain: draw::Chain::Unlinked }),
        "{:?}",
        v.steps
    );
    // A link missing from one entry of a chained record is a difference.
    let mut partly = record.clone();
    partly.recusals[0].prev = None;
    assert!(!verify(&partly).is_match());
}
