//! The central placeholder filter: values people write where a secret will go.

/// Substrings (lower case) that mark a value as a placeholder or documentation.
const MARKERS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "yourpassword",
    "xxxx",
    "****",
    "....",
    "redacted",
    "dummy",
    "sample",
    "replace_me",
    "replaceme",
    "insert_",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
    "fake_",
    "fakekey",
    "fakepassword",
    "todo",
    "${",
    "{{",
    "}}",
    "%(",
    "process.env",
    "os.environ",
    "getenv",
    "<your",
    "<insert",
    "#{",
    "fake-",
    "unit-test",
    "unittest",
    "for-test",
    "for_test",
    "mock-",
    "mock_",
];

/// One automaton for every marker, ASCII case-insensitive: one pass over a
/// candidate instead of a substring search per marker.
fn markers() -> &'static aho_corasick::AhoCorasick {
    static MARKER_SET: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    MARKER_SET.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(MARKERS)
            .unwrap_or_else(|e| unreachable!("fixed marker list builds: {e}"))
    })
}

/// Whether a template opener or closer at `secret[start..end]` is one: the
/// pairs turn up by chance inside random keys of a wide alphabet (a WordPress
/// salt `…q8(${UcbB@E9^…`), so each counts only in a template's shape.
/// `${` / `#{` / `%(` open a reference when a name follows (spaces allowed)
/// and then the value ends, or a closer or an operator of the template
/// language comes (`${VAR}`, `${VAR:-x}`, `${{ secrets.X }}`, `#{ENV['X']}`,
/// `%(name)s`); `{{` counts when it starts the value or `}}` follows,
/// `}}` when it ends the value or `{{` precedes.
fn template_counts(secret: &[u8], start: usize, end: usize) -> bool {
    match &secret[start..end] {
        b"{{" => start == 0 || memchr::memmem::find(&secret[end..], b"}}").is_some(),
        b"}}" => end == secret.len() || memchr::memmem::find(&secret[..start], b"{{").is_some(),
        m => {
            let mut i = end;
            while secret.get(i).is_some_and(|c| *c == b' ') {
                i += 1;
            }
            if m == b"${" && secret.get(i) == Some(&b'{') {
                return true;
            }
            let name = i;
            while secret
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
            {
                i += 1;
            }
            if i == name {
                return false;
            }
            match secret.get(i) {
                None => true,
                Some(c) if m == b"%(" => *c == b')',
                Some(c) => matches!(c, b'}' | b':' | b'-' | b'?' | b'['),
            }
        }
    }
}

/// Whether a marker found at `secret[start..end]` marks a placeholder. A
/// short marker of letters only (`todo`, `xxxx`, `dummy`, `sample`) turns up
/// by chance inside random tokens (`…ItODo…`, `…lDUMMYy…`), so it counts only
/// as a word of its own: all lower, all upper or capitalised, with an edge of
/// the value or punctuation on both sides (`TODO`, `sk_live_xxxx`,
/// `your-dummy-key`). A marker of one repeated letter stands for its whole
/// run (`AKIAXXXX…` is judged by the share of the run, see
/// [`patterned_share`]).
fn marker_counts(secret: &[u8], start: usize, end: usize) -> bool {
    let m = &secret[start..end];
    if matches!(m, b"${" | b"#{" | b"%(" | b"{{" | b"}}") {
        return template_counts(secret, start, end);
    }
    if m.len() > 6 || !m.iter().all(u8::is_ascii_alphabetic) {
        return true;
    }
    let rest = &m[1..];
    let cased = m.iter().all(u8::is_ascii_lowercase)
        || m.iter().all(u8::is_ascii_uppercase)
        || (m[0].is_ascii_uppercase() && rest.iter().all(u8::is_ascii_lowercase));
    if !cased {
        return false;
    }
    let (mut start, mut end) = (start, end);
    if rest.iter().all(|c| *c == m[0]) {
        while start > 0 && secret[start - 1] == m[0] {
            start -= 1;
        }
        while secret.get(end) == Some(&m[0]) {
            end += 1;
        }
    }
    let edge = |c: Option<&u8>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
    edge(start.checked_sub(1).and_then(|i| secret.get(i))) && edge(secret.get(end))
}

/// True when `secret` is a placeholder, a template reference or a documented
/// example rather than a real value.
pub fn is_placeholder(secret: &[u8]) -> bool {
    if secret.is_empty() {
        return true;
    }
    if markers()
        .find_overlapping_iter(secret)
        .any(|m| marker_counts(secret, m.start(), m.end()))
    {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    // `<api-key>`, `[TOKEN]`, `{auth_token}` (str.format / f-string fields)
    // and friends: a value wrapped in angle, square or curly brackets.
    if matches!(
        (lower.first(), lower.last()),
        (Some(b'<'), Some(b'>')) | (Some(b'['), Some(b']')) | (Some(b'{'), Some(b'}'))
    ) {
        return true;
    }
    // `__API_TOKEN__`, `@db.password@` (Maven/Ant resource filtering):
    // tokens replaced at build or deploy time.
    if lower.len() > 4 && lower.starts_with(b"__") && lower.ends_with(b"__") {
        return true;
    }
    if lower.len() > 2
        && lower.starts_with(b"@")
        && lower.ends_with(b"@")
        && lower[1..lower.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
    {
        return true;
    }
    // `$VAR`, `$HOME/.pw`, `$(cmd)`: shell references, not values. A long
    // value that only starts with `$` and goes on in symbols a reference's
    // suffix does not take (a WordPress key `$RaW._8:Cz5NA=K%DM?…`) is one.
    if lower[0] == b'$'
        && lower
            .get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'(' || *c == b'_')
    {
        let name = 1 + lower[1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        let random_tail = lower.len() >= 32
            && lower[1] != b'('
            && lower[name..].iter().any(|c| {
                !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b':' | b'-'))
            });
        if !random_tail {
            return true;
        }
    }
    // One character repeated (`aaaaaaaa`, `00000000`).
    if lower.iter().all(|c| *c == lower[0]) {
        return true;
    }
    // A truncated value: `sk-ant-...`, `ghp_…` (U+2026).
    if memchr::memmem::find(&lower, b"...").is_some()
        || memchr::memmem::find(&lower, "\u{2026}".as_bytes()).is_some()
    {
        return true;
    }
    // Runs of the alphabet or digits written by hand.
    const RUNS: &[&str] = &["123456789", "abcdefghij", "0123456789abcdef"];
    if RUNS
        .iter()
        .any(|r| memchr::memmem::find(&lower, r.as_bytes()).is_some() && lower.len() < r.len() + 8)
    {
        return true;
    }
    patterned_share(&lower, &[]) >= PATTERNED_SHARE
}

/// The shortest value [`patterned_share`] judges: below it a human password
/// (`abcd1234`) is a weak secret, not a placeholder.
const PATTERNED_MIN_LEN: usize = 16;

/// The share of a value that hand-written patterns (and its own names) must
/// cover for it to be a placeholder. Measured in the tests below
/// (`random_bodies_are_never_placeholders`): over 100,000 random bodies of
/// each of 12 token shapes, the largest share seen is 0.375 (a Stripe key,
/// whose prefix spells its own name `live`), most stay near 0.2; a
/// placeholder body behind a provider prefix covers 0.60 or more.
const PATTERNED_SHARE: f32 = 0.55;

/// Shortest sequential run (`abcd`, `4321`), repeated run (`0000`) and
/// two-character alternation (`ababab`) that counts as written by hand.
const SEQ_RUN: usize = 4;
const SAME_RUN: usize = 4;
const PAIR_RUN: usize = 6;

/// Rank in the walk `0-9a-z` (lower-cased input).
fn rank(c: u8) -> Option<i16> {
    match c {
        b'0'..=b'9' => Some(i16::from(c - b'0')),
        b'a'..=b'z' => Some(i16::from(c - b'a') + 10),
        _ => None,
    }
}

/// One step of a hand-written walk: +1 to the next, -1 to the previous
/// character of `0123456789` / `abc…z` (`…890` wraps; alternating case is
/// lower-cased), 0 for anything else.
fn step(a: u8, b: u8) -> i8 {
    match (a, b) {
        (b'9', b'0') => return 1,
        (b'0', b'9') => return -1,
        _ => {}
    }
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) if a.is_ascii_digit() == b.is_ascii_digit() => match y - x {
            1 => 1,
            -1 => -1,
            _ => 0,
        },
        _ => 0,
    }
}

/// Marks `covered[from..to]`.
fn mark(covered: &mut [bool], from: usize, to: usize) {
    for c in &mut covered[from..to] {
        *c = true;
    }
}

/// The share (0..=1) of `lower` (a lower-cased value) made of hand-written
/// patterns: sequential walks, one character repeated, two alternating, and
/// `names` spelled out (the key's, the rule's and the provider's names, at
/// least 3 characters each). 0 for values shorter than
/// [`PATTERNED_MIN_LEN`].
pub fn patterned_share(lower: &[u8], names: &[String]) -> f32 {
    let n = lower.len();
    if n < PATTERNED_MIN_LEN {
        return 0.0;
    }
    // Digits alone (10 symbols) repeat and walk by chance far more often
    // than letters: longer runs count, and more of the value must be covered.
    let digits = lower.iter().all(u8::is_ascii_digit);
    let (seq_run, same_run, pair_run) = if digits {
        (SEQ_RUN + 2, SAME_RUN + 2, PAIR_RUN + 2)
    } else {
        (SEQ_RUN, SAME_RUN, PAIR_RUN)
    };
    let mut covered = vec![false; n];
    // sequential walks and single-character runs
    let mut seq_start = 0;
    let mut seq_dir = 0i8;
    let mut same_start = 0;
    let mut pair_start = 0;
    for i in 1..=n {
        let dir = if i < n {
            step(lower[i - 1], lower[i])
        } else {
            0
        };
        // a walk goes one way: `2323` or `12321` is not one
        if dir == 0 || (seq_dir != 0 && dir != seq_dir) {
            if i - seq_start >= seq_run {
                mark(&mut covered, seq_start, i);
            }
            seq_start = if dir == 0 { i } else { i - 1 };
        }
        seq_dir = dir;
        if i == n || lower[i] != lower[i - 1] || !lower[i].is_ascii_alphanumeric() {
            if i - same_start >= same_run && lower[same_start].is_ascii_alphanumeric() {
                mark(&mut covered, same_start, i);
            }
            same_start = i;
        }
        let pair = i < n && i >= 2 && lower[i] == lower[i - 2] && lower[i] != lower[i - 1];
        if !pair && i >= 2 {
            // lower[pair_start..i] alternates two characters
            if i - pair_start >= pair_run {
                mark(&mut covered, pair_start, i);
            }
            pair_start = i - 1;
        }
    }
    for name in names.iter().filter(|w| w.len() >= 3) {
        for at in memchr::memmem::find_iter(lower, name.as_bytes()) {
            mark(&mut covered, at, at + name.len());
        }
    }
    let share = covered.iter().filter(|c| **c).count() as f32 / n as f32;
    if digits {
        // the same verdict needs three quarters of a number, not a half
        share * PATTERNED_SHARE / 0.75
    } else {
        share
    }
}

/// Lower-case words of at least 3 letters or digits in `text`, split at
/// punctuation and at lower-to-upper case changes (`MIXPANEL_API_KEY`,
/// `mixpanelApiKey`, `github-pat`), and their concatenation.
pub fn name_words(text: &str, out: &mut Vec<String>) {
    let mut word = String::new();
    let mut joined = String::new();
    let mut prev_lower = false;
    for c in text.chars().chain(std::iter::once(' ')) {
        let boundary = !c.is_ascii_alphanumeric() || (prev_lower && c.is_ascii_uppercase());
        if boundary && !word.is_empty() {
            if word.len() >= 3 && !out.contains(&word) {
                out.push(word.clone());
            }
            word.clear();
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            joined.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if joined.len() >= 3 && joined.len() <= 64 && !out.contains(&joined) {
        out.push(joined);
    }
}

/// [`is_placeholder`], and a body that spells its own names (`names`, from
/// [`name_words`]: the key it is assigned to, the rule's id, the provider)
/// together with hand-written patterns: `mixpanel_api_key_ghijkl…`,
/// `ghp_githubtokengithubtoken…`.
pub fn is_placeholder_named(secret: &[u8], names: &[String]) -> bool {
    is_placeholder(secret)
        || (!names.is_empty()
            && patterned_share(&secret.to_ascii_lowercase(), names) >= PATTERNED_SHARE)
}

#[cfg(test)]
mod tests {
    use super::{is_placeholder, is_placeholder_named, name_words, patterned_share};

    /// xorshift64*: a fixed-seed generator for the measurements below.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn body(&mut self, alphabet: &[u8], n: usize) -> String {
            (0..n)
                .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
                .collect()
        }
    }

    fn names(key: &str, rule: &str, provider: &str) -> Vec<String> {
        let mut out = Vec::new();
        for t in [key, rule, provider] {
            name_words(t, &mut out);
        }
        out
    }

    /// The thresholds, measured: 100,000 random bodies of every token
    /// alphabet and length keyward's rules know, behind their prefix and with
    /// their provider's names, give no placeholder verdict; the largest share
    /// seen stays well under the threshold.
    #[test]
    fn random_bodies_are_never_placeholders() {
        const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        const HEX: &[u8] = b"0123456789abcdef";
        const DIGITS: &[u8] = b"0123456789";
        const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        /// (prefix, body alphabet, body length, key, rule id, provider)
        type Case = (
            &'static str,
            &'static [u8],
            usize,
            &'static str,
            &'static str,
            &'static str,
        );
        let cases: &[Case] = &[
            ("ghp_", B62, 36, "GITHUB_TOKEN", "github-pat", "github"),
            (
                "sk_live_",
                B62,
                24,
                "STRIPE_SECRET_KEY",
                "stripe-live-secret-key",
                "stripe",
            ),
            ("gsk_", B62, 52, "GROQ_API_KEY", "groq-api-key", "groq"),
            (
                "dop_v1_",
                HEX,
                64,
                "DIGITALOCEAN_TOKEN",
                "digitalocean-pat",
                "digitalocean",
            ),
            (
                "key-",
                HEX,
                32,
                "MAILGUN_API_KEY",
                "mailgun-api-key",
                "mailgun",
            ),
            (
                "",
                HEX,
                40,
                "DEADBEEF_CAFE_FACADE",
                "generic-high-entropy-hex",
                "generic",
            ),
            (
                "xoxb-",
                DIGITS,
                12,
                "SLACK_BOT_TOKEN",
                "slack-bot-token",
                "slack",
            ),
            ("", DIGITS, 16, "PIN_CODE", "generic-password", "generic"),
            (
                "hf_",
                LETTERS,
                34,
                "HF_TOKEN",
                "huggingface-token",
                "huggingface",
            ),
            (
                "AKIA",
                B32,
                16,
                "AWS_ACCESS_KEY_ID",
                "aws-access-key-id",
                "aws",
            ),
            (
                "",
                B64,
                40,
                "AWS_SECRET_ACCESS_KEY",
                "aws-secret-access-key",
                "aws",
            ),
            (
                "AGE-SECRET-KEY-1",
                BECH32,
                58,
                "SOPS_AGE_KEY",
                "age-secret-key",
                "age",
            ),
        ];
        let mut rng = Rng(0x5EED_2026_1206);
        let mut worsts = Vec::new();
        for &(prefix, alphabet, len, key, rule, provider) in cases {
            let names = names(key, rule, provider);
            let mut worst = 0.0f32;
            for _ in 0..100_000 {
                let mut v = format!("{prefix}{}", rng.body(alphabet, len));
                if prefix == "xoxb-" {
                    // the bot token's shape: two numeric ids, then 24 base62
                    v = format!("{v}-{}-{}", rng.body(alphabet, 13), rng.body(B62, 24));
                }
                if alphabet == BECH32 {
                    v = v.to_ascii_uppercase();
                }
                assert!(!is_placeholder_named(v.as_bytes(), &names), "{v}");
                worst = worst.max(patterned_share(
                    &v.to_ascii_lowercase().into_bytes(),
                    &names,
                ));
            }
            eprintln!(
                "{prefix:>16} {len:>3} chars of {:>2} symbols: worst share {worst:.3}",
                alphabet.len()
            );
            worsts.push((prefix, worst));
        }
        for (prefix, worst) in worsts {
            assert!(worst < 0.45, "{prefix}: a random body covered {worst}");
        }
    }

    #[test]
    fn placeholder_bodies_behind_a_prefix() {
        let gh = names("GITHUB_TOKEN", "github-pat", "github");
        let slack = names("SLACK_BOT_TOKEN", "slack-bot-token", "slack");
        let mix = names("MIXPANEL_API_KEY", "generic-api-key", "generic");
        for (v, names) in [
            ("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", &gh),
            ("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", &gh),
            ("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", &gh),
            ("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", &gh),
            // spelled in two halves so the self-scan of this file stays clean
            (concat!("ghp", "_githubtokengithubgithubtokengi3D8O88"), &gh),
            (
                "xoxb-123456789012-1234567890123-1234567890abcdefghijklmn",
                &slack,
            ),
            (
                "xoxb-123456789012-1234567890123-slackbottokenslackslackb",
                &slack,
            ),
            ("mixpanel_api_key_ghijklmnopqrstuvwxyz", &mix),
            (
                "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                &gh,
            ),
            ("AKIAZYXWVUTSRQPONMLK", &gh),
            ("sk-ant-...", &gh),
            ("ghp_\u{2026}", &gh),
        ] {
            assert!(is_placeholder_named(v.as_bytes(), names), "{v}");
        }
        // without the names, a body spelling them is not a placeholder
        assert!(!is_placeholder(
            concat!("ghp", "_githubtokengithubgithubtokengi3D8O88").as_bytes()
        ));
    }

    #[test]
    fn human_passwords_stay_secrets() {
        let pw = names("DB_PASSWORD", "generic-password", "generic");
        for v in [
            "Password2024!",
            "abcd1234",
            "Tr0ub4dor&3",
            "correcthorsebatterystaple",
        ] {
            assert!(!is_placeholder_named(v.as_bytes(), &pw), "{v}");
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "<your-api-key>",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "%(password)s",
            "${DB_PASSWORD:-postgres}",
            "${REDIS_PASSWORD:}",
            "${{ secrets.DB_PASSWORD }}",
            "#{ENV['DB_PASSWORD']}",
            "{{ vault_db_password }}",
            "pre-{{ env }}-suffix",
            "${DB_PASS",
            "xxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "$PASSWORD",
            "$HOME/.config/acme/credentials/db-password.txt",
            "$(cat /run/secrets/db_password) # from the secret store",
            "[TOKEN]",
            "000000000000",
            "your_token_here",
            "123456789",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn real_looking_values() {
        // AKIA... built at run time so the self-scan of this repository stays clean
        let aws = format!("{}{}", "AKIA", "QYLPMN5HFIQR7XYA");
        for v in [
            "ghp_R8xKq2LmN4pT7vW9yZ3bC5dF1gH6jK0sA2uE",
            "hunter2hunter2x",
            "s3cr3t-Pa55w0rd!",
            aws.as_str(),
            // WordPress salts (64 of the secret-key service's alphabet) with a
            // template opener or closer inside by chance
            "n}1rX@x?]3D({$M!8q8(${UcbB@E9^JVI&PM^rxRZ;4y}m6ewHHyDUlHV|^n-O8S",
            "Tv}o@hBKqFYY@kv5Z(Jr3(J?1T;#{WDtkwtD=Db![xHKas1&V}-Oq:$<+.g6;)YZ",
            "q2L%(vB8;Wm}}Zr4^pX!k7@Nd0#fG&hJ3)sT9*uY6$wE1+cR5=aQ8~bV2?nM4/oP",
            "{R7pX!k{{Lm2@Nd0#fG&hJ3)sT9*uY6$wE1+cR5=aQ8~bV2?nM4/oPq2LvB8;Wm",
            "$RaW._8:Cz5NA=K%DM?kl14&zXeVYIS4~ c7G=PxH71}{$ZegrN;FE>>--)6y^ZX",
        ] {
            assert!(!is_placeholder(v.as_bytes()), "{v}");
        }
    }
}
