//! Files replaced whole (the bottom layer: it names no other module of the
//! crate). Every file keyward writes for the user (baselines, reports,
//! `init` files, hooks) goes through [`write_atomic`]: a run killed mid-write
//! leaves the old file or the new one, never a truncated one.
//!
//! How: the bytes go to a temporary file in the target's directory, named
//! `.keyward-tmp-<random>` so a user recognises it, are flushed to disk
//! (`sync_all`) and the temporary file is renamed over the target (atomic on
//! one file system). On an error the temporary file is removed; only a
//! process killed between creating and renaming it leaves one behind (its
//! content is a partial copy of the new file, safe to delete).
//!
//! An existing target keeps its permission bits (not its owner); a new one
//! gets the usual `0o666` minus the umask, as `std::fs::write` gives. A
//! symbolic link is followed (the file it points to is replaced, the link
//! stays). A target that is not a regular file (`/dev/stdout`, a named pipe,
//! a process substitution) cannot be replaced and is written in place.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The name prefix of the temporary files.
pub const TEMP_PREFIX: &str = ".keyward-tmp-";

/// Replaces `path` with `bytes` atomically (see the module documentation).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, bytes, None)
}

/// [`write_atomic`] for an executable (a git hook): the new file is
/// `0o755` whatever the old one was.
pub fn write_atomic_executable(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, bytes, exec_mode())
}

fn exec_mode() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o755))
    }
    #[cfg(not(unix))]
    None
}

/// [`write_atomic_executable`] that replaces `path` itself even when it is
/// a symbolic link (the link is replaced, the file it points to is left
/// alone): for a hook whose old version stays in use under another name.
pub fn replace_atomic_executable(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        // not a regular file or a link (a device, a pipe): written in place
        Ok(m) if !m.is_file() && !m.file_type().is_symlink() => std::fs::write(path, bytes),
        _ => replace(path, None, bytes, exec_mode()),
    }
}

/// Where to write: the target itself, or the file a symbolic link points
/// to; `None` when the target cannot be replaced (not a regular file, a
/// dangling link) and is written in place.
fn resolve(path: &Path) -> Option<(PathBuf, Option<std::fs::Metadata>)> {
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).ok()?,
        _ => path.to_path_buf(),
    };
    match std::fs::metadata(&target) {
        Ok(m) if m.is_file() => Some((target, Some(m))),
        Ok(_) => None,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Some((target, None)),
        // unreadable metadata: let the write say why
        Err(_) => Some((target, None)),
    }
}

fn write_with(path: &Path, bytes: &[u8], mode: Option<std::fs::Permissions>) -> io::Result<()> {
    let Some((target, existing)) = resolve(path) else {
        return std::fs::write(path, bytes);
    };
    replace(&target, existing, bytes, mode)
}

/// Writes `bytes` to a temporary file next to `target` and renames it over
/// `target`, with `mode`, else `existing`'s permissions.
fn replace(
    target: &Path,
    existing: Option<std::fs::Metadata>,
    bytes: &[u8],
    mode: Option<std::fs::Permissions>,
) -> io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // the umask applies, as for a file std::fs::write creates
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // dropped on any error below: the temporary file is removed
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(p) = mode.or(existing.map(|m| m.permissions())) {
        tmp.as_file().set_permissions(p)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    // the rename itself to disk (best effort: not every system syncs a directory)
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn creates_replaces_and_leaves_no_temp_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.json");
        write_atomic(&p, b"one").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two, longer").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two, longer");
        write_atomic(&p, b"").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"");
        assert_eq!(names(d.path()), ["out.json"]);
    }

    #[test]
    fn an_error_leaves_the_target_and_no_temp_file() {
        let d = tempfile::tempdir().unwrap();
        // the target is a directory: an error, the directory untouched
        let p = d.path().join("sub");
        std::fs::create_dir(&p).unwrap();
        std::fs::write(p.join("x"), "x").unwrap();
        assert!(write_atomic(&p, b"new").is_err());
        assert_eq!(names(&p), ["x"]);
        assert_eq!(names(d.path()), ["sub"]);
        // a missing directory: an error, nothing created
        assert!(write_atomic(&d.path().join("no/such/file"), b"x").is_err());
        assert_eq!(names(d.path()), ["sub"]);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_kept_links_followed_devices_written_in_place() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("report.txt");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"new").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        write_atomic_executable(&p, b"#!/bin/sh\n").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
        // a new file: 0o666 minus the umask, like std::fs::write
        let q = d.path().join("plain");
        std::fs::write(&q, "x").unwrap();
        let n = d.path().join("new");
        write_atomic(&n, b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&n).unwrap().permissions().mode(),
            std::fs::metadata(&q).unwrap().permissions().mode()
        );
        // a link stays a link; the file it names is replaced
        let link = d.path().join("link");
        std::os::unix::fs::symlink("report.txt", &link).unwrap();
        write_atomic(&link, b"through the link").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&p).unwrap(), b"through the link");
        // a device is written in place, never replaced
        write_atomic(Path::new("/dev/null"), b"nothing").unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
        assert_eq!(names(d.path()), ["link", "new", "plain", "report.txt"]);
        // replace_atomic_executable replaces the link itself
        replace_atomic_executable(&link, b"#!/bin/sh\n").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(std::fs::read(&p).unwrap(), b"through the link");
        let mode = std::fs::metadata(&link).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
        assert_eq!(names(d.path()), ["link", "new", "plain", "report.txt"]);
    }
}
