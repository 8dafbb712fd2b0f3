//! The CSV directories: objects, inspectors, history.
//!
//! UTF-8 with or without a BOM, a header row naming the columns (any order,
//! case-insensitive), lists separated by `;` (or a full-width `；`), booleans
//! `true/false/1/0/是/否` with empty meaning false. Cells are trimmed. Every
//! problem names the file, the line and the column; reading goes on after a
//! bad cell so that all problems are reported at once.

use std::path::Path;

use draw::{HistoryEntry, Inspector, Object};

use super::Failure;
use super::files;

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
pub(super) struct Table {
    pub(super) file: String,
    /// Header name of each column, as written (trimmed).
    pub(super) header: Vec<String>,
    /// Each non-empty row with the line it starts on.
    pub(super) rows: Vec<(u64, Vec<String>)>,
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

/// Reads a CSV file into a table, checking the encoding, the header and the
/// shape of every row. Returns `None` when the file cannot be used at all
/// (its problems are pushed).
fn read_table(
    path: &Path,
    required: &[&str],
    optional: &[&str],
    problems: &mut Vec<String>,
) -> Result<Option<Table>, Failure> {
    let file = path.display().to_string();
    let bytes = files::read_bytes(path)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(parse_table(&file, text, required, optional, &[], problems)),
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            problems.push(format!(
                "{file} 第 {line} 行不是 UTF-8 编码（在 Excel 中请另存为“CSV UTF-8（逗号分隔）”）/ \
                 line {line} is not UTF-8 (in Excel, save as \"CSV UTF-8 (Comma delimited)\")"
            ));
            Ok(None)
        }
    }
}

/// Parses CSV text (already decoded, without a BOM) into a table, checking
/// the header against the known columns (any order, case-insensitive) and
/// the shape of every row. A header cell equal to one of the `aliases`
/// (alias, column) is read as that column. Returns `None` when the text cannot
/// be used at all (its problems are pushed).
pub(super) fn parse_table(
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
    let Some(table) = read_table(path, &OBJECT_COLUMNS[..2], &OBJECT_COLUMNS[2..], problems)? else {
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
    let Some(table) = read_table(path, &required, &optional, problems)? else {
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
    let Some(table) = read_table(path, &HISTORY_COLUMNS, &[], problems)? else {
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
    fn rejects_unknown_and_missing_columns_and_other_encodings() {
        let dir = tempfile::tempdir().unwrap();
        let mut problems = Vec::new();
        let p = write(&dir, "i.csv", b"cert,unit,valid_form\n");
        inspectors(&p, &mut problems).unwrap();
        assert!(problems.iter().any(|p| p.contains("unknown column 'valid_form'")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("required column 'valid_from'")), "{problems:?}");
        problems.clear();
        // "企业" in GBK.
        let p = write(&dir, "h.csv", b"object,department,unit,date\n\xC6\xF3\xD2\xB5,a,b,c\n");
        history(&p, &mut problems).unwrap();
        assert!(problems[0].contains("line 2 is not UTF-8"), "{problems:?}");
    }
}
