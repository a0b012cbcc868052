//! The engine through real cpal streams on ALSA devices that the test defines with the `file`
//! plugin (no sound card needed): eight channels of known samples captured, recorded and compared
//! sample for sample; the monitor output holds the expected mix; the meters read the levels.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const RATE: u32 = 48_000;
const CHANNELS: usize = 8;

/// Channel `c`: a sine of 200·(c+1) Hz at −6 − 3c dBFS over a small DC offset (so that the mix is
/// never exactly zero and underrun silence can be told from audio).
fn source(frames: usize) -> Vec<f32> {
    (0..frames)
        .flat_map(|i| {
            (0..CHANNELS).map(move |c| {
                let amp = 10f64.powf((-6.0 - 3.0 * c as f64) / 20.0);
                let t = i as f64 / RATE as f64;
                (0.01 * (c + 1) as f64
                    + amp * (std::f64::consts::TAU * 200.0 * (c + 1) as f64 * t).sin())
                    as f32
            })
        })
        .collect()
}

struct Alsa {
    dir: tempfile::TempDir,
}

impl Alsa {
    /// Write `samples` as the capture device's raw input and an asoundrc defining `testcap`
    /// (capture, 8 channels from the file) and `testplay` (playback into `out.raw`).
    fn new(samples: &[f32]) -> Alsa {
        let dir = tempfile::tempdir().unwrap();
        let raw: Vec<u8> = samples.iter().flat_map(|x| x.to_le_bytes()).collect();
        std::fs::write(dir.path().join("in.raw"), raw).unwrap();
        std::fs::create_dir_all(dir.path().join("alsa")).unwrap();
        let d = dir.path().display();
        std::fs::write(
            dir.path().join("alsa/asoundrc"),
            format!(
                r#"pcm.testcap {{ type file; slave.pcm "null"; file "/dev/null"; infile "{d}/in.raw"; format "raw";
  hint {{ show on; description "test capture" }} }}
pcm.testplay {{ type file; slave.pcm "null"; file "{d}/out.raw"; format "raw";
  hint {{ show on; description "test playback" }} }}
pcm.testplaywav {{ type file; slave.pcm "null"; file "{d}/out.wav"; format "wav";
  hint {{ show on; description "test playback with a WAV header" }} }}
"#
            ),
        )
        .unwrap();
        Alsa { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn studiodesk(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .args(args)
            .env("XDG_CONFIG_HOME", self.dir.path())
            .output()
            .unwrap()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn devices_lists_the_test_devices() {
    let alsa = Alsa::new(&source(4800));
    let out = alsa.studiodesk(&["devices", "--json"]);
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"testcap") && ids.contains(&"testplay"),
        "{ids:?}"
    );
}

#[test]
fn eight_channels_recorded_sample_for_sample_and_monitored() {
    // Noise, so that no stretch of the input looks like another: a recording that started, slipped
    // or dropped anywhere cannot match by accident. The capture runs from the moment the device
    // opens and the take starts when `record` arms it, so the take is found in the input by its
    // first frame and must then match, every channel, for its whole length.
    let frames = 3 * RATE as usize;
    let mut rng = studiodesk::signals::Rng::new(42);
    let input: Vec<f32> = (0..frames * CHANNELS)
        .map(|i| (0.3 * (rng.uniform() - 0.5) + 0.01 * (i % CHANNELS + 1) as f64) as f32)
        .collect();
    let alsa = Alsa::new(&input);
    let out_dir = alsa.path("takes");
    let out = alsa.studiodesk(&[
        "record",
        "--device",
        "testcap",
        "--channels",
        "8",
        "--duration",
        "1.5",
        "--out",
        s(&out_dir),
        "--monitor",
        "testplay",
        // Two test devices standing for one interface: on one clock, the mix is played sample
        // for sample (on two clocks it would be trimmed to follow the input).
        "--monitor-clock",
        "shared",
        "--json",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), CHANNELS);
    assert_eq!(report["dropped_frames"], 0);
    let recorded_frames = (1.5 * RATE as f64) as usize;
    let tracks: Vec<Vec<f32>> = files
        .iter()
        .map(|file| {
            assert_eq!(file["frames"].as_u64(), Some(recorded_frames as u64));
            hound::WavReader::open(file["path"].as_str().unwrap())
                .unwrap()
                .samples::<f32>()
                .map(Result::unwrap)
                .collect()
        })
        .collect();
    let first: Vec<f32> = tracks.iter().map(|t| t[0]).collect();
    let offset = input
        .chunks_exact(CHANNELS)
        .position(|frame| frame == first.as_slice())
        .expect("the take's first frame is in the input");
    assert!(
        offset + recorded_frames <= frames,
        "the take ran past the input (offset {offset})"
    );
    for (c, track) in tracks.iter().enumerate() {
        let expected: Vec<f32> = input
            .iter()
            .skip(c)
            .step_by(CHANNELS)
            .skip(offset)
            .take(recorded_frames)
            .copied()
            .collect();
        let first_difference = track.iter().zip(&expected).position(|(a, b)| a != b);
        assert_eq!(
            first_difference, None,
            "channel {c} (take starts at input frame {offset})"
        );
    }

    // The monitor: every track centred (−3 dB each side), summed, in order. Output silence
    // (underruns while the capture side was busy) is left out; the first half second played is
    // found in the mix and must follow it frame for frame.
    let raw = std::fs::read(alsa.path("out.raw")).unwrap();
    let played: Vec<f32> = raw
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let audible: Vec<[f32; 2]> = played
        .chunks_exact(2)
        .filter(|f| f[0] != 0.0 || f[1] != 0.0)
        .map(|f| [f[0], f[1]])
        .collect();
    let span = RATE as usize / 2;
    assert!(
        audible.len() >= span,
        "only {} monitor frames",
        audible.len()
    );
    let centre = std::f32::consts::FRAC_1_SQRT_2;
    let mix: Vec<f32> = input
        .chunks_exact(CHANNELS)
        .map(|f| f.iter().map(|x| x * centre).sum())
        .collect();
    let start = mix
        .iter()
        .position(|m| (m - audible[0][0]).abs() < 1e-6)
        .expect("the first monitored frame is in the mix");
    for (i, frame) in audible.iter().take(span).enumerate() {
        let m = mix[start + i];
        assert!(
            (frame[0] - m).abs() < 1e-5 && (frame[1] - m).abs() < 1e-5,
            "monitor frame {i}: {frame:?} vs {m}"
        );
    }
}

#[test]
fn meters_read_the_levels_of_the_device_input() {
    let input = source(10 * RATE as usize);
    let alsa = Alsa::new(&input);
    let out = alsa.studiodesk(&[
        "meter",
        "--device",
        "testcap",
        "--channels",
        "8",
        "--duration",
        "1",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let tracks = last["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), CHANNELS);
    for (c, t) in tracks.iter().enumerate() {
        let amp = 10f64.powf((-6.0 - 3.0 * c as f64) / 20.0);
        let dc = 0.01 * (c + 1) as f64;
        let peak_db = 20.0 * (amp + dc).log10();
        let rms_db = 10.0 * (amp * amp / 2.0 + dc * dc).log10();
        let tp = t["true_peak_dbtp"].as_f64().unwrap();
        let rms = t["rms_dbfs"].as_f64().unwrap();
        assert!(
            (tp - peak_db).abs() < 0.05,
            "track {c}: true peak {tp} vs {peak_db}"
        );
        assert!(
            (rms - rms_db).abs() < 0.05,
            "track {c}: RMS {rms} vs {rms_db}"
        );
        assert_eq!(t["name"], format!("In {}", c + 1));
    }
    assert!(last["t"].as_f64().unwrap() > 0.5);
    for key in [
        "momentary_lufs",
        "short_term_lufs",
        "integrated_lufs",
        "true_peak_dbtp",
    ] {
        assert!(last["master"][key].is_number(), "{key}: {last}");
    }
    assert_eq!(last["xruns"], 0);
}

#[test]
fn bad_devices_and_folders_are_refused() {
    let alsa = Alsa::new(&source(4800));
    let out = alsa.studiodesk(&["meter", "--device", "no-such-interface", "--duration", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no input device named 'no-such-interface'") && stderr.contains("testcap"),
        "{stderr}"
    );

    let out = alsa.studiodesk(&[
        "meter",
        "--device",
        "testcap",
        "--channels",
        "99",
        "--duration",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("99 channels"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let blocker = alsa.path("file-not-folder");
    std::fs::write(&blocker, "x").unwrap();
    let out = alsa.studiodesk(&[
        "record",
        "--device",
        "testcap",
        "--channels",
        "8",
        "--duration",
        "1",
        "--out",
        s(&blocker.join("takes")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("output folder"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A monitor device run at 44.1 kHz in a 48 kHz session plays the mix converted: the stream is
/// opened at 44.1 kHz (the file plugin's WAV header says so) and the mix keeps its level. Another
/// device than the input, it is taken to have a clock of its own and follows the input's.
#[test]
fn the_monitor_at_another_rate_is_converted() {
    let frames = 3 * RATE as usize;
    let input = source(frames);
    let alsa = Alsa::new(&input);
    let out = alsa.studiodesk(&[
        "record",
        "--device",
        "testcap",
        "--channels",
        "8",
        "--duration",
        "1.5",
        "--out",
        s(&alsa.path("takes")),
        "--monitor",
        "testplaywav",
        "--monitor-rate",
        "44100",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wav = std::fs::read(alsa.path("out.wav")).unwrap();
    let rate = u32::from_le_bytes([wav[24], wav[25], wav[26], wav[27]]);
    assert_eq!(rate, 44_100);
    let data_at = wav.windows(4).position(|w| w == b"data").unwrap() + 8;
    let played: Vec<f32> = wav[data_at..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let audible: Vec<f32> = played
        .chunks_exact(2)
        .filter(|f| f[0] != 0.0)
        .map(|f| f[0])
        .collect();
    // One second from 0.1 s in (past the resampler's start-up) against the mix at 48 kHz.
    assert!(
        audible.len() > 44_100 + 4_410,
        "only {} frames",
        audible.len()
    );
    let centre = std::f32::consts::FRAC_1_SQRT_2;
    let mix: Vec<f32> = input
        .chunks_exact(CHANNELS)
        .skip(4_800)
        .take(48_000)
        .map(|f| f.iter().map(|x| x * centre).sum())
        .collect();
    let level_db = 20.0 * (common::rms(&audible[4_410..48_510]) / common::rms(&mix)).log10();
    assert!(
        level_db.abs() < 0.1,
        "monitor level differs by {level_db} dB"
    );
}

/// Takes are never overwritten: a second recording into the same folder becomes take 2; asking
/// for an existing take by number is refused and leaves the first take as it was.
#[test]
fn takes_are_never_overwritten() {
    let input = source(3 * RATE as usize);
    let alsa = Alsa::new(&input);
    let out_dir = alsa.path("takes");
    let record = |extra: &[&str]| {
        let mut args = vec![
            "record",
            "--device",
            "testcap",
            "--channels",
            "8",
            "--duration",
            "0.5",
            "--out",
            s(&out_dir),
        ];
        args.extend_from_slice(extra);
        alsa.studiodesk(&args)
    };
    assert!(record(&[]).status.success());
    let first = out_dir.join("session_take001_01-In_1.wav");
    let before = std::fs::read(&first).unwrap();
    assert!(record(&[]).status.success());
    assert!(out_dir.join("session_take002_01-In_1.wav").exists());
    let again = record(&["--take", "1"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("never overwritten"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read(&first).unwrap(), before);
}

/// Sound check through the real cpal path: four channels from the ALSA file device — clean,
/// hum, inverted copy of the first (the pair's second blamed), DC offset — each judged as it
/// should be, and kept.
#[test]
fn soundcheck_through_the_device() {
    let frames = 6 * RATE as usize;
    let tone = |f: f64, dbfs: f64, i: usize| {
        (10f64.powf(dbfs / 20.0) * (std::f64::consts::TAU * f * i as f64 / RATE as f64).sin())
            as f32
    };
    let input: Vec<f32> = (0..frames)
        .flat_map(|i| {
            let clean = tone(440.0, -12.0, i);
            [
                clean,
                tone(1000.0, -12.0, i) + tone(50.0, -45.0, i),
                -clean,
                tone(660.0, -12.0, i) + 0.05,
            ]
        })
        .collect();
    let alsa = Alsa::new(&input);
    let db = alsa.path("studio.db");
    let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .args([
            "soundcheck",
            "--device",
            "testcap",
            "--channels",
            "4",
            "--seconds",
            "3",
            "--json",
        ])
        .args(["--names", "Vox,Bass DI,Vox flip,Keys", "--db", s(&db)])
        .env("XDG_CONFIG_HOME", alsa.dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let channel = |i: usize| &report["channels"][i];
    let failing = |i: usize| -> Vec<String> {
        channel(i)["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["verdict"] != "pass")
            .map(|c| c["check"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(channel(1)["name"], "Bass DI");
    assert_eq!(failing(1), ["hum"]);
    assert_eq!(failing(2), ["polarity"]);
    assert_eq!(failing(3), ["dc_offset"]);
    // Two inputs: nothing says which one is flipped, so the second fails and says so; the
    // first is not blamed.
    assert!(failing(0).is_empty(), "{:?}", failing(0));
    let polarity = channel(2)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "polarity")
        .unwrap();
    assert!(
        polarity["advice"].as_str().unwrap().contains("either"),
        "{polarity}"
    );
    assert!(report["id"].as_i64().is_some());
    let list = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .args(["soundcheck", "list", "--db", s(&db)])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("tracking FAIL"));
}
