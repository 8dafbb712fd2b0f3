//! Writes the golden test vectors in `draw/vectors/` (run from `draw/`):
//! `cargo run --example make_vectors`. Each case states by hand what it
//! must show (quotas, exclusions, errors); the generator asserts that before
//! writing, so a vector never records a wrong answer by accident.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation here is a failed test or tool run

use std::fs;

use draw::synthetic::credit_code;
use draw::*;
use serde_json::{Value, json};

fn stratum(id: &str, num: u64, den: u64) -> Stratum {
    Stratum { id: id.into(), name: format!("分层{id}"), ratio: Ratio { num, den }, qualification: None }
}

fn object(i: u64, stratum: &str) -> Object {
    Object {
        id: credit_code(i),
        stratum: stratum.into(),
        categories: vec![],
        abnormal: false,
        serious_violation: false,
        penalised: false,
    }
}

fn objects(from: u64, to: u64, stratum: &str) -> Vec<Object> {
    (from..to).map(|i| object(i, stratum)).collect()
}

fn inspector(i: u32, unit: &str) -> Inspector {
    Inspector {
        cert: format!("15060220{i:04}"),
        unit: unit.into(),
        qualifications: vec!["市场监管".into()],
        valid_from: "2023-01-01".into(),
        valid_until: "2027-12-31".into(),
        conflicts: vec![],
    }
}

fn inspectors(n: u32) -> Vec<Inspector> {
    (0..n).map(|i| inspector(i, "东胜区市场监管局执法一队")).collect()
}

/// A small district draw: one stratum of 25 objects, 8 inspectors, ratio 1/10.
fn base(id: &str, title: &str) -> DrawInput {
    DrawInput {
        version: "v1".into(),
        draw_id: id.into(),
        title: title.into(),
        department: "东胜区市场监管局".into(),
        unit: "东胜区市场监管局执法一队".into(),
        ancestors: vec!["鄂尔多斯市市场监管局".into(), "内蒙古自治区市场监管局".into()],
        draw_date: "2025-06-03".into(),
        randomness_source: RandomnessSource::Demo { label: "测试向量 test vector".into() },
        plan: Plan {
            strata: vec![stratum("A", 1, 10)],
            allocation: Allocation::Ratio,
            team: TeamRule {
                size: 2,
                load_cap: 10,
                qualification: Some("市场监管".into()),
                units: vec!["东胜区市场监管局执法一队".into()],
            },
            directed: None,
        },
        objects: objects(0, 25, "A"),
        inspectors: inspectors(8),
        history: vec![],
    }
}

fn history(object: u64, department: &str, unit: &str, date: &str) -> HistoryEntry {
    HistoryEntry { object: credit_code(object), department: department.into(), unit: unit.into(), date: date.into() }
}

fn demo() -> Randomness {
    Randomness::Demo { value: "5a".repeat(32) }
}

struct Case {
    name: &'static str,
    description: &'static str,
    input: DrawInput,
    randomness: Randomness,
    recusals: Vec<RecusalRequest>,
    /// Hand-computed quota per stratum (canonical order), when the draw succeeds.
    quotas: Option<Vec<u64>>,
    /// Hand-stated exclusions (object index, reason).
    exclusions: Vec<(u64, ExclusionReason)>,
    /// Expected error text start, when the draw must fail.
    error: Option<&'static str>,
}

fn case(name: &'static str, description: &'static str, input: DrawInput) -> Case {
    Case {
        name,
        description,
        input,
        randomness: demo(),
        recusals: vec![],
        quotas: None,
        exclusions: vec![],
        error: None,
    }
}

impl Case {
    fn quotas(mut self, q: &[u64]) -> Self {
        self.quotas = Some(q.to_vec());
        self
    }
    fn excludes(mut self, e: &[(u64, ExclusionReason)]) -> Self {
        self.exclusions = e.to_vec();
        self
    }
    fn fails(mut self, prefix: &'static str) -> Self {
        self.error = Some(prefix);
        self
    }
    fn randomness(mut self, r: Randomness) -> Self {
        self.randomness = r;
        self
    }
}

fn cases() -> Vec<Case> {
    use ExclusionReason::*;
    let mut v = Vec::new();

    v.push(
        case(
            "01-ratio-basic",
            "One stratum of 25, ratio 1/10: ⌈2.5⌉ = 3 objects, teams of 2.",
            base("tv-01", "比例抽取"),
        )
        .quotas(&[3]),
    );

    let mut i = base("tv-02", "各层比例向上取整");
    i.plan.strata = vec![stratum("A", 1, 10), stratum("B", 1, 3), stratum("C", 1, 1)];
    i.objects = [objects(0, 11, "A"), objects(11, 18, "B"), objects(18, 20, "C")].concat();
    v.push(
        case("02-ratio-rounding", "Per-stratum ratios rounded up: ⌈11/10⌉=2, ⌈7/3⌉=3, ⌈2·1⌉=2.", i).quotas(&[2, 3, 2]),
    );

    let mut i = base("tv-03", "总数按最大余数分配");
    i.plan.strata = vec![stratum("A", 1, 10), stratum("B", 1, 10), stratum("C", 1, 10)];
    i.plan.allocation = Allocation::Total { count: 10, min_one_per_stratum: false };
    i.objects = [objects(0, 5, "A"), objects(5, 12, "B"), objects(12, 21, "C")].concat();
    v.push(case("03-total-largest-remainder", "Total 10 over 5/7/9 eligible: floors 2,3,4; remainders 50,70,90 mod 21 = 8,7,6, so A gets the last: 3,3,4.", i).quotas(&[3, 3, 4]));

    let mut i = base("tv-04", "每层至少一个");
    i.plan.strata = vec![stratum("A", 1, 10), stratum("B", 1, 10), stratum("C", 1, 10)];
    i.plan.allocation = Allocation::Total { count: 4, min_one_per_stratum: true };
    i.objects = [objects(0, 1, "A"), objects(1, 3, "B"), objects(3, 33, "C")].concat();
    v.push(
        case(
            "04-total-min-one",
            "Total 4, at least one per stratum over 1/2/30: one each, the last one by weights 0/1/29 goes to C: 1,1,2.",
            i,
        )
        .quotas(&[1, 1, 2]),
    );

    let mut i = base("tv-05", "余数相同按分层顺序");
    i.plan.strata = vec![stratum("B", 1, 10), stratum("A", 1, 10)];
    i.plan.allocation = Allocation::Total { count: 3, min_one_per_stratum: false };
    i.objects = [objects(0, 4, "A"), objects(4, 8, "B")].concat();
    v.push(case("05-total-tie", "Total 3 over 4/4: floors 1,1, equal remainders; the tie goes to the first stratum in canonical (byte) order, A, even though the plan lists B first: A 2, B 1.", i).quotas(&[2, 1]));

    let mut i = base("tv-06", "空分层");
    i.plan.strata = vec![stratum("A", 1, 10), stratum("Z", 1, 2)];
    v.push(
        case(
            "06-empty-stratum",
            "A declared stratum without objects draws nothing and consumes nothing from A's stream.",
            i,
        )
        .quotas(&[3, 0]),
    );

    let mut i = base("tv-07", "极小分层");
    i.plan.strata = vec![stratum("A", 1, 10), stratum("T", 1, 10)];
    i.objects.push(object(100, "T"));
    v.push(
        case("07-tiny-stratum", "A stratum of one object with ratio 1/10 still draws ⌈0.1⌉ = 1.", i).quotas(&[3, 1]),
    );

    let mut i = base("tv-08", "本年已抽查两次");
    i.history = vec![
        history(0, "东胜区市场监管局", "东胜区市场监管局执法一队", "2025-02-10"),
        history(0, "东胜区市场监管局", "东胜区市场监管局执法一队", "2025-04-01"),
    ];
    v.push(
        case("08-excluded-twice", "Object 0 was inspected twice this year: excluded; 24 eligible, ⌈2.4⌉ = 3.", i)
            .quotas(&[3])
            .excludes(&[(0, InspectedTwiceThisYear)]),
    );

    let mut i = base("tv-09", "上级已抽查");
    i.history = vec![history(1, "鄂尔多斯市市场监管局", "鄂尔多斯市市场监管局检查科", "2025-03-15")];
    v.push(
        case(
            "09-excluded-higher-level",
            "Object 1 was inspected this year by the city bureau (an ancestor): excluded.",
            i,
        )
        .quotas(&[3])
        .excludes(&[(1, InspectedByHigherLevel)]),
    );

    let mut i = base("tv-10", "本部门其他单位已抽查");
    i.history = vec![history(2, "东胜区市场监管局", "东胜区市场监管局执法二队", "2025-05-20")];
    v.push(
        case("10-excluded-other-unit", "Object 2 was inspected by another unit of the same department: excluded.", i)
            .quotas(&[3])
            .excludes(&[(2, InspectedByOtherUnit)]),
    );

    let mut i = base("tv-11", "定向抽取");
    i.plan.directed = Some(DirectedFilter { categories: vec!["食品销售".into()] });
    for (k, o) in i.objects.iter_mut().enumerate() {
        if k % 2 == 0 {
            o.categories = vec!["食品销售".into(), "网络交易".into()];
        } else {
            o.categories = vec!["特种设备".into()];
        }
    }
    let excluded: Vec<(u64, ExclusionReason)> =
        (0..25).filter(|k| k % 2 == 1).map(|k| (k, OutsideDirectedFilter)).collect();
    v.push(
        case(
            "11-directed-filter",
            "Directed draw on 食品销售: the 12 objects without it are excluded; 13 eligible, ⌈1.3⌉ = 2.",
            i,
        )
        .quotas(&[2])
        .excludes(&excluded),
    );

    let mut i = base("tv-12", "失信名单不受频次保护");
    let twice = |o: u64| {
        vec![
            history(o, "东胜区市场监管局", "东胜区市场监管局执法一队", "2025-01-10"),
            history(o, "东胜区市场监管局", "东胜区市场监管局执法一队", "2025-03-10"),
        ]
    };
    i.history = [twice(3), twice(4), twice(5), twice(6)].concat();
    i.objects[3].abnormal = true;
    i.objects[4].serious_violation = true;
    i.objects[5].penalised = true;
    v.push(case("12-unprotected-lists", "Objects 3–6 were each inspected twice; 3 (abnormal list), 4 (serious violation list) and 5 (penalised) are not protected by the frequency limit and stay eligible; only 6 is excluded.", i).quotas(&[3]).excludes(&[(6, InspectedTwiceThisYear)]));

    let mut i = base("tv-13", "本单位抽查一次");
    i.history = vec![
        history(7, "东胜区市场监管局", "东胜区市场监管局执法一队", "2025-02-01"),
        history(8, "达拉特旗市场监管局", "达拉特旗市场监管局执法队", "2025-02-01"),
    ];
    v.push(
        case(
            "13-once-not-excluded",
            "One inspection this year by the drawing unit itself, or by an unrelated department, does not exclude.",
            i,
        )
        .quotas(&[3]),
    );

    let mut i = base("tv-14", "声明回避关系");
    i.inspectors = inspectors(3);
    i.plan.allocation = Allocation::Total { count: 25, min_one_per_stratum: false };
    i.plan.team.load_cap = 50;
    for k in 0..25 {
        i.inspectors[(k % 3) as usize].conflicts.push(credit_code(k));
    }
    v.push(
        case(
            "14-conflicts",
            "Three inspectors, every object conflicts with one of them: each team must be exactly the other two.",
            i,
        )
        .quotas(&[25]),
    );

    let mut i = base("tv-15", "工作量上限");
    i.inspectors = inspectors(6);
    i.plan.allocation = Allocation::Total { count: 9, min_one_per_stratum: false };
    i.plan.team.load_cap = 4;
    v.push(case("15-load-cap", "9 objects × 2 = 18 places, 6 inspectors with a cap of 4: nobody gets more than 4 (and the guarantee holds: 6 − ⌊16/4⌋ = 2 ≥ 2).", i).quotas(&[9]));

    let mut i = base("tv-31", "工作量上限无法保证");
    i.inspectors = inspectors(6);
    i.plan.allocation = Allocation::Total { count: 9, min_one_per_stratum: false };
    i.plan.team.load_cap = 3;
    v.push(case("31-cap-not-guaranteed", "6 inspectors with a cap of 3 for exactly 18 places: some seeds would leave the last object with one inspector, so the plan is refused before any randomness (6 − ⌊16/3⌋ = 1 < 2).", i).fails("plan.team: 分层 A 的检查组无法保证"));

    let mut i = base("tv-16", "证件过期不参加抽取");
    i.inspectors = inspectors(3);
    i.inspectors[0].valid_until = "2025-06-02".into();
    i.inspectors[1].valid_from = "2025-06-04".into();
    i.inspectors.extend((3..6).map(|k| inspector(k, "东胜区市场监管局执法一队")));
    v.push(
        case(
            "16-certificate-validity",
            "Inspector 0 expired the day before the draw, inspector 1 becomes valid the day after: neither is drawn.",
            i,
        )
        .quotas(&[3]),
    );

    let mut i = base("tv-17", "分层资格要求");
    i.plan.strata = vec![stratum("A", 1, 10), Stratum { qualification: Some("计量".into()), ..stratum("M", 1, 5) }];
    i.objects.extend(objects(200, 210, "M"));
    i.inspectors.extend((100..104).map(|k| Inspector {
        qualifications: vec!["市场监管".into(), "计量".into()],
        ..inspector(k, "东胜区市场监管局执法一队")
    }));
    v.push(
        case(
            "17-stratum-qualification",
            "Stratum M needs 计量: its teams come only from the four metrology-qualified inspectors.",
            i,
        )
        .quotas(&[3, 2]),
    );

    let mut i = base("tv-18", "下级单位名录");
    i.plan.team.units = vec!["东胜区市场监管局执法一队".into(), "东胜区市场监管局交通街市场监管所".into()];
    i.inspectors = [
        inspectors(2),
        (50..53).map(|k| inspector(k, "东胜区市场监管局交通街市场监管所")).collect(),
        (60..63).map(|k| inspector(k, "达拉特旗市场监管局执法队")).collect(),
    ]
    .concat();
    v.push(
        case(
            "18-subordinate-units",
            "The plan draws from the own unit and a subordinate station; a third unit's inspectors are never drawn.",
            i,
        )
        .quotas(&[3]),
    );

    let mut i = base("tv-19", "回避与替换");
    i.plan.allocation = Allocation::Total { count: 4, min_one_per_stratum: false };
    let mut c19 = case("19-recusal", "After the draw, the first inspector of the first object recuses; the replacement comes from the recusal stream n = 0.", i).quotas(&[4]);
    c19.recusals = vec![RecusalRequest {
        object: String::new(),
        inspector: String::new(),
        reason: "与企业负责人系近亲属".into(),
        date: "2025-06-05".into(),
    }];
    v.push(c19);

    let mut i = base("tv-20", "两次回避");
    i.inspectors = inspectors(4);
    i.plan.allocation = Allocation::Total { count: 3, min_one_per_stratum: false };
    let mut c20 = case("20-two-recusals", "Two recusals in order on the same object (the second is the first's replacement): streams n = 0 and n = 1; a recused inspector is never drawn back for that object.", i).quotas(&[3]);
    c20.recusals = vec![
        RecusalRequest {
            object: String::new(),
            inspector: String::new(),
            reason: "曾在该企业任职".into(),
            date: "2025-06-05".into(),
        },
        RecusalRequest {
            object: String::new(),
            inspector: String::new(),
            reason: "持有该企业股份".into(),
            date: "2025-06-06".into(),
        },
    ];
    v.push(c20);

    let mut i = base("tv-21", "检查人员不足");
    i.inspectors = inspectors(1);
    v.push(
        case(
            "21-infeasible-team",
            "Teams of 2 with only one eligible inspector: refused before any randomness, with the exact reason.",
            i,
        )
        .fails("plan.team: 分层 A 的检查组无法保证：符合条件的检查人员 1 名"),
    );

    let mut i = base("tv-22", "工作量上限不足");
    i.inspectors = inspectors(4);
    i.plan.team.load_cap = 1;
    v.push(case("22-infeasible-load-cap", "4 inspectors with a cap of 1 can staff two objects, not three: refused before any randomness (4 − ⌊4/1⌋ = 0 < 2).", i).fails("plan.team: 分层 A 的检查组无法保证：符合条件的检查人员 4 名"));

    let mut i = base("tv-23", "总数超过可抽对象");
    i.plan.allocation = Allocation::Total { count: 26, min_one_per_stratum: false };
    v.push(
        case("23-infeasible-total", "Asking for 26 of 25 eligible objects fails.", i)
            .fails("plan.allocation.count: 抽取总数 26 超过可抽对象数 25"),
    );

    let mut i = base("tv-24", "总数少于分层数");
    i.plan.strata = vec![stratum("A", 1, 10), stratum("B", 1, 10), stratum("C", 1, 10)];
    i.plan.allocation = Allocation::Total { count: 2, min_one_per_stratum: true };
    i.objects = [objects(0, 5, "A"), objects(5, 10, "B"), objects(10, 15, "C")].concat();
    v.push(
        case("24-infeasible-min-one", "At least one in each of 3 non-empty strata cannot be met with a total of 2.", i)
            .fails("plan.allocation.count: 抽取总数 2 少于非空分层数 3"),
    );

    let mut i = base("tv-25", "信用代码校验码错误");
    let mut bad = credit_code(3);
    let last = bad.pop().unwrap_or('0');
    bad.push(if last == '1' { '2' } else { '1' });
    i.objects[3].id = bad;
    v.push(
        case(
            "25-bad-credit-code",
            "One object's check character is wrong: the error names objects[3], its code and the id field.",
            i,
        )
        .fails("输入有 1 处错误"),
    );

    let mut i = base("tv-26", "重复的对象");
    i.objects.push(object(5, "A"));
    v.push(
        case("26-duplicate-object", "The same credit code twice is an error naming both positions.", i)
            .fails("输入有 1 处错误"),
    );

    let mut i = base("tv-27", "比例越界");
    i.plan.strata = vec![stratum("A", 3, 2)];
    v.push(case("27-ratio-out-of-range", "A ratio of 3/2 is outside (0, 1].", i).fails("输入有 1 处错误"));

    let mut i = base("tv-28", "drand 随机源");
    i.randomness_source = RandomnessSource::DrandQuicknet { round: 123 };
    // The real quicknet beacon of round 123 (api.drand.sh/52db9ba7…/public/123).
    let signature =
        "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92".to_owned();
    let randomness = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(hex::decode(&signature).unwrap_or_default()));
    v.push(case("28-drand-source", "A real drand quicknet beacon (round 123): its BLS signature verifies against the quicknet key, and the seed uses randomness = SHA-256(signature).", i).quotas(&[3]).randomness(Randomness::DrandQuicknet { round: 123, signature: signature.clone(), randomness: randomness.clone() }));

    let mut i = base("tv-32", "伪造的 drand 签名");
    i.randomness_source = RandomnessSource::DrandQuicknet { round: 124 };
    v.push(case("32-drand-wrong-round", "Round 123's genuine signature presented as round 124: SHA-256 still matches, but the BLS signature does not verify for round 124, so nothing is drawn.", i).fails("randomness: drand 第 124 轮的 BLS 签名无效").randomness(Randomness::DrandQuicknet { round: 124, signature, randomness }));

    let mut i = base("tv-29", "公开号码随机源");
    i.randomness_source = RandomnessSource::PublicNumbers {
        description: "某省福利彩票 2025-06-03 开奖号码（示例）".into(),
        date: "2025-06-03".into(),
    };
    v.push(
        case("29-public-numbers", "RFC 3797-style public numbers: the key string's bytes enter the seed.", i)
            .quotas(&[3])
            .randomness(Randomness::PublicNumbers { key: "9319./2.5.8.10.12./9.18.26.34.41.45./".into() }),
    );

    let mut i = base("tv-30", "多层风险分类");
    i.plan.strata = vec![stratum("A类", 1, 20), stratum("B类", 1, 10), stratum("C类", 1, 4), stratum("D类", 1, 1)];
    i.objects =
        [objects(0, 40, "A类"), objects(40, 70, "B类"), objects(70, 82, "C类"), objects(82, 85, "D类")].concat();
    i.inspectors = inspectors(12);
    v.push(
        case(
            "30-risk-classes",
            "Credit-risk classes A–D as strata with their own ratios 1/20, 1/10, 1/4, 1: ⌈2⌉=2, ⌈3⌉=3, ⌈3⌉=3, 3.",
            i,
        )
        .quotas(&[2, 3, 3, 3]),
    );

    v
}

/// Primitive vectors: the raw keystream, stream keys, Lemire's uniform integers
/// with words consumed, and RFC 3797's worked example.
fn primitives(dir: &std::path::Path) {
    use draw::stream::Stream;
    let mut zero = Stream::from_key([0; 32]);
    let words: Vec<String> = (0..8).map(|_| format!("{:016x}", zero.next_u64())).collect();
    assert!(words[0].ends_with("ade0b876") && words[0].starts_with("903df1a0"));
    let seed = [0x11u8; 32];
    let mut uniform = Vec::new();
    let mut s = Stream::new(&seed, "objects", "A");
    for n in [1u64, 2, 3, 7, 10, 25, 1000, 1 << 33, (1 << 63) + 1, u64::MAX] {
        let before = s.words_read();
        let value = s.uniform(n);
        uniform.push(json!({ "n": n.to_string(), "value": value.to_string(), "words": s.words_read() - before }));
    }
    let mut fy = Stream::new(&seed, "objects", "B");
    let mut items: Vec<u32> = (0..20).collect();
    draw::protocol::partial_fisher_yates(&mut fy, &mut items, 5);
    let mut key_input = draw::encode::Encoder::new();
    key_input.str(draw::stream::STREAM_TAG).raw(&seed).str("objects").str("A");
    let primitives = json!({
        "chacha20_zero_key": {
            "description": "ChaCha20 keystream for key = 32 zero bytes, nonce 0, counter from 0, read as little-endian u64 words (the RFC 8439 / original test vector: 76 b8 e0 ad a0 f1 3d 90 …).",
            "first_u64_words_hex": words,
        },
        "stream": {
            "description": "Stream key for seed = 32 bytes of 0x11, purpose \"objects\", key \"A\": SHA-256 of the hex encoding below.",
            "seed": hex::encode(seed),
            "encoding": hex::encode(key_input.finish()),
            "stream_key": hex::encode({ let mut e = draw::encode::Encoder::new(); e.str(draw::stream::STREAM_TAG).raw(&seed).str("objects").str("A"); e.sha256() }),
        },
        "uniform": {
            "description": "Successive U(n) calls on that stream: value and 64-bit words consumed (1 + rejections; n = 1 still reads one word). Numbers as decimal strings.",
            "calls": uniform,
        },
        "partial_fisher_yates": {
            "description": "Stream (seed 0x11…, \"objects\", \"B\"), the 20 items 0, 1, …, 19, k = 5: the first 5 items after the partial shuffle.",
            "selected": items[..5].to_vec(),
        },
        "rfc3797": {
            "description": "RFC 3797 §6 worked example: 25 candidates, 11 selections.",
            "key": "9319./2.5.8.10.12./9.18.26.34.41.45./",
            "pool": 25,
            "selected": draw::rfc3797::select("9319./2.5.8.10.12./9.18.26.34.41.45./", 25, 11),
        },
    });
    fs::write(dir.join("primitives.json"), serde_json::to_string_pretty(&primitives).expect("serialize") + "\n")
        .expect("write");
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
    fs::create_dir_all(&dir).expect("create vectors/");
    primitives(&dir);
    let cases = cases();
    for mut c in cases {
        let body: Value = match (c.error, draw::draw(c.input.clone(), c.randomness.clone())) {
            (Some(prefix), Err(e)) => {
                let text = e.to_string();
                assert!(text.starts_with(prefix), "{}: error {text:?} should start with {prefix:?}", c.name);
                json!({ "expected_error": text })
            }
            (Some(_), Ok(_)) => panic!("{}: should fail", c.name),
            (None, Err(e)) => panic!("{}: {e}", c.name),
            (None, Ok(mut record)) => {
                let quotas: Vec<u64> = record.result.strata.iter().map(|s| s.quota).collect();
                assert_eq!(Some(&quotas), c.quotas.as_ref(), "{}: quotas", c.name);
                let mut got: Vec<(String, ExclusionReason)> =
                    record.result.exclusions.iter().map(|e| (e.object.clone(), e.reason)).collect();
                let mut want: Vec<(String, ExclusionReason)> =
                    c.exclusions.iter().map(|(i, r)| (credit_code(*i), *r)).collect();
                got.sort();
                want.sort();
                assert_eq!(got, want, "{}: exclusions", c.name);
                for k in 0..c.recusals.len() {
                    let sel = &record.result.strata[0].selected[0];
                    c.recusals[k].object = sel.object.clone();
                    c.recusals[k].inspector = sel.team[0].clone();
                    record = draw::recuse(&record, c.recusals[k].clone()).unwrap_or_else(|e| panic!("{}: {e}", c.name));
                }
                assert!(draw::verify(&record).is_match(), "{}: verifies", c.name);
                json!({
                    "commitment": record.commitment,
                    "objects_root": record.objects_root,
                    "seed": record.seed,
                    "result": record.result,
                    "recusals": record.recusals,
                })
            }
        };
        let vector = json!({
            "name": c.name,
            "description": c.description,
            "input": c.input,
            "randomness": c.randomness,
            "recusals": c.recusals,
            "expected": body,
        });
        let text = serde_json::to_string_pretty(&vector).expect("serialize") + "\n";
        fs::write(dir.join(format!("{}.json", c.name)), text).expect("write vector");
        println!("wrote {}", c.name);
    }
}
