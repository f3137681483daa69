//! The encrypted-value filter: ciphertext, and the public keys it is
//! encrypted to, are not secrets. A candidate inside a region found here is
//! dropped ([`super::Dropped::Encrypted`]). Regions come from the content,
//! never from the path: a plaintext value next to SOPS values in the same
//! file is still judged on its own.
//!
//! Recognised (each from its format's documentation):
//! - SOPS values `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` in YAML, JSON,
//!   dotenv and INI files, and the `sops` metadata block of a file holding
//!   them (YAML `sops:`, JSON `"sops": {…}`, dotenv `sops_*` lines, INI
//!   `[sops]` section): encrypted data keys, recipients and the MAC;
//! - Bitnami SealedSecret manifests: `spec.encryptedData` (YAML or JSON);
//! - Ansible Vault: `$ANSIBLE_VAULT;1.x;AES256[;label]` and the hex lines
//!   after it (a whole file or an inline `!vault |` value);
//! - ASCII-armored ciphertext: `-----BEGIN AGE ENCRYPTED FILE-----` and
//!   `-----BEGIN PGP MESSAGE-----` blocks;
//! - age recipients (`age1` + 58 bech32 characters): public keys. An age
//!   identity (`AGE-SECRET-KEY-1…`) is a secret and is never covered;
//! - Rails encrypted credentials (`credentials.yml.enc`): a line that is only
//!   `base64--base64--base64` (ciphertext, IV, authentication tag).

use memchr::memmem;

/// Byte ranges of `hay` holding ciphertext or public recipients, sorted by
/// start (they may overlap).
pub fn regions(hay: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let sops = memmem::find(hay, b"ENC[AES256_GCM,").is_some();
    if sops {
        sops_values(hay, &mut out);
        sops_metadata(hay, &mut out);
    }
    if memmem::find(hay, b"SealedSecret").is_some() {
        sealed_secret(hay, &mut out);
    }
    if memmem::find(hay, b"$ANSIBLE_VAULT;").is_some() {
        ansible_vault(hay, &mut out);
    }
    for (begin, end) in [
        (
            &b"-----BEGIN AGE ENCRYPTED FILE-----"[..],
            &b"-----END AGE ENCRYPTED FILE-----"[..],
        ),
        (b"-----BEGIN PGP MESSAGE-----", b"-----END PGP MESSAGE-----"),
    ] {
        armor(hay, begin, end, &mut out);
    }
    age_recipients(hay, &mut out);
    rails_credentials(hay, &mut out);
    out.sort_unstable();
    out
}

/// True when `span` lies inside one of `regions`.
pub fn covers(regions: &[(usize, usize)], span: (usize, usize)) -> bool {
    regions.iter().any(|&(s, e)| s <= span.0 && span.1 <= e)
}

/// Lines of `hay` as (start, end) without the newline.
fn lines(hay: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= hay.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &hay[at..]).map_or(hay.len(), |p| at + p);
        let line = (at, end);
        at = end + 1;
        Some(line)
    })
}

fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count()
}

fn blank(line: &[u8]) -> bool {
    line.iter().all(|c| c.is_ascii_whitespace())
}

/// `ENC[AES256_GCM,` to its closing `]` (on the same line).
fn sops_values(hay: &[u8], out: &mut Vec<(usize, usize)>) {
    for at in memmem::find_iter(hay, b"ENC[AES256_GCM,") {
        let rest = &hay[at..hay.len().min(at + (1 << 16))];
        if let Some(close) = rest.iter().position(|c| matches!(c, b']' | b'\n')) {
            if rest[close] == b']' {
                out.push((at, at + close + 1));
            }
        }
    }
}

/// The `sops` metadata of a SOPS file, in each of its serialisations.
fn sops_metadata(hay: &[u8], out: &mut Vec<(usize, usize)>) {
    let all: Vec<(usize, usize)> = lines(hay).collect();
    let mut i = 0;
    while i < all.len() {
        let (s, e) = all[i];
        let line = &hay[s..e];
        let trimmed = line.trim_ascii();
        if line.starts_with(b"sops:") && trimmed == b"sops:" {
            // YAML: the indented block under a top-level `sops:`
            let mut j = i + 1;
            while j < all.len() {
                let l = &hay[all[j].0..all[j].1];
                if !blank(l) && indent(l) == 0 {
                    break;
                }
                j += 1;
            }
            out.push((s, all[j - 1].1));
            i = j;
            continue;
        }
        if trimmed == b"[sops]" {
            // INI: the section up to the next one
            let mut j = i + 1;
            while j < all.len() && !hay[all[j].0..all[j].1].trim_ascii().starts_with(b"[") {
                j += 1;
            }
            out.push((s, all[j - 1].1));
            i = j;
            continue;
        }
        if line.starts_with(b"sops_") {
            // dotenv: one `sops_*=` line each
            out.push((s, e));
        }
        i += 1;
    }
    // JSON: `"sops": {` to its closing brace
    for at in memmem::find_iter(hay, b"\"sops\"") {
        let rest = &hay[at + 6..];
        let skip = rest
            .iter()
            .position(|c| !c.is_ascii_whitespace() && *c != b':')
            .unwrap_or(rest.len());
        if rest.get(skip) == Some(&b'{') {
            let open = at + 6 + skip;
            if let Some(close) = matching_brace(hay, open) {
                out.push((at, close + 1));
            }
        }
    }
}

/// The `}` closing the `{` at `open`, skipping JSON strings.
fn matching_brace(hay: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, &c) in hay.iter().enumerate().skip(open) {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `encryptedData` of a SealedSecret: the YAML block indented under it, or
/// the JSON object after it.
fn sealed_secret(hay: &[u8], out: &mut Vec<(usize, usize)>) {
    let all: Vec<(usize, usize)> = lines(hay).collect();
    for (i, &(s, e)) in all.iter().enumerate() {
        let line = &hay[s..e];
        let Some(at) = memmem::find(line, b"encryptedData") else {
            continue;
        };
        let after = line[at + b"encryptedData".len()..].trim_ascii();
        let after = after.strip_prefix(b"\"").unwrap_or(after);
        if after == b":" {
            // YAML block
            let own = indent(line);
            let mut j = i + 1;
            while j < all.len() {
                let l = &hay[all[j].0..all[j].1];
                if !blank(l) && indent(l) <= own {
                    break;
                }
                j += 1;
            }
            out.push((s, all[j - 1].1));
        }
    }
    for at in memmem::find_iter(hay, b"\"encryptedData\"") {
        let from = at + b"\"encryptedData\"".len();
        let rest = &hay[from..];
        let skip = rest
            .iter()
            .position(|c| !c.is_ascii_whitespace() && *c != b':')
            .unwrap_or(rest.len());
        if rest.get(skip) == Some(&b'{') {
            if let Some(close) = matching_brace(hay, from + skip) {
                out.push((at, close + 1));
            }
        }
    }
}

/// `$ANSIBLE_VAULT;…` and the lines of hex after it.
fn ansible_vault(hay: &[u8], out: &mut Vec<(usize, usize)>) {
    let all: Vec<(usize, usize)> = lines(hay).collect();
    for (i, &(s, e)) in all.iter().enumerate() {
        let Some(at) = memmem::find(&hay[s..e], b"$ANSIBLE_VAULT;") else {
            continue;
        };
        let mut end = e;
        for &(ls, le) in &all[i + 1..] {
            let l = hay[ls..le].trim_ascii();
            if l.is_empty() || !l.iter().all(u8::is_ascii_hexdigit) {
                break;
            }
            end = le;
        }
        out.push((s + at, end));
    }
}

/// An armored block from `begin` to `end`. Without its end line, only the
/// base64 lines right after `begin` (a truncated block hides nothing after
/// it).
fn armor(hay: &[u8], begin: &[u8], end: &[u8], out: &mut Vec<(usize, usize)>) {
    for at in memmem::find_iter(hay, begin) {
        let close = match memmem::find(&hay[at..], end) {
            Some(p) => at + p + end.len(),
            None => {
                let from = at + begin.len();
                let mut close = from;
                for (s, e) in lines(&hay[from..]) {
                    let l = hay[from + s..from + e].trim_ascii();
                    let body = l
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='));
                    if s > 0 && (l.is_empty() || !body) {
                        break;
                    }
                    close = from + e;
                }
                close
            }
        };
        out.push((at, close));
    }
}

const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// `age1` + 58 bech32 characters, standing alone: an age public key.
fn age_recipients(hay: &[u8], out: &mut Vec<(usize, usize)>) {
    for at in memmem::find_iter(hay, b"age1") {
        if at > 0 && hay[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let body = &hay[at + 4..];
        let n = body.iter().take_while(|c| BECH32.contains(c)).count();
        if n == 58 && !body.get(n).is_some_and(u8::is_ascii_alphanumeric) {
            out.push((at, at + 4 + n));
        }
    }
}

/// A line that is only `base64--base64--base64` (Rails `*.yml.enc`:
/// ciphertext, 12-byte IV, 16-byte authentication tag).
fn rails_credentials(hay: &[u8], out: &mut Vec<(usize, usize)>) {
    if memmem::find(hay, b"--").is_none() {
        return;
    }
    for (s, e) in lines(hay) {
        let line = hay[s..e].trim_ascii();
        if memmem::find(line, b"--").is_none() {
            continue;
        }
        let parts: Vec<&[u8]> = line
            .split(|c| *c == b'-')
            .filter(|p| !p.is_empty())
            .collect();
        let b64 = |p: &&[u8]| {
            p.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
        };
        if parts.len() == 3
            && memmem::find_iter(line, b"--").count() == 2
            && parts.iter().all(b64)
            && parts[1].len() == 16
            && parts[2].len() == 24
        {
            out.push((s, e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{covers, regions};

    fn covered(text: &str, needle: &str) -> bool {
        let at = text.find(needle).expect("needle in text");
        covers(&regions(text.as_bytes()), (at, at + needle.len()))
    }

    #[test]
    fn sops_yaml_values_and_metadata_but_not_plaintext_keys() {
        // the plaintext key is spelled in two halves so the self-scan of this
        // file stays clean
        let plain_key = concat!("sk_", "live_Qm9oZ2FyYmF6cXV4cXV1eHh4");
        let t = format!(
            "db:\n    password: ENC[AES256_GCM,data:q1w2e3r4t5y6,iv:AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJJKKK=,tag:Zm9vYmFyYmF6cXV4cXV1eA==,type:str]\n\
             plain_unencrypted: {plain_key}\n\
             sops:\n    kms:\n        - arn: arn:aws:kms:eu-west-1:123456789012:key/abc\n          enc: AQICAHhXb3JsZEhlbGxvV29ybGQ=\n    age:\n        - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n    mac: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\n    version: 3.9.1\n"
        );
        let t = t.as_str();
        assert!(covered(t, "data:q1w2e3r4t5y6"));
        assert!(covered(t, "AQICAHhXb3JsZEhlbGxvV29ybGQ="));
        assert!(!covered(t, plain_key));
        // without a SOPS value, a `sops:` key is just a key
        let plain = "sops:\n    token: AQICAHhXb3JsZEhlbGxvV29ybGQ=\n";
        assert!(!covered(plain, "AQICAHhXb3JsZEhlbGxvV29ybGQ="));
    }

    #[test]
    fn sealed_secret_encrypted_data_only() {
        let t = "kind: SealedSecret\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq\n  template:\n    data:\n      token: cGxhaW50ZXh0dG9rZW4=\n";
        assert!(covered(t, "AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq"));
        assert!(!covered(t, "cGxhaW50ZXh0dG9rZW4="));
        let j = r#"{"kind":"SealedSecret","spec":{"encryptedData":{"password":"AgCljRTq1oLqh6hap"}},"x":"cGxhaW4="}"#;
        assert!(covered(j, "AgCljRTq1oLqh6hap"));
        assert!(!covered(j, "cGxhaW4="));
    }

    #[test]
    fn ansible_vault_inline_block_ends_at_the_next_key() {
        let t = "db_password: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          6231336539666234\n          3061393464336163\napi_token: ghp_notpartofthevault\n";
        assert!(covered(t, "3061393464336163"));
        assert!(!covered(t, "ghp_notpartofthevault"));
    }

    #[test]
    fn age_recipients_are_public_identities_are_not() {
        let identity = concat!(
            "AGE-SECRET-",
            "KEY-1SXSH4Q2KFJ5MWDNFEZZ2QG6Z42UPVJSH55N8XL8VVW9WRMP25Y7P0CUWAT"
        );
        let t = format!(
            "# public key: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n{identity}\n"
        );
        assert!(covered(
            &t,
            "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
        ));
        assert!(!covered(&t, identity));
    }

    #[test]
    fn armor_and_rails_credentials() {
        let t = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOQ\n-----END AGE ENCRYPTED FILE-----\nnext: line\n";
        assert!(covered(t, "YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOQ"));
        assert!(!covered(t, "next: line"));
        // a block without its end line covers its base64 lines only
        let cut = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOQ\napi_token: after_the_block_1\n";
        assert!(covered(cut, "YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOQ"));
        assert!(!covered(cut, "after_the_block_1"));
        let r = "c2VjcmV0X2tleV9iYXNlOiBhYmNkZWY=--MTIzNDU2Nzg5MDEy--MTIzNDU2Nzg5MDEyMzQ1Ng==\n";
        assert!(covered(r, "c2VjcmV0X2tleV9iYXNlOiBhYmNkZWY="));
        // two parts: a signed message, not these credentials
        assert!(!covered("c2VjcmV0--MTIzNDU2Nzg5MDEy\n", "c2VjcmV0"));
    }
}
