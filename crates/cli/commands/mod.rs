//! One module per subcommand.

mod check;
mod import;
mod index;
mod search;
mod serve;
mod state;
mod submissions;

use std::process::ExitCode;

use crate::cli::Command;

/// Runs a subcommand; `Err` is a failure to do the job (exit 2), `Ok` carries the status.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Check(args) => check::run(&args),
        Command::Index(args) => index::run(&args),
        Command::Search(args) => search::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Users(command) => state::users(command),
        Command::Tokens(command) => state::tokens(command),
        Command::Backup(args) => state::backup(&args),
        Command::Showcases(command) => state::showcases(command),
        Command::Submissions(command) => submissions::run(command),
        Command::Openapi => {
            print!("{}", casebook_server::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
    }
}
