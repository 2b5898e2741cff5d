//! Random secrets, their hashes, and constant-time comparison.

use sha2::{Digest, Sha256};

/// `n` random bytes as lowercase hex (2n characters), from the operating system.
pub fn random_hex(n: usize) -> Result<String, crate::StoreError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| crate::StoreError::Random(e.to_string()))?;
    Ok(hex(&bytes))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a secret. Secrets here are 32 random bytes, so a fast hash is enough: the
/// database never holds anything that lets a reader log in.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_compare() {
        let a = random_hex(32).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex(32).unwrap());
        assert!(constant_time_eq(&digest(&a), &digest(&a)));
        assert!(!constant_time_eq(&digest(&a), &digest("other")));
    }
}
