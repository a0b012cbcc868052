//! `studiodesk analyze` against `ffmpeg -af ebur128=peak=true` on the same ten-minute stereo
//! programme, as a 32-bit float WAV and as FLAC, in one criterion group: the ratio of the two is
//! what the README quotes. Both run as the commands a user types (the release binary and
//! FFmpeg), so process start and file reading count for both. The files are kept in
//! `target/formats-bench/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// The README's ten-minute programme: pink noise and a 220 Hz tone, stereo, 48 kHz, as a float
/// WAV (`ext` "wav") or converted (`ext` "flac": 24-bit FLAC).
fn ten_minutes(ext: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/formats-bench");
    let wav = dir.join("ten-minutes.wav");
    if !wav.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let partial = dir.join("partial.wav");
        let made = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg("anoisesrc=d=600:c=pink:r=48000:a=0.2:s=42")
            .args(["-f", "lavfi", "-i", "sine=f=220:d=600:r=48000"])
            .args(["-filter_complex"])
            .arg("[0][1]amix=inputs=2:weights=1 0.5,volume=0.7,pan=stereo|c0=c0|c1=0.9*c0")
            .args(["-c:a", "pcm_f32le"])
            .arg(&partial)
            .status()
            .expect("ffmpeg runs");
        assert!(made.success());
        std::fs::rename(&partial, &wav).unwrap();
    }
    let path = dir.join(format!("ten-minutes.{ext}"));
    if ext != "wav" && !path.exists() {
        let partial = dir.join(format!("partial.{ext}"));
        let made = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(&wav)
            .args(["-sample_fmt", "s32", "-c:a", ext])
            .arg(&partial)
            .status()
            .expect("ffmpeg runs");
        assert!(made.success());
        std::fs::rename(&partial, &path).unwrap();
    }
    path
}

fn run(command: &mut Command) {
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze-ten-minutes");
    group.sample_size(10);
    for ext in ["wav", "flac"] {
        let path = ten_minutes(ext);
        group.bench_with_input(BenchmarkId::new("studiodesk", ext), &path, |b, path| {
            b.iter(|| {
                run(Command::new(env!("CARGO_BIN_EXE_studiodesk"))
                    .arg("analyze")
                    .arg(path))
            })
        });
        group.bench_with_input(BenchmarkId::new("ffmpeg-ebur128", ext), &path, |b, path| {
            b.iter(|| {
                run(Command::new("ffmpeg")
                    .args(["-nostats", "-hide_banner", "-i"])
                    .arg(path)
                    .args(["-af", "ebur128=peak=true", "-f", "null", "-"]))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
