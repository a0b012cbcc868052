//! Full disks for tests: a small tmpfs, and the takes found on it.

use std::path::{Path, PathBuf};

/// A small tmpfs mounted for one test, unmounted when dropped (the tests run as root in CI;
/// elsewhere the tests that need one say why they cannot run, and fail).
pub struct Tmpfs {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Tmpfs {
    pub fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("mnt");
        std::fs::create_dir(&path).expect("mkdir");
        let mounted = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "studiodesk-test",
            ])
            .arg(&path)
            .output()
            .expect("mount");
        assert!(
            mounted.status.success(),
            "this test mounts a small tmpfs and needs root: {}",
            String::from_utf8_lossy(&mounted.stderr)
        );
        Tmpfs { _dir: dir, path }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(&self.path)
            .status();
    }
}

/// Frames of every WAV in `dir`, read by hound (an independent reader): the header's count, and
/// the whole frames the file holds after the header.
pub fn takes_in(dir: &Path) -> Vec<(PathBuf, u64, u64)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let header = hound::WavReader::open(&path)
                .expect("hound opens the take")
                .duration() as u64;
            let bytes = std::fs::read(&path).expect("read");
            let data_at = bytes.windows(4).position(|w| w == b"data").expect("data") + 8;
            let on_disk = ((bytes.len() - data_at) / 4) as u64;
            (path, header, on_disk)
        })
        .collect()
}

/// The take in `out`: `tracks` files, each with a header that covers exactly what is on disk,
/// all of one length; that length in frames.
pub fn closed_take(out: &Path, tracks: usize, what: &str) -> u64 {
    let files = takes_in(out);
    assert_eq!(files.len(), tracks, "{what}: {files:?}");
    let frames = files[0].1;
    for (path, header, on_disk) in &files {
        assert_eq!(
            header,
            on_disk,
            "{what}: {} header and disk disagree",
            path.display()
        );
        assert_eq!(
            *header, frames,
            "{what}: tracks of unequal length: {files:?}"
        );
    }
    frames
}
