//! Nothing is lost when a run dies: `keyward baseline update` killed
//! (SIGKILL) at random moments leaves the baseline either as it was or as
//! the update writes it, complete, never truncated. Files are replaced
//! atomically (`src/fsutil.rs`): a temporary `.keyward-tmp-*` file next to
//! the target, flushed, renamed over it. A killed run may leave that
//! temporary file behind (the rename never happened); a run that finishes
//! leaves none.

use crate::util::{home_next_to, Repo, BIN, S1};
use keyward::suppress::Baseline;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ENTRIES: usize = 50_000;
const KILLS: usize = 100;
/// Wall-clock budget of the kill loop (the setup adds a few seconds).
const BUDGET: Duration = Duration::from_secs(45);
const TEMP_PREFIX: &str = ".keyward-tmp-";

/// xorshift64*: deterministic delays without a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..=max`.
    fn below(&mut self, max: u64) -> u64 {
        self.next() % (max + 1)
    }
}

/// A baseline of `ENTRIES` accepted findings in the layout `keyward baseline
/// create` writes (sorted by path, one entry per line), some with a reason,
/// an owner and an expiry. The ids are fake: `update` keeps entries that
/// match nothing as they are.
fn old_baseline() -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = String::from(
        "{\n  \"keyward_baseline\": 1,\n  \"entries\": [\n    {\"about\":\"keyward baseline\"}\n",
    );
    for i in 0..ENTRIES {
        let id: String = (0..4).map(|_| format!("{:016x}", rng.next())).collect();
        s.push_str(&format!(
            "  , {{\"id\":\"{id}\",\"path\":\"vendor/gen/f{i:05}.py\",\"rule_id\":\"github-pat\""
        ));
        if i % 50 == 0 {
            s.push_str(
                ",\"reason\":\"test fixture\",\"owner\":\"team-a\",\"expires\":\"2999-12-31\"",
            );
        }
        s.push_str("}\n");
    }
    s.push_str("  ]\n}\n");
    s
}

struct Setup {
    repo: Repo,
    home: PathBuf,
    dir: PathBuf,
    file: PathBuf,
}

impl Setup {
    fn spawn(&self) -> Child {
        Command::new(BIN)
            .current_dir(&self.repo.path)
            .args(["baseline", "update", "--file"])
            .arg(&self.file)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_CONFIG_GLOBAL")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("keyward runs")
    }

    /// The names in the baseline's directory other than the baseline.
    fn others(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| Path::new(n) != self.file.file_name().unwrap())
            .collect();
        v.sort();
        v
    }

    /// True once the update has begun writing: a temporary file exists, or
    /// the baseline is no longer the old one (size or time changed).
    fn writing(&self, old: &fs::Metadata) -> bool {
        if !self.others().is_empty() {
            return true;
        }
        match fs::metadata(&self.file) {
            Ok(m) => m.len() != old.len() || m.modified().ok() != old.modified().ok(),
            Err(_) => true,
        }
    }
}

#[test]
fn a_killed_baseline_update_leaves_the_old_or_the_new_file() {
    let started = Instant::now();
    let repo = Repo::new();
    repo.write("config.py", &format!("token = \"{S1}\"\n"));
    repo.commit("a secret");
    let home = home_next_to(&repo.path);
    let dir = repo.path.parent().unwrap().join("baseline");
    fs::create_dir(&dir).unwrap();
    let file = dir.join(".keyward-baseline.json");
    let setup = Setup {
        repo,
        home,
        dir,
        file,
    };
    let old = old_baseline();
    assert_eq!(Baseline::parse("old", &old).unwrap().entries.len(), ENTRIES);

    // Uninterrupted runs: the new file (the old one plus the secret's
    // entry), the same every time, no temporary file left; and, once the
    // new file is known, how long a run takes and how long its write lasts
    // (from the first change in the directory to the new file in place).
    let mut new: Option<Vec<u8>> = None;
    let (mut run, mut write) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..3 {
        fs::write(&setup.file, &old).unwrap();
        let before = fs::metadata(&setup.file).unwrap();
        let t = Instant::now();
        let mut child = setup.spawn();
        let (mut began, mut done) = (None, None);
        while child.try_wait().unwrap().is_none() {
            if began.is_none() && setup.writing(&before) {
                began = Some(t.elapsed());
            }
            if let (Some(_), None, Some(n)) = (began, done, &new) {
                let len = fs::metadata(&setup.file).map_or(0, |m| m.len());
                if len == n.len() as u64 && setup.others().is_empty() {
                    done = Some(t.elapsed());
                }
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let took = t.elapsed();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = fs::read(&setup.file).unwrap();
        assert_eq!(
            setup.others(),
            Vec::<String>::new(),
            "a finished run leaves no temporary file"
        );
        match &new {
            None => new = Some(bytes),
            Some(n) => {
                assert!(*n == bytes, "update is deterministic");
                run = run.max(took);
                let began = began.unwrap_or(took);
                write = write.max(done.unwrap_or(took).saturating_sub(began));
            }
        }
    }
    let new = new.unwrap();
    let parsed = Baseline::parse("new", std::str::from_utf8(&new).unwrap()).unwrap();
    assert_eq!(
        parsed.entries.len(),
        ENTRIES + 1,
        "update adds the secret's entry"
    );
    assert_ne!(new, old.as_bytes());

    // Kill runs at random moments: one in five once the write has begun
    // (0..=N ms after it, N the write's duration plus a margin, so some
    // kills land mid-write), the others anywhere in the run (0..=run ms
    // after the start; earlier when the budget runs low, on a loaded
    // machine).
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let window = write.as_millis() as u64 + 5;
    let kill_loop = Instant::now();
    let (mut kills, mut finished, mut targeted) = (0usize, 0usize, 0usize);
    let (mut left_old, mut left_new, mut left_temp) = (0usize, 0usize, 0usize);
    let mut i = 0usize;
    while kills < KILLS {
        i += 1;
        assert!(i < 3 * KILLS, "too many runs finished before their kill");
        fs::write(&setup.file, &old).unwrap();
        let before = fs::metadata(&setup.file).unwrap();
        let aim = i % 5 == 0;
        let mut child = setup.spawn();
        if aim {
            // wait for the write to begin (or the run to end)
            while !setup.writing(&before) && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_micros(200));
            }
            targeted += 1;
            std::thread::sleep(Duration::from_millis(rng.below(window)));
        } else {
            // anywhere in the run, earlier when the budget runs low (the
            // aimed runs, a fifth of those to come, take a whole run each)
            let to_come = (KILLS - kills) as u32;
            let left = BUDGET
                .saturating_sub(kill_loop.elapsed())
                .saturating_sub(run * (to_come / 5));
            let mean = left / (to_come - to_come / 5).max(1);
            let max = run.min(mean * 2).as_millis() as u64;
            std::thread::sleep(Duration::from_millis(rng.below(max)));
        }
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let killed = !out.status.success();
        if killed {
            assert_eq!(
                out.status.code(),
                None,
                "the run failed on its own: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            kills += 1;
        } else {
            finished += 1;
        }
        let bytes = fs::read(&setup.file).unwrap();
        if bytes == old.as_bytes() {
            left_old += 1;
        } else if bytes == new {
            left_new += 1;
        } else {
            let what = match Baseline::parse("left", &String::from_utf8_lossy(&bytes)) {
                Ok(b) => format!("a baseline of {} entries", b.entries.len()),
                Err(e) => format!("no baseline ({e})"),
            };
            panic!(
                "run {i} ({}): the file is neither the old nor the new baseline: {} bytes, {what}",
                if killed { "killed" } else { "finished" },
                bytes.len()
            );
        }
        let others = setup.others();
        if killed {
            // only the temporary file of the rename that never happened
            assert!(
                others.len() <= 1 && others.iter().all(|n| n.starts_with(TEMP_PREFIX)),
                "after a kill: {others:?}"
            );
            if !others.is_empty() {
                left_temp += 1;
            }
            for n in others {
                fs::remove_file(setup.dir.join(n)).unwrap();
            }
        } else {
            assert_eq!(
                others,
                Vec::<String>::new(),
                "a finished run leaves no temporary file"
            );
        }
    }
    eprintln!(
        "atomic: {kills} kills ({targeted} runs aimed at the write; {left_temp} kills mid-write: temporary file left) \
         and {finished} finished runs in {:.1?} (run {:?}, write {:?}); \
         left old {left_old}, new {left_new}; {:.1?} in all",
        kill_loop.elapsed(),
        run,
        write,
        started.elapsed()
    );
    assert!(kills >= KILLS);
}
