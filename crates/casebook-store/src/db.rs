//! The store's own small database layer, so that every method of [`crate::Store`] is written
//! once for both backends: a [`Conn`] runs `execute`, `query` and `query_opt` with
//! [`Param`]s (integers, text, bytes, null) and returns [`Row`]s of [`Value`]s with typed
//! getters. SQL is written once with `?1`-style placeholders (the PostgreSQL backend rewrites
//! them to `$1`) in the dialect both accept: `INSERT ... RETURNING id`, `ON CONFLICT`,
//! integers for booleans and Unix-second times, TEXT for text, and a parameter tested with
//! `IS NULL` cast to its type (`CAST(?1 AS BIGINT) IS NULL`: PostgreSQL infers the type of a
//! parameter from its first use, and `IS NULL` tells it none). Where the dialects really
//! differ, the caller branches on [`Conn::dialect`] in that one place.
//!
//! Every failed statement is counted (the store errors of `/metrics`).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::{Result, StoreError};

/// Which SQL a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// The embedded SQLite database (rusqlite).
    Sqlite,
    /// A PostgreSQL server (the `postgres` client).
    Postgres,
}

/// A database failure, whichever backend.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (the server's message, or the connection's). Shown with the
    /// server's message and SQLSTATE: the client's own text is only "db error".
    #[error("{}", describe_postgres(.0))]
    Postgres(postgres::Error),
    /// A column did not hold the type the code reads.
    #[error("column {column}: expected {expected}, found {found}")]
    Type {
        /// Column index.
        column: usize,
        /// What the code reads.
        expected: &'static str,
        /// What the row holds.
        found: String,
    },
    /// No connection could be had (the pool is exhausted, the server is unreachable, a
    /// worker stopped).
    #[error("{0}")]
    Unavailable(String),
}

impl From<postgres::Error> for DbError {
    fn from(error: postgres::Error) -> DbError {
        DbError::Postgres(error)
    }
}

/// The text of a PostgreSQL error: the server's severity, SQLSTATE and message when the
/// server refused something, otherwise the client's error and its cause.
fn describe_postgres(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{} {}: {}", db.severity(), db.code().code(), db.message());
    }
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

impl DbError {
    /// Whether PostgreSQL refused a transaction that conflicted with a concurrent one
    /// (SQLSTATE 40001 or 40P01): running it again is the cure.
    pub fn is_retryable(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            DbError::Postgres(error) => error
                .code()
                .is_some_and(|c| *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED),
            _ => false,
        }
    }
}

/// A statement parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param<'a> {
    /// An integer (also booleans 0/1 and Unix times).
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Bytes (hashes).
    Bytes(&'a [u8]),
    /// NULL.
    Null,
}

/// What can be a statement parameter.
pub(crate) trait ToParam {
    /// The parameter, borrowing from `self`.
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for i64 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Some(value) => value.to_param(),
            None => Param::Null,
        }
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}

/// `params![a, b, c]`: a slice of [`Param`]s borrowing the values, for one statement call.
macro_rules! params {
    () => {
        &[] as &[$crate::db::Param<'_>]
    };
    ($($value:expr),+ $(,)?) => {
        &[$($crate::db::ToParam::to_param(&$value)),+] as &[$crate::db::Param<'_>]
    };
}
pub(crate) use params;

/// A value read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// NULL.
    Null,
    /// An integer (PostgreSQL's smallint, integer, bigint and boolean read as one).
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
        }
    }
}

/// What a [`Value`] can be read as.
pub(crate) trait FromValue: Sized {
    /// The type's name in errors.
    const NAME: &'static str;
    /// The value as this type, if it is one.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    const NAME: &'static str = "an integer";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromValue for bool {
    const NAME: &'static str = "a boolean";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n != 0),
            _ => None,
        }
    }
}

impl FromValue for String {
    const NAME: &'static str = "text";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    const NAME: &'static str = "bytes";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bytes(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const NAME: &'static str = T::NAME;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// A row of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Column `index` as `T`; an error names the column and both types.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self.0.get(index).unwrap_or(&Value::Null);
        T::from_value(value).ok_or_else(|| {
            StoreError::Db(DbError::Type { column: index, expected: T::NAME, found: value.kind().to_string() })
        })
    }
}

/// The figures of a backend's connections, for `/metrics`.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Connections (SQLite: one; PostgreSQL: the pool's workers).
    pub size: AtomicUsize,
    /// Connections held by a store call now.
    pub in_use: AtomicUsize,
    /// Statements (and connections, begins, commits) that failed.
    pub errors: AtomicU64,
}

/// The figures of the store's connections, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Connections the store may open.
    pub size: usize,
    /// Connections busy with a store call now.
    pub in_use: usize,
    /// Database operations that failed since the start.
    pub errors: u64,
}

/// A connection lent to one store call: autocommit, a read-only snapshot or a write
/// transaction, depending on how [`crate::Store`] opened it.
pub(crate) struct Conn<'a> {
    inner: Inner<'a>,
    stats: &'a Stats,
}

enum Inner<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a crate::pg::Lease<'a>),
}

impl<'a> Conn<'a> {
    pub(crate) fn sqlite(connection: &'a rusqlite::Connection, stats: &'a Stats) -> Self {
        Conn { inner: Inner::Sqlite(connection), stats }
    }

    pub(crate) fn postgres(lease: &'a crate::pg::Lease<'a>, stats: &'a Stats) -> Self {
        Conn { inner: Inner::Postgres(lease), stats }
    }

    /// The dialect, for the few places where SQLite and PostgreSQL differ.
    pub fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Sqlite(_) => Dialect::Sqlite,
            Inner::Postgres(_) => Dialect::Postgres,
        }
    }

    fn counted<T>(&self, result: std::result::Result<T, DbError>) -> Result<T> {
        if result.is_err() {
            self.stats.errors.fetch_add(1, Ordering::Relaxed);
        }
        result.map_err(StoreError::Db)
    }

    /// Runs a statement; returns the rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        let result = match self.inner {
            Inner::Sqlite(connection) => crate::sqlite::execute(connection, sql, params),
            Inner::Postgres(lease) => lease.execute(sql, params),
        };
        self.counted(result)
    }

    /// Runs a query; returns every row.
    pub fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        let result = match self.inner {
            Inner::Sqlite(connection) => crate::sqlite::query(connection, sql, params),
            Inner::Postgres(lease) => lease.query(sql, params),
        };
        self.counted(result)
    }

    /// Runs a query; returns its first row, if any.
    pub fn query_opt(&self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs an `INSERT ... RETURNING id`; returns the id.
    pub fn insert(&self, sql: &str, params: &[Param<'_>]) -> Result<i64> {
        match self.query_opt(sql, params)? {
            Some(row) => row.get(0),
            None => Err(StoreError::Db(DbError::Unavailable(format!("no id returned by `{sql}`")))),
        }
    }

    /// Runs SQL statements without parameters (schema changes, tests).
    pub fn batch(&self, sql: &str) -> Result<()> {
        let result = match self.inner {
            Inner::Sqlite(connection) => connection.execute_batch(sql).map_err(DbError::from),
            Inner::Postgres(lease) => lease.batch(sql),
        };
        self.counted(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_borrow_and_rows_read_typed_values() {
        let name = String::from("anna");
        let missing: Option<i64> = None;
        let bytes = vec![1u8, 2];
        let given = params![name, "x", 7i64, missing, Some("y"), bytes];
        assert_eq!(
            given,
            [
                Param::Text("anna"),
                Param::Text("x"),
                Param::Int(7),
                Param::Null,
                Param::Text("y"),
                Param::Bytes(&[1, 2])
            ]
        );
        let row = Row(vec![Value::Int(1), Value::Text("t".into()), Value::Null]);
        assert_eq!(row.get::<i64>(0).unwrap(), 1);
        assert!(row.get::<bool>(0).unwrap());
        assert_eq!(row.get::<Option<String>>(2).unwrap(), None);
        let error = row.get::<i64>(1).unwrap_err().to_string();
        assert_eq!(error, "database error: column 1: expected an integer, found text");
    }
}
