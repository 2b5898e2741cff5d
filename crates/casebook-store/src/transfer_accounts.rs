//! Accounts, API tokens and insights counters in the JSON export and import of
//! `transfer.rs` (only when asked for: `showcases export --all`, and PostgreSQL's backup).
//! Accounts carry their Argon2 password hashes and tokens the SHA-256 of their secrets, so
//! people keep logging in with the same passwords and tokens after a move; sessions are not
//! moved (people log in again). Importing never changes an account or a token that exists.

use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::db::{Conn, params};
use crate::secret::hex;
use crate::transfer_intake::owner_id;
use crate::{Result, StoreError};

#[derive(Debug, Serialize, Deserialize)]
struct ExportedUser {
    name: String,
    role: Role,
    password_hash: String,
    created_at: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExportedToken {
    id: String,
    user: String,
    name: String,
    /// SHA-256 of the secret, hex.
    secret_hash: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExportedSearches {
    day: i64,
    query: String,
    filters: String,
    searches: i64,
    results: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExportedViews {
    day: i64,
    kind: String,
    target: String,
    views: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ExportedInsights {
    searches: Vec<ExportedSearches>,
    views: Vec<ExportedViews>,
}

fn json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn section<T: serde::de::DeserializeOwned + Default>(value: &serde_json::Value, name: &str) -> Result<T> {
    match value.get(name) {
        None | Some(serde_json::Value::Null) => Ok(T::default()),
        Some(section) => serde_json::from_value(section.clone())
            .map_err(|e| StoreError::Invalid(format!("invalid export: `{name}`: {e}"))),
    }
}

pub(crate) fn export_users(conn: &Conn<'_>) -> Result<serde_json::Value> {
    let users = conn
        .query("SELECT name, role, password_hash, created_at FROM users ORDER BY name", params![])?
        .iter()
        .map(|row| {
            let role: String = row.get(1)?;
            Ok(ExportedUser {
                name: row.get(0)?,
                role: Role::parse(&role).unwrap_or(Role::Organiser),
                password_hash: row.get(2)?,
                created_at: row.get(3)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    json(&users)
}

pub(crate) fn export_tokens(conn: &Conn<'_>) -> Result<serde_json::Value> {
    let tokens = conn
        .query(
            "SELECT t.id, u.name, t.name, t.secret_hash, t.created_at, t.last_used_at, t.revoked_at
             FROM tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at, t.id",
            params![],
        )?
        .iter()
        .map(|row| {
            Ok(ExportedToken {
                id: row.get(0)?,
                user: row.get(1)?,
                name: row.get(2)?,
                secret_hash: hex(&row.get::<Vec<u8>>(3)?),
                created_at: row.get(4)?,
                last_used_at: row.get(5)?,
                revoked_at: row.get(6)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    json(&tokens)
}

pub(crate) fn export_insights(conn: &Conn<'_>) -> Result<serde_json::Value> {
    let searches = conn
        .query(
            "SELECT day, query, filters, searches, results FROM insight_searches ORDER BY day, query, filters",
            params![],
        )?
        .iter()
        .map(|row| {
            Ok(ExportedSearches {
                day: row.get(0)?,
                query: row.get(1)?,
                filters: row.get(2)?,
                searches: row.get(3)?,
                results: row.get(4)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let views = conn
        .query("SELECT day, kind, target, views FROM insight_views ORDER BY day, kind, target", params![])?
        .iter()
        .map(|row| Ok(ExportedViews { day: row.get(0)?, kind: row.get(1)?, target: row.get(2)?, views: row.get(3)? }))
        .collect::<Result<Vec<_>>>()?;
    json(&ExportedInsights { searches, views })
}

/// Creates the exported accounts the database lacks.
pub(crate) fn import_users(tx: &Conn<'_>, value: &serde_json::Value) -> Result<()> {
    let users: Vec<ExportedUser> = section(value, "users")?;
    for user in &users {
        tx.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO NOTHING",
            params![user.name, user.role.as_str(), user.password_hash, user.created_at],
        )?;
    }
    Ok(())
}

/// Adds the exported tokens the database lacks (their owners must exist).
pub(crate) fn import_tokens(tx: &Conn<'_>, value: &serde_json::Value) -> Result<()> {
    let tokens: Vec<ExportedToken> = section(value, "tokens")?;
    for token in &tokens {
        let user = owner_id(tx, &token.user, &format!("owner of token `{}`", token.id))?;
        let secret_hash = unhex(&token.secret_hash)
            .ok_or_else(|| StoreError::Invalid(format!("invalid export: the hash of token `{}`", token.id)))?;
        tx.execute(
            "INSERT INTO tokens (id, user_id, name, secret_hash, created_at, last_used_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            params![token.id, user, token.name, secret_hash, token.created_at, token.last_used_at, token.revoked_at],
        )?;
    }
    Ok(())
}

/// Sets the exported counters (importing twice does not count twice).
pub(crate) fn import_insights(tx: &Conn<'_>, value: &serde_json::Value) -> Result<()> {
    let insights: ExportedInsights = section(value, "insights")?;
    for row in &insights.searches {
        tx.execute(
            "INSERT INTO insight_searches (day, query, filters, searches, results) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (day, query, filters) DO UPDATE SET searches = excluded.searches, results = excluded.results",
            params![row.day, row.query, row.filters, row.searches, row.results],
        )?;
    }
    for row in &insights.views {
        tx.execute(
            "INSERT INTO insight_views (day, kind, target, views) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (day, kind, target) DO UPDATE SET views = excluded.views",
            params![row.day, row.kind, row.target, row.views],
        )?;
    }
    Ok(())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}
