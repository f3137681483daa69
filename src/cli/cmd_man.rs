//! `keyward man [SUBCOMMAND]`: the manual page in roff on standard output
//! (clap_mangen): `keyward(1)` for the whole command (its subcommands listed
//! with their summaries), or `keyward-SUBCOMMAND(1)` with its options. Both
//! add EXIT STATUS and, where `--help` has them, EXAMPLES sections.

use super::args::{Cli, EXAMPLES};
use super::output::{emit, EXIT_CLEAN};
use anyhow::{bail, Result};
use clap::CommandFactory;
use clap_mangen::Man;

pub fn run(subcommand: Option<&str>) -> Result<u8> {
    emit(None, &page(subcommand)?)?;
    Ok(EXIT_CLEAN)
}

/// The roff of one page.
fn page(subcommand: Option<&str>) -> Result<String> {
    let mut top = Cli::command().disable_help_subcommand(true);
    top.build();
    let version = top.get_version().unwrap_or_default().to_string();
    let cmd = match subcommand {
        None => top.clone(),
        Some(name) => match top.find_subcommand(name) {
            Some(c) => c.clone(),
            None => {
                let names: Vec<&str> = top.get_subcommands().map(|c| c.get_name()).collect();
                bail!("no subcommand {name:?} (one of: {})", names.join(", "));
            }
        },
    };
    let title = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_uppercase();
    let examples: Vec<_> = EXAMPLES
        .iter()
        .filter(|e| match subcommand {
            None => e.top,
            Some("scan") => e.scan,
            Some(_) => false,
        })
        .collect();
    let has_args = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = cmd.get_subcommands().any(|c| !c.is_hide_set());
    let man = Man::new(cmd)
        .title(title)
        .source(format!("keyward {version}"))
        .manual("keyward manual");
    let mut title = Vec::new();
    man.render_title(&mut title)?;
    let mut out = Vec::new();
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if has_args {
        man.render_options_section(&mut out)?;
    }
    if has_subcommands {
        man.render_subcommands_section(&mut out)?;
    }
    // each rendered piece opens with the same two-line preamble (the `\*(Aq`
    // apostrophe string): once, after the `.TH` line that must come first
    let title = String::from_utf8_lossy(&title).into_owned();
    let body = String::from_utf8_lossy(&out).into_owned();
    let (preamble, title): (Vec<&str>, Vec<&str>) =
        title.lines().partition(|l| !l.starts_with(".TH"));
    // an empty date is written as nothing, which shifts the later fields into
    // its place: write it as ""
    let title = title.join("\n").replacen(" 1  \"", " 1 \"\" \"", 1);
    let mut roff = format!("{title}\n{}\n", preamble.join("\n"));
    for line in body.lines().filter(|l| !preamble.contains(l)) {
        roff.push_str(line);
        roff.push('\n');
    }
    roff.push_str(".SH \"EXIT STATUS\"\n");
    for (code, what) in [
        ("0", "nothing found (or every check passed)"),
        ("1", "findings (or a failed check)"),
        ("2", "error: bad input, bad config, an incomplete scan"),
    ] {
        roff.push_str(&format!(".TP\n\\fB{code}\\fR\n{}\n", escape(what)));
    }
    if !examples.is_empty() {
        roff.push_str(".SH EXAMPLES\n");
        for e in examples {
            roff.push_str(&format!(
                ".TP\n\\fB{}\\fR\n{}\n",
                escape(e.command),
                escape(e.what)
            ));
        }
    }
    roff.push_str(&format!(".SH VERSION\nv{}\n", escape(&version)));
    Ok(roff)
}

/// `s` as roff text: backslashes and hyphens escaped, no control line.
fn escape(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with(['.', '\'']) {
        format!("\\&{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_the_command_and_a_subcommand() {
        let top = page(None).unwrap_or_else(|e| panic!("{e}"));
        assert!(top.starts_with(".TH KEYWARD 1"), "{top}");
        assert!(top.contains(".SH \"EXIT STATUS\""), "{top}");
        assert!(top.contains("keyward\\-scan(1)"), "{top}");
        let scan = page(Some("scan")).unwrap_or_else(|e| panic!("{e}"));
        assert!(scan.starts_with(".TH KEYWARD-SCAN 1"), "{scan}");
        assert!(scan.contains("\\-\\-staged"), "{scan}");
        assert!(scan.contains(".SH EXAMPLES"), "{scan}");
        let err = page(Some("nope")).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("one of: scan, audit")));
    }
}
