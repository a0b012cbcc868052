//! The sound check on a tracking session of sampled instruments (rendered by fluidsynth from parts
//! written here): every input with at most one known fault fails that check and nothing it does
//! not have; clean inputs fail nothing. The expected values (the hum's level, which input is
//! inverted) come from the signals the test added, not from the checker.

mod common;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use common::instruments::Part;
use studiodesk::signals::Rng;
use studiodesk::soundcheck::{Channel, Profile, Report, Verdict, run};

const RATE: u32 = 48_000;
/// Room tone before the music, in s.
const ROOM_TONE_S: f64 = 2.0;
/// Bars of music (4 beats of 0.5 s).
const BARS: usize = 6;

fn beats() -> impl Iterator<Item = f64> {
    (0..BARS * 4).map(|b| b as f64)
}

fn parts() -> Vec<(&'static str, Part)> {
    let mut kick = Part::new(None);
    let mut snare = Part::new(None);
    let mut hats = Part::new(None);
    for b in beats() {
        if b as usize % 2 == 0 {
            kick = kick.note(b, 0.25, 36, 110);
        } else {
            snare = snare.note(b, 0.25, 38, 105);
        }
        hats = hats.note(b, 0.2, 42, 80).note(b + 0.5, 0.2, 42, 60);
    }
    kick = kick.note(BARS as f64 * 4.0 - 1.5, 0.25, 36, 100);
    // Sustained notes and chords: the tonal trap.
    let roots = [28u8, 33, 38, 31, 28, 33];
    let chords: [&[u8]; 6] = [
        &[48, 52, 55],
        &[53, 57, 60],
        &[50, 53, 57],
        &[55, 59, 62],
        &[48, 52, 55],
        &[53, 57, 60],
    ];
    let mut bass = Part::new(Some(33));
    let mut piano = Part::new(Some(0));
    let mut guitar = Part::new(Some(29));
    let mut strings = Part::new(Some(48));
    let mut organ = Part::new(Some(16));
    let mut choir = Part::new(Some(52));
    for bar in 0..BARS {
        let at = bar as f64 * 4.0;
        bass = bass.note(at, 3.8, roots[bar], 100);
        piano = piano.chord(at, 3.9, chords[bar], 90);
        for q in 0..4 {
            guitar = guitar.chord(at + q as f64, 0.9, &[roots[bar] + 12, roots[bar] + 19], 110);
        }
        strings = strings.chord(at, 4.0, chords[bar], 80);
        organ = organ.chord(at, 3.9, chords[bar], 90);
        choir = choir.note(at, 2.0, chords[bar][2] + 12, 90).note(
            at + 2.0,
            2.0,
            chords[bar][1] + 12,
            90,
        );
    }
    vec![
        ("kick", kick),
        ("snare", snare),
        ("hats", hats),
        ("bass", bass),
        ("piano", piano),
        ("guitar", guitar),
        ("strings", strings),
        ("organ", organ),
        ("choir", choir),
    ]
}

/// The session's inputs and what the test added to them.
struct Session {
    names: Vec<&'static str>,
    inputs: Vec<Vec<f32>>,
    /// The hum added to the piano (ch 8) and the organ (ch 13).
    piano_hum: Vec<f32>,
    organ_hum: Vec<f32>,
}

/// Mean square of `x` with its mean removed (linear).
fn mean_square(x: &[f32]) -> f64 {
    let mean = x.iter().map(|v| *v as f64).sum::<f64>() / x.len() as f64;
    x.iter().map(|v| (*v as f64 - mean).powi(2)).sum::<f64>() / x.len() as f64
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn scaled_to_peak(x: &[f32], dbfs: f64) -> Vec<f32> {
    let gain = 10f64.powf(dbfs / 20.0) as f32 / peak(x).max(1e-9);
    x.iter().map(|v| v * gain).collect()
}

fn delayed(x: &[f32], samples: usize) -> Vec<f32> {
    let mut out = vec![0.0; samples];
    out.extend_from_slice(&x[..x.len() - samples]);
    out
}

/// A one-pole low-pass at `hz`.
fn low_pass(x: &[f32], hz: f64) -> Vec<f32> {
    let a = (-std::f64::consts::TAU * hz / RATE as f64).exp();
    let mut y = 0.0f64;
    x.iter()
        .map(|v| {
            y = (1.0 - a) * *v as f64 + a * y;
            y as f32
        })
        .collect()
}

/// Mains hum at `f0` with harmonics of relative `amplitudes`, at `rate`, scaled to `dbfs`
/// (AES17: the level a sine of that peak reads).
fn hum(rate: u32, f0: f64, amplitudes: &[f64], dbfs: f64, frames: usize) -> Vec<f32> {
    let raw: Vec<f32> = (0..frames)
        .map(|i| {
            let t = i as f64 / rate as f64;
            amplitudes
                .iter()
                .enumerate()
                .map(|(h, a)| {
                    a * (std::f64::consts::TAU * f0 * (h + 1) as f64 * t + h as f64).sin()
                })
                .sum::<f64>() as f32
        })
        .collect();
    let gain = 10f64.powf(dbfs / 20.0) / (2.0 * mean_square(&raw)).sqrt();
    raw.iter().map(|v| (*v as f64 * gain) as f32).collect()
}

/// `x` through an asymmetric drive 14 dB into the converter's clipping.
fn driven(x: &[f32]) -> Vec<f32> {
    // The amp's output is AC-coupled (a 20 Hz high-pass): no offset until the converter clips.
    let r = 1.0 - std::f64::consts::TAU * 20.0 / RATE as f64;
    let (mut x1, mut y1) = (0.0f64, 0.0f64);
    let coupled: Vec<f32> = x
        .iter()
        .map(|v| {
            let shaped = (v + 8.0 * v * v) as f64;
            y1 = shaped - x1 + r * y1;
            x1 = shaped;
            y1 as f32
        })
        .collect();
    scaled_to_peak(&coupled, 14.0)
        .iter()
        .map(|v| v.clamp(-1.0, 1.0))
        .collect()
}

fn session() -> &'static Session {
    static SESSION: OnceLock<Session> = OnceLock::new();
    SESSION.get_or_init(build)
}

type Rendered = Vec<(&'static str, (Vec<f32>, Vec<f32>))>;

/// Every part rendered at `rate` (left, right), in parallel.
fn render(rate: u32) -> Rendered {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        let jobs: Vec<_> = parts()
            .into_iter()
            .map(|(name, part)| {
                let dir = dir.path();
                s.spawn(move || (name, part.render(dir, name, rate)))
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    })
}

fn rendered() -> &'static Rendered {
    static RENDERED: OnceLock<Rendered> = OnceLock::new();
    RENDERED.get_or_init(|| render(RATE))
}

/// Part `name` of `rendered`, mono (both sides), its first `frames` frames.
fn mono(rendered: &Rendered, name: &str) -> Vec<f32> {
    let (l, r) = &rendered.iter().find(|(n, _)| *n == name).unwrap().1;
    l.iter().zip(r).map(|(a, b)| 0.5 * (a + b)).collect()
}

fn build() -> Session {
    let rendered = rendered();
    let room = (ROOM_TONE_S * RATE as f64) as usize;
    let music = rendered.iter().map(|(_, (l, _))| l.len()).min().unwrap();
    let frames = room + music;
    // Each part, mono (both sides), after the room tone.
    let part = |name: &str| -> Vec<f32> {
        let (l, r) = &rendered.iter().find(|(n, _)| *n == name).unwrap().1;
        let mut x = vec![0.0f32; room];
        x.extend(
            l[..music]
                .iter()
                .zip(&r[..music])
                .map(|(a, b)| 0.5 * (a + b)),
        );
        x
    };
    let side = |name: &str, right: bool| -> Vec<f32> {
        let (l, r) = &rendered.iter().find(|(n, _)| *n == name).unwrap().1;
        let mut x = vec![0.0f32; room];
        x.extend_from_slice(if right { &r[..music] } else { &l[..music] });
        x
    };
    let snare = scaled_to_peak(&part("snare"), -10.0);
    let bass = scaled_to_peak(&part("bass"), -10.0);
    let piano = scaled_to_peak(&part("piano"), -10.0);
    let guitar = part("guitar");
    let strings_l = scaled_to_peak(&side("strings", false), -10.0);
    let strings_r = scaled_to_peak(&side("strings", true), -10.0);
    let organ = scaled_to_peak(&part("organ"), -12.0);
    let choir = part("choir");
    let kick = scaled_to_peak(&part("kick"), -8.0);
    let hats = scaled_to_peak(&part("hats"), -12.0);

    // The amp: the bass through a speaker (low-passed, a little saturated), 1.3 ms behind the DI.
    let amp: Vec<f32> = low_pass(&delayed(&bass, 62), 2500.0)
        .iter()
        .map(|v| (3.0 * v).tanh() / 3.0)
        .collect();
    // The room hears every source from a few metres, each at its own distance.
    let mut room_mic = vec![0.0f32; frames];
    for (source, delay, gain) in [
        (&kick, 288, 0.5),
        (&snare, 312, 0.5),
        (&hats, 336, 0.3),
        (&amp, 264, 0.6),
        (&piano, 360, 0.5),
        (&scaled_to_peak(&guitar, -12.0), 384, 0.4),
        (&strings_l, 408, 0.4),
        (&scaled_to_peak(&choir, -12.0), 420, 0.4),
        (&organ, 432, 0.3),
    ] {
        for (r, v) in room_mic.iter_mut().zip(delayed(source, delay)) {
            *r += gain * v;
        }
    }
    let room_mic = scaled_to_peak(&room_mic, -12.0);

    let piano_hum = hum(RATE, 50.0, &[1.0, 0.5, 0.35, 0.2, 0.12], -45.0, frames);
    let organ_hum = hum(RATE, 60.0, &[1.0, 0.5, 0.35, 0.2, 0.12], -50.0, frames);
    // 6 ms of zeros while a hat rings: from 1 ms after the loudest sample of the fourth bar.
    let bar = room + 6 * RATE as usize;
    let loudest = bar
        + hats[bar..bar + RATE as usize]
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap()
            .0;
    let dropout = loudest + 48..loudest + 48 + 288;

    let mut inputs: Vec<(&'static str, Vec<f32>)> = vec![
        ("Kick", kick.clone()),
        ("Snare top", snare.clone()),
        // Fault: polarity. The bottom mic, 0.4 ms later, darker, wired inverted.
        (
            "Snare bottom",
            low_pass(&delayed(&snare, 19), 6000.0)
                .iter()
                .map(|v| -0.8 * v)
                .collect(),
        ),
        // The snare's side mic, 2 ms away, hearing the hats as well.
        (
            "Snare side",
            delayed(&snare, 96)
                .iter()
                .zip(&hats)
                .map(|(s, h)| 0.6 * s + 0.2 * h)
                .collect(),
        ),
        // Fault: a dropout.
        ("Hats", hats.clone()),
        ("Bass DI", bass.clone()),
        // Fault: polarity.
        ("Bass amp", amp.iter().map(|v| -v).collect()),
        // Fault: 50 Hz hum under the piano.
        (
            "Piano",
            piano.iter().zip(&piano_hum).map(|(a, b)| a + b).collect(),
        ),
        // Fault: a driven guitar clipping the converter. The drive is asymmetric (its positive
        // half swings further), so the clipping moves the mean too.
        ("Guitar", driven(&guitar)),
        ("Strings L", strings_l.clone()),
        // Fault: DC offset, on the other side of the same stereo sample.
        ("Strings R", strings_r.iter().map(|v| v + 0.03).collect()),
        // Fault: a quiet vocal.
        ("Choir", scaled_to_peak(&choir, -40.0)),
        // Fault: 60 Hz hum, loudest in the room tone.
        (
            "Organ",
            organ.iter().zip(&organ_hum).map(|(a, b)| a + b).collect(),
        ),
        ("Room", room_mic),
        // Fault: a dead input.
        ("Dead", vec![0.0; frames]),
    ];
    // Every live input has a floor (−80 dBFS RMS) under room tone and music alike.
    let mut rng = Rng::new(11);
    for (name, x) in inputs.iter_mut() {
        x.resize(frames, 0.0);
        if *name != "Dead" {
            for v in x.iter_mut() {
                *v += (1e-4 * rng.gaussian()) as f32;
            }
        }
        if *name == "Hats" {
            x[dropout.clone()].fill(0.0);
        }
    }
    Session {
        names: inputs.iter().map(|(n, _)| *n).collect(),
        inputs: inputs.into_iter().map(|(_, x)| x).collect(),
        piano_hum,
        organ_hum,
    }
}

fn tracking() -> Profile {
    Profile::preset("tracking").unwrap()
}

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let s = session();
        let channels: Vec<Channel> = s
            .names
            .iter()
            .zip(&s.inputs)
            .map(|(name, x)| Channel {
                name: name.to_string(),
                samples: x,
                source_rate_hz: None,
            })
            .collect();
        run(&channels, RATE, &tracking())
    })
}

fn failing(report: &Report, channel: usize) -> BTreeSet<&'static str> {
    report.channels[channel - 1]
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .map(|c| c.check)
        .collect()
}

fn find<'a>(
    report: &'a Report,
    channel: usize,
    check: &str,
) -> &'a studiodesk::soundcheck::CheckResult {
    report.channels[channel - 1]
        .checks
        .iter()
        .find(|c| c.check == check)
        .unwrap_or_else(|| {
            panic!(
                "ch {channel} has no {check}: {:#?}",
                report.channels[channel - 1]
            )
        })
}

fn dump(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.channels {
        out += &format!("ch {:>2} {:<13} {:?}\n", c.channel, c.name, c.verdict);
        for k in c
            .checks
            .iter()
            .filter(|k| k.verdict != Verdict::Pass || !k.advice.is_empty())
        {
            out += &format!(
                "       {:<12} {:?} {:?} {}\n",
                k.check, k.verdict, k.value, k.advice
            );
        }
    }
    out
}

#[test]
fn each_fault_fails_its_own_check_and_clean_inputs_fail_nothing() {
    let report = report();
    let text = dump(report);
    let expected: [(usize, &[&str]); 15] = [
        (1, &[]),
        (2, &[]),
        (3, &["polarity"]),
        (4, &[]),
        (5, &["dropouts"]),
        (6, &[]),
        (7, &["polarity"]),
        // Hum is the floor of its quiet passages, too.
        (8, &["hum", "noise_floor"]),
        // A converter driven into clipping peaks at full scale.
        (9, &["clipping", "level"]),
        (10, &[]),
        (11, &["dc_offset"]),
        (12, &["level"]),
        (13, &["hum", "noise_floor"]),
        (14, &[]),
        (15, &["signal"]),
    ];
    for (channel, allowed) in expected {
        let fails = failing(report, channel);
        let allowed: BTreeSet<&str> = allowed.iter().copied().collect();
        assert!(fails.is_subset(&allowed), "ch {channel}: {fails:?}\n{text}");
        if let Some(first) = allowed.first() {
            assert!(
                fails.contains(first) || allowed.iter().any(|a| fails.contains(a)),
                "ch {channel} should fail {allowed:?}\n{text}"
            );
        }
    }
    // The clipping moved the guitar's mean; the DC check names the clipping, not the converter.
    let dc = find(report, 9, "dc_offset");
    assert!(dc.advice.contains("fix the clipping"), "{dc:?}");
    // Clean inputs are not even warned about.
    for channel in [1, 2, 4, 6, 10, 14] {
        assert_eq!(
            report.channels[channel - 1].verdict,
            Verdict::Pass,
            "ch {channel}\n{text}"
        );
    }
}

#[test]
fn the_inverted_input_is_found_by_consensus() {
    let report = report();
    let text = dump(report);
    // The bass amp, inverted against the DI and the room mic, which agree.
    let amp = find(report, 7, "polarity");
    assert_eq!(amp.verdict, Verdict::Fail, "{text}");
    assert!(
        amp.advice.contains("polarity of ch 7 inverted"),
        "{}",
        amp.advice
    );
    assert!(amp.advice.contains("ch 6"), "{}", amp.advice);
    assert_eq!(find(report, 6, "polarity").verdict, Verdict::Pass, "{text}");
    // The snare bottom, against the top and the side mic.
    let bottom = find(report, 3, "polarity");
    assert_eq!(bottom.verdict, Verdict::Fail, "{text}");
    assert!(bottom.advice.contains("ch 2"), "{}", bottom.advice);
    assert!(!bottom.advice.contains("either"), "{}", bottom.advice);
    for channel in [2, 4] {
        assert_eq!(
            find(report, channel, "polarity").verdict,
            Verdict::Pass,
            "{text}"
        );
    }
    // The amp arrives 1.3 ms after the DI: noted for lining up, not a fault.
    let phase = find(report, 7, "phase");
    assert_eq!(phase.verdict, Verdict::Pass);
    assert!(
        (phase.value.unwrap() - 62.0 / 48.0).abs() < 0.05,
        "{phase:?}"
    );
    // Two sides of one stereo sample, one with DC: in polarity, not "inverted at half a period".
    let strings = report.channels[10]
        .checks
        .iter()
        .filter(|c| c.check == "polarity")
        .all(|c| c.verdict == Verdict::Pass);
    assert!(strings, "{text}");
}

/// The hum's level in dBFS and its distance under the channel's level, against the hum the test
/// added and the channel it added it to.
#[test]
fn hum_is_measured_in_dbfs_and_under_the_channels_own_level() {
    let s = session();
    let report = report();
    let text = dump(report);
    for (channel, added, hz) in [(8, &s.piano_hum, 50.0), (13, &s.organ_hum, 60.0)] {
        let hum = find(report, channel, "hum");
        let expected_dbfs = 10.0 * (2.0 * mean_square(added)).log10();
        let under = 10.0 * (mean_square(&s.inputs[channel - 1]) / mean_square(added)).log10();
        assert!(
            (hum.value.unwrap() - expected_dbfs).abs() < 1.0,
            "ch {channel}: {:?} vs {expected_dbfs:.1}\n{text}",
            hum.value
        );
        assert!(
            (hum.measured["under_signal_db"] - under).abs() < 1.0,
            "ch {channel}: {:?} vs {under:.1}",
            hum.measured
        );
        assert_eq!(hum.measured["mains_hz"], hz);
        assert!(
            hum.advice.contains(&format!("{hz:.0} Hz")),
            "{}",
            hum.advice
        );
    }
    // No hum where none was added.
    for channel in [1, 2, 6, 10, 12, 14] {
        assert_eq!(
            find(report, channel, "hum").verdict,
            Verdict::Pass,
            "{text}"
        );
    }
}

/// Hum and DC in the room tone are its noise floor: measured (DC removed), and named.
#[test]
fn the_noise_floor_with_hum_or_dc_is_measured_and_explained() {
    let report = report();
    let text = dump(report);
    let organ = find(report, 13, "noise_floor");
    assert!(organ.value.is_some(), "{text}");
    assert!(
        organ.advice.contains("mains hum at 60 Hz"),
        "{}",
        organ.advice
    );
    // The organ's hum alone: −50 dBFS AES17 is −53 dBFS RMS.
    assert!((organ.value.unwrap() + 53.0).abs() < 1.5, "{organ:?}");
    // DC removed, the strings' floor is the −80 dBFS room tone, and the DC is mentioned.
    let strings = find(report, 11, "noise_floor");
    assert_eq!(strings.verdict, Verdict::Pass, "{text}");
    assert!((strings.value.unwrap() + 80.0).abs() < 1.5, "{strings:?}");
    assert!(strings.advice.contains("DC offset"), "{}", strings.advice);
    // Clean inputs: the room tone, well under −60 dBFS.
    for channel in [1, 6, 14] {
        let floor = find(report, channel, "noise_floor");
        assert!(
            floor.value.is_some_and(|v| v < -75.0),
            "ch {channel}: {floor:?}\n{text}"
        );
    }
}

/// Check `inputs` (name, samples) at `rate` on the tracking profile.
fn check(inputs: &[(&str, Vec<f32>)], rate: u32) -> Report {
    let channels: Vec<Channel> = inputs
        .iter()
        .map(|(name, x)| Channel {
            name: name.to_string(),
            samples: x,
            source_rate_hz: None,
        })
        .collect();
    run(&channels, rate, &tracking())
}

fn with_floor(mut x: Vec<f32>, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    for v in x.iter_mut() {
        *v += (1e-4 * rng.gaussian()) as f32;
    }
    x
}

fn polarity_verdicts(report: &Report) -> Vec<Verdict> {
    report
        .channels
        .iter()
        .map(|c| {
            c.checks
                .iter()
                .filter(|k| k.check == "polarity")
                .map(|k| k.verdict)
                .max()
                .unwrap_or(Verdict::Pass)
        })
        .collect()
}

/// With exactly two inputs on a source nothing says which one is flipped: the second of the
/// pair fails and the advice says either may be; the first passes. In either order.
#[test]
fn two_inputs_cannot_tell_so_the_second_is_blamed() {
    let r = rendered();
    let bass = scaled_to_peak(&mono(r, "bass"), -10.0);
    let amp: Vec<f32> = low_pass(&delayed(&bass, 96), 2000.0)
        .iter()
        .map(|v| -v)
        .collect();
    let kick = scaled_to_peak(&mono(r, "kick"), -10.0);
    for (first, second) in [(&bass, &amp), (&amp, &bass)] {
        let report = check(
            &[
                ("Kick", with_floor(kick.clone(), 100)),
                ("One", with_floor(first.clone(), 200)),
                ("Two", with_floor(second.clone(), 300)),
            ],
            RATE,
        );
        let text = dump(&report);
        assert_eq!(
            polarity_verdicts(&report),
            [Verdict::Pass, Verdict::Pass, Verdict::Fail],
            "{text}"
        );
        let advice = &find(&report, 3, "polarity").advice;
        assert!(advice.contains("either"), "{advice}");
        assert!(advice.contains("ch 2"), "{advice}");
    }
}

/// Sustained notes: copies of one signal (one with a DC offset, one 2 ms later and darker, the
/// two sides of a stereo sample) are in polarity; an inverted copy is still found, at its lag.
#[test]
fn tonal_material_is_not_mistaken_for_inversion() {
    let r = rendered();
    let bass = with_floor(scaled_to_peak(&mono(r, "bass"), -10.0), 400);
    let piano = with_floor(scaled_to_peak(&mono(r, "piano"), -10.0), 500);
    let (sl, sr) = &r.iter().find(|(n, _)| *n == "strings").unwrap().1;
    let inputs = vec![
        ("Bass", bass.clone()),
        ("Bass + DC", bass.iter().map(|v| v + 0.05).collect()),
        ("Piano", piano.clone()),
        ("Piano far", low_pass(&delayed(&piano, 96), 3000.0)),
        ("Strings L", with_floor(scaled_to_peak(sl, -10.0), 600)),
        ("Strings R", with_floor(scaled_to_peak(sr, -10.0), 700)),
    ];
    let report = check(&inputs, RATE);
    let text = dump(&report);
    assert!(
        polarity_verdicts(&report)
            .iter()
            .all(|v| *v == Verdict::Pass),
        "{text}"
    );
    // The same piano, inverted 3 ms later: found, at 144 samples.
    let report = check(
        &[
            ("Piano", piano.clone()),
            (
                "Piano inverted",
                delayed(&piano, 144).iter().map(|v| -v).collect(),
            ),
        ],
        RATE,
    );
    let text = dump(&report);
    let inverted = find(&report, 2, "polarity");
    assert_eq!(inverted.verdict, Verdict::Fail, "{text}");
    assert!(
        inverted.advice.contains("lag 144 samples"),
        "{}",
        inverted.advice
    );
}

/// Hum under music with no quiet passage, at 44.1 kHz: a −30 dBFS 60 Hz hum under strings
/// peaking at −12 dBFS, and 50 Hz hum with harmonics at −45 dBFS under a piano peaking at
/// −10 dBFS, measured against what the test added.
#[test]
fn hum_under_music_without_a_pause() {
    let rate = 44_100;
    let r = render(rate);
    let frames = mono(&r, "strings").len().min(mono(&r, "piano").len());
    let sine = hum(rate, 60.0, &[1.0], -30.0, frames);
    let harmonics = hum(rate, 50.0, &[1.0, 0.6, 0.4, 0.25], -45.0, frames);
    let strings = scaled_to_peak(&mono(&r, "strings")[..frames], -12.0);
    let piano = scaled_to_peak(&mono(&r, "piano")[..frames], -10.0);
    let add = |a: &[f32], b: &[f32]| -> Vec<f32> { a.iter().zip(b).map(|(x, y)| x + y).collect() };
    let inputs = vec![
        ("Strings", with_floor(add(&strings, &sine), 800)),
        ("Piano", with_floor(add(&piano, &harmonics), 900)),
    ];
    let report = check(&inputs, rate);
    let text = dump(&report);
    for (channel, added, hz) in [(1, &sine, 60.0), (2, &harmonics, 50.0)] {
        let hum = find(&report, channel, "hum");
        let level = 10.0 * (2.0 * mean_square(added)).log10();
        let under = 10.0 * (mean_square(&inputs[channel - 1].1) / mean_square(added)).log10();
        assert_ne!(hum.verdict, Verdict::Pass, "{text}");
        assert!(
            (hum.value.unwrap() - level).abs() < 1.0,
            "ch {channel}: {hum:?} vs {level:.1}"
        );
        assert!(
            (hum.measured["under_signal_db"] - under).abs() < 1.0,
            "ch {channel}: {hum:?} vs {under:.1}"
        );
        assert_eq!(hum.measured["mains_hz"], hz);
    }
}

/// The room mic wired inverted: it hears every source, each only as a part of what it hears, so
/// its relations are weak; the consensus still names it as the odd one out, and warns rather
/// than fails. The close mics keep their verdicts.
#[test]
fn an_inverted_room_mic_is_named_and_warned() {
    let s = session();
    let mut inputs: Vec<(&str, Vec<f32>)> = s.names.iter().copied().zip(s.inputs.clone()).collect();
    inputs[13].1 = inputs[13].1.iter().map(|v| -v).collect();
    let report = check(&inputs, RATE);
    let text = dump(&report);
    let room = find(&report, 14, "polarity");
    assert_eq!(room.verdict, Verdict::Warn, "{text}");
    assert!(
        room.advice.contains("polarity of ch 14 inverted"),
        "{}",
        room.advice
    );
    let verdicts = polarity_verdicts(&report);
    for (channel, expected) in [
        (2, Verdict::Pass),
        (3, Verdict::Fail),
        (6, Verdict::Pass),
        (7, Verdict::Fail),
    ] {
        assert_eq!(verdicts[channel - 1], expected, "ch {channel}\n{text}");
    }
}
