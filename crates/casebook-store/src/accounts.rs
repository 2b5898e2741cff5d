//! Accounts: who may log in ([`User`] and their [`Role`]), adding and removing them, and
//! passwords (Argon2 hashes, checked in the same time whether or not the name exists).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};

use crate::db::{Conn, Row, params};
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

/// A user from `id, name, role` columns.
pub(crate) fn user_from(row: &Row, first: usize) -> Result<User> {
    let role: String = row.get(first + 2)?;
    Ok(User { id: row.get(first)?, name: row.get(first + 1)?, role: Role::parse(&role).unwrap_or(Role::Organiser) })
}

/// The account called `name`, through a connection the caller holds.
pub(crate) fn user(conn: &Conn<'_>, name: &str) -> Result<User> {
    conn.query_opt("SELECT id, name, role FROM users WHERE name = ?1", params![name])?
        .map(|row| user_from(&row, 0))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("user `{name}`")))
}

impl Store {
    /// Creates an account.
    pub fn add_user(&self, name: &str, role: Role, password: &str) -> Result<User> {
        valid_user_name(name)?;
        let hash = hash_password(password)?;
        let id = self.run(|conn| {
            conn.query_opt(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO NOTHING RETURNING id",
                params![name, role.as_str(), hash, now()],
            )?
            .map(|row| row.get::<i64>(0))
            .transpose()
        })?;
        match id {
            Some(id) => Ok(User { id, name: name.to_string(), role }),
            None => Err(StoreError::Conflict(format!("user `{name}` already exists"))),
        }
    }

    /// Every account, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        self.read(|conn| {
            conn.query("SELECT id, name, role FROM users ORDER BY name", params![])?
                .iter()
                .map(|row| user_from(row, 0))
                .collect()
        })
    }

    /// Removes an account with its sessions, tokens and showcases.
    pub fn remove_user(&self, name: &str) -> Result<()> {
        let removed = self.run(|conn| conn.execute("DELETE FROM users WHERE name = ?1", params![name]))?;
        if removed == 0 { Err(StoreError::NotFound(format!("user `{name}`"))) } else { Ok(()) }
    }

    /// Changes a password and ends the account's web sessions.
    pub fn set_password(&self, name: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        self.write(|tx| {
            let changed = tx.execute("UPDATE users SET password_hash = ?1 WHERE name = ?2", params![hash, name])?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("user `{name}`")));
            }
            tx.execute("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)", params![name])?;
            Ok(())
        })
    }

    /// The account if the password is right. Takes the same time for an unknown name (or a
    /// name no account can have).
    pub fn verify_login(&self, name: &str, password: &str) -> Result<Option<User>> {
        let found = if valid_user_name(name).is_ok() {
            self.run(|conn| {
                conn.query_opt("SELECT id, role, password_hash FROM users WHERE name = ?1", params![name])?
                    .map(|row| Ok::<_, StoreError>((row.get::<i64>(0)?, row.get::<String>(1)?, row.get::<String>(2)?)))
                    .transpose()
            })?
        } else {
            None
        };
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
