//! Weak human passwords: a small heuristic, no dictionary download. A
//! password is weak when any of these holds:
//!
//! - it is shorter than 10 characters;
//! - it is, or is a common password followed by digits or symbols
//!   (`Password1!`, `admin2024`), one of a few dozen very common passwords;
//! - it uses a single character class (all digits, all lower case…);
//! - it is mostly one run of a sequence or a keyboard row (`abcdef`,
//!   `123456789`, `qwertyuiop`);
//! - it contains the user name it belongs to.
//!
//! Weak findings are findings like any other: reported, never dropped.

/// Very common passwords (lower case), from the usual lists' top entries.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "pass",
    "admin",
    "administrator",
    "root",
    "toor",
    "letmein",
    "welcome",
    "qwerty",
    "azerty",
    "abc123",
    "iloveyou",
    "monkey",
    "dragon",
    "master",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "shadow",
    "superman",
    "trustno1",
    "hunter",
    "hunter2",
    "secret",
    "changeme",
    "default",
    "guest",
    "test",
    "testing",
    "demo",
    "user",
    "login",
    "oracle",
    "postgres",
    "mysql",
    "database",
    "server",
    "summer",
    "winter",
    "spring",
    "autumn",
    "company",
    "temp",
    "temporary",
    "access",
    "starwars",
    "whatever",
    "freedom",
    "solo",
    "qazwsx",
    "zaq12wsx",
    "1q2w3e4r",
    "1qaz2wsx",
];

/// Keyboard rows and sequences a run is measured against.
const RUNS: &[&str] = &[
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "9876543210",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "qwertzuiop",
    "1q2w3e4r5t6y",
];

/// Whether `secret` (a human password) is weak; `user` is the login it
/// belongs to, when known.
pub fn is_weak(secret: &[u8], user: Option<&str>) -> bool {
    let s = String::from_utf8_lossy(secret);
    let chars = s.chars().count();
    if chars < 10 {
        return true;
    }
    let lower = s.to_lowercase();
    // a common word with digits / symbols around it
    let core: String = lower
        .trim_matches(|c: char| !c.is_alphabetic())
        .chars()
        .collect();
    if COMMON.contains(&lower.as_str()) || COMMON.contains(&core.as_str()) {
        return true;
    }
    let classes = [
        s.chars().any(|c| c.is_lowercase()),
        s.chars().any(|c| c.is_uppercase()),
        s.chars().any(|c| c.is_ascii_digit()),
        s.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|&&c| c).count() <= 1 {
        return true;
    }
    if longest_run(&lower) * 2 >= chars {
        return true;
    }
    if let Some(u) = user {
        let u = u.to_lowercase();
        let name = u.split('@').next().unwrap_or(&u);
        if name.chars().count() >= 3 && lower.contains(name) {
            return true;
        }
    }
    false
}

/// Length of the longest stretch of `s` that is a stretch (of 3 or more) of
/// a sequence or keyboard row, or one character repeated.
fn longest_run(s: &str) -> usize {
    let b = s.as_bytes();
    let mut best = 0;
    for i in 0..b.len() {
        // repeated character
        let rep = b[i..].iter().take_while(|&&c| c == b[i]).count();
        if rep >= 3 {
            best = best.max(rep);
        }
        for run in RUNS {
            let r = run.as_bytes();
            for j in 0..r.len() {
                let n = b[i..]
                    .iter()
                    .zip(&r[j..])
                    .take_while(|(x, y)| x == y)
                    .count();
                if n >= 3 {
                    best = best.max(n);
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::is_weak;

    #[test]
    fn weak_and_strong() {
        for w in [
            "admin",
            "hunter2",
            "P@ssw0rd-2024",
            "Password123!",
            "qwertyuiop1",
            "12345678901",
            "aaaaaaaaaaaaaa",
            "alllowercaseletters",
            "deploy-Deploy-2024!",
        ] {
            assert!(is_weak(w.as_bytes(), Some("deploy")), "{w} should be weak");
        }
        for s in ["Tr0ub4dor&3xK", "x7Kp!2mQz#9vL", "correct-Horse-battery-9"] {
            assert!(
                !is_weak(s.as_bytes(), Some("deploy")),
                "{s} should be strong"
            );
        }
    }
}
