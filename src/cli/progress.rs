//! The progress bar: the library reports progress through
//! [`keyward::Progress`]; the command line draws it with indicatif on
//! stderr, only when stderr is a terminal.
//!
//! A bar line fits 80 columns: the status message is cut to
//! [`MSG_WIDTH`] characters and the bar is [`BAR_WIDTH`] wide. A phase with
//! no steps (total 0) draws a spinner, never a full bar at `0/0`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// Room for the status message ("16299 commits, 537 MiB at 250 MiB/s").
const MSG_WIDTH: usize = 36;
/// Width of the bar between its brackets.
const BAR_WIDTH: usize = 16;
/// Longest phase name shown after the counts.
const WHAT_WIDTH: usize = 8;

/// Draws each phase the library announces as a spinner or a bar.
pub struct Terminal {
    enabled: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Terminal {
    pub fn new() -> Terminal {
        Terminal {
            enabled: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }

    fn with(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(guard) = self.bar.lock() {
            if let Some(pb) = guard.as_ref() {
                f(pb);
            }
        }
    }
}

/// The bar's template: `⠁ <msg, cut to MSG_WIDTH> [<bar>] pos/len what`.
fn bar_template() -> String {
    format!("{{spinner}} {{msg:{MSG_WIDTH}!}} [{{bar:{BAR_WIDTH}}}] {{pos}}/{{len}} {{prefix}}")
}

/// `what` cut to [`WHAT_WIDTH`] characters.
fn short(what: &str) -> String {
    what.chars().take(WHAT_WIDTH).collect()
}

/// The indicatif bar (hidden: the caller sets where it draws) for a phase of
/// `total` steps; a spinner when the total is unknown or zero.
fn progress_bar(what: &str, total: Option<u64>) -> ProgressBar {
    match total {
        Some(n) if n > 0 => {
            let pb = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::hidden());
            pb.set_style(
                ProgressStyle::with_template(&bar_template())
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            pb.set_prefix(short(what));
            pb
        }
        _ => {
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            pb.set_style(
                ProgressStyle::with_template(&format!("{{spinner}} {{msg:{MSG_WIDTH}!}}"))
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            pb.set_message(what.to_string());
            pb
        }
    }
}

impl keyward::Progress for Terminal {
    fn start(&self, what: &str, total: Option<u64>) {
        if !self.enabled {
            return;
        }
        let pb = progress_bar(what, total);
        pb.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(mut guard) = self.bar.lock() {
            *guard = Some(pb);
        }
    }
    fn advance(&self, n: u64) {
        self.with(|pb| pb.inc(n));
    }
    fn status(&self, message: &str) {
        self.with(|pb| pb.set_message(message.to_string()));
    }
    fn finish(&self) {
        if let Ok(mut guard) = self.bar.lock() {
            if let Some(pb) = guard.take() {
                pb.finish_and_clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A terminal that keeps what is drawn on it.
    #[derive(Debug, Default, Clone)]
    struct Capture(Arc<Mutex<String>>);

    impl indicatif::TermLike for Capture {
        fn width(&self) -> u16 {
            200
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if let Ok(mut t) = self.0.lock() {
                t.push_str(s);
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.write_str("\n")
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The lines indicatif draws for a phase of `total` steps at `pos`, with
    /// `message` as its status (on a 200-column terminal: nothing is cut to fit).
    fn drawn(what: &str, total: Option<u64>, pos: u64, message: Option<&str>) -> Vec<String> {
        let term = Capture::default();
        let pb = progress_bar(what, total);
        pb.set_draw_target(ProgressDrawTarget::term_like(Box::new(term.clone())));
        if let Some(m) = message {
            pb.set_message(m.to_string());
        }
        pb.set_position(pos);
        pb.force_draw();
        let text = term.0.lock().map(|t| t.clone()).unwrap_or_default();
        // indicatif pads a line to the terminal's width: the padding is not drawn
        text.lines()
            .map(|l| l.trim_end().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn a_history_scan_line_fits_80_columns() {
        let message = "16299 commits, 537 MiB at 250 MiB/s";
        let lines = drawn("blobs", Some(1_234_567), 617_283, Some(message));
        for l in &lines {
            assert!(
                l.chars().count() <= 80,
                "{} columns: {l:?}",
                l.chars().count()
            );
        }
        let last = lines.last().expect("something drawn");
        assert!(last.contains(message), "{last:?}");
        assert!(last.contains("617283/1234567 blobs"), "{last:?}");
        // a longer message is cut, not wrapped
        let long = "x".repeat(200);
        for l in drawn("a very long phase name", Some(9_999_999), 1, Some(&long)) {
            assert!(
                l.chars().count() <= 80,
                "{} columns: {l:?}",
                l.chars().count()
            );
        }
    }

    #[test]
    fn zero_steps_draw_a_spinner_not_a_full_bar() {
        for l in drawn("blobs", Some(0), 0, None) {
            assert!(!l.contains("0/0") && !l.contains('['), "{l:?}");
            assert!(l.chars().count() <= 80, "{l:?}");
        }
        let spin = drawn("walking history", None, 0, None);
        assert!(
            spin.iter().any(|l| l.contains("walking history")),
            "{spin:?}"
        );
    }
}
