//! Fictional names and well-formed codes for the demo jurisdiction.
//!
//! Enterprise names combine a fictional city, a two-character trade name and
//! an industry; people's names combine common surnames and given-name
//! characters. None is meant to be a real company or person.

use std::collections::BTreeSet;

use draw::CreditCode;

use super::{DemoError, Gen};

const TRADE: [&str; 48] = [
    "瑞丰", "恒达", "鑫源", "华泰", "永盛", "金科", "宏远", "嘉禾", "德润", "兴隆", "润丰", "天成", "博远", "安泰",
    "晟华", "锦程", "汇通", "凯旋", "盛和", "龙腾", "森茂", "信诚", "泽润", "弘业", "明辉", "启航", "丰源", "佳美",
    "同心", "立信", "长青", "宝丰", "康宁", "乐居", "星河", "远航", "正通", "众和", "和顺", "青禾", "沃土", "朗润",
    "骏达", "方圆", "鸿运", "祥瑞", "海纳", "云帆",
];

/// (industry shown on the portal, name suffix, licences held).
pub const INDUSTRIES: [(&str, &str, &[&str]); 12] = [
    ("食品制造", "食品有限公司", &["食品生产许可证"]),
    ("食品相关产品", "包装制品有限公司", &["食品相关产品生产许可证"]),
    ("化工产品", "化工有限公司", &["危险化学品生产许可证", "全国工业产品生产许可证"]),
    ("建筑材料", "建材有限公司", &["全国工业产品生产许可证"]),
    ("机电设备", "机电设备有限公司", &[]),
    ("电线电缆", "电缆有限公司", &["全国工业产品生产许可证"]),
    ("纺织服装", "服饰有限公司", &[]),
    ("日用化学品", "日化有限公司", &[]),
    ("农业生产资料", "农资有限公司", &[]),
    ("商贸零售", "商贸有限公司", &[]),
    ("检验检测", "检测技术有限公司", &["检验检测机构资质认定证书"]),
    ("加油站", "石化加油站有限公司", &[]),
];

const SURNAMES: [&str; 30] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
];
const GIVEN_M: [&str; 20] = [
    "建国", "志强", "海涛", "文博", "俊杰", "永刚", "晓东", "国栋", "立新", "子轩", "明远", "振华", "宏伟", "浩然",
    "鹏飞", "家豪", "德明", "宇航", "春雷", "嘉伟",
];
const GIVEN_F: [&str; 20] = [
    "秀英", "丽娟", "晓燕", "慧敏", "雅琴", "婷婷", "静怡", "海燕", "玉兰", "思雨", "梦琪", "欣怡", "美玲", "红梅",
    "佳慧", "晓琳", "雪梅", "丹丹", "颖", "倩",
];

/// A person's name and gender (`男`/`女`).
pub fn person(g: &mut Gen, i: usize) -> (String, &'static str) {
    let surname = SURNAMES[g.below(SURNAMES.len())];
    if i % 3 == 1 {
        (format!("{surname}{}", GIVEN_F[g.below(GIVEN_F.len())]), "女")
    } else {
        (format!("{surname}{}", GIVEN_M[g.below(GIVEN_M.len())]), "男")
    }
}

/// An enterprise name in `city` for industry `industry` (index into [`INDUSTRIES`]).
pub fn enterprise(g: &mut Gen, city: &str, industry: usize, taken: &mut BTreeSet<String>) -> String {
    loop {
        let a = TRADE[g.below(TRADE.len())];
        let b = TRADE[g.below(TRADE.len())];
        let trade = if g.chance(500) { a.to_owned() } else { format!("{}{}", &a[..3], &b[3..]) };
        let name = format!("{city}{trade}{}", INDUSTRIES[industry].1);
        if taken.insert(name.clone()) {
            return name;
        }
    }
}

/// GB 11714 check character of an 8-digit organisation code body.
pub fn org_check(body: &[u8; 8]) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.iter().zip(W).map(|(d, w)| u32::from(*d) * w).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).unwrap_or('0'),
    }
}

/// `count` distinct well-formed credit codes with the given first two
/// characters (`91` enterprises, `12` public institutions) and division code.
pub fn credit_codes(
    g: &mut Gen,
    prefix: &str,
    division: &str,
    count: usize,
    seen: &mut BTreeSet<String>,
) -> Result<Vec<CreditCode>, DemoError> {
    let mut codes = Vec::with_capacity(count);
    while codes.len() < count {
        let mut body = [0u8; 8];
        for d in &mut body {
            *d = g.below(10) as u8;
        }
        let digits: String = body.iter().map(|d| char::from(b'0' + d)).collect();
        let first17 = format!("{prefix}{division}{digits}{}", org_check(&body));
        let code = CreditCode::complete(&first17).map_err(|e| DemoError::Input(e.to_string()))?;
        if seen.insert(code.as_str().to_owned()) {
            codes.push(code);
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_check_digit_matches_gb_11714_example() {
        // 12345678: 3+14+27+40+25+48+28+16 = 201, 11 - 201 % 11 = 8.
        assert_eq!(org_check(&[1, 2, 3, 4, 5, 6, 7, 8]), '8');
        // 00000001: 2, 11 - 2 = 9; 00000000: 11 - 0 = 11 → '0'; 00000006: 12 % 11 = 1 → 10 → 'X'.
        assert_eq!(org_check(&[0, 0, 0, 0, 0, 0, 0, 1]), '9');
        assert_eq!(org_check(&[0; 8]), '0');
        assert_eq!(org_check(&[0, 0, 0, 0, 0, 0, 0, 6]), 'X');
    }

    #[test]
    fn enterprise_names_are_distinct_and_fictional() {
        let mut g = Gen::new(1);
        let mut taken = BTreeSet::new();
        let names: Vec<String> =
            (0..300).map(|i| enterprise(&mut g, "河朔市", i % INDUSTRIES.len(), &mut taken)).collect();
        assert_eq!(taken.len(), 300);
        assert!(names.iter().all(|n| n.starts_with("河朔市") && n.ends_with("公司")));
    }
}
