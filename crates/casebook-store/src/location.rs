//! Where the store is: a SQLite file (a path, or `sqlite:PATH`) or a PostgreSQL server (a
//! `postgres://` or `postgresql://` URL), as given to `--db` / `CASEBOOK_DB`. A URL's
//! password is never shown: `Display` and `Debug` print it as `***`, and so does every error
//! that names the location.

use std::path::{Path, PathBuf};

use crate::StoreError;
use crate::pg::DEFAULT_POOL_SIZE;

/// Most connections one process may open to PostgreSQL.
const MAX_POOL_SIZE: usize = 256;

/// A store location.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(PostgresUrl),
}

/// A PostgreSQL URL (without Casebook's own `pool_size` parameter) and the pool size.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    url: String,
    pool_size: usize,
}

impl PostgresUrl {
    /// The URL for the client, password included: never print it.
    pub fn secret_url(&self) -> &str {
        &self.url
    }

    /// Connections the store opens (`pool_size=N` in the URL, default 8).
    pub fn pool_size(&self) -> usize {
        self.pool_size
    }

    /// The client's configuration.
    pub(crate) fn config(&self) -> Result<postgres::Config, StoreError> {
        self.url.parse::<postgres::Config>().map_err(|error| {
            let cause = std::error::Error::source(&error).map(|c| format!(" ({c})")).unwrap_or_default();
            StoreError::Invalid(format!(
                "invalid PostgreSQL URL `{}`: {error}{cause}; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                redact(&self.url)
            ))
        })
    }
}

impl Location {
    /// Reads a `--db` value: `postgres://...` or `postgresql://...` (with an optional
    /// `pool_size=N` parameter), `sqlite:PATH`, or a path.
    pub fn parse(text: &str) -> Result<Location, StoreError> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            let (url, pool_size) = take_pool_size(text)?;
            let location = PostgresUrl { url, pool_size };
            location.config()?;
            return Ok(Location::Postgres(location));
        }
        let path = text.strip_prefix("sqlite:").unwrap_or(text);
        if path.is_empty() {
            return Err(StoreError::Invalid(
                "the database is empty: give a file path, sqlite:PATH or a postgres:// URL".into(),
            ));
        }
        Ok(Location::Sqlite(PathBuf::from(path)))
    }

    /// A SQLite file.
    pub fn sqlite(path: impl AsRef<Path>) -> Location {
        Location::Sqlite(path.as_ref().to_path_buf())
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres(_) => "postgres",
        }
    }
}

impl std::str::FromStr for Location {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Location::parse(text)
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact(&url.url)),
        }
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Location({self})")
    }
}

/// The URL without `pool_size=N`, and N.
fn take_pool_size(url: &str) -> Result<(String, usize), StoreError> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_string(), DEFAULT_POOL_SIZE)) };
    let mut pool_size = DEFAULT_POOL_SIZE;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("pool_size=") {
            Some(value) => {
                pool_size = value.parse().ok().filter(|n| (1..=MAX_POOL_SIZE).contains(n)).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "pool_size must be a number from 1 to {MAX_POOL_SIZE}, found `{value}`"
                    ))
                })?;
            }
            None => kept.push(pair),
        }
    }
    let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    Ok((url, pool_size))
}

/// A URL with its password (in the user part, or a `password=` parameter) shown as `***`.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", pairs.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_paths_sqlite_or_postgres_urls() {
        assert_eq!(Location::parse("data/casebook.db").unwrap(), Location::sqlite("data/casebook.db"));
        assert_eq!(Location::parse("sqlite:/var/lib/cb.db").unwrap(), Location::sqlite("/var/lib/cb.db"));
        let Location::Postgres(url) =
            Location::parse("postgres://cb:s3cret@db.example:5433/casebook?pool_size=3").unwrap()
        else {
            panic!("not postgres")
        };
        assert_eq!((url.secret_url(), url.pool_size()), ("postgres://cb:s3cret@db.example:5433/casebook", 3));
        let Location::Postgres(url) = Location::parse("postgresql://cb@localhost/casebook?application_name=x").unwrap()
        else {
            panic!("not postgres")
        };
        assert_eq!(url.pool_size(), DEFAULT_POOL_SIZE);
        assert!(Location::parse("postgres://cb@localhost/cb?pool_size=0").is_err());
        assert!(Location::parse("sqlite:").is_err());
    }

    #[test]
    fn passwords_never_show() {
        let location = Location::parse("postgres://cb:s3cret@db.example:5433/casebook?pool_size=3").unwrap();
        assert_eq!(location.to_string(), "postgres://cb:***@db.example:5433/casebook");
        assert!(!format!("{location:?}").contains("s3cret"));
        assert_eq!(redact("postgresql://h/db?user=cb&password=s3cret"), "postgresql://h/db?user=cb&password=***");
        assert_eq!(redact("postgres://cb@h/db"), "postgres://cb@h/db");
        let error = Location::parse("postgres://cb:s3cret@h:notaport/db").unwrap_err().to_string();
        assert!(error.contains("postgres://cb:***@h:notaport/db") && !error.contains("s3cret"), "{error}");
    }
}
