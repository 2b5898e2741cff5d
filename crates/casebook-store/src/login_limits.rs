//! Failed logins per key (an account, a client address) in a sliding window, kept in the
//! database so that the limits hold across every server sharing it. Keys are stored as
//! SHA-256 hashes (no address is kept in clear) and rows older than the window are deleted
//! whenever a failure is recorded.

use crate::db::params;
use crate::secret::{digest, hex};
use crate::{Result, Store, now};

fn key_hash(key: &str) -> String {
    hex(&digest(key))
}

impl Store {
    /// Seconds to wait if `key` has had `limit` or more failures in the last
    /// `window_seconds`; `None` when it may try.
    pub fn login_wait(&self, key: &str, limit: usize, window_seconds: i64) -> Result<Option<u64>> {
        let since = now() - window_seconds;
        let row = self.run(|conn| {
            conn.query_opt(
                "SELECT COUNT(*), MIN(at) FROM login_failures WHERE key_hash = ?1 AND at > ?2",
                params![key_hash(key), since],
            )
        })?;
        let Some(row) = row else { return Ok(None) };
        let (failures, oldest): (i64, Option<i64>) = (row.get(0)?, row.get(1)?);
        if failures < i64::try_from(limit).unwrap_or(i64::MAX) {
            return Ok(None);
        }
        let wait = oldest.map_or(60, |oldest| oldest + window_seconds - now());
        Ok(Some(u64::try_from(wait).unwrap_or(0).max(1)))
    }

    /// Records a failed login for each of `keys`, and forgets failures older than the window.
    pub fn login_failed(&self, keys: &[&str], window_seconds: i64) -> Result<()> {
        let at = now();
        self.run(|conn| {
            conn.execute("DELETE FROM login_failures WHERE at <= ?1", params![at - window_seconds])?;
            for key in keys {
                conn.execute("INSERT INTO login_failures (key_hash, at) VALUES (?1, ?2)", params![key_hash(key), at])?;
            }
            Ok(())
        })
    }

    /// Forgets the failures of `key` (after a successful login).
    pub fn login_succeeded(&self, key: &str) -> Result<()> {
        self.run(|conn| conn.execute("DELETE FROM login_failures WHERE key_hash = ?1", params![key_hash(key)]))?;
        Ok(())
    }
}
