//! `studiodesk analyze` end to end: real files in a temp dir, the real binary, `--json` parsed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use studiodesk::signals::{noise_and_tone, sine};

fn studiodesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .args(args)
        .output()
        .expect("run studiodesk")
}

fn write_wav(path: &Path, rate: u32, channels: u16, bits: u16, float: bool, frames: &[f32]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &x in frames {
        match (float, bits) {
            (true, _) => w.write_sample(x).unwrap(),
            (false, 16) => w.write_sample((x * 32_767.0).round() as i16).unwrap(),
            (false, 24) => w.write_sample((x * 8_388_607.0).round() as i32).unwrap(),
            (false, 32) => w
                .write_sample((x as f64 * 2_147_483_647.0).round() as i32)
                .unwrap(),
            _ => unreachable!(),
        }
    }
    w.finalize().unwrap();
}

/// A canonical 44-byte WAV header (format tag 1 PCM / 3 float) followed by `data_bytes` zeros.
fn raw_wav(tag: u16, channels: u16, rate: u32, bits: u16, data_bytes: u32) -> Vec<u8> {
    let block_align = channels * bits / 8;
    let mut v = Vec::new();
    v.extend(b"RIFF");
    v.extend((36 + data_bytes).to_le_bytes());
    v.extend(b"WAVEfmt ");
    v.extend(16u32.to_le_bytes());
    v.extend(tag.to_le_bytes());
    v.extend(channels.to_le_bytes());
    v.extend(rate.to_le_bytes());
    v.extend((rate * block_align as u32).to_le_bytes());
    v.extend(block_align.to_le_bytes());
    v.extend(bits.to_le_bytes());
    v.extend(b"data");
    v.extend(data_bytes.to_le_bytes());
    v.resize(v.len() + data_bytes as usize, 0);
    v
}

fn json(output: &Output) -> Vec<Value> {
    serde_json::from_slice::<Value>(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
        .as_array()
        .expect("a JSON array")
        .clone()
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_format_measures_the_same_tone() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, u32, u16, bool); 5] = [
        ("i16-48k.wav", 48_000, 16, false),
        ("i24-44k1.wav", 44_100, 24, false),
        ("i32-96k.wav", 96_000, 32, false),
        ("f32-8k.wav", 8_000, 32, true),
        ("f32-384k.wav", 384_000, 32, true),
    ];
    let mut paths: Vec<PathBuf> = Vec::new();
    for (name, rate, bits, float) in cases {
        let path = dir.path().join(name);
        // 1 kHz would sit near Nyquist at 8 kHz; 500 Hz reads −23 LUFS everywhere to ±0.1.
        write_wav(
            &path,
            rate,
            2,
            bits,
            float,
            &sine(rate, 2, 1000.0, -23.0, 4.0, 0.0),
        );
        paths.push(path);
    }
    let mut args = vec!["analyze", "--json", "--target", "ebu-r128"];
    args.extend(paths.iter().map(|p| s(p)));
    let out = studiodesk(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = json(&out);
    assert_eq!(files.len(), 5);
    for (f, (name, rate, ..)) in files.iter().zip(cases) {
        assert!(f["file"].as_str().unwrap().ends_with(name));
        assert_eq!(f["sample_rate"].as_u64(), Some(rate as u64));
        assert_eq!(f["channels"].as_u64(), Some(2));
        assert!((num(f, "duration_s") - 4.0).abs() < 1e-9);
        let tolerance = if rate == 8_000 { 0.15 } else { 0.1 };
        assert!((num(f, "integrated_lufs") + 23.0).abs() < tolerance, "{f}");
        assert!(
            (num(f, "momentary_max_lufs") + 23.0).abs() < tolerance,
            "{f}"
        );
        assert!(
            (num(f, "short_term_max_lufs") + 23.0).abs() < tolerance,
            "{f}"
        );
        assert!(num(f, "loudness_range_lu") < 0.1, "{f}");
        assert!((num(f, "sample_peak_dbfs") + 23.0).abs() < 0.01, "{f}");
        assert!((num(f, "true_peak_dbtp") + 23.0).abs() < 0.05, "{f}");
        assert_eq!(f["target"]["name"], "ebu-r128");
        assert_eq!(f["target"]["target_lufs"].as_f64(), Some(-23.0));
        assert_eq!(f["target"]["max_true_peak_dbtp"].as_f64(), Some(-1.0));
        assert!(num(f, "gain_to_target_db").abs() < tolerance);
        assert_eq!(f["passes"], Value::Bool(true));
        assert!((num(f, "correlation") - 1.0).abs() < 1e-6, "{f}");
        let per_channel = f["per_channel"].as_array().unwrap();
        assert_eq!(per_channel.len(), 2);
        for c in per_channel {
            // A sine's RMS is 3.01 dB under its peak.
            assert!((num(c, "rms_dbfs") + 26.0103).abs() < 0.01, "{c}");
            assert!(num(c, "dc_offset").abs() < 1e-4, "{c}");
            assert!((num(c, "sample_peak_dbfs") + 23.0).abs() < 0.01, "{c}");
        }
    }
}

/// 64 channels, the most a file may have, metered as tracks; 65 are refused.
#[test]
fn sixty_four_tracks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("64.wav");
    let frames: Vec<f32> = (0..24_000)
        .flat_map(|i| {
            (0..64).map(move |c| {
                let dbfs = -10.0 - c as f64 * 0.5;
                (10f64.powf(dbfs / 20.0)
                    * (std::f64::consts::TAU * 1000.0 * i as f64 / 48_000.0).sin())
                    as f32
            })
        })
        .collect();
    write_wav(&path, 48_000, 64, 16, false, &frames);
    let out = studiodesk(&["analyze", "--json", "--layout", "tracks", s(&path)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = &json(&out)[0];
    let tracks = f["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 64);
    for (c, t) in tracks.iter().enumerate() {
        // A mono 1 kHz sine at X dBFS reads X − 3.01 LUFS.
        let expected = -10.0 - c as f64 * 0.5 - 3.0103;
        assert!(
            (num(t, "integrated_lufs") - expected).abs() < 0.05,
            "track {c}: {t}"
        );
    }
    let wide = dir.path().join("65.wav");
    write_wav(&wide, 48_000, 65, 16, false, &vec![0.0; 65 * 100]);
    let out = studiodesk(&["analyze", s(&wide)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("65 channels"));
}

#[test]
fn silence_is_null_and_fails_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silence.wav");
    write_wav(&path, 48_000, 1, 16, false, &vec![0.0; 48_000]);
    let out = studiodesk(&["analyze", "--json", "--target", "streaming", s(&path)]);
    assert!(out.status.success());
    let f = &json(&out)[0];
    for key in [
        "integrated_lufs",
        "momentary_max_lufs",
        "sample_peak_dbfs",
        "true_peak_dbtp",
        "gain_to_target_db",
    ] {
        assert!(f[key].is_null(), "{key}: {f}");
    }
    assert_eq!(f["passes"], Value::Bool(false));
}

/// A quad file whose channel mask names back-left and back-right reads those channels with the
/// 1.41 surround weight; `--layout tracks` meters each channel alone.
#[test]
fn channel_mask_and_layout_override() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quad.wav");
    let frames = sine(48_000, 4, 1000.0, -30.0, 4.0, 0.0);
    write_wav(&path, 48_000, 4, 24, false, &frames);
    let plain = json(&studiodesk(&["analyze", "--json", s(&path)]))[0].clone();
    // hound writes mask 0xF (FL FR FC LFE): patch it to 0x33 (FL FR BL BR).
    let mut bytes = std::fs::read(&path).unwrap();
    let fmt = bytes.windows(4).position(|w| w == b"fmt ").unwrap();
    bytes[fmt + 8 + 20..fmt + 8 + 24].copy_from_slice(&0x33u32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let quad = json(&studiodesk(&["analyze", "--json", s(&path)]))[0].clone();
    // Mask 0xF: the LFE (4th) channel is excluded: 3 channels at −30 dBFS.
    let expected_plain =
        -30.0 + 10.0 * 1.5f64.log10() + 0.698 - 0.691 + 10.0 * 2f64.log10() - 3.0103;
    assert!(
        (num(&plain, "integrated_lufs") - expected_plain).abs() < 0.05,
        "{plain}"
    );
    // Mask 0x33: 1 + 1 + 1.41 + 1.41 channel weights.
    let expected_quad = -30.0 + 10.0 * (4.82f64 / 2.0).log10() + 0.698 - 0.691;
    assert!(
        (num(&quad, "integrated_lufs") - expected_quad).abs() < 0.05,
        "{quad}"
    );

    let tracks = json(&studiodesk(&[
        "analyze",
        "--json",
        "--layout",
        "tracks",
        s(&path),
    ]))[0]
        .clone();
    let tracks = tracks["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 4);
    for t in tracks {
        assert!(
            (num(t, "integrated_lufs") + 30.0 + 3.0103 - 0.007).abs() < 0.05,
            "{t}"
        );
    }
}

#[test]
fn bad_files_are_named_and_the_good_ones_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = d.join("good.wav");
    write_wav(
        &good,
        48_000,
        2,
        16,
        false,
        &noise_and_tone(48_000, 2, 2.0, 5),
    );
    let truncated = d.join("truncated.wav");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let text = d.join("notes.wav");
    std::fs::write(&text, "take 3 was the keeper\n").unwrap();
    let no_channels = d.join("no-channels.wav");
    std::fs::write(&no_channels, raw_wav(1, 0, 48_000, 16, 0)).unwrap();
    let adpcm = d.join("adpcm.wav");
    std::fs::write(&adpcm, raw_wav(2, 1, 48_000, 4, 100)).unwrap();
    let header_only = d.join("cut-header.wav");
    std::fs::write(&header_only, &bytes[..30]).unwrap();
    let missing = d.join("missing.wav");

    // (µ-law, once refused here, is read now: tests/formats.rs.)
    let cases: [(&Path, &str); 6] = [
        (&adpcm, "unsupported"),
        (&truncated, "truncated"),
        (&text, "not an audio file"),
        (&no_channels, "channels"),
        (&header_only, "malformed"),
        (&missing, "cannot open"),
    ];
    let mut args = vec!["analyze", "--json", s(&good)];
    args.extend(cases.iter().map(|(p, _)| s(p)));
    let out = studiodesk(&args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), cases.len(), "{stderr}");
    for (path, problem) in cases {
        let line = lines
            .iter()
            .find(|l| l.contains(s(path)))
            .unwrap_or_else(|| panic!("no error line for {}: {stderr}", path.display()));
        assert!(line.to_lowercase().contains(problem), "{line}");
    }
    let files = json(&out);
    assert_eq!(files.len(), 1 + cases.len());
    assert!(files[0]["integrated_lufs"].is_number());
    assert!(files[1..].iter().all(|f| f["error"].is_string()));
    assert!(!stderr.contains("panicked"));

    // Text mode: the same errors, the good file's report on stdout.
    let out = studiodesk(&["analyze", s(&good), s(&text)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("integrated"));
}

#[test]
fn usage_errors_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stereo.wav");
    write_wav(
        &path,
        48_000,
        2,
        16,
        false,
        &sine(48_000, 2, 1000.0, -20.0, 1.0, 0.0),
    );
    let out = studiodesk(&["analyze", "--layout", "5.1", s(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs 6 channels"));
    assert!(
        !studiodesk(&["analyze", "--target", "bbc", s(&path)])
            .status
            .success()
    );
    assert!(!studiodesk(&["analyze"]).status.success());
}
