//! `keyward secret rotate`: a new value written into a `.env` file in place
//! of the old one, and the day of the rotation written into the rotation
//! inventory. The texts are edited line by line: comments, order and other
//! entries are kept. No message holds the old or the new value.

use super::generate::NewSecret;
use super::kinds::Kind;
use super::schema::SecretSpec;
use jiff::civil::Date;

/// Errors rotating a secret: messages name the file, line and rule, never a value.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RotateError(pub String);

/// What to generate for a schema entry, from its kind and options.
///
/// ```
/// use keyward::validate::{rotate::new_secret_for, Schema, NewSecret};
/// let s = Schema::parse("s.toml", "[secrets.K]\nkind = \"hmac-key\"\nmin_bits = 512\n").unwrap();
/// assert_eq!(new_secret_for(&s.secrets[0]).unwrap(), NewSecret::HmacKey { bits: 512 });
/// ```
pub fn new_secret_for(spec: &SecretSpec) -> Result<NewSecret, RotateError> {
    Ok(match spec.kind {
        Kind::FernetKey => NewSecret::FernetKey,
        Kind::HmacKey => NewSecret::HmacKey {
            bits: spec.min_bits.unwrap_or(256).max(256),
        },
        Kind::HexKey => NewSecret::HexKey {
            bytes: spec
                .bytes
                .or_else(|| spec.min_bits.map(|b| (b as usize).div_ceil(8)))
                .unwrap_or(32),
        },
        Kind::Password => NewSecret::Password {
            length: spec.min_length.unwrap_or(24).max(24),
        },
        Kind::ApiKey | Kind::String => NewSecret::Token {
            bytes: spec.min_length.map_or(32, |l| l.max(32)),
        },
        other => {
            return Err(RotateError(format!(
                "{}: keyward cannot generate values of kind {} (they are issued by their provider); rotate it there, or pass --kind",
                spec.name,
                other.name()
            )))
        }
    })
}

/// The name of a dotenv line (`NAME=...`, `export NAME=...`), if it assigns one.
fn assigned_name(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix("export ").map_or(t, str::trim_start);
    let (name, _) = t.split_once('=')?;
    let name = name.trim_end();
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-'))
    .then_some(name)
}

/// `text` (a `.env` file) with `name` set to `value`: the line assigning it
/// is replaced (keeping `export`), or a line is appended. A value spanning
/// several lines (a quoted multi-line value) is refused.
///
/// ```
/// use keyward::validate::rotate::set_dotenv;
/// let out = set_dotenv(".env", "# db\nexport DB_PW=old # note\nX=1\n", "DB_PW", "n3w").unwrap();
/// assert_eq!(out, "# db\nexport DB_PW=n3w\nX=1\n");
/// assert_eq!(set_dotenv(".env", "X=1", "Y", "v").unwrap(), "X=1\nY=v\n");
/// ```
pub fn set_dotenv(file: &str, text: &str, name: &str, value: &str) -> Result<String, RotateError> {
    let mut out = String::with_capacity(text.len() + value.len());
    let mut found = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if assigned_name(line) == Some(name) {
            if found {
                return Err(RotateError(format!(
                    "{file}:{}: {name} is assigned twice; keep one line and run again",
                    i + 1
                )));
            }
            found = true;
            let rest = line.split_once('=').map_or("", |(_, v)| v).trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
            if let Some(q) = quote {
                if !rest[1..].contains(q) {
                    return Err(RotateError(format!(
                        "{file}:{}: the value of {name} spans several lines; keyward rotates one-line values only",
                        i + 1
                    )));
                }
            }
            let export = line.trim_start().starts_with("export ");
            let newline = if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            };
            out.push_str(&format!(
                "{}{name}={value}{newline}",
                if export { "export " } else { "" }
            ));
        } else {
            out.push_str(line);
        }
    }
    if !found {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{name}={value}\n"));
    }
    Ok(out)
}

/// `text` (a rotation inventory) with `name` last rotated on `day`: the
/// `NAME = date` line or the `last_rotated` of a `[NAME]` table is replaced,
/// or a `NAME = date` line is added before the first table.
///
/// ```
/// use keyward::validate::{parse_day, rotate::set_inventory};
/// let d = parse_day("2025-06-01").unwrap();
/// assert_eq!(set_inventory("# dates\nA = 2025-01-01\n", "A", d), "# dates\nA = 2025-06-01\n");
/// assert_eq!(set_inventory("", "B", d), "B = 2025-06-01\n");
/// assert_eq!(
///     set_inventory("[B]\nlast_rotated = 2024-01-01\nowner = \"x\"\n", "B", d),
///     "[B]\nlast_rotated = 2025-06-01\nowner = \"x\"\n"
/// );
/// assert_eq!(set_inventory("[B]\nowner = \"x\"\n", "B", d), "[B]\nlast_rotated = 2025-06-01\nowner = \"x\"\n");
/// ```
pub fn set_inventory(text: &str, name: &str, day: Date) -> String {
    let key_of = |line: &str| -> Option<String> {
        let (k, _) = line.split_once('=')?;
        Some(k.trim().trim_matches('"').to_string())
    };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut table: Option<String> = None;
    let mut first_table = None;
    let mut own_table = None;
    let mut done = false;
    for (i, line) in lines.iter_mut().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            let tb = t
                .trim_matches(['[', ']'])
                .trim()
                .trim_matches('"')
                .to_string();
            if tb == name {
                own_table = Some(i);
            }
            table = Some(tb);
            first_table.get_or_insert(i);
            continue;
        }
        if t.starts_with('#') {
            continue;
        }
        let key = key_of(t);
        let hit = match &table {
            None => key.as_deref() == Some(name),
            Some(tb) => tb == name && key.as_deref() == Some("last_rotated"),
        };
        if hit {
            *line = match &table {
                None => format!("{name} = {day}"),
                Some(_) => format!("last_rotated = {day}"),
            };
            done = true;
        }
    }
    if !done {
        let entry = format!("{name} = {day}");
        match (own_table, first_table) {
            // a `[NAME]` table without a date: the date goes into it
            (Some(i), _) => lines.insert(i + 1, format!("last_rotated = {day}")),
            (None, Some(i)) => lines.insert(i, entry),
            (None, None) => lines.push(entry),
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
