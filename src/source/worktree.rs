//! Working-tree source: walks paths with `ignore` (gitignore, git exclude,
//! global excludes, `.keywardignore`), in parallel.

use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Name of keyward's own ignore file (gitignore syntax), always honoured.
pub const IGNORE_FILE_NAME: &str = ".keywardignore";

/// A file to scan.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    /// Path as shown in reports.
    pub display: String,
    /// Path relative to the scanned root it was found under (`/`
    /// separators): what context checks (docs, tests) look at, so that
    /// scanning `some/fixtures/app` judges `app`'s own layout.
    pub rel: String,
    pub size: u64,
}

/// A path that could not be walked or read.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: String,
    pub message: String,
}

/// Walk settings.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Scan files ignored by `.gitignore` and git excludes too.
    pub no_ignore: bool,
    /// Gitignore-style globs (relative to the first path) never walked.
    pub exclude: Vec<String>,
}

/// Path shown in reports: without a leading `./`, with `/` separators.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.to_string()
    }
}

/// Lists the regular files below `paths`, in a stable order.
pub fn collect(paths: &[PathBuf], opts: &WalkOptions) -> (Vec<FileEntry>, Vec<WalkError>) {
    let Some((first, rest)) = paths.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let mut b = WalkBuilder::new(first);
    for p in rest {
        b.add(p);
    }
    let honour = !opts.no_ignore;
    b.hidden(false)
        .parents(honour)
        .ignore(honour)
        .git_ignore(honour)
        .git_global(honour)
        .git_exclude(honour)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(IGNORE_FILE_NAME)
        .filter_entry(|e| e.file_name() != ".git");
    if !opts.exclude.is_empty() {
        let mut ob = ignore::overrides::OverrideBuilder::new(first);
        for g in &opts.exclude {
            // a leading `!` makes an override glob exclude
            if ob.add(&format!("!{g}")).is_err() {
                continue; // validated when the config was loaded
            }
        }
        if let Ok(o) = ob.build() {
            b.overrides(o);
        }
    }
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    b.build_parallel().run(|| {
        let files = &files;
        let errors = &errors;
        Box::new(move |res| {
            match res {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    if is_file {
                        match entry.metadata() {
                            Ok(md) => {
                                if let Ok(mut v) = files.lock() {
                                    v.push(FileEntry {
                                        display: display_path(entry.path()),
                                        rel: String::new(),
                                        path: entry.into_path(),
                                        size: md.len(),
                                    });
                                }
                            }
                            Err(e) => push_error(errors, entry.path(), &e),
                        }
                    }
                }
                Err(e) => {
                    let path = error_path(&e).unwrap_or_default();
                    if let Ok(mut v) = errors.lock() {
                        v.push(WalkError {
                            path,
                            message: error_message(&e),
                        });
                    }
                }
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_default();
    for f in &mut files {
        let under = paths.iter().find_map(|root| f.path.strip_prefix(root).ok());
        f.rel = match under {
            Some(r) if !r.as_os_str().is_empty() => display_path(r),
            // the root itself is a file: its name is all the context there is
            _ => f
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let mut errors = errors.into_inner().unwrap_or_default();
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    (files, errors)
}

fn push_error(errors: &Mutex<Vec<WalkError>>, path: &Path, e: &ignore::Error) {
    if let Ok(mut v) = errors.lock() {
        v.push(WalkError {
            path: display_path(path),
            message: error_message(e),
        });
    }
}

fn error_path(e: &ignore::Error) -> Option<String> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

fn error_message(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_message(err)
        }
        ignore::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}
