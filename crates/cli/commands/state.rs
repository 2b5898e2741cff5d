//! `casebook users`, `tokens`, `backup`, `showcases`: the database from the command line.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::{Context, bail};
use casebook_store::{Dialect, ExportScope, Role, Store};

use crate::cli::{BackupArgs, DbArg, ShowcasesCommand, TokensCommand, UsersCommand};

/// The store of `--db` (its password never shown in errors).
pub fn open(db: &DbArg) -> anyhow::Result<Store> {
    let location = db.location()?;
    Store::connect(location).with_context(|| format!("cannot open the database `{location}`"))
}

/// A new password: asked twice on a terminal, else the first line of standard input.
fn read_password(name: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("password for {name}: "))?;
        let again = rpassword::prompt_password("again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut input = String::new();
        std::io::stdin().take(4096).read_to_string(&mut input)?;
        Ok(input.lines().next().unwrap_or_default().to_string())
    }
}

pub fn users(command: UsersCommand) -> anyhow::Result<ExitCode> {
    match command {
        UsersCommand::Add { name, role, db } => {
            let role = Role::parse(&role).with_context(|| format!("unknown role `{role}`: use organiser or admin"))?;
            let password = read_password(&name)?;
            open(&db)?.add_user(&name, role, &password)?;
            println!("created {} `{name}`", role.as_str());
        }
        UsersCommand::List { db } => {
            for user in open(&db)?.users()? {
                println!("{}\t{}", user.name, user.role.as_str());
            }
        }
        UsersCommand::Remove { name, db } => {
            open(&db)?.remove_user(&name)?;
            println!("removed `{name}`");
        }
        UsersCommand::Passwd { name, db } => {
            let store = open(&db)?;
            let password = read_password(&name)?;
            store.set_password(&name, &password)?;
            println!("password of `{name}` changed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn tokens(command: TokensCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokensCommand::Create { user, name, db } => {
            let (info, token) = open(&db)?.create_token(&user, &name)?;
            println!("token {} `{}` for {} (shown once; store it safely):", info.id, info.name, info.user);
            println!("{token}");
        }
        TokensCommand::List { user, db } => {
            for token in open(&db)?.tokens(user.as_deref())? {
                let state = if token.revoked { "revoked" } else { "active" };
                println!("{}\t{}\t{}\t{state}", token.id, token.user, token.name);
            }
        }
        TokensCommand::Revoke { token, db } => {
            open(&db)?.revoke_token(&token, None)?;
            println!("revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn backup(args: &BackupArgs) -> anyhow::Result<ExitCode> {
    if args.file.exists() {
        bail!("`{}` exists: choose a new file for the backup", args.file.display());
    }
    let store = open(&args.db)?;
    store.backup(&args.file).with_context(|| format!("cannot write `{}`", args.file.display()))?;
    match store.dialect() {
        Dialect::Sqlite => println!(
            "backed up `{}` to `{}` (checked: integrity, foreign keys, showcase order)",
            args.db.location()?,
            args.file.display()
        ),
        Dialect::Postgres => println!(
            "exported `{}` to `{}` (accounts, tokens, showcases, calls, submissions, insights; \
             `casebook showcases import` reads it back; use pg_dump for a full backup)",
            args.db.location()?,
            args.file.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn showcases(command: ShowcasesCommand) -> anyhow::Result<ExitCode> {
    match command {
        ShowcasesCommand::Export { file, all, db } => {
            let scope = if all { ExportScope::ALL } else { ExportScope::default() };
            let json = serde_json::to_string_pretty(&open(&db)?.export_scoped(scope)?)?;
            match file {
                Some(path) => write_private(&path, &(json + "\n"))
                    .with_context(|| format!("cannot write `{}`", path.display()))?,
                None => println!("{json}"),
            }
        }
        ShowcasesCommand::Import { file, db } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read `{}`", file.display()))?;
            let value: serde_json::Value =
                serde_json::from_str(&text).with_context(|| format!("`{}` is not JSON", file.display()))?;
            let count = open(&db)?.import(&value)?;
            println!("imported {count} showcases");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes an export readable by its owner only: it holds contact emails, and with `--all`
/// password hashes.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}
