//! The PostgreSQL backend: a fixed pool of plain OS threads, each owning one connection
//! (`postgres::Client`), and leases of them to store calls.
//!
//! Why threads: the store's interface is synchronous and the `postgres` client runs a small
//! runtime of its own, which panics when it is driven from a thread that already runs async
//! tasks (a tokio worker, a test's async body). So no store call ever touches a client: it
//! takes a lease on one worker and sends it each statement (SQL and owned parameters) over a
//! channel, then waits for the answer on another. Statements of one lease go to the same
//! connection, so a transaction is a lease with `BEGIN` first; the caller's closure runs on
//! the caller's thread and may borrow freely (a closure sent to another thread could not,
//! without `unsafe`, which the workspace forbids).
//!
//! A worker connects on the first statement of a lease (never in the middle of one, so that
//! a connection lost during a transaction fails it rather than running the rest outside it),
//! keeps its prepared statements, and reconnects when its connection has closed. Writes run
//! one at a time across every server (each waits for its turn, an advisory lock) in
//! `SERIALIZABLE` transactions, retried on serialization failures: concurrent replicas then
//! behave as SQLite's single writer does. Migrations run under an advisory lock, so replicas
//! that start together apply each one once.

use std::cell::Cell;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement};

use crate::db::{Conn, DbError, Param, Row, Stats, params};
use crate::pg_types::{Owned, bind, owned, placeholders, read_row};
use crate::{StoreError, schema_postgres};

/// Connections per process unless the URL says otherwise (`pool_size=N`).
pub const DEFAULT_POOL_SIZE: usize = 8;
/// How long a call waits for a free connection before failing.
const CHECKOUT_WAIT: Duration = Duration::from_secs(10);
/// How long connecting to the server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts of a write transaction that keeps meeting concurrent statements (writes wait for
/// their turn, so only the single statements of `run` can still conflict with them).
const WRITE_ATTEMPTS: u32 = 16;
/// The longest pause between two attempts.
const MAX_BACKOFF_MS: u64 = 64;
/// Prepared statements a connection keeps (the store's SQL is a fixed set, far smaller).
const STATEMENT_CACHE: usize = 512;
/// The advisory lock of the write turn ("casewrit" in ASCII).
const WRITE_TURN_LOCK: i64 = 0x6361_7365_7772_6974;
/// The advisory lock migrations run under ("casebook" in ASCII).
const MIGRATION_LOCK: i64 = 0x6361_7365_626f_6f6b;

type Job = Box<dyn FnOnce(&mut Session) + Send>;

/// A worker's connection and its prepared statements.
pub(crate) struct Session {
    config: Arc<postgres::Config>,
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

impl Session {
    /// Connects, unless the connection is open.
    fn connect_if_needed(&mut self) -> Result<(), DbError> {
        if self.client.as_ref().is_some_and(|client| !client.is_closed()) {
            return Ok(());
        }
        self.client = None;
        self.statements.clear();
        self.client = Some(self.config.connect(NoTls)?);
        Ok(())
    }

    fn client(&mut self) -> Result<&mut Client, DbError> {
        self.client.as_mut().ok_or_else(|| DbError::Unavailable("the connection to PostgreSQL was lost".into()))
    }

    /// Forgets a connection that has closed (the next lease connects again).
    fn forget_if_closed(&mut self) {
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.client = None;
            self.statements.clear();
        }
    }

    fn prepared(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client()?.prepare(&placeholders(sql))?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn bound(
        &mut self,
        sql: &str,
        params: Vec<Owned>,
    ) -> Result<(Statement, Vec<Box<dyn ToSql + Sync + Send>>), DbError> {
        let statement = self.prepared(sql)?;
        if statement.params().len() != params.len() {
            return Err(DbError::Unavailable(format!(
                "`{sql}` takes {} parameters, {} given",
                statement.params().len(),
                params.len()
            )));
        }
        let bound = params
            .into_iter()
            .zip(statement.params())
            .enumerate()
            .map(|(index, (param, ty))| bind(param, ty, index))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((statement, bound))
    }

    fn query(&mut self, sql: &str, params: Vec<Owned>) -> Result<Vec<Row>, DbError> {
        let (statement, bound) = self.bound(sql, params)?;
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect();
        let rows = self.client()?.query(&statement, &refs)?;
        rows.iter().map(read_row).collect()
    }

    fn execute(&mut self, sql: &str, params: Vec<Owned>) -> Result<u64, DbError> {
        let (statement, bound) = self.bound(sql, params)?;
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect();
        Ok(self.client()?.execute(&statement, &refs)?)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.client()?.batch_execute(sql)?)
    }
}

fn stopped() -> DbError {
    DbError::Unavailable("a database worker stopped".into())
}

/// The pool: its workers' job channels and which of them are free.
pub(crate) struct Pool {
    workers: Vec<Sender<Job>>,
    idle: Mutex<Vec<usize>>,
    freed: Condvar,
}

impl Pool {
    /// Starts `size` workers for the server of `config` (none connects yet).
    pub fn start(mut config: postgres::Config, size: usize) -> Result<Pool, StoreError> {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("casebook");
        }
        let config = Arc::new(config);
        let mut workers = Vec::with_capacity(size);
        for index in 0..size.max(1) {
            let (sender, jobs) = std::sync::mpsc::channel::<Job>();
            let config = Arc::clone(&config);
            std::thread::Builder::new().name(format!("casebook-db-{index}")).spawn(move || {
                let mut session = Session { config, client: None, statements: HashMap::new() };
                while let Ok(job) = jobs.recv() {
                    if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut session))).is_err() {
                        session.client = None;
                        session.statements.clear();
                    }
                }
            })?;
            workers.push(sender);
        }
        let idle = Mutex::new((0..workers.len()).rev().collect());
        Ok(Pool { workers, idle, freed: Condvar::new() })
    }

    /// Workers in the pool.
    pub fn size(&self) -> usize {
        self.workers.len()
    }

    /// A free worker, waiting up to [`CHECKOUT_WAIT`] for one.
    pub fn lease<'a>(&'a self, stats: &'a Stats) -> Result<Lease<'a>, StoreError> {
        let deadline = Instant::now() + CHECKOUT_WAIT;
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            if let Some(index) = idle.pop() {
                stats.in_use.fetch_add(1, Ordering::Relaxed);
                return Ok(Lease {
                    pool: self,
                    stats,
                    index,
                    fresh: Cell::new(true),
                    conflict: Cell::new(false),
                    in_transaction: Cell::new(false),
                });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                stats.errors.fetch_add(1, Ordering::Relaxed);
                return Err(StoreError::Db(DbError::Unavailable(format!(
                    "all {} database connections stayed busy for {} s",
                    self.workers.len(),
                    CHECKOUT_WAIT.as_secs()
                ))));
            }
            idle = self.freed.wait_timeout(idle, left).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
    }

    /// Statements one by one, each committed on its own.
    pub fn run<T>(
        &self,
        stats: &Stats,
        work: impl FnOnce(&Conn<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let lease = self.lease(stats)?;
        work(&Conn::postgres(&lease, stats))
    }

    /// A consistent read-only snapshot.
    pub fn read<T>(
        &self,
        stats: &Stats,
        work: impl FnOnce(&Conn<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let lease = self.lease(stats)?;
        lease.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        let result = work(&Conn::postgres(&lease, stats));
        match result {
            Ok(value) => lease.commit().map(|()| value).map_err(StoreError::Db),
            Err(error) => {
                let _ = lease.rollback();
                Err(error)
            }
        }
    }

    /// A serializable write transaction, after waiting for its turn ([`WriteTurn`]), run
    /// again (up to [`WRITE_ATTEMPTS`] times, after a short random pause) when PostgreSQL
    /// still reports a conflict with a concurrent statement.
    ///
    /// Why the turn: with optimistic retries alone (8 attempts, then 16 with longer pauses),
    /// 64 clients editing the notes of one showcase (every edit updates the showcase's row)
    /// got 144, then 2, answers 500 in 50,000 on the 2-core reference machine
    /// (`scripts/bench-replicas.sh`); with the turn, none, at the same rate. Write
    /// transactions are short, and one at a time is what SQLite's `BEGIN IMMEDIATE` does.
    pub fn write<T, E: From<StoreError>>(
        &self,
        stats: &Stats,
        mut work: impl FnMut(&Conn<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let lease = self.lease(stats)?;
        let mut attempt = 1;
        loop {
            {
                let _turn = WriteTurn::take(&lease)?;
                lease.begin("BEGIN ISOLATION LEVEL SERIALIZABLE")?;
                lease.conflict.set(false);
                match work(&Conn::postgres(&lease, stats)) {
                    Ok(value) => match lease.commit() {
                        Ok(()) => return Ok(value),
                        Err(error) if error.is_retryable() && attempt < WRITE_ATTEMPTS => {}
                        Err(error) => return Err(StoreError::Db(error).into()),
                    },
                    Err(error) => {
                        let _ = lease.rollback();
                        if !(lease.conflict.get() && attempt < WRITE_ATTEMPTS) {
                            return Err(error);
                        }
                    }
                }
            }
            tracing::debug!(attempt, "write transaction conflicted with a concurrent one; running it again");
            std::thread::sleep(backoff(attempt));
            attempt += 1;
        }
    }

    /// Applies the migrations of `schema_postgres` the database has not seen yet, holding an
    /// advisory lock so that replicas starting together apply each once.
    pub fn migrate(&self, stats: &Stats) -> Result<(), StoreError> {
        let lease = self.lease(stats)?;
        let conn = Conn::postgres(&lease, stats);
        conn.batch(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
        let result = migrate_locked(&lease, &conn);
        let _ = conn.batch(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
        result
    }
}

fn migrate_locked(lease: &Lease<'_>, conn: &Conn<'_>) -> Result<(), StoreError> {
    conn.batch("CREATE TABLE IF NOT EXISTS casebook_schema (version BIGINT NOT NULL)")?;
    let version = match conn.query_opt("SELECT version FROM casebook_schema", params![])? {
        Some(row) => row.get::<i64>(0)?,
        None => {
            conn.execute("INSERT INTO casebook_schema (version) VALUES (0)", params![])?;
            0
        }
    };
    for (index, migration) in schema_postgres::MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        lease.begin("BEGIN")?;
        let applied = conn
            .batch(migration)
            .and_then(|()| conn.execute("UPDATE casebook_schema SET version = ?1", params![(index + 1) as i64]));
        match applied {
            Ok(_) => lease.commit().map_err(StoreError::Db)?,
            Err(error) => {
                let _ = lease.rollback();
                return Err(error);
            }
        }
        tracing::info!(version = index + 1, "database migrated");
    }
    Ok(())
}

/// A pause before running a conflicting transaction again: a random share of a window that
/// doubles with each attempt (4, 8, 16 ... up to [`MAX_BACKOFF_MS`] ms), so that transactions
/// that met once spread out instead of meeting again at once. Worst case over every attempt:
/// about 0.8 s.
fn backoff(attempt: u32) -> Duration {
    let window = (2u64 << attempt.min(6)).min(MAX_BACKOFF_MS);
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    Duration::from_millis(1 + u64::from(u16::from_le_bytes(bytes)) % window)
}

/// The turn of a write transaction, one at a time across every server sharing the database
/// (as SQLite's single writer): a session-level advisory lock, taken before `BEGIN` (a serializable transaction's snapshot is taken at its
/// first statement: waiting inside it would make the snapshot stale) and released after the
/// `COMMIT` or `ROLLBACK`, when this is dropped. PostgreSQL releases it too if the
/// connection is lost.
struct WriteTurn<'l, 'a> {
    lease: &'l Lease<'a>,
}

impl<'l, 'a> WriteTurn<'l, 'a> {
    fn take(lease: &'l Lease<'a>) -> Result<WriteTurn<'l, 'a>, StoreError> {
        lease.counted(lease.batch(&format!("SELECT pg_advisory_lock({WRITE_TURN_LOCK})"))).map_err(StoreError::Db)?;
        Ok(WriteTurn { lease })
    }
}

impl Drop for WriteTurn<'_, '_> {
    fn drop(&mut self) {
        if self.lease.in_transaction.get() {
            let _ = self.lease.rollback();
        }
        let _ = self.lease.counted(self.lease.batch(&format!("SELECT pg_advisory_unlock({WRITE_TURN_LOCK})")));
    }
}

/// One worker lent to one store call; given back when dropped (after rolling back a
/// transaction left open).
pub(crate) struct Lease<'a> {
    pool: &'a Pool,
    stats: &'a Stats,
    index: usize,
    /// Nothing sent yet: the first job may (re)connect.
    fresh: Cell<bool>,
    /// A statement of the current transaction met a concurrent one.
    conflict: Cell<bool>,
    in_transaction: Cell<bool>,
}

impl Lease<'_> {
    fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Session) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let fresh = self.fresh.replace(false);
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::new(move |session: &mut Session| {
            let result = if fresh { session.connect_if_needed() } else { Ok(()) }.and_then(|()| work(session));
            if result.is_err() {
                session.forget_if_closed();
            }
            let _ = reply.send(result);
        });
        self.pool.workers[self.index].send(job).map_err(|_| stopped())?;
        let result = answer.recv().map_err(|_| stopped())?;
        if result.as_ref().is_err_and(DbError::is_retryable) {
            self.conflict.set(true);
        }
        result
    }

    pub fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        let (sql, params) = (sql.to_string(), owned(params));
        self.call(move |session| session.execute(&sql, params))
    }

    pub fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
        let (sql, params) = (sql.to_string(), owned(params));
        self.call(move |session| session.query(&sql, params))
    }

    pub fn batch(&self, sql: &str) -> Result<(), DbError> {
        let sql = sql.to_string();
        self.call(move |session| session.batch(&sql))
    }

    fn counted<T>(&self, result: Result<T, DbError>) -> Result<T, DbError> {
        if result.is_err() {
            self.stats.errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    fn begin(&self, sql: &str) -> Result<(), StoreError> {
        let begun = self.counted(self.batch(sql));
        self.in_transaction.set(begun.is_ok());
        begun.map_err(StoreError::Db)
    }

    fn commit(&self) -> Result<(), DbError> {
        let committed = self.counted(self.batch("COMMIT"));
        if committed.is_err() {
            let _ = self.batch("ROLLBACK");
        }
        self.in_transaction.set(false);
        committed
    }

    fn rollback(&self) -> Result<(), DbError> {
        self.in_transaction.set(false);
        self.batch("ROLLBACK")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if self.in_transaction.get() {
            let _ = self.rollback();
        }
        self.stats.in_use.fetch_sub(1, Ordering::Relaxed);
        let mut idle = self.pool.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        idle.push(self.index);
        drop(idle);
        self.pool.freed.notify_one();
    }
}
