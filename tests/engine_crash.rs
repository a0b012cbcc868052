//! No data lost: `studiodesk record` killed with SIGKILL mid-take leaves files that play, and
//! after `studiodesk repair` they hold every frame that reached the disk, sample for sample.
//! Also: a file at another rate keeps its duration and level when played into the session.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use studiodesk::engine::source::{Clip, Multitrack, demo_clips, file_clips, resample};

const RATE: u32 = 48_000;

fn read_f32(path: &Path) -> Vec<f32> {
    hound::WavReader::open(path)
        .unwrap()
        .samples::<f32>()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_killed_recording_plays_and_repair_recovers_every_frame_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("takes");
    let mut child = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .args([
            "record",
            "--demo",
            "--channels",
            "8",
            "--duration",
            "60",
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    child.kill().unwrap(); // SIGKILL: no destructor, no finalize.
    child.wait().unwrap();

    let demo = Multitrack::new(&demo_clips().unwrap(), RATE).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "{files:?}");
    let mut take_start: Option<usize> = None;
    for (c, path) in files.iter().enumerate() {
        // Playable as it is: the last header checkpoint is at most half a second old.
        let before = read_f32(path);
        let bytes = std::fs::read(path).unwrap();
        let walk =
            studiodesk::engine::riff::walk(&mut std::io::Cursor::new(&bytes), bytes.len() as u64)
                .unwrap();
        let ids: Vec<[u8; 4]> = walk.chunks.iter().map(|c| c.id).collect();
        // The take's bext and iXML were written before its audio: a killed take carries them,
        // its loudness fields not yet set (0x7FFF). Audio written after the last header
        // checkpoint lies past the data chunk's recorded size, where a walk reads it as one
        // more (bogus) chunk: only what comes before matters here.
        assert_eq!(
            ids[..ids.len().min(4)],
            [*b"fmt ", *b"bext", *b"iXML", *b"data"],
            "{}",
            path.display()
        );
        assert_eq!(
            studiodesk::engine::bwf::read_loudness(path).unwrap(),
            Some([None; 5])
        );
        let data_at = walk.chunks[3].body_at() as usize;
        let on_disk = ((bytes.len() - data_at) / 4) as u64;
        let repaired = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .arg("repair")
            .arg(path)
            .output()
            .unwrap();
        assert!(
            repaired.status.success(),
            "{}",
            String::from_utf8_lossy(&repaired.stderr)
        );
        let after = read_f32(path);
        assert_eq!(after.len() as u64, on_disk, "{}", path.display());
        // Repair measured what the file holds and wrote it into the bext, as a finished take has.
        assert!(
            String::from_utf8_lossy(&repaired.stdout).contains("loudness written"),
            "{}",
            String::from_utf8_lossy(&repaired.stdout)
        );
        let fields = studiodesk::engine::bwf::read_loudness(path)
            .unwrap()
            .unwrap();
        let measured = studiodesk::engine::analyze::analyze_file(path, None, &|_| {}).unwrap();
        let hundredths = |v: f64| (v * 100.0).round() / 100.0;
        assert_eq!(
            fields[0],
            Some(hundredths(measured.programme.integrated_lufs))
        );
        assert_eq!(
            fields[2],
            Some(hundredths(measured.programme.true_peak_dbtp))
        );
        let bytes_after = std::fs::read(path).unwrap();
        let ixml_at = walk.chunks[2].body_at() as usize;
        assert_eq!(
            bytes_after[ixml_at..ixml_at + 8192],
            bytes[ixml_at..ixml_at + 8192],
            "the iXML is kept"
        );
        assert!(
            after.len() > 2 * RATE as usize,
            "only {} frames recorded in 3 s",
            after.len()
        );
        assert!(
            before.len() + RATE as usize >= after.len(),
            "the header lagged {} frames behind the data",
            after.len() - before.len()
        );
        // The take starts at the block where `record` armed it: find it by the kick's first
        // samples (the demo's kick is never silent for long), the same offset for every track.
        let offset = *take_start.get_or_insert_with(|| {
            let kick: Vec<f32> = demo.frames.iter().step_by(8).copied().collect();
            (0..kick.len() - 64)
                .find(|&i| kick[i..i + 64] == after[..64])
                .expect("the take is found in the demo")
        });
        let expected: Vec<f32> = demo
            .frames
            .iter()
            .skip(c)
            .step_by(8)
            .skip(offset)
            .take(after.len())
            .copied()
            .collect();
        let first_difference = after.iter().zip(&expected).position(|(a, b)| a != b);
        assert_eq!(first_difference, None, "{}", path.display());
        // Repair is idempotent.
        let again = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .arg("repair")
            .arg(path)
            .output()
            .unwrap();
        assert!(again.status.success());
        assert_eq!(read_f32(path).len(), after.len());
    }
}

#[test]
fn repair_refuses_what_is_not_a_wav() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.wav");
    std::fs::write(&path, "not audio").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .arg("repair")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a WAV file"));
    assert_eq!(std::fs::read(&path).unwrap(), b"not audio");
}

/// A 44.1 kHz file played into a 48 kHz session keeps its duration and its level (0.1 dB).
#[test]
fn a_file_at_another_rate_keeps_duration_and_level() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tone-44k1.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44_100,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..2 * 44_100 {
        let x = 0.1 * (std::f64::consts::TAU * 1000.0 * i as f64 / 44_100.0).sin();
        w.write_sample(x as f32).unwrap();
    }
    w.finalize().unwrap();
    let clips: Vec<Clip> = file_clips(&[path]).unwrap();
    let converted = resample(&clips[0], RATE).unwrap();
    assert!(
        (converted.len() as i64 - 2 * RATE as i64).abs() <= 1,
        "{} frames",
        converted.len()
    );
    let middle = &converted[RATE as usize / 2..3 * RATE as usize / 2];
    let level_db = 20.0 * (common::rms(middle) / (0.1 / 2f64.sqrt())).log10();
    assert!(level_db.abs() < 0.1, "level changed by {level_db} dB");
    // The tone is where it was: zero crossings 0.5 ms apart at 48 kHz (24 samples).
    let period = common::period_samples(middle);
    assert!((period - 48.0).abs() < 0.01, "period {period} samples");
}
