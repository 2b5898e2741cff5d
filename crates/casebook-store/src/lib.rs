//! Casebook's persistent state: accounts, web sessions, API tokens and showcases, in an
//! embedded SQLite database (WAL, foreign keys, migrations at start-up). Every change that
//! touches several rows runs in one transaction.
//!
//! The whole interface is [`Store`]'s methods: a PostgreSQL backend for deployments with
//! several server instances would implement the same methods.

mod schema;
mod secret;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

pub use secret::{constant_time_eq, random_hex};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// No such user, token or showcase.
    #[error("{0} not found")]
    NotFound(String),
    /// The change conflicts with existing data (a name taken, a case already listed).
    #[error("{0}")]
    Conflict(String),
    /// The input is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The operating system gave no random bytes.
    #[error("no random bytes: {0}")]
    Random(String),
    /// Password hashing failed.
    #[error("password hashing failed")]
    Password,
    /// A file operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

type Result<T> = std::result::Result<T, StoreError>;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages accounts (and may edit every showcase).
    Admin,
    /// Manages their own showcases.
    Organiser,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organiser => "organiser",
        }
    }

    /// Parses `admin` or `organiser`.
    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "admin" => Some(Role::Admin),
            "organiser" | "organizer" => Some(Role::Organiser),
            _ => None,
        }
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Row id.
    #[serde(skip)]
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// A logged-in web session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub user: User,
    /// The token every state-changing form of this session must carry.
    pub csrf: String,
}

/// An API token, without its secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    /// Public id (the part of the token before the secret).
    pub id: String,
    /// Label given at creation.
    pub name: String,
    /// Owner.
    pub user: String,
    /// Unix time of creation.
    pub created_at: i64,
    /// Unix time of last use.
    pub last_used_at: Option<i64>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// Draft or published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Visible to its owner (and admins) only.
    Draft,
    /// Public.
    Published,
}

/// A case in a showcase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Case id.
    pub case_id: String,
    /// Curator note (markdown).
    pub note: String,
    /// The case title when it was added or last seen, shown if the case leaves the archive.
    pub last_title: String,
}

/// A showcase with its ordered items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Showcase {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Event or stage.
    pub event: Option<String>,
    /// Date (as written, e.g. 2026-10-14).
    pub date: Option<String>,
    /// Description (markdown).
    pub description: String,
    /// Draft or published.
    pub status: Status,
    /// Owner's name.
    pub owner: String,
    /// Unix time of the last change.
    pub updated_at: i64,
    /// Cases in order.
    pub items: Vec<Item>,
}

/// Fields of a new showcase.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewShowcase {
    /// Title (required).
    pub title: String,
    /// Event or stage.
    pub event: Option<String>,
    /// Date.
    pub date: Option<String>,
    /// Description (markdown).
    pub description: Option<String>,
}

/// A partial update; absent fields stay as they are, empty strings clear optional ones.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ShowcasePatch {
    /// New title.
    pub title: Option<String>,
    /// New event.
    pub event: Option<String>,
    /// New date.
    pub date: Option<String>,
    /// New description.
    pub description: Option<String>,
}

const MAX_TITLE: usize = 200;
const MAX_TEXT: usize = 20_000;
const MAX_ITEMS: usize = 500;
/// Web sessions last 12 hours.
pub const SESSION_SECONDS: i64 = 12 * 3600;

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn bounded(value: &str, max: usize, what: &str) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(StoreError::Invalid(format!("{what} is longer than {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(StoreError::Invalid(format!("{what} contains control characters")));
    }
    Ok(value.to_string())
}

/// A case title as remembered by a showcase: it comes from the archive, not from the
/// organiser, so it is tidied rather than refused (control characters become spaces, and a
/// title longer than the showcase keeps is cut with an ellipsis).
fn remembered_title(title: &str) -> String {
    let spaced: String = title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = spaced.trim().to_string();
    if clean.chars().count() <= MAX_TITLE * 2 {
        return clean;
    }
    let mut cut: String = clean.chars().take(MAX_TITLE * 2 - 1).collect();
    cut.push('…');
    cut
}

fn optional(value: Option<&str>, max: usize, what: &str) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => Ok(Some(bounded(v, max, what)?).filter(|v| !v.is_empty())),
    }
}

fn valid_user_name(name: &str) -> Result<()> {
    let ok = (2..=40).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok { Ok(()) } else { Err(StoreError::Invalid("a user name is 2-40 letters, digits, '-', '_' or '.'".into())) }
}

fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 10 {
        return Err(StoreError::Invalid("a password has at least 10 characters".into()));
    }
    if password.len() > 1024 {
        return Err(StoreError::Invalid("a password has at most 1024 bytes".into()));
    }
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|_| StoreError::Password)
}

/// A hash to verify against when the user does not exist, so that a wrong name takes as
/// long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default().hash_password(b"not a real password").map(|h| h.to_string()).unwrap_or_default()
    })
}

/// The database.
pub struct Store {
    connection: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies migrations.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let connection = Connection::open(path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        let store = Store { connection: Mutex::new(connection) };
        store.migrate()?;
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        match self.connection.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn migrate(&self) -> Result<()> {
        let mut connection = self.lock();
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

    /// `PRAGMA integrity_check` is `ok`.
    pub fn integrity_ok(&self) -> Result<bool> {
        Ok(self.problems()?.is_empty())
    }

    /// What is wrong with the database, empty when nothing is: SQLite's own
    /// `integrity_check` and `foreign_key_check`, and Casebook's invariant that no two cases
    /// of a showcase share a position (which a half-applied reorder would break).
    pub fn problems(&self) -> Result<Vec<String>> {
        let connection = self.lock();
        let mut problems = Vec::new();
        let mut integrity = connection.prepare("PRAGMA integrity_check")?;
        for row in integrity.query_map([], |row| row.get::<_, String>(0))? {
            let row = row?;
            if row != "ok" {
                problems.push(format!("integrity: {row}"));
            }
        }
        let mut foreign = connection.prepare("PRAGMA foreign_key_check")?;
        for row in foreign.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<i64>>(1)?)))? {
            let (table, rowid) = row?;
            problems.push(format!("foreign key: row {} of `{table}` points nowhere", rowid.unwrap_or_default()));
        }
        let mut positions = connection.prepare(
            "SELECT s.slug, i.position, COUNT(*) FROM showcase_items i JOIN showcases s ON s.id = i.showcase_id
             GROUP BY i.showcase_id, i.position HAVING COUNT(*) > 1",
        )?;
        for row in positions
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?)))?
        {
            let (slug, position, count) = row?;
            problems.push(format!("showcase `{slug}`: {count} cases share position {position}"));
        }
        Ok(problems)
    }

    /// Writes a consistent copy of the database to `path` while it is in use (SQLite's
    /// online backup). The copy is written beside `path` and renamed into place once
    /// complete and checked, so `path` never holds a partial backup.
    pub fn backup(&self, path: &Path) -> Result<()> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = std::path::PathBuf::from(partial);
        let _ = std::fs::remove_file(&partial);
        {
            let connection = self.lock();
            let mut target = Connection::open(&partial)?;
            let backup = rusqlite::backup::Backup::new(&connection, &mut target)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        let copy = Store::open(&partial)?;
        let problems = copy.problems()?;
        drop(copy);
        if !problems.is_empty() {
            let _ = std::fs::remove_file(&partial);
            return Err(StoreError::Invalid(format!("the backup copy failed its check: {}", problems.join("; "))));
        }
        for suffix in ["-wal", "-shm"] {
            let mut side = partial.as_os_str().to_owned();
            side.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(side));
        }
        std::fs::rename(&partial, path)?;
        Ok(())
    }

    // ---- accounts ----

    /// Creates an account.
    pub fn add_user(&self, name: &str, role: Role, password: &str) -> Result<User> {
        valid_user_name(name)?;
        let hash = hash_password(password)?;
        let connection = self.lock();
        let inserted = connection.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, role.as_str(), hash, now()],
        );
        match inserted {
            Ok(_) => Ok(User { id: connection.last_insert_rowid(), name: name.to_string(), role }),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                Err(StoreError::Conflict(format!("user `{name}` already exists")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every account, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT id, name, role FROM users ORDER BY name")?;
        let users = statement
            .query_map([], |row| {
                let role: String = row.get(2)?;
                Ok(User { id: row.get(0)?, name: row.get(1)?, role: Role::parse(&role).unwrap_or(Role::Organiser) })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(users)
    }

    fn user(&self, connection: &Connection, name: &str) -> Result<User> {
        connection
            .query_row("SELECT id, name, role FROM users WHERE name = ?1", [name], |row| {
                let role: String = row.get(2)?;
                Ok(User { id: row.get(0)?, name: row.get(1)?, role: Role::parse(&role).unwrap_or(Role::Organiser) })
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("user `{name}`")))
    }

    /// Removes an account with its sessions, tokens and showcases.
    pub fn remove_user(&self, name: &str) -> Result<()> {
        let connection = self.lock();
        let removed = connection.execute("DELETE FROM users WHERE name = ?1", [name])?;
        if removed == 0 { Err(StoreError::NotFound(format!("user `{name}`"))) } else { Ok(()) }
    }

    /// Changes a password and ends the account's web sessions.
    pub fn set_password(&self, name: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute("UPDATE users SET password_hash = ?1 WHERE name = ?2", params![hash, name])?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("user `{name}`")));
        }
        tx.execute("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)", [name])?;
        tx.commit()?;
        Ok(())
    }

    /// The account if the password is right. Takes the same time for an unknown name.
    pub fn verify_login(&self, name: &str, password: &str) -> Result<Option<User>> {
        let found: Option<(i64, String, String)> = self
            .lock()
            .query_row("SELECT id, role, password_hash FROM users WHERE name = ?1", [name], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let hash = found.as_ref().map_or(dummy_hash(), |(_, _, hash)| hash.as_str());
        let good = Argon2::default().verify_password(password.as_bytes(), hash).is_ok();
        Ok(match found {
            Some((id, role, _)) if good => {
                Some(User { id, name: name.to_string(), role: Role::parse(&role).unwrap_or(Role::Organiser) })
            }
            _ => None,
        })
    }

    // ---- sessions ----

    /// Starts a web session; returns the cookie secret.
    pub fn create_session(&self, user: &User) -> Result<(String, Session)> {
        let secret = secret::random_hex(32)?;
        let csrf = secret::random_hex(32)?;
        let connection = self.lock();
        connection.execute("DELETE FROM sessions WHERE expires_at < ?1", [now()])?;
        connection.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![secret::hex(&secret::digest(&secret)), user.id, csrf, now(), now() + SESSION_SECONDS],
        )?;
        Ok((secret, Session { user: user.clone(), csrf }))
    }

    /// The live session of a cookie secret.
    pub fn session(&self, secret: &str) -> Result<Option<Session>> {
        if secret.len() != 64 {
            return Ok(None);
        }
        let session = self
            .lock()
            .query_row(
                "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_hash = ?1 AND s.expires_at > ?2",
                params![secret::hex(&secret::digest(secret)), now()],
                |row| {
                    let role: String = row.get(2)?;
                    Ok(Session {
                        user: User {
                            id: row.get(0)?,
                            name: row.get(1)?,
                            role: Role::parse(&role).unwrap_or(Role::Organiser),
                        },
                        csrf: row.get(3)?,
                    })
                },
            )
            .optional()?;
        Ok(session)
    }

    /// Ends a session.
    pub fn delete_session(&self, secret: &str) -> Result<()> {
        self.lock().execute("DELETE FROM sessions WHERE id_hash = ?1", [secret::hex(&secret::digest(secret))])?;
        Ok(())
    }

    // ---- API tokens ----

    /// Creates an API token for `user_name`; the returned string is shown once, never stored.
    pub fn create_token(&self, user_name: &str, label: &str) -> Result<(TokenInfo, String)> {
        let label = bounded(label, 100, "a token name")?;
        let connection = self.lock();
        let user = self.user(&connection, user_name)?;
        let id = secret::random_hex(6)?;
        let secret = secret::random_hex(32)?;
        connection.execute(
            "INSERT INTO tokens (id, user_id, name, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, user.id, label, secret::digest(&secret), now()],
        )?;
        let token = format!("cbk_{id}_{secret}");
        Ok((
            TokenInfo { id, name: label, user: user.name, created_at: now(), last_used_at: None, revoked: false },
            token,
        ))
    }

    /// Tokens of one user, or of everyone.
    pub fn tokens(&self, user_name: Option<&str>) -> Result<Vec<TokenInfo>> {
        let connection = self.lock();
        let mut statement = connection.prepare(
            "SELECT t.id, t.name, u.name, t.created_at, t.last_used_at, t.revoked_at IS NOT NULL
             FROM tokens t JOIN users u ON u.id = t.user_id WHERE ?1 IS NULL OR u.name = ?1 ORDER BY t.created_at, t.id",
        )?;
        let tokens = statement
            .query_map([user_name], |row| {
                Ok(TokenInfo {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    user: row.get(2)?,
                    created_at: row.get(3)?,
                    last_used_at: row.get(4)?,
                    revoked: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(tokens)
    }

    /// Revokes a token by id (or by the whole token string). With `owner`, only that user's.
    pub fn revoke_token(&self, id_or_token: &str, owner: Option<&User>) -> Result<()> {
        let id = id_or_token.strip_prefix("cbk_").and_then(|rest| rest.split('_').next()).unwrap_or(id_or_token);
        let connection = self.lock();
        let changed = connection.execute(
            "UPDATE tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL AND (?3 IS NULL OR user_id = ?3)",
            params![now(), id, owner.map(|u| u.id)],
        )?;
        if changed == 0 { Err(StoreError::NotFound(format!("active token `{id}`"))) } else { Ok(()) }
    }

    /// The account of a valid, unrevoked token.
    pub fn authenticate_token(&self, token: &str) -> Result<Option<User>> {
        let Some(rest) = token.strip_prefix("cbk_") else { return Ok(None) };
        let Some((id, secret)) = rest.split_once('_') else { return Ok(None) };
        if id.len() != 12 || secret.len() != 64 {
            return Ok(None);
        }
        let connection = self.lock();
        let found: Option<(Vec<u8>, i64, String, String)> = connection
            .query_row(
                "SELECT t.secret_hash, u.id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.id = ?1 AND t.revoked_at IS NULL",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let Some((stored, user_id, name, role)) = found else { return Ok(None) };
        if !constant_time_eq(&stored, &secret::digest(secret)) {
            return Ok(None);
        }
        connection.execute("UPDATE tokens SET last_used_at = ?1 WHERE id = ?2", params![now(), id])?;
        Ok(Some(User { id: user_id, name, role: Role::parse(&role).unwrap_or(Role::Organiser) }))
    }

    // ---- showcases ----

    fn load(connection: &Connection, slug: &str) -> Result<(i64, i64, Showcase)> {
        let found = connection
            .query_row(
                "SELECT s.id, s.owner_id, s.slug, s.title, s.event, s.date, s.description, s.status, u.name, s.updated_at
                 FROM showcases s JOIN users u ON u.id = s.owner_id WHERE s.slug = ?1",
                [slug],
                |row| {
                    let status: String = row.get(7)?;
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        Showcase {
                            slug: row.get(2)?,
                            title: row.get(3)?,
                            event: row.get(4)?,
                            date: row.get(5)?,
                            description: row.get(6)?,
                            status: if status == "published" { Status::Published } else { Status::Draft },
                            owner: row.get(8)?,
                            updated_at: row.get(9)?,
                            items: Vec::new(),
                        },
                    ))
                },
            )
            .optional()?;
        let (id, owner, mut showcase) = found.ok_or_else(|| StoreError::NotFound(format!("showcase `{slug}`")))?;
        let mut statement = connection
            .prepare("SELECT case_id, note, last_title FROM showcase_items WHERE showcase_id = ?1 ORDER BY position")?;
        showcase.items = statement
            .query_map([id], |row| Ok(Item { case_id: row.get(0)?, note: row.get(1)?, last_title: row.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((id, owner, showcase))
    }

    /// A showcase as `viewer` may see it: published ones to everyone; drafts to their owner
    /// and admins; otherwise not found.
    pub fn showcase(&self, slug: &str, viewer: Option<&User>) -> Result<Showcase> {
        let connection = self.lock();
        let (_, owner, showcase) = Self::load(&connection, slug)?;
        let visible =
            showcase.status == Status::Published || viewer.is_some_and(|u| u.role == Role::Admin || u.id == owner);
        if visible { Ok(showcase) } else { Err(StoreError::NotFound(format!("showcase `{slug}`"))) }
    }

    /// Showcases listed for `viewer`: their own (all, for admins), or the published ones for
    /// anonymous visitors; most recently changed first.
    pub fn showcases(&self, viewer: Option<&User>) -> Result<Vec<Showcase>> {
        let connection = self.lock();
        let slugs: Vec<String> = {
            let mut statement = connection.prepare(
                "SELECT slug FROM showcases
                 WHERE (?1 IS NULL AND status = 'published') OR ?2 = 'admin' OR owner_id = ?1
                 ORDER BY updated_at DESC, id DESC",
            )?;
            statement
                .query_map(params![viewer.map(|u| u.id), viewer.map(|u| u.role.as_str())], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
        };
        slugs.iter().map(|slug| Self::load(&connection, slug).map(|(_, _, s)| s)).collect()
    }

    /// Published showcases.
    pub fn published(&self) -> Result<Vec<Showcase>> {
        self.showcases(None)
    }

    /// Creates a showcase owned by `owner`, with a unique slug made from its title.
    pub fn create_showcase(&self, owner: &User, new: &NewShowcase) -> Result<Showcase> {
        let title = bounded(&new.title, MAX_TITLE, "the title")?;
        if title.is_empty() {
            return Err(StoreError::Invalid("a showcase needs a title".into()));
        }
        let event = optional(new.event.as_deref(), MAX_TITLE, "the event")?;
        let date = optional(new.date.as_deref(), 40, "the date")?;
        let description = optional(new.description.as_deref(), MAX_TEXT, "the description")?.unwrap_or_default();
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut base = casebook_corpus::text::slugify(&title);
        base.truncate(60);
        let base =
            if base.trim_matches('-').is_empty() { "showcase".to_string() } else { base.trim_matches('-').to_string() };
        let mut slug = base.clone();
        let mut n = 2;
        while tx.query_row("SELECT 1 FROM showcases WHERE slug = ?1", [&slug], |_| Ok(())).optional()?.is_some() {
            slug = format!("{base}-{n}");
            n += 1;
        }
        tx.execute(
            "INSERT INTO showcases (slug, owner_id, title, event, date, description, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'draft', ?7, ?7)",
            params![slug, owner.id, title, event, date, description, now()],
        )?;
        tx.commit()?;
        drop(connection);
        self.showcase(&slug, Some(owner))
    }

    /// Runs `change` on a showcase `editor` may edit, in one transaction, then returns it.
    fn edit<F>(&self, slug: &str, editor: &User, change: F) -> Result<Showcase>
    where
        F: FnOnce(&rusqlite::Transaction<'_>, i64, &Showcase) -> Result<()>,
    {
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (id, owner, showcase) = Self::load(&tx, slug)?;
        if editor.role != Role::Admin && editor.id != owner {
            return Err(StoreError::NotFound(format!("showcase `{slug}`")));
        }
        change(&tx, id, &showcase)?;
        tx.execute("UPDATE showcases SET updated_at = ?1 WHERE id = ?2", params![now(), id])?;
        let (_, _, updated) = Self::load(&tx, slug)?;
        tx.commit()?;
        Ok(updated)
    }

    /// Changes title, event, date or description.
    pub fn update_showcase(&self, slug: &str, editor: &User, patch: &ShowcasePatch) -> Result<Showcase> {
        let title = match &patch.title {
            Some(t) => {
                let t = bounded(t, MAX_TITLE, "the title")?;
                if t.is_empty() {
                    return Err(StoreError::Invalid("a showcase needs a title".into()));
                }
                Some(t)
            }
            None => None,
        };
        let event = patch.event.as_deref().map(|e| optional(Some(e), MAX_TITLE, "the event")).transpose()?;
        let date = patch.date.as_deref().map(|d| optional(Some(d), 40, "the date")).transpose()?;
        let description = patch.description.as_deref().map(|d| bounded(d, MAX_TEXT, "the description")).transpose()?;
        self.edit(slug, editor, |tx, id, _| {
            if let Some(title) = title {
                tx.execute("UPDATE showcases SET title = ?1 WHERE id = ?2", params![title, id])?;
            }
            if let Some(event) = event {
                tx.execute("UPDATE showcases SET event = ?1 WHERE id = ?2", params![event, id])?;
            }
            if let Some(date) = date {
                tx.execute("UPDATE showcases SET date = ?1 WHERE id = ?2", params![date, id])?;
            }
            if let Some(description) = description {
                tx.execute("UPDATE showcases SET description = ?1 WHERE id = ?2", params![description, id])?;
            }
            Ok(())
        })
    }

    /// Publishes or unpublishes.
    pub fn set_status(&self, slug: &str, editor: &User, status: Status) -> Result<Showcase> {
        let value = if status == Status::Published { "published" } else { "draft" };
        self.edit(slug, editor, |tx, id, _| {
            tx.execute("UPDATE showcases SET status = ?1 WHERE id = ?2", params![value, id])?;
            Ok(())
        })
    }

    /// Deletes a showcase and its items.
    pub fn delete_showcase(&self, slug: &str, editor: &User) -> Result<()> {
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (id, owner, _) = Self::load(&tx, slug)?;
        if editor.role != Role::Admin && editor.id != owner {
            return Err(StoreError::NotFound(format!("showcase `{slug}`")));
        }
        tx.execute("DELETE FROM showcases WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }

    /// Appends a case (with its current title) at the end.
    pub fn add_item(&self, slug: &str, editor: &User, case_id: &str, title: &str, note: &str) -> Result<Showcase> {
        let note = bounded(note, MAX_TEXT, "the note")?;
        let title = remembered_title(title);
        self.edit(slug, editor, |tx, id, showcase| {
            if showcase.items.iter().any(|i| i.case_id == case_id) {
                return Err(StoreError::Conflict(format!("case `{case_id}` is already in the showcase")));
            }
            if showcase.items.len() >= MAX_ITEMS {
                return Err(StoreError::Invalid(format!("a showcase holds at most {MAX_ITEMS} cases")));
            }
            tx.execute(
                "INSERT INTO showcase_items (showcase_id, case_id, position, note, last_title, added_at)
                 VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM showcase_items WHERE showcase_id = ?1), ?3, ?4, ?5)",
                params![id, case_id, note, title, now()],
            )?;
            Ok(())
        })
    }

    /// Removes a case.
    pub fn remove_item(&self, slug: &str, editor: &User, case_id: &str) -> Result<Showcase> {
        self.edit(slug, editor, |tx, id, _| {
            let removed =
                tx.execute("DELETE FROM showcase_items WHERE showcase_id = ?1 AND case_id = ?2", params![id, case_id])?;
            if removed == 0 { Err(StoreError::NotFound(format!("case `{case_id}` in the showcase"))) } else { Ok(()) }
        })
    }

    /// Sets the note of a case.
    pub fn set_note(&self, slug: &str, editor: &User, case_id: &str, note: &str) -> Result<Showcase> {
        let note = bounded(note, MAX_TEXT, "the note")?;
        self.edit(slug, editor, |tx, id, _| {
            let changed = tx.execute(
                "UPDATE showcase_items SET note = ?1 WHERE showcase_id = ?2 AND case_id = ?3",
                params![note, id, case_id],
            )?;
            if changed == 0 { Err(StoreError::NotFound(format!("case `{case_id}` in the showcase"))) } else { Ok(()) }
        })
    }

    /// Puts the cases in the given order, which must list each case exactly once.
    pub fn reorder(&self, slug: &str, editor: &User, case_ids: &[String]) -> Result<Showcase> {
        self.edit(slug, editor, |tx, id, showcase| {
            let mut current: Vec<&str> = showcase.items.iter().map(|i| i.case_id.as_str()).collect();
            let mut wanted: Vec<&str> = case_ids.iter().map(String::as_str).collect();
            current.sort_unstable();
            wanted.sort_unstable();
            if current != wanted {
                return Err(StoreError::Invalid(
                    "the new order must list every case of the showcase exactly once".into(),
                ));
            }
            for (position, case_id) in case_ids.iter().enumerate() {
                tx.execute(
                    "UPDATE showcase_items SET position = ?1 WHERE showcase_id = ?2 AND case_id = ?3",
                    params![position as i64 + 1, id, case_id],
                )?;
            }
            Ok(())
        })
    }

    /// Moves a case one place up (`-1`) or down (`1`).
    pub fn move_item(&self, slug: &str, editor: &User, case_id: &str, offset: i64) -> Result<Showcase> {
        let showcase = self.showcase(slug, Some(editor))?;
        let mut order: Vec<String> = showcase.items.iter().map(|i| i.case_id.clone()).collect();
        let Some(index) = order.iter().position(|c| c == case_id) else {
            return Err(StoreError::NotFound(format!("case `{case_id}` in the showcase")));
        };
        let target = index as i64 + offset;
        if target >= 0 && (target as usize) < order.len() {
            order.swap(index, target as usize);
        }
        self.reorder(slug, editor, &order)
    }

    /// Updates the remembered titles of cases still in the archive.
    pub fn refresh_titles(&self, titles: &[(String, String)]) -> Result<()> {
        let connection = self.lock();
        for (case_id, title) in titles {
            let title = remembered_title(title);
            connection.execute(
                "UPDATE showcase_items SET last_title = ?1 WHERE case_id = ?2 AND last_title <> ?1",
                params![title, case_id],
            )?;
        }
        Ok(())
    }

    // ---- moving between deployments ----

    /// Every showcase as JSON (for `casebook showcases export`).
    pub fn export(&self) -> Result<serde_json::Value> {
        let connection = self.lock();
        let slugs: Vec<String> = {
            let mut statement = connection.prepare("SELECT slug FROM showcases ORDER BY id")?;
            statement.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let showcases =
            slugs.iter().map(|s| Self::load(&connection, s).map(|(_, _, s)| s)).collect::<Result<Vec<_>>>()?;
        Ok(serde_json::json!({ "format": "casebook-showcases", "version": 1, "showcases": showcases }))
    }

    /// Imports showcases exported by [`Store::export`]: each replaces the showcase with the
    /// same slug, all in one transaction. Owners must exist. Returns how many were imported.
    pub fn import(&self, value: &serde_json::Value) -> Result<usize> {
        if value.get("format").and_then(|f| f.as_str()) != Some("casebook-showcases") {
            return Err(StoreError::Invalid("not a Casebook showcases export".into()));
        }
        let showcases: Vec<Showcase> = serde_json::from_value(value.get("showcases").cloned().unwrap_or_default())
            .map_err(|e| StoreError::Invalid(format!("invalid export: {e}")))?;
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for showcase in &showcases {
            let owner: i64 = tx
                .query_row("SELECT id FROM users WHERE name = ?1", [&showcase.owner], |row| row.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::NotFound(format!("user `{}` (owner of `{}`)", showcase.owner, showcase.slug))
                })?;
            tx.execute("DELETE FROM showcases WHERE slug = ?1", [&showcase.slug])?;
            let status = if showcase.status == Status::Published { "published" } else { "draft" };
            tx.execute(
                "INSERT INTO showcases (slug, owner_id, title, event, date, description, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![showcase.slug, owner, showcase.title, showcase.event, showcase.date, showcase.description, status, showcase.updated_at],
            )?;
            let id = tx.last_insert_rowid();
            for (position, item) in showcase.items.iter().enumerate() {
                tx.execute(
                    "INSERT INTO showcase_items (showcase_id, case_id, position, note, last_title, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, item.case_id, position as i64 + 1, item.note, item.last_title, now()],
                )?;
            }
        }
        tx.commit()?;
        Ok(showcases.len())
    }
}

#[cfg(test)]
mod tests;
