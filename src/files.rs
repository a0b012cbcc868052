//! Writing a file a user asked for without ever losing the one it replaces.
//!
//! The text goes to a temporary file in the destination's folder, is flushed to disk, and is then
//! renamed over the destination in one step (as `git` and `cargo` write their own files): on a full
//! disk or a crash the old file stays whole and no half-written one is left. An existing file is
//! replaced only when asked, and a symbolic link at the destination is refused, not followed.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Whether an existing file at the destination may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Refuse when the destination exists.
    Refuse,
    /// Replace a regular file (never a link, a folder or a device).
    Allow,
}

/// Why a file was not written. Nothing at the destination changed when it was not.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} exists; not replaced")]
    Exists(PathBuf),
    #[error("{0} is a symbolic link; not followed (write to the file it points to by name)")]
    Symlink(PathBuf),
    #[error("{0} is not a regular file; not replaced")]
    NotAFile(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Write `bytes` to `path` atomically (temporary file beside it, fsync, rename, fsync the folder).
pub fn write_atomic(path: &Path, bytes: &[u8], replace: Replace) -> Result<(), WriteError> {
    let io_error = |source: io::Error| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(e)),
    };
    if let Some(meta) = &existing {
        if meta.file_type().is_symlink() {
            return Err(WriteError::Symlink(path.to_path_buf()));
        }
        if !meta.is_file() {
            return Err(WriteError::NotAFile(path.to_path_buf()));
        }
        if replace == Replace::Refuse {
            return Err(WriteError::Exists(path.to_path_buf()));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| WriteError::NotAFile(path.to_path_buf()))?;
    // The new file gets the old one's permissions, or the usual ones (0666 less the umask).
    let mode = existing.as_ref().map_or(0o666, |m| {
        use std::os::unix::fs::PermissionsExt;
        m.permissions().mode() & 0o7777
    });
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
        .tempfile_in(dir)
        .map_err(io_error)?;
    temp.write_all(bytes).map_err(io_error)?;
    temp.as_file().sync_all().map_err(io_error)?;
    match replace {
        Replace::Allow => temp.persist(path).map(drop),
        // Refuses (and keeps the temporary file to be removed) if the file appeared meanwhile.
        Replace::Refuse => temp.persist_noclobber(path).map(drop),
    }
    .map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            WriteError::Exists(path.to_path_buf())
        } else {
            io_error(e.error)
        }
    })?;
    // The rename is durable once the folder is on disk too.
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_replaced_only_when_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.ics");
        write_atomic(&path, b"one", Replace::Refuse).expect("new file");
        let err = write_atomic(&path, b"two", Replace::Refuse).unwrap_err();
        assert!(matches!(err, WriteError::Exists(_)), "{err}");
        assert_eq!(std::fs::read(&path).expect("read"), b"one");
        write_atomic(&path, b"two", Replace::Allow).expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_symlink_at_the_destination_is_not_followed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("precious.txt");
        std::fs::write(&target, b"keep").expect("write");
        let link = dir.path().join("out.csv");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        for replace in [Replace::Refuse, Replace::Allow] {
            let err = write_atomic(&link, b"x", replace).unwrap_err();
            assert!(matches!(err, WriteError::Symlink(_)), "{err}");
        }
        assert_eq!(std::fs::read(&target).expect("read"), b"keep");
    }
}
