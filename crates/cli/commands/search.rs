//! `casebook search`: one query, or a batch of JSON Lines requests.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use casebook_index::{Archive, MatchMode, Ranking, SearchRequest, SearchResponse, Sort};

use crate::cli::SearchArgs;
use crate::output::{clip, plain_snippet};

pub fn run(args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let archive = Archive::open(&args.index.index)?;
    if let Some(batch) = &args.batch {
        return run_batch(&archive, batch);
    }
    let request = SearchRequest {
        q: args.query.join(" "),
        sector: args.sector.clone(),
        region: args.region.clone(),
        year: args.year,
        year_from: args.year_from,
        year_to: args.year_to,
        award: args.award.clone(),
        language: args.language.clone(),
        organisation: args.organisation.clone(),
        sort: Sort::parse(&args.sort)?,
        match_mode: MatchMode::parse(&args.match_mode)?,
        page: args.page,
        per_page: args.limit,
        lang: args.lang.clone(),
        explain: false,
    };
    let response = archive.search(&request)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &response)?;
        writeln!(out)?;
    } else {
        print_table(&mut out, &response)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn run_batch(archive: &Archive, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open batch file `{}`", path.display()))?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (number, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read `{}`", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str::<SearchRequest>(&line)
            .map_err(|e| format!("line {}: invalid request: {e}", number + 1))
            .and_then(|request| archive.search(&request).map_err(|e| format!("line {}: {e}", number + 1)));
        match result {
            Ok(response) => serde_json::to_writer(&mut out, &response)?,
            Err(message) => serde_json::to_writer(&mut out, &serde_json::json!({ "error": { "message": message } }))?,
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_table(out: &mut impl Write, response: &SearchResponse) -> std::io::Result<()> {
    for (rank, hit) in response.hits.iter().enumerate() {
        let position = (response.page - 1) * response.per_page + rank + 1;
        let sectors: Vec<&str> = hit.case.sectors.iter().map(|s| s.id.as_str()).collect();
        writeln!(
            out,
            "{position:>3}. {}  {}  ({})",
            hit.case.year,
            clip(&hit.case.title, 70),
            clip(&hit.case.organisation, 40),
        )?;
        writeln!(out, "     {} · {} · {}", sectors.join(", "), hit.case.region.label, hit.case.id)?;
        writeln!(out, "     {}", clip(&plain_snippet(&hit.snippet), 110))?;
    }
    if response.hits.is_empty() {
        writeln!(out, "no results")?;
    }
    writeln!(out)?;
    let facet_line = |values: &[casebook_index::FacetValue]| {
        values
            .iter()
            .map(|v| format!("{}{} {}", if v.selected { "*" } else { "" }, v.value, v.count))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "sector:   {}", facet_line(&response.facets.sector))?;
    writeln!(out, "region:   {}", facet_line(&response.facets.region))?;
    writeln!(out, "year:     {}", facet_line(&response.facets.year))?;
    writeln!(out, "language: {}", facet_line(&response.facets.language))?;
    for warning in &response.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    let relaxed = if response.ranking == Ranking::Bm25 {
        format!(", a long text ranked by BM25 over {} words", response.query_words)
    } else if response.relaxed {
        format!(", relaxed to {} of {} words", response.min_matched_words, response.query_words)
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} {} ({} with every word{relaxed}), page {}, {:.2} ms",
        response.total,
        if response.total == 1 { "result" } else { "results" },
        response.matched_all,
        response.page,
        response.took_ms
    )
}
