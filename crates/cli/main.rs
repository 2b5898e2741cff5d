//! The `casebook` command line: check a corpus, build its index, search it.

mod cli;
mod commands;
mod logging;
mod output;

use std::process::ExitCode;

use clap::Parser;

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
