//! The `casebook` command line: check a corpus, build its index, search it.

mod cli;
mod commands;
mod logging;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: a search builds and drops many small values
/// (query plans, postings cursors, labelled hits, JSON), and glibc's malloc and free were a
/// tenth of a search's time; mimalloc's thread-local free lists cost less, also for the
/// server's threads handing buffers to each other (docs/performance.md has the figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let logging = logging::init(cli.log_format);
    let result = commands::run(cli.command);
    // Buffered log lines are written before the error chain, and before the process exits.
    logging.finish();
    match result {
        Ok(code) => code,
        Err(error) => {
            if output::is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
