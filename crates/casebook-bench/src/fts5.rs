//! The baseline: the same corpus and query mix in SQLite FTS5, queried the way a team would
//! in SQL — bm25 ranking with field weights, `snippet()` for the page, the total with
//! `count(*)`, and the disjunctive facet counts as one `GROUP BY` query per facet group, each
//! with every filter except its own.

use std::path::Path;

use casebook_corpus::{Case, RegionSelector, Taxonomy};
use casebook_index::SearchRequest;
use rusqlite::types::Value;
use rusqlite::{Connection, params};

/// Builds the database from parsed cases (one transaction).
pub fn build(path: &Path, cases: &[Case]) -> rusqlite::Result<Connection> {
    let _ = std::fs::remove_file(path);
    let connection = Connection::open(path)?;
    connection.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE cases (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, year INTEGER NOT NULL, language TEXT NOT NULL,
                             award TEXT NOT NULL, country TEXT NOT NULL, region TEXT NOT NULL);
         CREATE TABLE case_sectors (case_rowid INTEGER NOT NULL, sector TEXT NOT NULL);
         CREATE VIRTUAL TABLE fts USING fts5(title, tags, organisation, summary, body, tokenize = 'unicode61 remove_diacritics 2');",
    )?;
    connection.execute_batch("BEGIN")?;
    {
        let mut case_row = connection.prepare("INSERT INTO cases VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        let mut sector_row = connection.prepare("INSERT INTO case_sectors VALUES (?1, ?2)")?;
        let mut text_row = connection.prepare(
            "INSERT INTO fts (rowid, title, tags, organisation, summary, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, case) in cases.iter().enumerate() {
            let rowid = i as i64 + 1;
            case_row.execute(params![
                rowid,
                case.record.id,
                case.record.year,
                case.record.language.code(),
                casebook_corpus::text::slugify(&case.record.award),
                case.record.place.country,
                case.record.place.region
            ])?;
            for sector in &case.record.sectors {
                sector_row.execute(params![rowid, sector])?;
            }
            text_row.execute(params![
                rowid,
                case.record.title,
                case.record.tags.join(", "),
                case.record.organisation,
                case.record.summary,
                case.body_text
            ])?;
        }
    }
    connection.execute_batch(
        "COMMIT;
         CREATE INDEX case_sectors_by_case ON case_sectors (case_rowid);
         CREATE INDEX case_sectors_by_sector ON case_sectors (sector, case_rowid);
         CREATE INDEX cases_by_year ON cases (year);
         INSERT INTO fts (fts) VALUES ('optimize');",
    )?;
    Ok(connection)
}

/// The FTS5 query of the text: every word quoted (so FTS5 syntax in user input is inert),
/// all required (FTS5's implicit AND), the last one also as a prefix.
pub fn match_expression(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.to_lowercase()))
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut expression = words.join(" ");
    expression.push('*');
    Some(expression)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Sector,
    Region,
    Year,
    Award,
    Language,
}

/// Runs one request; returns the total.
pub fn search(connection: &Connection, taxonomy: &Taxonomy, request: &SearchRequest) -> rusqlite::Result<u64> {
    let expression = match_expression(&request.q);
    let (from, to) = match request.year {
        Some(year) => (Some(year), Some(year)),
        None => (request.year_from, request.year_to),
    };
    let mut countries = Vec::new();
    let mut regions = Vec::new();
    for value in &request.region {
        match taxonomy.region_selector(value) {
            Some(RegionSelector::Country(c)) => countries.push(c),
            Some(RegionSelector::Region(r)) => regions.push(r),
            None => regions.push(value.clone()),
        }
    }
    let filters = |skip: Option<Group>, values: &mut Vec<Value>| -> String {
        let mut clauses: Vec<String> = Vec::new();
        let placeholders = |items: &[String], values: &mut Vec<Value>| -> String {
            items
                .iter()
                .map(|item| {
                    values.push(Value::Text(item.clone()));
                    format!("?{}", values.len())
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if skip != Some(Group::Sector) && !request.sector.is_empty() {
            let list = placeholders(&request.sector, values);
            clauses.push(format!("c.rowid IN (SELECT case_rowid FROM case_sectors WHERE sector IN ({list}))"));
        }
        if skip != Some(Group::Region) && !request.region.is_empty() {
            let countries_list = placeholders(&countries, values);
            let regions_list = placeholders(&regions, values);
            clauses.push(format!("(c.country IN ({countries_list}) OR c.region IN ({regions_list}))"));
        }
        if skip != Some(Group::Year) {
            if let Some(from) = from {
                values.push(Value::Integer(i64::from(from)));
                clauses.push(format!("c.year >= ?{}", values.len()));
            }
            if let Some(to) = to {
                values.push(Value::Integer(i64::from(to)));
                clauses.push(format!("c.year <= ?{}", values.len()));
            }
        }
        if skip != Some(Group::Award) && !request.award.is_empty() {
            let list = placeholders(&request.award, values);
            clauses.push(format!("c.award IN ({list})"));
        }
        if skip != Some(Group::Language) && !request.language.is_empty() {
            let list = placeholders(&request.language, values);
            clauses.push(format!("c.language IN ({list})"));
        }
        if clauses.is_empty() { "1".into() } else { clauses.join(" AND ") }
    };
    let base = |values: &mut Vec<Value>| -> String {
        match &expression {
            Some(expression) => {
                values.push(Value::Text(expression.clone()));
                format!("fts JOIN cases c ON c.rowid = fts.rowid WHERE fts MATCH ?{} AND ", values.len())
            }
            None => "cases c WHERE ".into(),
        }
    };
    // Total.
    let mut values = Vec::new();
    let sql = format!("SELECT count(*) FROM {}{}", base(&mut values), filters(None, &mut values));
    let total: i64 =
        connection.prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(values), |row| row.get(0))?;
    // The page: ranked, with snippets.
    let mut values = Vec::new();
    let sql = match &expression {
        Some(_) => format!(
            "SELECT c.id, snippet(fts, 4, '<mark>', '</mark>', '…', 24) FROM {}{} ORDER BY bm25(fts, 3.0, 2.0, 2.0, 1.5, 1.0) LIMIT 10",
            base(&mut values),
            filters(None, &mut values)
        ),
        None => format!(
            "SELECT c.id, '' FROM {}{} ORDER BY c.year DESC LIMIT 10",
            base(&mut values),
            filters(None, &mut values)
        ),
    };
    let mut statement = connection.prepare_cached(&sql)?;
    let page: Vec<(String, String)> = statement
        .query_map(rusqlite::params_from_iter(values), |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    std::hint::black_box(page);
    // One GROUP BY per facet group, each without its own filter.
    for (group, select, join, by) in [
        (Group::Sector, "s.sector", " JOIN case_sectors s ON s.case_rowid = c.rowid", "s.sector"),
        (Group::Region, "c.country || ':' || c.region", "", "c.country, c.region"),
        (Group::Year, "c.year", "", "c.year"),
        (Group::Award, "c.award", "", "c.award"),
        (Group::Language, "c.language", "", "c.language"),
    ] {
        let mut values = Vec::new();
        let from_clause = base(&mut values);
        let sql = match &expression {
            Some(_) => format!(
                "SELECT {select}, count(*) FROM fts JOIN cases c ON c.rowid = fts.rowid{join} WHERE fts MATCH ?1 AND {} GROUP BY {by}",
                filters(Some(group), &mut values)
            ),
            None => format!(
                "SELECT {select}, count(*) FROM cases c{join} WHERE {} GROUP BY {by}",
                filters(Some(group), &mut values)
            ),
        };
        let _ = from_clause;
        let mut statement = connection.prepare_cached(&sql)?;
        let counts: Vec<(Value, i64)> = statement
            .query_map(rusqlite::params_from_iter(values), |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        std::hint::black_box(counts);
    }
    Ok(total as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_inject_fts_syntax() {
        assert_eq!(match_expression("smart city"), Some("\"smart\" \"city\"*".into()));
        assert_eq!(match_expression("a\" OR NEAR(b"), Some("\"a\" \"or\" \"near\" \"b\"*".into()));
        assert_eq!(match_expression("--"), None);
    }
}
