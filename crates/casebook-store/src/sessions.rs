//! Web sessions: starting one after a login, looking it up from its cookie secret, ending
//! it, and the CSRF token each session's forms carry. Only a hash of the cookie secret is
//! stored.

use crate::accounts::{User, user_from};
use crate::db::params;
use crate::{Result, Store, now, secret};

/// A logged-in web session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub user: User,
    /// The token every state-changing form of this session must carry.
    pub csrf: String,
}

/// Web sessions last 12 hours.
pub const SESSION_SECONDS: i64 = 12 * 3600;

impl Store {
    /// Starts a web session; returns the cookie secret.
    pub fn create_session(&self, user: &User) -> Result<(String, Session)> {
        let secret = secret::random_hex(32)?;
        let csrf = secret::random_hex(32)?;
        self.run(|conn| {
            conn.execute("DELETE FROM sessions WHERE expires_at < ?1", params![now()])?;
            conn.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![secret::hex(&secret::digest(&secret)), user.id, csrf, now(), now() + SESSION_SECONDS],
            )
        })?;
        Ok((secret, Session { user: user.clone(), csrf }))
    }

    /// The live session of a cookie secret.
    pub fn session(&self, secret: &str) -> Result<Option<Session>> {
        if secret.len() != 64 {
            return Ok(None);
        }
        self.run(|conn| {
            conn.query_opt(
                "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_hash = ?1 AND s.expires_at > ?2",
                params![secret::hex(&secret::digest(secret)), now()],
            )?
            .map(|row| Ok(Session { user: user_from(&row, 0)?, csrf: row.get(3)? }))
            .transpose()
        })
    }

    /// Ends a session.
    pub fn delete_session(&self, secret: &str) -> Result<()> {
        self.run(|conn| {
            conn.execute("DELETE FROM sessions WHERE id_hash = ?1", params![secret::hex(&secret::digest(secret))])
        })?;
        Ok(())
    }
}
