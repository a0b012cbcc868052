//! Sound check on synthetic channels with one injected fault each: every fault is found, named and
//! located, and the clean channel passes. Profiles' thresholds at their edges.

use studiodesk::soundcheck::{Channel, Profile, Report, Verdict, run};

const RATE: u32 = 48_000;

fn tone(freq: f64, dbfs: f64, seconds: f64) -> Vec<f32> {
    let a = 10f64.powf(dbfs / 20.0);
    (0..(seconds * RATE as f64) as usize)
        .map(|i| (a * (std::f64::consts::TAU * freq * i as f64 / RATE as f64).sin()) as f32)
        .collect()
}

fn tracking() -> Profile {
    Profile::preset("tracking").unwrap()
}

fn verdict_of<'a>(
    report: &'a Report,
    channel: usize,
    check: &str,
) -> &'a studiodesk::soundcheck::CheckResult {
    report.channels[channel]
        .checks
        .iter()
        .find(|c| c.check == check)
        .unwrap_or_else(|| {
            panic!(
                "channel {} has no {check} check: {:?}",
                channel + 1,
                report.channels[channel]
            )
        })
}

#[test]
fn every_injected_fault_is_found_and_the_clean_channel_passes() {
    let seconds = 4.0;
    let clean = tone(440.0, -12.0, seconds);
    let hum: Vec<f32> = tone(1000.0, -12.0, seconds)
        .iter()
        .zip(tone(50.0, -50.0, seconds))
        .map(|(a, b)| a + b)
        .collect();
    let clipped: Vec<f32> = tone(220.0, 3.0, seconds)
        .iter()
        .map(|x| x.clamp(-1.0, 1.0))
        .collect();
    let source = tone(330.0, -12.0, seconds);
    let inverted: Vec<f32> = source.iter().map(|x| -x).collect();
    let dc: Vec<f32> = tone(550.0, -12.0, seconds)
        .iter()
        .map(|x| x + 0.05)
        .collect();
    let silence = vec![0.0f32; clean.len()];
    let mut dropout = tone(660.0, -12.0, seconds);
    let at = (1.5 * RATE as f64) as usize;
    dropout[at..at + (0.020 * RATE as f64) as usize].fill(0.0);
    let quiet = tone(440.0, -42.0, seconds);
    let channels: Vec<(&str, &[f32])> = vec![
        ("clean", &clean),
        ("hum", &hum),
        ("clipped", &clipped),
        ("source", &source),
        ("inverted", &inverted),
        ("dc", &dc),
        ("silence", &silence),
        ("dropout", &dropout),
        ("quiet", &quiet),
    ];
    let channels: Vec<Channel> = channels
        .into_iter()
        .map(|(name, samples)| Channel {
            name: name.into(),
            samples,
            source_rate_hz: None,
        })
        .collect();
    let report = run(&channels, RATE, &tracking());

    assert_eq!(
        report.channels[0].verdict,
        Verdict::Pass,
        "{:#?}",
        report.channels[0]
    );

    let hum = verdict_of(&report, 1, "hum");
    assert_ne!(hum.verdict, Verdict::Pass);
    assert!(hum.advice.contains("50 Hz"), "{}", hum.advice);
    // The hum's own level (a −50 dBFS sine) and its distance under the −12 dBFS tone.
    assert!((hum.value.unwrap() + 50.0).abs() < 0.5, "{hum:?}");
    assert!(
        (hum.measured["under_signal_db"] - 38.0).abs() < 0.5,
        "{hum:?}"
    );

    let clip = verdict_of(&report, 2, "clipping");
    assert_eq!(clip.verdict, Verdict::Fail);
    assert!(clip.advice.contains("first at 0.00"), "{}", clip.advice);
    assert_eq!(verdict_of(&report, 2, "dropouts").verdict, Verdict::Pass);

    let polarity = report.channels[4]
        .checks
        .iter()
        .find(|c| c.check == "polarity")
        .unwrap();
    assert_eq!(polarity.verdict, Verdict::Fail);
    assert!(
        polarity
            .advice
            .contains("polarity of ch 5 inverted against ch 4"),
        "{}",
        polarity.advice
    );
    assert!(
        polarity.advice.contains("lag 0 samples"),
        "{}",
        polarity.advice
    );
    // Two inputs: the second is blamed, and the advice says either may be the flipped one.
    assert!(polarity.advice.contains("either"), "{}", polarity.advice);
    assert_eq!(
        report.channels[3].verdict,
        Verdict::Pass,
        "{:#?}",
        report.channels[3]
    );

    let dc = verdict_of(&report, 5, "dc_offset");
    assert_eq!(dc.verdict, Verdict::Fail);
    assert!((dc.value.unwrap() - 0.05).abs() < 1e-3);

    let silent = verdict_of(&report, 6, "signal");
    assert_eq!(silent.verdict, Verdict::Fail);
    assert!(silent.advice.contains("digital silence"));

    let gap = verdict_of(&report, 7, "dropouts");
    assert_eq!(gap.verdict, Verdict::Fail);
    assert!(gap.advice.contains("20.0 ms at 1.500 s"), "{}", gap.advice);

    let level = verdict_of(&report, 8, "level");
    assert_eq!(level.verdict, Verdict::Fail);
    assert!(
        level.advice.contains("raise the preamp gain ~30 dB"),
        "{}",
        level.advice
    );

    // Nothing but the faults: the only failing checks are the injected ones.
    for (i, expected) in [(1, "hum"), (5, "dc_offset"), (7, "dropouts"), (8, "level")] {
        let failing: Vec<&str> = report.channels[i]
            .checks
            .iter()
            .filter(|c| c.verdict != Verdict::Pass)
            .map(|c| c.check)
            .collect();
        assert_eq!(failing, [expected], "channel {}", i + 1);
    }
    assert_eq!(report.verdict, Verdict::Fail);
}

/// Tracking window −18…−6 dBFS: exactly at the edges passes, beyond warns, far beyond fails.
#[test]
fn tracking_level_window_at_its_edges() {
    let verdict = |dbfs: f64| {
        let x = tone(440.0, dbfs, 2.0);
        let report = run(
            &[Channel {
                name: "x".into(),
                samples: &x,
                source_rate_hz: None,
            }],
            RATE,
            &tracking(),
        );
        verdict_of(&report, 0, "level").verdict
    };
    assert_eq!(verdict(-17.99), Verdict::Pass);
    assert_eq!(verdict(-6.01), Verdict::Pass);
    assert_eq!(verdict(-5.9), Verdict::Warn);
    assert_eq!(verdict(-0.5), Verdict::Fail);
    assert_eq!(verdict(-18.1), Verdict::Warn);
    assert_eq!(verdict(-30.1), Verdict::Fail);
}

/// Noise floor: measured on the quiet stretches of a take with pauses; a floor above −60 dBFS
/// warns, 10 dB worse fails; a continuous signal has nothing to measure and passes.
#[test]
fn noise_floor_is_measured_in_the_pauses() {
    let verdict = |floor_db: f64| {
        let mut x = tone(440.0, -12.0, 3.0);
        let noise = 10f64.powf(floor_db / 20.0) * 3f64.sqrt();
        let mut seed = 7u32;
        for v in x[RATE as usize..2 * RATE as usize].iter_mut() {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *v = (noise * ((seed >> 8) as f64 / (1u32 << 24) as f64 * 2.0 - 1.0)) as f32;
        }
        let report = run(
            &[Channel {
                name: "x".into(),
                samples: &x,
                source_rate_hz: None,
            }],
            RATE,
            &tracking(),
        );
        let c = verdict_of(&report, 0, "noise_floor").clone();
        (c.verdict, c.value)
    };
    let (v, value) = verdict(-70.0);
    assert_eq!(v, Verdict::Pass);
    assert!((value.unwrap() + 70.0).abs() < 1.0, "{value:?}");
    assert_eq!(verdict(-55.0).0, Verdict::Warn);
    assert_eq!(verdict(-45.0).0, Verdict::Fail);
}

/// Delivery profiles judge the programme: a −23 LUFS stereo programme passes broadcast (±1 LU)
/// and fails streaming (−14).
#[test]
fn delivery_profiles_judge_programme_loudness() {
    let l = tone(1000.0, -23.0, 5.0);
    let channels = [
        Channel {
            name: "L".into(),
            samples: &l,
            source_rate_hz: None,
        },
        Channel {
            name: "R".into(),
            samples: &l,
            source_rate_hz: Some(44_100),
        },
    ];
    let profile = |name: &str| Profile::preset(name).unwrap();
    let broadcast = run(&channels, RATE, &profile("broadcast"));
    assert_eq!(
        broadcast.programme[0].verdict,
        Verdict::Pass,
        "{:?}",
        broadcast.programme
    );
    assert!((broadcast.programme[0].value.unwrap() + 23.0).abs() < 0.1);
    assert_eq!(
        verdict_of(&broadcast, 1, "sample_rate").verdict,
        Verdict::Warn
    );
    let streaming = run(&channels, RATE, &profile("streaming"));
    assert_eq!(streaming.programme[0].verdict, Verdict::Fail);
    assert!(
        streaming.programme[0].advice.contains("+9.0 dB"),
        "{}",
        streaming.programme[0].advice
    );
}

fn write_wav(path: &std::path::Path, rate: u32, channels: &[Vec<f32>]) {
    studiodesk::signals::write_wav(path, rate, channels).unwrap();
}

/// The CLI on files: a table and exit code 2 when something fails, kept with a booking, listed,
/// shown and exported (Markdown, HTML, JSON); a profile changed by the user is used next time.
#[test]
fn soundcheck_files_kept_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("studio.db");
    let studiodesk = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .args(args)
            .env("STUDIODESK_DB", &db)
            .output()
            .unwrap()
    };
    let ok = |args: &[&str]| {
        let out = studiodesk(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let good = dir.path().join("good.wav");
    write_wav(&good, RATE, &[tone(440.0, -12.0, 3.0)]);
    let quiet = dir.path().join("quiet-44k1.wav");
    let quiet_tone: Vec<f32> = (0..3 * 44_100)
        .map(|i| (0.00631 * (std::f64::consts::TAU * 440.0 * i as f64 / 44_100.0).sin()) as f32)
        .collect();
    write_wav(&quiet, 44_100, &[quiet_tone.clone(), quiet_tone]);
    ok(&[
        "room",
        "add",
        "A",
        "--hourly",
        "50",
        "--half-day",
        "200",
        "--day",
        "400",
    ]);
    ok(&["project", "add", "P"]);
    ok(&[
        "booking",
        "hold",
        "--project",
        "P",
        "--room",
        "A",
        "--start",
        "2027-01-05 10:00",
        "--end",
        "2027-01-05 12:00",
    ]);

    let out = studiodesk(&[
        "soundcheck",
        "--files",
        good.to_str().unwrap(),
        quiet.to_str().unwrap(),
        "--booking",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("raise the preamp gain ~32 dB"), "{table}");
    assert!(table.contains("recorded at 44100 Hz"), "{table}");
    assert!(table.contains("kept as sound check #1"), "{table}");

    let list: serde_json::Value =
        serde_json::from_str(&ok(&["soundcheck", "list", "--booking", "1", "--json"])).unwrap();
    assert_eq!(list[0]["verdict"], "fail");
    let md = ok(&["soundcheck", "export", "1", "--md"]);
    assert!(
        md.starts_with("# Sound check #1")
            && md.contains(
                "| Channel | Check | Verdict | Value | Threshold | Advice |\n|---|---|---|---|---|---|\n"
            )
            && md.contains("| 2 quiet-44k1 1 | level | FAIL |"),
        "{md}"
    );
    let html = ok(&["soundcheck", "export", "1", "--html"]);
    assert!(html.contains("<table>") && html.contains("class=\"FAIL\""));
    assert!(html.contains("<tr><th>Channel</th><th>Check</th><th>Verdict</th>"));
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["soundcheck", "export", "1", "--json"])).unwrap();
    assert_eq!(json["channels"].as_array().unwrap().len(), 3);
    assert!(ok(&["soundcheck", "show", "1"]).contains("Verdict: **FAIL**"));

    // A wider window: the quiet file (−44 dBFS peaks) now only warns.
    ok(&[
        "soundcheck",
        "profile",
        "set",
        "tracking",
        "peak_low_dbfs",
        "-50",
    ]);
    let out = studiodesk(&[
        "soundcheck",
        "--files",
        quiet.to_str().unwrap(),
        "--no-save",
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let level = report["channels"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "level")
        .unwrap()
        .clone();
    assert_eq!(level["verdict"], "pass", "{level}");
    assert!(ok(&["soundcheck", "profile", "list"]).contains("peaks -50 to -6 dBFS"));
    let bad = studiodesk(&[
        "soundcheck",
        "profile",
        "set",
        "tracking",
        "peak_low_dbfs",
        "0",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let bad = studiodesk(&["soundcheck", "--files", "/no/such.wav"]);
    assert_eq!(bad.status.code(), Some(1));
}

/// Two copies of a 220 Hz tone, one with a DC offset: the DC is removed before correlating, so
/// the half-period lag (109 samples), where the tone correlates negatively, cannot win; both
/// are in polarity. An inverted copy of the tone is still called inverted, at lag 0.
#[test]
fn a_tone_and_its_copy_with_dc_are_in_polarity() {
    let tone220 = tone(220.0, -12.0, 3.0);
    let with_dc: Vec<f32> = tone220.iter().map(|v| v + 0.05).collect();
    let inverted: Vec<f32> = tone220.iter().map(|v| -v).collect();
    let channel = |name: &str, samples: &'static [f32]| Channel {
        name: name.into(),
        samples,
        source_rate_hz: None,
    };
    let (a, b, c): (&'static [f32], &'static [f32], &'static [f32]) = (
        Box::leak(tone220.into_boxed_slice()),
        Box::leak(with_dc.into_boxed_slice()),
        Box::leak(inverted.into_boxed_slice()),
    );
    let report = run(
        &[channel("tone", a), channel("tone + DC", b)],
        RATE,
        &tracking(),
    );
    for ch in 0..2 {
        let polarity = verdict_of(&report, ch, "polarity");
        assert_eq!(polarity.verdict, Verdict::Pass, "{polarity:?}");
        assert!(polarity.value.unwrap() > 0.99, "{polarity:?}");
    }
    assert_eq!(verdict_of(&report, 1, "dc_offset").verdict, Verdict::Fail);
    let report = run(
        &[channel("tone", a), channel("inverted", c)],
        RATE,
        &tracking(),
    );
    let polarity = verdict_of(&report, 1, "polarity");
    assert_eq!(polarity.verdict, Verdict::Fail, "{polarity:?}");
    assert!(
        polarity.advice.contains("lag 0 samples"),
        "{}",
        polarity.advice
    );
}

/// The built-in demo session is clean of mains hum: its bass holds G1 at 49 Hz, its guitar is a
/// plucked string tuned to whole-sample periods (a partial at 349.7 Hz), both near harmonics of
/// 50 Hz but not on them; neither is called hum, nor the noise floor.
#[test]
fn notes_near_mains_harmonics_are_not_hum() {
    use studiodesk::engine::source::{demo_clips, resample};
    let clips = demo_clips().unwrap();
    let samples: Vec<Vec<f32>> = clips.iter().map(|c| resample(c, RATE).unwrap()).collect();
    let channels: Vec<Channel> = clips
        .iter()
        .zip(&samples)
        .map(|(c, s)| Channel {
            name: c.name.clone(),
            samples: s,
            source_rate_hz: None,
        })
        .collect();
    let report = run(&channels, RATE, &tracking());
    for c in &report.channels {
        for check in c
            .checks
            .iter()
            .filter(|k| k.check == "hum" || k.check == "noise_floor")
        {
            assert_eq!(check.verdict, Verdict::Pass, "{}: {check:?}", c.name);
        }
    }
}
