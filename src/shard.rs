//! Sharding a history scan over machines: `--shard I/N` scans the unique
//! blobs whose id falls in shard `I` of `N`; `keyward merge` joins the shard
//! reports. The split is by blob id alone, so it is the same on every
//! machine that holds the same history, whatever order its packs have.

use std::fmt;

/// One shard of `total`: `index` in `0..total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    pub index: u32,
    pub total: u32,
}

/// Environment variables `--shard auto` reads, in the order it tries them.
pub const AUTO_SOURCES: &str = "KEYWARD_SHARD (I/N); JOB_COMPLETION_INDEX with KEYWARD_SHARD_TOTAL (Kubernetes Indexed Job); CI_NODE_INDEX with CI_NODE_TOTAL (GitLab parallel:)";

impl Shard {
    /// Whether the blob with id `id` (raw bytes) belongs to this shard:
    /// its first eight bytes, big-endian, modulo `total`.
    pub fn holds(&self, id: &[u8]) -> bool {
        if self.total <= 1 {
            return true;
        }
        let mut b = [0u8; 8];
        let n = id.len().min(8);
        b[..n].copy_from_slice(&id[..n]);
        u64::from_be_bytes(b) % u64::from(self.total) == u64::from(self.index)
    }

    /// The shard a CI engine's environment gives (`--shard auto`); `env`
    /// looks a variable up. See [`AUTO_SOURCES`].
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let get = |k: &str| {
            env(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(s) = get("KEYWARD_SHARD") {
            return s.parse().map_err(|e| format!("KEYWARD_SHARD: {e}"));
        }
        let number = |k: &str, v: String| -> Result<u32, String> {
            v.parse::<u32>()
                .map_err(|_| format!("{k}={v:?} is not a whole number"))
        };
        if let Some(i) = get("JOB_COMPLETION_INDEX") {
            let index = number("JOB_COMPLETION_INDEX", i)?;
            let Some(t) = get("KEYWARD_SHARD_TOTAL") else {
                return Err("JOB_COMPLETION_INDEX is set but KEYWARD_SHARD_TOTAL is not: set it to the Job's `completions` in the pod's env".to_string());
            };
            let total = number("KEYWARD_SHARD_TOTAL", t)?;
            return Shard::new(index, total);
        }
        if let (Some(i), Some(t)) = (get("CI_NODE_INDEX"), get("CI_NODE_TOTAL")) {
            // GitLab numbers parallel jobs from 1
            let index = number("CI_NODE_INDEX", i)?;
            let total = number("CI_NODE_TOTAL", t)?;
            if index == 0 {
                return Err("CI_NODE_INDEX counts from 1 (GitLab); got 0".to_string());
            }
            return Shard::new(index - 1, total);
        }
        Err(format!(
            "--shard auto found no shard in the environment (looked for {AUTO_SOURCES})"
        ))
    }

    /// Shard `index` of `total`, checked.
    pub fn new(index: u32, total: u32) -> Result<Shard, String> {
        if total == 0 {
            return Err("the number of shards must be at least 1".to_string());
        }
        if index >= total {
            return Err(format!(
                "shard {index} of {total} does not exist (shards are numbered 0 to {})",
                total - 1
            ));
        }
        Ok(Shard { index, total })
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    /// `I/N`, shards numbered from 0.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (i, n) = s
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not I/N (e.g. 0/4: the first of four shards)"))?;
        let parse = |v: &str| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| format!("{s:?} is not I/N (e.g. 0/4: the first of four shards)"))
        };
        Shard::new(parse(i)?, parse(n)?)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks() {
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, total: 4 }));
        assert!("4/4".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
        assert!("x/2".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().is_err());
    }

    #[test]
    fn every_blob_in_exactly_one_shard() {
        let shards: Vec<Shard> = (0..4).map(|i| Shard::new(i, 4).unwrap()).collect();
        for k in 0u32..2000 {
            let id = crate::finding::sha256_hex(&[&k.to_le_bytes()]);
            let raw: Vec<u8> = (0..20)
                .map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            assert_eq!(shards.iter().filter(|s| s.holds(&raw)).count(), 1);
        }
    }

    #[test]
    fn environment_of_each_engine() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Shard::from_env(env(&[
                ("JOB_COMPLETION_INDEX", "2"),
                ("KEYWARD_SHARD_TOTAL", "4")
            ])),
            Ok(Shard { index: 2, total: 4 })
        );
        assert_eq!(
            Shard::from_env(env(&[("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "3")])),
            Ok(Shard { index: 0, total: 3 })
        );
        assert_eq!(
            Shard::from_env(env(&[("KEYWARD_SHARD", "3/5")])),
            Ok(Shard { index: 3, total: 5 })
        );
        assert!(Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "2")])).is_err());
        assert!(Shard::from_env(env(&[])).is_err());
    }
}
