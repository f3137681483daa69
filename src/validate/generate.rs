//! Fresh secret values from the operating system's random source (`getrandom`).

use base64::Engine as _;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewSecret {
    /// A Fernet key: 32 random bytes, URL-safe base64 (44 characters).
    FernetKey,
    /// An HMAC key of `bits` random bits (multiple of 8), URL-safe base64 without padding.
    HmacKey { bits: u32 },
    /// A password of `length` characters from letters, digits, `-` and `_`
    /// (safe in URLs and `.env` files without quoting).
    Password { length: usize },
    /// `bytes` random bytes, lower-case hex.
    HexKey { bytes: usize },
    /// `bytes` random bytes, standard base64 (padded).
    Base64 { bytes: usize },
    /// A URL-safe token: `bytes` random bytes, URL-safe base64 without padding.
    Token { bytes: usize },
    /// A random (version 4) UUID.
    Uuid,
}

/// Errors generating a secret.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("the operating system's random source failed: {0}")]
    Random(String),
    #[error("{0}")]
    Invalid(String),
}

fn random_bytes(n: usize) -> Result<Vec<u8>, GenerateError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| GenerateError::Random(e.to_string()))?;
    Ok(buf)
}

fn check_bytes(bytes: usize) -> Result<(), GenerateError> {
    if !(8..=1024).contains(&bytes) {
        return Err(GenerateError::Invalid(format!(
            "--bytes must be between 8 and 1024, got {bytes}"
        )));
    }
    Ok(())
}

const PASSWORD_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Generates a fresh secret.
///
/// ```
/// use keyward::validate::{generate, NewSecret};
/// let key = generate(NewSecret::FernetKey).unwrap();
/// assert_eq!(key.len(), 44);
/// let hex = generate(NewSecret::HexKey { bytes: 32 }).unwrap();
/// assert_eq!(hex.len(), 64);
/// let b64 = generate(NewSecret::Base64 { bytes: 32 }).unwrap();
/// assert_eq!(b64.len(), 44);
/// let token = generate(NewSecret::Token { bytes: 32 }).unwrap();
/// assert_eq!(token.len(), 43);
/// let uuid = generate(NewSecret::Uuid).unwrap();
/// assert_eq!((uuid.len(), &uuid[14..15]), (36, "4"));
/// ```
pub fn generate(what: NewSecret) -> Result<String, GenerateError> {
    match what {
        NewSecret::FernetKey => {
            Ok(base64::engine::general_purpose::URL_SAFE.encode(random_bytes(32)?))
        }
        NewSecret::HmacKey { bits } => {
            if bits < 128 || bits % 8 != 0 || bits > 8192 {
                return Err(GenerateError::Invalid(format!(
                    "--bits must be a multiple of 8 between 128 and 8192, got {bits}"
                )));
            }
            Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(random_bytes(bits as usize / 8)?))
        }
        NewSecret::Base64 { bytes } => {
            check_bytes(bytes)?;
            Ok(base64::engine::general_purpose::STANDARD.encode(random_bytes(bytes)?))
        }
        NewSecret::Token { bytes } => {
            check_bytes(bytes)?;
            Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(bytes)?))
        }
        NewSecret::Uuid => {
            let mut b = random_bytes(16)?;
            b[6] = (b[6] & 0x0f) | 0x40; // version 4
            b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            Ok(format!(
                "{}-{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            ))
        }
        NewSecret::HexKey { bytes } => {
            check_bytes(bytes)?;
            Ok(random_bytes(bytes)?
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect())
        }
        NewSecret::Password { length } => {
            if !(12..=1024).contains(&length) {
                return Err(GenerateError::Invalid(format!(
                    "--length must be between 12 and 1024, got {length}"
                )));
            }
            // 64 symbols: every random byte maps uniformly through its low 6 bits.
            Ok(random_bytes(length)?
                .iter()
                .map(|b| PASSWORD_ALPHABET[(b & 63) as usize] as char)
                .collect())
        }
    }
}
