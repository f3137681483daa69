//! What a credential-file parser yields: the shared vocabulary between the
//! format parsers and the engine that turns their hits into findings.

/// What kind of credential a parser found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredKind {
    /// A password in clear text (whatever its strength).
    Password,
    /// A password hash (`$6$…`, `$apr1$…`, bcrypt, `{SHA}…`): crackable
    /// offline, a finding too.
    PasswordHash,
    /// An API token or access key a tool stores (npm `_authToken`, a PyPI
    /// token, Docker `auth`).
    Token,
    /// A private key (PuTTY `.ppk` private lines, Rails `master.key`).
    PrivateKey,
    /// A password a tool stores encoded or obfuscated but reversibly
    /// (FileZilla base64 `Pass`, WinSCP's obfuscation, DBeaver's fixed-key
    /// encryption): as good as clear text.
    EncodedPassword,
}

impl CredKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredKind::Password => "password",
            CredKind::PasswordHash => "password-hash",
            CredKind::Token => "token",
            CredKind::PrivateKey => "private-key",
            CredKind::EncodedPassword => "encoded-password",
        }
    }
}

/// One credential a parser found in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredHit {
    /// Byte span of the secret in the buffer (for an encoded password: the
    /// encoded value as it stands in the file).
    pub start: usize,
    pub end: usize,
    /// The user name or login it belongs to, when the format says.
    pub user: Option<String>,
    pub kind: CredKind,
}

/// A format parser: every credential in `buf` (the whole file). Parsers
/// never panic on any input, skip what they cannot read, and report empty
/// values and obvious references (`${VAR}`, `%(env)s`) not at all; the
/// engine applies the shared placeholder filter afterwards.
pub type Parser = fn(buf: &[u8]) -> Vec<CredHit>;
