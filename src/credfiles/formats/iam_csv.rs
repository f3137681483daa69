//! AWS IAM console CSV exports: a new user's credentials
//! (`User name,Password,Access key ID,Secret access key,Console login
//! link`) or an access key's (`Access key ID,Secret access key`). The
//! password and the secret access key are reported; the key id is an
//! identifier (the AWS rules see it).

use crate::credfiles::lines::{hit, lines, text};
use crate::credfiles::{CredHit, CredKind};

/// The fields of one CSV line as spans (quotes stripped, `""` left as is).
fn fields(at: usize, line: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        if line.get(i) == Some(&b'"') {
            let s = i + 1;
            let mut j = s;
            while j < line.len() {
                if line[j] == b'"' {
                    if line.get(j + 1) == Some(&b'"') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            out.push((at + s, at + j.min(line.len())));
            i = memchr::memchr(b',', &line[j.min(line.len())..])
                .map_or(line.len() + 1, |p| j + p + 1);
        } else {
            let e = memchr::memchr(b',', &line[i.min(line.len())..]).map_or(line.len(), |p| i + p);
            out.push((at + i, at + e));
            i = e + 1;
        }
        if i > line.len() {
            break;
        }
    }
    out
}

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut it = lines(buf);
    let Some((hat, header)) = it.next() else {
        return Vec::new();
    };
    let header = header.strip_prefix(b"\xef\xbb\xbf").unwrap_or(header);
    let names: Vec<String> = fields(hat, header)
        .iter()
        .map(|&(s, e)| text(buf, (s, e)).trim().to_ascii_lowercase())
        .collect();
    let col = |n: &str| {
        names
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == n)
    };
    let (Some(_), Some(secret)) = (col("access key id"), col("secret access key")) else {
        return Vec::new();
    };
    let user = col("user name");
    let password = col("password");
    let mut out = Vec::new();
    for (at, line) in it {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let f = fields(at, line);
        let u = user.and_then(|c| f.get(c)).map(|&s| text(buf, s));
        if let Some(&p) = password.and_then(|c| f.get(c)) {
            out.extend(hit(buf, p, u.clone(), CredKind::Password));
        }
        if let Some(&k) = f.get(secret) {
            out.extend(hit(buf, k, u, CredKind::Token));
        }
    }
    out
}
