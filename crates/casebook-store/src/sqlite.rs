//! The SQLite backend: opening the database file (WAL, foreign keys, busy timeout),
//! applying the migrations of `schema.rs` (`PRAGMA user_version` records the last), and
//! running the statements of [`crate::db::Conn`] through rusqlite's statement cache.
//! Writes are `BEGIN IMMEDIATE` transactions: one writer at a time, readers never blocked.

use std::path::Path;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, TransactionBehavior};

use crate::db::{DbError, Param, Row, Value};
use crate::schema;

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Int(n) => ValueRef::Integer(n),
            Param::Text(text) => ValueRef::Text(text.as_bytes()),
            Param::Bytes(bytes) => ValueRef::Blob(bytes),
            Param::Null => ValueRef::Null,
        }))
    }
}

/// Opens (creating if needed) the database at `path` and applies the migrations.
pub(crate) fn open(path: &Path) -> Result<Connection, crate::StoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut connection = Connection::open(path).map_err(DbError::from)?;
    configure(&connection).map_err(DbError::from)?;
    migrate(&mut connection).map_err(DbError::from)?;
    Ok(connection)
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Applies the migrations of [`schema::MIGRATIONS`] the database has not seen yet.
fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, migration) in schema::MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "database migrated");
    }
    Ok(())
}

pub(crate) fn execute(connection: &Connection, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
    let mut statement = connection.prepare_cached(sql)?;
    Ok(statement.execute(rusqlite::params_from_iter(params.iter()))? as u64)
}

pub(crate) fn query(connection: &Connection, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
    let mut statement = connection.prepare_cached(sql)?;
    let columns = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for index in 0..columns {
            values.push(match row.get_ref(index)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Int(n),
                // No column of ours holds a real; a computed one is read as its integer part.
                ValueRef::Real(x) => Value::Int(x as i64),
                ValueRef::Text(text) => Value::Text(String::from_utf8_lossy(text).into_owned()),
                ValueRef::Blob(bytes) => Value::Bytes(bytes.to_vec()),
            });
        }
        out.push(Row(values));
    }
    Ok(out)
}

/// Begins a write transaction that takes the write lock at once (so that two writers never
/// both read and then fail to upgrade).
pub(crate) fn begin_write(connection: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    connection.transaction_with_behavior(TransactionBehavior::Immediate)
}
