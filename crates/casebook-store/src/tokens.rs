//! API tokens: creating one (shown once; only a hash of its secret is stored), listing,
//! revoking, and finding the account a token authenticates.

use serde::Serialize;

use crate::accounts::{self, User, user_from};
use crate::db::params;
use crate::secret::{self, constant_time_eq};
use crate::{Result, Store, StoreError, bounded, now};

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

impl Store {
    /// Creates an API token for `user_name`; the returned string is shown once, never stored.
    pub fn create_token(&self, user_name: &str, label: &str) -> Result<(TokenInfo, String)> {
        let label = bounded(label, 100, "a token name")?;
        let id = secret::random_hex(6)?;
        let secret = secret::random_hex(32)?;
        let created_at = now();
        let user = self.write(|tx| {
            let user = accounts::user(tx, user_name)?;
            tx.execute(
                "INSERT INTO tokens (id, user_id, name, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, user.id, label, secret::digest(&secret), created_at],
            )?;
            Ok::<_, StoreError>(user)
        })?;
        let token = format!("cbk_{id}_{secret}");
        Ok((TokenInfo { id, name: label, user: user.name, created_at, last_used_at: None, revoked: false }, token))
    }

    /// Tokens of one user, or of everyone.
    pub fn tokens(&self, user_name: Option<&str>) -> Result<Vec<TokenInfo>> {
        self.read(|conn| {
            conn.query(
                "SELECT t.id, t.name, u.name, t.created_at, t.last_used_at, t.revoked_at IS NOT NULL
                 FROM tokens t JOIN users u ON u.id = t.user_id WHERE CAST(?1 AS TEXT) IS NULL OR u.name = ?1 ORDER BY t.created_at, t.id",
                params![user_name],
            )?
            .iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    user: row.get(2)?,
                    created_at: row.get(3)?,
                    last_used_at: row.get(4)?,
                    revoked: row.get(5)?,
                })
            })
            .collect()
        })
    }

    /// Revokes a token by id (or by the whole token string). With `owner`, only that user's.
    pub fn revoke_token(&self, id_or_token: &str, owner: Option<&User>) -> Result<()> {
        let id = id_or_token.strip_prefix("cbk_").and_then(|rest| rest.split('_').next()).unwrap_or(id_or_token);
        let changed = self.run(|conn| {
            conn.execute(
                "UPDATE tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL AND (CAST(?3 AS BIGINT) IS NULL OR user_id = ?3)",
                params![now(), id, owner.map(|u| u.id)],
            )
        })?;
        if changed == 0 { Err(StoreError::NotFound(format!("active token `{id}`"))) } else { Ok(()) }
    }

    /// The account of a valid, unrevoked token.
    pub fn authenticate_token(&self, token: &str) -> Result<Option<User>> {
        let Some(rest) = token.strip_prefix("cbk_") else { return Ok(None) };
        let Some((id, secret)) = rest.split_once('_') else { return Ok(None) };
        if id.len() != 12 || secret.len() != 64 {
            return Ok(None);
        }
        self.run(|conn| {
            let Some(row) = conn.query_opt(
                "SELECT t.secret_hash, u.id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.id = ?1 AND t.revoked_at IS NULL",
                params![id],
            )?
            else {
                return Ok(None);
            };
            let stored: Vec<u8> = row.get(0)?;
            if !constant_time_eq(&stored, &secret::digest(secret)) {
                return Ok(None);
            }
            // Times are in seconds: within one second, the row is written once.
            conn.execute(
                "UPDATE tokens SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)",
                params![now(), id],
            )?;
            Ok(Some(user_from(&row, 1)?))
        })
    }
}
