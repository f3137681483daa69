//! Quality corpus harness.
//!
//! ```text
//! cargo run --release --example quality -- gen --seed S [--scale N] --out DIR
//! cargo run --release --example quality -- score --seed S [--scale N] [--bin PATH] [--details] [-- EXTRA_ARGS]
//! ```
//! See bench/quality/README.md.

mod gen;
mod score;

use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    cmd: String,
    seed: u64,
    scale: usize,
    out: Option<PathBuf>,
    bin: Option<PathBuf>,
    details: bool,
    extra: Vec<String>,
}

fn usage() -> String {
    "usage: quality gen --seed S [--scale N] --out DIR\n       quality score --seed S [--scale N] [--bin PATH] [--no-details] [-- EXTRA_ARGS]".into()
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let cmd = it.next().ok_or_else(usage)?;
    let mut a = Args {
        cmd,
        seed: 1,
        scale: gen::DEFAULT_SCALE,
        out: None,
        bin: None,
        details: true,
        extra: Vec::new(),
    };
    while let Some(x) = it.next() {
        let mut val = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match x.as_str() {
            "--seed" => a.seed = val("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--scale" => {
                a.scale = val("--scale")?
                    .parse()
                    .map_err(|e| format!("--scale: {e}"))?
            }
            "--out" => a.out = Some(PathBuf::from(val("--out")?)),
            "--bin" => a.bin = Some(PathBuf::from(val("--bin")?)),
            "--no-details" => a.details = false,
            "--" => {
                a.extra = it.by_ref().collect();
            }
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    Ok(a)
}

fn default_bin() -> PathBuf {
    // target/<profile>/examples/quality -> target/<profile>/keyward
    let exe = std::env::current_exe().unwrap_or_default();
    let name = if cfg!(windows) {
        "keyward.exe"
    } else {
        "keyward"
    };
    exe.parent()
        .and_then(|p| p.parent())
        .map(|p| p.join(name))
        .unwrap_or_else(|| PathBuf::from(name))
}

fn run() -> Result<(), String> {
    let a = parse()?;
    match a.cmd.as_str() {
        "gen" => {
            let out = a.out.ok_or("gen needs --out DIR")?;
            let c = gen::generate(a.seed, a.scale);
            let tree = out.join("corpus");
            c.write_files(&tree)
                .map_err(|e| format!("{}: {e}", tree.display()))?;
            let answers = serde_json::to_string_pretty(&c.answers).map_err(|e| e.to_string())?;
            std::fs::write(out.join("answers.json"), answers).map_err(|e| e.to_string())?;
            eprintln!(
                "wrote {} files under {} ({} positives, {} hard negatives); answer key {}",
                c.files.len(),
                tree.display(),
                c.positives(),
                c.negatives(),
                out.join("answers.json").display()
            );
            Ok(())
        }
        "score" => {
            let bin = a.bin.unwrap_or_else(default_bin);
            let c = gen::generate(a.seed, a.scale);
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            c.write_files(dir.path()).map_err(|e| e.to_string())?;
            let reported = score::run_keyward(&bin, dir.path(), &a.extra)?;
            let s = score::score(&c, &reported);
            println!(
                "keyward quality corpus: seed {} scale {} ({} files, {} positives, {} hard negatives), binary {}{}\n",
                a.seed,
                a.scale,
                c.files.len(),
                c.positives(),
                c.negatives(),
                bin.display(),
                if a.extra.is_empty() { String::new() } else { format!(", extra args {:?}", a.extra) }
            );
            print!("{}", score::render_table(&s));
            if a.details {
                print!("{}", score::render_details(&s));
            }
            Ok(())
        }
        _ => Err(usage()),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quality: {e}");
            ExitCode::from(2)
        }
    }
}
