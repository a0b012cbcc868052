//! What studios are sent, read: SciPy's WAV test corpus (Debian's python3-scipy, fetched by the
//! test), and one mix saved by FFmpeg in every container and codec, each checked against FFmpeg's
//! own decode and its `ebur128` filter.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use studiodesk::engine::decode::AudioReader;

/// The folder of SciPy's WAV test files: the installed package's, or the Debian package
/// downloaded and unpacked once into the target folder.
fn scipy_corpus() -> PathBuf {
    let installed = Path::new("/usr/lib/python3/dist-packages/scipy/io/tests/data");
    if installed.join("test-8000Hz-le-3ch-5S-64bit.wav").exists() {
        return installed.to_path_buf();
    }
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scipy-corpus");
    let data = root.join("usr/lib/python3/dist-packages/scipy/io/tests/data");
    if data.join("test-8000Hz-le-3ch-5S-64bit.wav").exists() {
        return data;
    }
    std::fs::create_dir_all(&root).unwrap();
    let fetch = || {
        Command::new("apt-get")
            .args(["download", "python3-scipy"])
            .current_dir(&root)
            .output()
            .expect("apt-get runs")
    };
    let mut download = fetch();
    if !download.status.success() {
        // A machine whose package lists were never fetched (a fresh container).
        let _ = Command::new("apt-get").arg("update").status();
        download = fetch();
    }
    assert!(
        download.status.success(),
        "apt-get download python3-scipy: {}",
        String::from_utf8_lossy(&download.stderr)
    );
    let deb = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .expect("the .deb was downloaded");
    let unpack = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "dpkg-deb --fsys-tarfile '{}' | tar -x --wildcards './usr/lib/python3/dist-packages/scipy/io/tests/data/*.wav'",
            deb.display()
        ))
        .current_dir(&root)
        .status()
        .unwrap();
    assert!(unpack.success());
    data
}

/// Every sample of `path` as our reader decodes it, and its rate and channels.
fn ours(path: &Path) -> Result<(Vec<f32>, u32, usize), String> {
    let mut r = AudioReader::open(path).map_err(|e| e.to_string())?;
    let (rate, channels) = (r.format().sample_rate_hz, r.format().channels);
    let mut all = Vec::new();
    let mut block = vec![0.0f32; 4096 * channels];
    loop {
        let n = r.read(&mut block).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        all.extend_from_slice(&block[..n * channels]);
    }
    Ok((all, rate, channels))
}

/// Every sample of `path` as FFmpeg decodes it (32-bit float), or `None` where FFmpeg cannot.
fn ffmpeg(path: &Path) -> Option<Vec<f32>> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "f32le", "-"])
        .output()
        .expect("ffmpeg runs");
    (out.status.success() && out.stderr.is_empty()).then(|| {
        out.stdout
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    })
}

fn assert_same(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: length");
    let worst = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(worst <= 1e-6, "{what}: differs by {worst}");
}

#[test]
fn scipys_wav_corpus_reads_as_ffmpeg_and_scipy_read_it() {
    let dir = scipy_corpus();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wav"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 20, "{names:?}");
    // FFmpeg (5.1) cannot read these, or (RIFX 24-bit) reads the bytes the wrong way round
    // without a word; each has a little-endian twin it reads, with the same samples.
    let twins = [
        (
            "test-8000Hz-be-3ch-5S-24bit.wav",
            "test-8000Hz-le-3ch-5S-24bit.wav",
        ),
        (
            "test-44100Hz-2ch-32bit-float-be.wav",
            "test-44100Hz-2ch-32bit-float-le.wav",
        ),
        (
            "test-44100Hz-be-1ch-4bytes.wav",
            "test-44100Hz-le-1ch-4bytes.wav",
        ),
        (
            "test-8000Hz-le-3ch-5S-36bit.wav",
            "test-8000Hz-le-3ch-5S-24bit.wav",
        ),
        (
            "test-8000Hz-le-3ch-5S-45bit.wav",
            "test-8000Hz-le-3ch-5S-24bit.wav",
        ),
        (
            "test-8000Hz-le-3ch-5S-53bit.wav",
            "test-8000Hz-le-3ch-5S-24bit.wav",
        ),
    ];
    // Not audio as they stand: a one-line error each.
    let refused = [
        (
            "test-44100Hz-le-1ch-4bytes-early-eof-no-data.wav",
            "no data chunk",
        ),
        (
            "test-44100Hz-le-1ch-4bytes-incomplete-chunk.wav",
            "no fmt chunk",
        ),
        (
            "test-44100Hz-le-1ch-4bytes-early-eof.wav",
            "studiodesk repair",
        ),
    ];
    let mut read = 0;
    for name in &names {
        let path = dir.join(name);
        if let Some((_, why)) = refused.iter().find(|(n, _)| n == name) {
            let e = ours(&path).expect_err(name);
            assert!(e.contains(why) && !e.contains('\n'), "{name}: {e}");
            continue;
        }
        let (samples, _, _) = ours(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let reference = match twins.iter().find(|(n, _)| n == name) {
            Some((_, twin)) => ffmpeg(&dir.join(twin)).expect(twin),
            None => ffmpeg(&path).unwrap_or_else(|| panic!("FFmpeg reads {name}")),
        };
        assert_same(&samples, &reference, name);
        read += 1;
    }
    assert_eq!(read, 17);

    // The file cut short plays what it holds once repaired, as FFmpeg reads it.
    let scratch = tempfile::tempdir().unwrap();
    let cut = scratch.path().join("cut.wav");
    std::fs::copy(dir.join(refused[2].0), &cut).unwrap();
    let reference = ffmpeg(&cut).unwrap();
    let repaired = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .arg("repair")
        .arg(&cut)
        .output()
        .unwrap();
    assert!(repaired.status.success());
    assert_same(&ours(&cut).unwrap().0, &reference, "repaired");

    // 1234 Hz reads, but loudness is not measured (nor the file played) there: one line says so.
    let low = dir.join("test-8000Hz-le-1ch-10S-20bit-extra.wav");
    assert_eq!(ours(&low).unwrap().1, 1234);
    let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .arg("analyze")
        .arg(&low)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("test-8000Hz-le-1ch-10S-20bit-extra.wav")
            && err.contains("sample rate 1234 Hz"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// `studiodesk analyze --json FILE`: integrated loudness and true peak.
fn analyze(path: &Path) -> (f64, f64) {
    let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .arg("analyze")
        .arg("--json")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v[0]["integrated_lufs"].as_f64().unwrap(),
        v[0]["true_peak_dbtp"].as_f64().unwrap(),
    )
}

/// FFmpeg's `ebur128` integrated loudness of `path` (its summary, to 0.1 LU).
fn ffmpeg_integrated(path: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = &text[text.rfind("Summary:").expect("an ebur128 summary")..];
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with("I:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Make `out` with FFmpeg from the lavfi `source`, encoded with `args`.
fn synthesise(source: &str, args: &[&str], out: &Path) {
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "lavfi", "-i", source])
        .args(args)
        .arg(out)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success(), "{}", out.display());
}

fn ffmpeg_convert(from: &Path, to: &Path, args: &[&str]) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(from)
        .args(args)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success(), "{}", to.display());
}

#[test]
fn one_mix_reads_the_same_in_every_container_and_close_in_every_codec() {
    let dir = tempfile::tempdir().unwrap();
    // 30 s of a programme-like stereo mix: pink noise and a tone, the tone swelling.
    let master = dir.path().join("mix.wav");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anoisesrc=d=30:c=pink:r=48000:a=0.15:s=7",
        ])
        .args([
            "-f",
            "lavfi",
            "-i",
            "aevalsrc=0.3*sin(2*PI*330*t)*(0.6+0.4*sin(2*PI*0.1*t)):s=48000:d=30",
        ])
        .args([
            "-filter_complex",
            "[0][1]amix=inputs=2:normalize=0,pan=stereo|c0=c0|c1=0.8*c0",
        ])
        .args(["-c:a", "pcm_s24le"])
        .arg(&master)
        .status()
        .unwrap();
    assert!(made.success());
    let (integrated, peak) = analyze(&master);
    assert!((integrated - ffmpeg_integrated(&master)).abs() <= 0.1);
    // Lossless: the same samples in another box read the same to 0.01.
    for (name, args) in [
        ("mix.flac", &["-c:a", "flac"][..]),
        ("mix.aiff", &["-c:a", "pcm_s24be"]),
        ("mix-float.aifc", &["-c:a", "pcm_f32be", "-f", "aiff"]),
        ("mix.w64", &["-c:a", "pcm_s24le", "-f", "w64"]),
        ("mix-rf64.wav", &["-c:a", "pcm_s24le", "-rf64", "always"]),
        ("mix-f64.wav", &["-c:a", "pcm_f64le"]),
        ("mix-alac.m4a", &["-c:a", "alac"]),
        ("mix.caf", &["-c:a", "pcm_s24le", "-f", "caf"]),
    ] {
        let path = dir.path().join(name);
        ffmpeg_convert(&master, &path, args);
        let (i, tp) = analyze(&path);
        assert!(
            (i - integrated).abs() <= 0.01,
            "{name}: {i} vs {integrated}"
        );
        assert!((tp - peak).abs() <= 0.01, "{name}: {tp} vs {peak}");
        // The same 24-bit samples decoded the same: FLAC (30 s, decoded in 5 s chunks on two
        // threads and joined), AIFF and ALAC read exactly what the WAV holds.
        if ["mix.flac", "mix.aiff", "mix-alac.m4a", "mix.w64"].contains(&name) {
            assert_eq!((i, tp), (integrated, peak), "{name}");
        }
    }
    // Lossy: what the codec changed, as FFmpeg's ebur128 reads the same file.
    for (name, args) in [
        ("mix.mp3", &["-c:a", "libmp3lame", "-b:a", "192k"][..]),
        ("mix.ogg", &["-c:a", "libvorbis", "-q:a", "5"]),
        ("mix-aac.m4a", &["-c:a", "aac", "-b:a", "192k"]),
        ("mix-ulaw.wav", &["-c:a", "pcm_mulaw"]),
        ("mix-alaw.wav", &["-c:a", "pcm_alaw"]),
        ("mix-u8.wav", &["-c:a", "pcm_u8"]),
        ("mix-adpcm.wav", &["-c:a", "adpcm_ima_wav"]),
    ] {
        let path = dir.path().join(name);
        ffmpeg_convert(&master, &path, args);
        let (i, _) = analyze(&path);
        let reference = ffmpeg_integrated(&path);
        assert!(
            (i - reference).abs() <= 0.1,
            "{name}: {i} vs FFmpeg {reference}"
        );
        assert!(
            (i - integrated).abs() <= 0.5,
            "{name}: {i} vs the master {integrated}"
        );
    }
    // Decoded sample for sample as FFmpeg decodes them.
    for name in [
        "mix.flac",
        "mix.aiff",
        "mix.w64",
        "mix-alac.m4a",
        "mix-ulaw.wav",
    ] {
        let path = dir.path().join(name);
        assert_same(&ours(&path).unwrap().0, &ffmpeg(&path).unwrap(), name);
    }
}

#[test]
fn what_is_not_read_says_so_in_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let opus = dir.path().join("take.opus");
    synthesise("sine=f=440:d=2:r=48000", &["-c:a", "libopus"], &opus);
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "these are my session notes, not audio\n").unwrap();
    let empty = dir.path().join("empty.flac");
    std::fs::write(&empty, b"").unwrap();
    let pdf = dir.path().join("invoice.mp3");
    std::fs::write(&pdf, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n").unwrap();
    for (path, says) in [
        (&opus, "Ogg Opus is not read"),
        (&text, "not an audio file"),
        (&empty, "not an audio file"),
        (&pdf, "not an audio file"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .arg("analyze")
            .arg(path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(err.lines().count(), 1, "{err}");
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(err.contains(&*name) && err.contains(says), "{err}");
    }
}

/// A long FLAC is decoded in chunks on two threads: joined, they are exactly the file, frame for
/// frame, whatever its length (here 23.4567 s: four whole 5 s chunks and a ragged one).
#[test]
fn chunks_decoded_side_by_side_join_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let flac = dir.path().join("odd.flac");
    synthesise(
        "anoisesrc=d=23.4567:c=pink:r=44100:a=0.3:s=3,pan=stereo|c0=c0|c1=-0.5*c0",
        &["-c:a", "flac", "-sample_fmt", "s16"],
        &flac,
    );
    let (sequential, _, channels) = ours(&flac).unwrap();
    assert_eq!(
        sequential.len() / channels,
        (23.4567f64 * 44_100.0).round() as usize
    );
    let mut joined = Vec::new();
    let reader = AudioReader::open(&flac).unwrap();
    assert!(
        reader.format().codec.starts_with("flac"),
        "{}",
        reader.format().codec
    );
    studiodesk::engine::decode::stream_blocks(&flac, reader, 4096, |b| joined.extend_from_slice(b))
        .unwrap();
    assert!(
        joined == sequential,
        "{} vs {} samples",
        joined.len(),
        sequential.len()
    );
    assert_same(&joined, &ffmpeg(&flac).unwrap(), "odd.flac");
}

/// An RF64 file past 4 GiB: its sizes come from `ds64` (here 5 GiB of 16-bit stereo, a sparse
/// file, so nothing is really written).
#[test]
fn rf64_beyond_four_gibibytes_takes_its_sizes_from_ds64() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.wav");
    let data_bytes: u64 = 5 << 30;
    let mut h = Vec::new();
    h.extend_from_slice(b"RF64");
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(b"WAVEds64");
    h.extend_from_slice(&28u32.to_le_bytes());
    let header_len = 12 + 8 + 28 + 8 + 16 + 8;
    h.extend_from_slice(&(header_len - 8 + data_bytes).to_le_bytes());
    h.extend_from_slice(&data_bytes.to_le_bytes());
    h.extend_from_slice(&(data_bytes / 4).to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(b"fmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    for v in [1u16, 2] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(&48_000u32.to_le_bytes());
    h.extend_from_slice(&(48_000u32 * 4).to_le_bytes());
    for v in [4u16, 16] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(b"data");
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(h.len() as u64, header_len);
    // A quiet square wave at the start, then (sparse) silence.
    for i in 0..48_000u32 {
        let v: i16 = if i / 24 % 2 == 0 { 3000 } else { -3000 };
        h.extend_from_slice(&v.to_le_bytes());
        h.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(&path, &h).unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(header_len + data_bytes).unwrap();
    let mut reader = AudioReader::open(&path).unwrap();
    assert_eq!(reader.format().frames, Some(data_bytes / 4));
    assert!(reader.format().codec.starts_with("RF64"));
    let mut block = vec![0.0f32; 2 * 1000];
    assert_eq!(reader.read(&mut block).unwrap(), 1000);
    assert_eq!(block[0], 3000.0 / 32_768.0);
    assert_eq!(block[2 * 24], -3000.0 / 32_768.0);
}

/// The sound check and the file source read the same formats as `analyze`.
#[test]
fn the_sound_check_reads_flac_and_mp3() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, codec) in [("bass.flac", "flac"), ("vox.mp3", "libmp3lame")] {
        let path = dir.path().join(name);
        synthesise(
            "aevalsrc=0.25*sin(2*PI*110*t)+0.002*random(0):s=44100:d=4",
            &["-c:a", codec],
            &path,
        );
        files.push(path);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .args(["soundcheck", "--no-save", "--json", "--files"])
        .args(&files)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let channels = report["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 2);
    for c in channels {
        let level = c["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["check"] == "level")
            .unwrap();
        // 0.25 full scale: −12.0 dBFS peaks (MP3 within a few tenths).
        let peak = level["value"].as_f64().unwrap();
        assert!((peak + 12.04).abs() < 0.5, "{c}");
    }
}

/// Set the total-samples field of a FLAC's STREAMINFO (36 bits from byte 21).
fn claim_frames(path: &Path, frames: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..4], b"fLaC");
    bytes[21] = (bytes[21] & 0xF0) | ((frames >> 32) as u8 & 0x0F);
    bytes[22..26].copy_from_slice(&(frames as u32).to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

/// A FLAC whose header claims more or fewer frames than it holds (cut short in a copy, or
/// written by a tool that got it wrong) is read to its real end, on any number of cores, by
/// `analyze` and by the sound check alike.
#[test]
fn a_flac_whose_header_miscounts_is_read_to_its_real_end() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.flac");
    synthesise(
        "anoisesrc=d=30:c=pink:r=48000:a=0.2:s=5,pan=stereo|c0=c0|c1=0.7*c0",
        &["-c:a", "flac", "-sample_fmt", "s16"],
        &whole,
    );
    let bytes = std::fs::read(&whole).unwrap();
    // Cut in half: the header still says 30 s.
    let cut = dir.path().join("cut.flac");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    // The header says 11 s of 30.
    let under = dir.path().join("under.flac");
    std::fs::write(&under, &bytes).unwrap();
    claim_frames(&under, 11 * 48_000);
    for (path, at_least, at_most) in [(&cut, 14.0, 16.0), (&under, 30.0, 30.0)] {
        let (sequential, _, channels) = ours(path).unwrap();
        let seconds = (sequential.len() / channels) as f64 / 48_000.0;
        assert!(
            (at_least..=at_most).contains(&seconds),
            "{}: {seconds} s",
            path.display()
        );
        let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .args(["analyze", "--json"])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v[0]["duration_s"].as_f64().unwrap(),
            seconds,
            "{}",
            path.display()
        );
        let check = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .args(["soundcheck", "--no-save", "--json", "--files"])
            .arg(path)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&check.stdout).unwrap();
        assert!(
            (report["seconds"].as_f64().unwrap() - seconds).abs() < 0.01,
            "{}: {report}",
            path.display()
        );
    }
}
