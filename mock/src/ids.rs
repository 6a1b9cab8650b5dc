//! Opaque ids with a type prefix (`post_`, `tiktok_`, …), as the API hands them out.

use rand::Rng;

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A fresh id such as `post_3fK9x0aQ2mZr7bLc`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_token(16))
}

/// A random string of `len` base-62 characters.
pub fn random_token(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}
