//! Accounts: who may log in ([`User`] and their [`Role`]), adding and removing them, and
//! passwords (Argon2 hashes, checked in the same time whether or not the name exists).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use crate::{Result, Store, StoreError, now};

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

/// Checks that `name` can be a login name.
fn valid_user_name(name: &str) -> Result<()> {
    let ok = (2..=40).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok { Ok(()) } else { Err(StoreError::Invalid("a user name is 2-40 letters, digits, '-', '_' or '.'".into())) }
}

/// The Argon2 hash of an acceptable password.
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

impl Store {
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

    /// The account called `name`, read through a connection the caller already holds.
    pub(crate) fn user(&self, connection: &Connection, name: &str) -> Result<User> {
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
}
