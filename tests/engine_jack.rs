//! The engine on a real-time audio server with no hardware: JACK's dummy driver, started and
//! stopped by this test (by PID), through cpal's JACK host. Runs with `--features jack`.
//! - A recording is paced by the server's clock and holds exactly the frames asked for.
//! - Xruns forced by a client that overruns its period are counted, and the take loses nothing.
//! - The server dying mid-take (the interface "unplugged"): the stream stops, the files are
//!   finalised with everything recorded, the error is reported, the process exits non-zero.
#![cfg(feature = "jack")]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::jack::Jack;
use serde_json::Value;

#[test]
fn a_take_is_paced_by_the_server_clock() {
    let jack = Jack::start("paced");
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = jack.record(2, dir.path(), true).output().unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for file in report["files"].as_array().unwrap() {
        assert_eq!(file["frames"].as_u64(), Some(96_000));
    }
    // Real time: two seconds of audio take about two seconds (the ALSA null device would take
    // a few milliseconds).
    assert!(elapsed > 1.9 && elapsed < 6.0, "took {elapsed} s");
}

#[test]
fn the_server_dying_mid_take_is_reported_and_the_files_are_kept() {
    let mut jack = Jack::start("lost");
    let dir = tempfile::tempdir().unwrap();
    let child = jack
        .record(60, dir.path(), false)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    jack.kill();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "did not stop after the server died"
    );
    // Exit code 4: the take stopped early because its input went away (README, "Nothing lost").
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stopped early: the input device went away"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2);
    let lengths: Vec<u32> = files
        .iter()
        .map(|f| hound::WavReader::open(f).unwrap().duration())
        .collect();
    assert!(lengths[0] > 24_000, "{lengths:?}");
    assert_eq!(lengths[0], lengths[1]);
    // The report names the files and their frames.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} frames", lengths[0])),
        "{stdout}"
    );
}

/// Xruns forced on the server (JACK's `jack_cpu` client spending 99 % of every period, so the
/// graph misses its deadlines) are counted and reported, and the take still holds every frame
/// asked for: an xrun makes a cycle late, it must not make the recording lose one.
#[test]
fn xruns_are_counted_and_the_take_keeps_every_frame() {
    let jack = Jack::start("xruns");
    let hog = jack.hog();
    let dir = tempfile::tempdir().unwrap();
    let out = jack.record(3, dir.path(), true).output().unwrap();
    drop(hog);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["xruns"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["dropped_frames"].as_u64(), Some(0), "{report}");
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for file in files {
        assert_eq!(file["frames"].as_u64(), Some(144_000), "{report}");
        let path = file["path"].as_str().unwrap();
        assert_eq!(hound::WavReader::open(path).unwrap().duration(), 144_000);
    }
}
