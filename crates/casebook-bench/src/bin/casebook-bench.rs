//! The benchmark harness: `casebook-bench measure` runs every in-process measurement on a
//! corpus and its index and prints JSON; `casebook-bench chart` draws the latency chart of
//! several result files as SVG. `scripts/bench-compare.sh` drives both.

use std::path::PathBuf;

use anyhow::{Context, bail};

fn usage() -> anyhow::Result<()> {
    bail!(
        "usage:\n  casebook-bench measure CORPUS INDEX QUERIES [--rounds N] [--fts5 DB]\n  casebook-bench chart RESULTS.json..."
    )
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("measure") if args.len() >= 4 => {
            let mut rounds = 3;
            let mut fts5 = None;
            let mut rest = args[4..].iter();
            while let Some(flag) = rest.next() {
                match flag.as_str() {
                    "--rounds" => rounds = rest.next().context("--rounds N")?.parse()?,
                    "--fts5" => fts5 = Some(PathBuf::from(rest.next().context("--fts5 DB")?)),
                    other => bail!("unknown option {other}"),
                }
            }
            let results = casebook_bench::harness::measure(
                &PathBuf::from(&args[1]),
                &PathBuf::from(&args[2]),
                &PathBuf::from(&args[3]),
                rounds,
                fts5.as_deref(),
            )?;
            println!("{}", serde_json::to_string_pretty(&results)?);
            Ok(())
        }
        Some("chart") if args.len() >= 2 => {
            let mut runs = Vec::new();
            for path in &args[1..] {
                let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
                runs.push(serde_json::from_str::<serde_json::Value>(&text)?);
            }
            print!("{}", casebook_bench::chart::svg(&runs));
            Ok(())
        }
        _ => usage(),
    }
}
