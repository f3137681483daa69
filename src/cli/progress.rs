//! The progress bar: the library reports progress through
//! [`keyward::Progress`]; the command line draws it with indicatif on
//! stderr, only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

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

impl keyward::Progress for Terminal {
    fn start(&self, what: &str, total: Option<u64>) {
        if !self.enabled {
            return;
        }
        let pb = match total {
            Some(n) => {
                let pb = ProgressBar::new(n);
                pb.set_style(
                    ProgressStyle::with_template(&format!(
                        "{{spinner}} {{msg}} [{{bar:30}}] {{pos}}/{{len}} {what} eta {{eta}}"
                    ))
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                pb
            }
            None => {
                let pb = ProgressBar::new_spinner();
                pb.set_message(what.to_string());
                pb
            }
        };
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
