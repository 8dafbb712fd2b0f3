//! The one CSV reader: the directories of `commit` (objects, inspectors,
//! history) and every CSV file of `server import`.
//!
//! The encoding is decided per file ([`decode`]): UTF-8 with or without a BOM,
//! or GBK as Excel writes it in China. A header row names the columns (any
//! order, case-insensitive), lists are separated by `;` (or a full-width `；`),
//! booleans are `true/false/1/0/是/否` with empty meaning false. Cells are
//! trimmed. Every problem names the file, the line and the column; reading
//! goes on after a bad cell so that all problems are reported at once.

use std::path::Path;

use draw::{HistoryEntry, Inspector, Object};

use crate::Failure;
use crate::files;

/// Records read from one CSV file, with the line each starts on.
#[derive(Debug)]
pub struct Rows<T> {
    pub file: String,
    pub records: Vec<T>,
    pub lines: Vec<u64>,
}

impl<T> Rows<T> {
    fn new(path: &Path) -> Self {
        Self { file: path.display().to_string(), records: Vec::new(), lines: Vec::new() }
    }
}

/// One parsed table: header positions and the rows of cells.
pub struct Table {
    pub file: String,
    /// Header name of each column, as written (trimmed; an alias read as its column).
    pub header: Vec<String>,
    /// Each non-empty row with the line it starts on.
    pub rows: Vec<(u64, Vec<String>)>,
}

struct Columns<'a> {
    table: &'a Table,
    /// Index of each known column in the file, if present.
    index: Vec<Option<usize>>,
    names: &'a [&'a str],
}

/// Where a cell is, in words.
fn place(file: &str, line: u64, column: usize, name: &str) -> String {
    format!("{file} 第 {line} 行第 {column} 列（{name}）/ line {line}, column {column} ({name})")
}

impl Columns<'_> {
    fn cell<'r>(&self, row: &'r [String], name: &str) -> &'r str {
        self.names
            .iter()
            .position(|n| *n == name)
            .and_then(|k| self.index[k])
            .and_then(|i| row.get(i))
            .map_or("", String::as_str)
    }

    fn text(&self, row: &[String], name: &str) -> String {
        self.cell(row, name).to_owned()
    }

    fn list(&self, row: &[String], name: &str) -> Vec<String> {
        self.cell(row, name).split([';', '；']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    fn flag(&self, row: &[String], line: u64, name: &str, problems: &mut Vec<String>) -> bool {
        let value = self.cell(row, name);
        match value.to_lowercase().as_str() {
            "" | "false" | "0" | "否" => false,
            "true" | "1" | "是" => true,
            _ => {
                let column =
                    self.names.iter().position(|n| *n == name).and_then(|k| self.index[k]).map_or(0, |i| i + 1);
                problems.push(format!(
                    "{}: “{value}” 不是布尔值（true/false/1/0/是/否，空为否）/ '{value}' is not a boolean (true/false/1/0/是/否, empty = false)",
                    place(&self.table.file, line, column, name)
                ));
                false
            }
        }
    }
}

/// The text of a file, its encoding decided for the whole file: UTF-8 (a BOM
/// is dropped) when it is valid UTF-8; GBK when no line is UTF-8 with
/// non-ASCII characters and every line decodes cleanly as GBK. A file with
/// both UTF-8 Chinese and lines that are not UTF-8 (a cell pasted from
/// another file) is refused, naming each line that is not UTF-8: decoding
/// it as GBK would read every Chinese field garbled. `None` when the file
/// cannot be read as text (its problems are pushed, as `file:line: …`).
pub fn decode(file: &str, bytes: &[u8], problems: &mut Vec<String>) -> Option<String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        problems.push(format!(
            "{file}:1: 文件是 UTF-16 编码（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）” / \
             the file is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8 (Comma delimited)\" or \"CSV (Comma delimited)\""
        ));
        return None;
    }
    let had_bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_owned());
    }
    // Neither GBK nor UTF-8 uses 0x0A inside a character, so lines can be judged one by one.
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let utf8_chinese = had_bom || lines.iter().any(|l| !l.is_ascii() && std::str::from_utf8(l).is_ok());
    if utf8_chinese {
        for (i, line) in lines.iter().enumerate() {
            if std::str::from_utf8(line).is_err() {
                let n = i + 1;
                problems.push(format!(
                    "{file}:{n}: 文件是 UTF-8 编码，但此行不是（可能是从 GBK 文件粘贴的内容）；请将整个文件保存为同一种编码 / \
                     the file is UTF-8 but line {n} is not (perhaps pasted from a GBK file); save the whole file in one encoding"
                ));
            }
        }
        return None;
    }
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let mut bad = false;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        match encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(line) {
            Some(decoded) => text.push_str(&decoded),
            None => {
                bad = true;
                let n = i + 1;
                problems.push(format!(
                    "{file}:{n}: 此行既不是 UTF-8 也不是 GBK 编码，无法读取 / line {n} is neither UTF-8 nor GBK and cannot be read"
                ));
            }
        }
    }
    (!bad).then_some(text)
}

/// Reads a CSV file into a table: its encoding by [`decode`], then
/// [`parse_table`]. Returns `None` when the file cannot be used at all (its
/// problems are pushed); a file that cannot be read is a [`Failure`].
pub fn read_table(
    path: &Path,
    required: &[&str],
    optional: &[&str],
    aliases: &[(&str, &str)],
    problems: &mut Vec<String>,
) -> Result<Option<Table>, Failure> {
    let file = path.display().to_string();
    let bytes = files::read_bytes(path)?;
    Ok(decode(&file, &bytes, problems)
        .and_then(|text| parse_table(&file, &text, required, optional, aliases, problems)))
}

/// Parses CSV text (already decoded, without a BOM) into a table, checking
/// the header against the known columns (any order, case-insensitive) and
/// the shape of every row. A header cell equal to one of the `aliases`
/// (alias, column) is read as that column. Returns `None` when the text cannot
/// be used at all (its problems are pushed).
pub fn parse_table(
    file: &str,
    text: &str,
    required: &[&str],
    optional: &[&str],
    aliases: &[(&str, &str)],
    problems: &mut Vec<String>,
) -> Option<Table> {
    let file = file.to_owned();
    let bytes = text.as_bytes();
    let newlines: Vec<usize> = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h
            .iter()
            .map(|c| {
                let c = c.trim();
                aliases.iter().find(|(alias, _)| *alias == c).map_or(c, |(_, column)| column).to_owned()
            })
            .collect(),
        Some(Err(e)) => {
            problems.push(format!("{file}: {}", csv_error(&e, bytes, &newlines)));
            return None;
        }
        None => {
            problems.push(format!("{file}: 文件为空，缺少表头 / the file is empty; a header row is required"));
            return None;
        }
    };
    let expected = || [required, optional].concat().join(",");
    let mut usable = true;
    for (i, name) in header.iter().enumerate() {
        let known = required.iter().chain(optional).any(|n| n.eq_ignore_ascii_case(name));
        if !known {
            problems.push(format!(
                "{file}:1: {name}: 第 {} 列是未知的列，可用的列为 {} / column {}: unknown column '{name}'; the columns are {}",
                i + 1,
                expected(),
                i + 1,
                expected()
            ));
            usable = false;
        } else if header[..i].iter().any(|h| h.eq_ignore_ascii_case(name)) {
            problems.push(format!(
                "{file}:1: {name}: 第 {} 列是重复的列 / column {}: duplicate column '{name}'",
                i + 1,
                i + 1
            ));
            usable = false;
        }
    }
    for name in required {
        if !header.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            problems.push(format!(
                "{file}:1: {name}: 表头缺少必需的列（列为 {}）/ the header lacks the required column '{name}' (the columns are {})",
                expected(),
                expected()
            ));
            usable = false;
        }
    }
    if !usable {
        return None;
    }
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{file}: {}", csv_error(&e, bytes, &newlines)));
                return None;
            }
        };
        let line = record.position().map_or(0, |p| line_of(bytes, &newlines, p.byte()));
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let extra_filled = cells.iter().skip(header.len()).any(|c| !c.is_empty());
        if cells.len() < header.len() || extra_filled {
            problems.push(format!(
                "{file}:{line}: 此行有 {} 列，表头有 {} 列 / line {line} has {} fields, the header has {}",
                cells.len(),
                header.len(),
                cells.len(),
                header.len()
            ));
            continue;
        }
        rows.push((line, cells));
    }
    Some(Table { file, header, rows })
}

/// The 1-based line on which a record starting at byte `at` begins. The csv
/// crate's own line count is one short after a CRLF line end (the record's
/// position is taken before the LF is read), so the line is counted here from
/// the first byte of the record that is not a line end.
fn line_of(bytes: &[u8], newlines: &[usize], at: u64) -> u64 {
    let mut at = usize::try_from(at).unwrap_or(bytes.len()).min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    newlines.partition_point(|&n| n < at) as u64 + 1
}

fn csv_error(e: &csv::Error, bytes: &[u8], newlines: &[usize]) -> String {
    match e.position() {
        Some(p) => {
            let line = line_of(bytes, newlines, p.byte());
            format!("第 {line} 行无法解析 / line {line} cannot be parsed: {e}")
        }
        None => format!("无法解析 / cannot be parsed: {e}"),
    }
}

fn columns<'a>(table: &'a Table, names: &'a [&'a str]) -> Columns<'a> {
    let index = names.iter().map(|n| table.header.iter().position(|h| h.eq_ignore_ascii_case(n))).collect();
    Columns { table, index, names }
}

const OBJECT_COLUMNS: [&str; 6] = ["id", "stratum", "categories", "abnormal", "serious_violation", "penalised"];
const INSPECTOR_COLUMNS: [&str; 6] = ["cert", "unit", "qualifications", "valid_from", "valid_until", "conflicts"];
const HISTORY_COLUMNS: [&str; 4] = ["object", "department", "unit", "date"];

/// Reads the object pool. Problems are pushed; the rows that could be read are returned.
pub fn objects(path: &Path, problems: &mut Vec<String>) -> Result<Rows<Object>, Failure> {
    let mut out = Rows::new(path);
    let Some(table) = read_table(path, &OBJECT_COLUMNS[..2], &OBJECT_COLUMNS[2..], &[], problems)? else {
        return Ok(out);
    };
    let c = columns(&table, &OBJECT_COLUMNS);
    for (line, row) in &table.rows {
        out.records.push(Object {
            id: c.text(row, "id"),
            stratum: c.text(row, "stratum"),
            categories: c.list(row, "categories"),
            abnormal: c.flag(row, *line, "abnormal", problems),
            serious_violation: c.flag(row, *line, "serious_violation", problems),
            penalised: c.flag(row, *line, "penalised", problems),
        });
        out.lines.push(*line);
    }
    Ok(out)
}

/// Reads the inspector pool.
pub fn inspectors(path: &Path, problems: &mut Vec<String>) -> Result<Rows<Inspector>, Failure> {
    let mut out = Rows::new(path);
    let required = ["cert", "unit", "valid_from", "valid_until"];
    let optional = ["qualifications", "conflicts"];
    let Some(table) = read_table(path, &required, &optional, &[], problems)? else {
        return Ok(out);
    };
    let c = columns(&table, &INSPECTOR_COLUMNS);
    for (line, row) in &table.rows {
        out.records.push(Inspector {
            cert: c.text(row, "cert"),
            unit: c.text(row, "unit"),
            qualifications: c.list(row, "qualifications"),
            valid_from: c.text(row, "valid_from"),
            valid_until: c.text(row, "valid_until"),
            conflicts: c.list(row, "conflicts"),
        });
        out.lines.push(*line);
    }
    Ok(out)
}

/// Reads this year's inspection history.
pub fn history(path: &Path, problems: &mut Vec<String>) -> Result<Rows<HistoryEntry>, Failure> {
    let mut out = Rows::new(path);
    let Some(table) = read_table(path, &HISTORY_COLUMNS, &[], &[], problems)? else {
        return Ok(out);
    };
    let c = columns(&table, &HISTORY_COLUMNS);
    for (line, row) in &table.rows {
        out.records.push(HistoryEntry {
            object: c.text(row, "object"),
            department: c.text(row, "department"),
            unit: c.text(row, "unit"),
            date: c.text(row, "date"),
        });
        out.lines.push(*line);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_objects_in_any_column_order_with_bom() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "o.csv",
            "\u{feff}Stratum,id,abnormal,categories\r\nA, X1 ,是,a；b;\r\n,,,\r\nB,X2,,\r\n".as_bytes(),
        );
        let mut problems = Vec::new();
        let rows = objects(&p, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.lines, vec![2, 4]);
        assert_eq!(rows.records[0].id, "X1");
        assert_eq!(rows.records[0].stratum, "A");
        assert!(rows.records[0].abnormal);
        assert_eq!(rows.records[0].categories, vec!["a", "b"]);
        assert!(!rows.records[1].abnormal && rows.records[1].categories.is_empty());
    }

    #[test]
    fn names_line_and_column_of_bad_cells() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "o.csv", b"id,stratum,penalised\nX1,A,maybe\nX2,A\n");
        let mut problems = Vec::new();
        let rows = objects(&p, &mut problems).unwrap();
        assert_eq!(rows.records.len(), 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("line 2, column 3 (penalised)")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("line 3 has 2 fields")), "{problems:?}");
    }

    #[test]
    fn rejects_unknown_and_missing_columns_and_undecodable_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut problems = Vec::new();
        let p = write(&dir, "i.csv", b"cert,unit,valid_form\n");
        inspectors(&p, &mut problems).unwrap();
        assert!(problems.iter().any(|p| p.contains("unknown column 'valid_form'")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("required column 'valid_from'")), "{problems:?}");
        problems.clear();
        // Neither UTF-8 nor GBK.
        let p = write(&dir, "h.csv", b"object,department,unit,date\n\xFF\xFF,a,b,c\n");
        let rows = history(&p, &mut problems).unwrap();
        assert!(rows.records.is_empty());
        assert!(problems[0].contains("line 2 is neither UTF-8 nor GBK"), "{problems:?}");
    }

    #[test]
    fn reads_a_gbk_directory_as_excel_writes_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut problems = Vec::new();
        // "企业" in GBK, in a list of categories.
        let p = write(&dir, "o.csv", b"id,stratum,categories\r\nX1,A,\xC6\xF3\xD2\xB5;b\r\n");
        let rows = objects(&p, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.records[0].categories, vec!["企业", "b"]);
    }

    #[test]
    fn a_utf8_file_with_one_gbk_cell_is_refused_naming_the_line() {
        let mut problems = Vec::new();
        // Line 2 is UTF-8 Chinese ("企业"), line 3 has "企业" in GBK.
        let mut bytes = "name,unit\n企业,东胜区\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xC6\xF3\xD2\xB5,x\n");
        assert!(decode("f.csv", &bytes, &mut problems).is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("f.csv:3: "), "{problems:?}");
        assert!(problems[0].contains("the file is UTF-8 but line 3 is not"), "{problems:?}");
        // The same with a BOM and only ASCII besides the GBK line.
        problems.clear();
        let mut bytes = b"\xEF\xBB\xBFname\nabc\n".to_vec();
        bytes.extend_from_slice(b"\xC6\xF3\xD2\xB5\n");
        assert!(decode("f.csv", &bytes, &mut problems).is_none());
        assert!(problems[0].starts_with("f.csv:3: "), "{problems:?}");
    }

    #[test]
    fn decodes_gbk_and_names_undecodable_lines() {
        let mut problems = Vec::new();
        // "企业" in GBK.
        let text = decode("f.csv", b"name\n\xC6\xF3\xD2\xB5\n", &mut problems).unwrap();
        assert_eq!(text, "name\n企业\n");
        assert!(problems.is_empty());
        let bom = decode("f.csv", "\u{feff}a,b\n".as_bytes(), &mut problems).unwrap();
        assert_eq!(bom, "a,b\n");
        assert!(decode("f.csv", b"ok\n\xC6\xF3\n\xFF\xFF\n", &mut problems).is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("f.csv:3:"), "{problems:?}");
        problems.clear();
        assert!(decode("f.csv", b"\xFF\xFEa\x00,\x00b\x00", &mut problems).is_none());
        assert!(problems[0].contains("UTF-16"), "{problems:?}");
    }
}
