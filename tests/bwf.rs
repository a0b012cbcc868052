//! Recorded takes are Broadcast WAVs (EBU Tech 3285 v2 `bext`, iXML): read back by ffprobe and
//! mediainfo (Debian's packages), by a chunk walk written here against the standard's layout,
//! and checked against the `ebur128` crate for the loudness fields.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use studiodesk::engine::bwf::{TakeTags, TimecodeRate};
use studiodesk::engine::processor::{Command as EngineCommand, ProcessorConfig, Track, TrackInput};
use studiodesk::engine::recorder::{RecordFormat, Recorder, TakeMeta, TakeSpec, TakeTrack};
use studiodesk::engine::session::build;

const RATE: u32 = 48_000;

/// The chunks of a RIFF/WAVE file: id and body.
fn chunks(bytes: &[u8]) -> Vec<([u8; 4], &[u8])> {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WAVE");
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff + 8, bytes.len(), "the RIFF size covers the file");
    let mut out = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        out.push((id, &bytes[at + 8..at + 8 + size]));
        at += 8 + size + size % 2;
    }
    assert_eq!(at, bytes.len());
    out
}

fn chunk<'a>(chunks: &[([u8; 4], &'a [u8])], id: &[u8; 4]) -> &'a [u8] {
    chunks
        .iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("no {} chunk", String::from_utf8_lossy(id)))
        .1
}

/// The bext fields (Tech 3285 v2 offsets).
struct Bext {
    description: String,
    originator: String,
    reference: String,
    date: String,
    time: String,
    time_reference: u64,
    version: u16,
    umid: Vec<u8>,
    /// Integrated, range, max true peak, max momentary, max short-term, ×100.
    loudness: [i16; 5],
    history: String,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches('\0')
        .to_string()
}

fn bext(body: &[u8]) -> Bext {
    assert!(body.len() >= 602);
    Bext {
        description: text(&body[..256]),
        originator: text(&body[256..288]),
        reference: text(&body[288..320]),
        date: text(&body[320..330]),
        time: text(&body[330..338]),
        time_reference: u64::from_le_bytes(body[338..346].try_into().unwrap()),
        version: u16::from_le_bytes([body[346], body[347]]),
        umid: body[348..412].to_vec(),
        loudness: std::array::from_fn(|i| {
            i16::from_le_bytes([body[412 + 2 * i], body[413 + 2 * i]])
        }),
        history: text(&body[602..]),
    }
}

/// The text of the first `<tag>…</tag>` in `xml`.
fn element<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"))
        + open.len();
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start;
    &xml[start..end]
}

fn ffprobe_tags(path: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_format", "-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe (Debian's ffmpeg) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["format"]["tags"].clone()
}

/// mediainfo's General and Audio tracks.
fn mediainfo(path: &Path) -> (Value, Value) {
    let out = Command::new("mediainfo")
        .arg("--Output=JSON")
        .arg(path)
        .output()
        .expect("mediainfo runs");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tracks = v["media"]["track"].as_array().unwrap().clone();
    let of = |t: &str| {
        tracks
            .iter()
            .find(|x| x["@type"] == t)
            .cloned()
            .unwrap_or_else(|| panic!("no {t} track"))
    };
    (of("General"), of("Audio"))
}

fn samples(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap();
    match r.spec().sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => r
            .samples::<i32>()
            .map(|s| s.unwrap() as f32 / 8_388_608.0)
            .collect(),
    }
}

/// Input: a 1 kHz vocal-level sine on channel 1 rising by 10 dB halfway (a loudness range), and
/// a stereo pair of 440/660 Hz on channels 2 and 3.
fn input(frames: usize) -> Vec<f32> {
    (0..frames)
        .flat_map(|i| {
            let t = i as f64 / RATE as f64;
            let vox = if i < frames / 2 { 0.05 } else { 0.158 };
            [
                vox * (std::f64::consts::TAU * 1000.0 * t).sin(),
                0.3 * (std::f64::consts::TAU * 440.0 * t).sin(),
                0.2 * (std::f64::consts::TAU * 660.0 * t).sin(),
            ]
            .map(|x| x as f32)
        })
        .collect()
}

/// Record `samples` (3 channels) as a take of a mono and a stereo track, 24-bit, starting at
/// `started`; stereo files roll over every `stereo_part_s` seconds.
fn record(dir: &Path, samples: &[f32], started: &str, stereo_part_s: u64) -> Vec<PathBuf> {
    let config = ProcessorConfig {
        sample_rate_hz: RATE,
        input_channels: 3,
        max_block_frames: 1024,
        tracks: vec![Track::mono("Vox", 0), Track::mono("Keys", 1)],
        master_gain_db: 0.0,
    };
    let parts = build(config, true, false).unwrap();
    let (mut processor, handle) = (parts.processor, parts.handle);
    let spec = TakeSpec {
        dir: dir.to_path_buf(),
        session: "spring".into(),
        take: 7,
        tracks: vec![
            TakeTrack {
                name: "Vox".into(),
                input: TrackInput::Mono(0),
            },
            TakeTrack {
                name: "Keys".into(),
                input: TrackInput::Stereo(1),
            },
        ],
        sample_rate_hz: RATE,
        input_channels: 3,
        format: RecordFormat::S24,
        max_file_bytes: stereo_part_s * RATE as u64 * 6,
        meta: TakeMeta {
            tags: TakeTags {
                project: "Night Songs".into(),
                song: "Harbour Lights".into(),
                note: "second verse & double".into(),
                ..TakeTags::default()
            },
            timecode: TimecodeRate::Fps29_97Drop,
            started: Some(started.parse().unwrap()),
        },
    };
    let recorder = Recorder::start(spec, parts.record.unwrap(), handle.shared_counters()).unwrap();
    handle.send(EngineCommand::Record(true)).unwrap();
    for block in samples.chunks(3 * 1000) {
        processor.process(block);
    }
    handle.send(EngineCommand::Record(false)).unwrap();
    processor.process(&[]);
    let report = recorder.finish().unwrap();
    assert_eq!(report.frames, (samples.len() / 3) as u64);
    report.files.into_iter().map(|f| f.path).collect()
}

/// The reference loudness of interleaved `frames` by the `ebur128` crate: integrated, range,
/// true peak (dBTP), max momentary and max short-term (over every 100 ms step).
fn reference(frames: &[f32], channels: usize) -> [f64; 5] {
    use ebur128::{EbuR128, Mode};
    let mut m = EbuR128::new(
        channels as u32,
        RATE,
        Mode::I | Mode::LRA | Mode::TRUE_PEAK | Mode::M | Mode::S,
    )
    .unwrap();
    let (mut max_m, mut max_s) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for step in frames.chunks(RATE as usize / 10 * channels) {
        m.add_frames_f32(step).unwrap();
        max_m = max_m.max(m.loudness_momentary().unwrap());
        max_s = max_s.max(m.loudness_shortterm().unwrap());
    }
    let tp = (0..channels)
        .map(|c| m.true_peak(c as u32).unwrap())
        .fold(0.0, f64::max);
    [
        m.loudness_global().unwrap(),
        m.loudness_range().unwrap(),
        20.0 * tp.log10(),
        max_m,
        max_s,
    ]
}

#[test]
fn takes_carry_bext_and_ixml_that_independent_readers_read() {
    let dir = tempfile::tempdir().unwrap();
    let audio = input(10 * RATE as usize);
    // 14:42:00 in London is 52 920 s after midnight: 2 540 160 000 samples at 48 kHz.
    let files = record(dir.path(), &audio, "2026-03-14T14:42:00[Europe/London]", 6);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "spring_take007_01-Vox.wav",
            "spring_take007_02-Keys.wav",
            "spring_take007_02-Keys_part2.wav"
        ]
    );
    let mut references = Vec::new();
    let mut umids = Vec::new();
    for (path, first_frame, channels) in [
        (&files[0], 0u64, 1usize),
        (&files[1], 0, 2),
        (&files[2], 6 * RATE as u64, 2),
    ] {
        let bytes = std::fs::read(path).unwrap();
        let chunks = chunks(&bytes);
        let ids: Vec<&[u8; 4]> = chunks.iter().map(|(id, _)| id).collect();
        // Tech 3285's order: fmt, bext, then the audio (iXML before it too, so that a killed take
        // carries both).
        assert_eq!(ids, [b"fmt ", b"bext", b"iXML", b"data"]);
        let b = bext(chunk(&chunks, b"bext"));
        assert_eq!(b.version, 2);
        assert_eq!(b.originator, "studiodesk");
        assert_eq!(
            (b.date.as_str(), b.time.as_str()),
            ("2026-03-14", "14:42:00")
        );
        assert_eq!(
            b.time_reference,
            2_540_160_000 + first_frame,
            "{}",
            path.display()
        );
        assert!(
            b.description.contains("sSCENE=Harbour Lights"),
            "{}",
            b.description
        );
        assert!(b.description.contains("sTAKE=7"));
        let mode = if channels == 1 { "mono" } else { "stereo" };
        assert_eq!(
            b.history,
            format!(
                "A=PCM,F=48000,W=24,M={mode},T=studiodesk {} (integer)\r\n",
                env!("CARGO_PKG_VERSION")
            )
        );
        // A basic UMID: the SMPTE label, length 13h, a material number, the extension empty.
        assert_eq!(&b.umid[..4], &[0x06, 0x0A, 0x2B, 0x34]);
        assert_eq!(b.umid[10], if channels == 1 { 0x08 } else { 0x09 });
        assert_eq!(b.umid[12], 0x13);
        assert!(b.umid[32..].iter().all(|&x| x == 0));
        umids.push(b.umid.clone());

        // The loudness fields against the ebur128 crate on the samples the file holds.
        let want = reference(&samples(path), channels);
        let got = b.loudness.map(|v| v as f64 / 100.0);
        // As in the ebur128 cross-check (0.02 LU), plus the field's rounding to hundredths.
        let tolerance = [0.025, 0.1, 0.1, 0.05, 0.05];
        for i in 0..5 {
            assert!(
                (got[i] - want[i]).abs() <= tolerance[i],
                "{}: field {i}: {} vs ebur128 {}",
                path.display(),
                got[i],
                want[i]
            );
        }
        references.push(b.reference.clone());

        let ixml = String::from_utf8(chunk(&chunks, b"iXML").to_vec()).unwrap();
        assert_eq!(element(&ixml, "PROJECT"), "Night Songs");
        assert_eq!(element(&ixml, "SCENE"), "Harbour Lights");
        assert_eq!(element(&ixml, "TAKE"), "7");
        assert_eq!(element(&ixml, "CIRCLED"), "FALSE");
        assert_eq!(element(&ixml, "NOTE"), "second verse &amp; double");
        assert_eq!(element(&ixml, "TIMECODE_RATE"), "30000/1001");
        assert_eq!(element(&ixml, "TIMECODE_FLAG"), "DF");
        assert_eq!(element(&ixml, "FILE_SAMPLE_RATE"), "48000");
        let hi: u64 = element(&ixml, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI")
            .parse()
            .unwrap();
        let lo: u64 = element(&ixml, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO")
            .parse()
            .unwrap();
        assert_eq!(hi << 32 | lo, b.time_reference);
        assert_eq!(element(&ixml, "TRACK_COUNT"), channels.to_string());
        let tracks: Vec<(&str, &str)> = ixml
            .split("<TRACK>")
            .skip(1)
            .map(|t| (element(t, "CHANNEL_INDEX"), element(t, "NAME")))
            .collect();
        let expected: Vec<(&str, &str)> = if channels == 1 {
            vec![("1", "Vox")]
        } else {
            vec![("2", "Keys L"), ("3", "Keys R")]
        };
        assert_eq!(tracks, expected);

        // ffprobe (FFmpeg's wav demuxer) reads the bext.
        let tags = ffprobe_tags(path);
        assert_eq!(tags["encoded_by"], "studiodesk");
        assert_eq!(
            tags["time_reference"],
            (2_540_160_000 + first_frame).to_string()
        );
        assert_eq!(tags["date"], "2026-03-14");
        assert_eq!(tags["creation_time"], "14:42:00");
        assert_eq!(tags["originator_reference"], b.reference.as_str());
        assert_eq!(tags["coding_history"], b.history.as_str());
        assert!(tags["umid"].as_str().unwrap().starts_with("0x060A2B34"));
        // mediainfo reads the time as a delay in seconds and the loudness fields.
        let (general, audio) = mediainfo(path);
        assert_eq!(general["Producer"], "studiodesk");
        assert_eq!(general["Encoded_Date"], "2026-03-14 14:42:00");
        let delay: f64 = audio["Delay"].as_str().unwrap().parse().unwrap();
        assert!((delay - (52_920.0 + first_frame as f64 / RATE as f64)).abs() < 1e-6);
        let value: f64 = audio["extra"]["LoudnessValue"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(value, got[0]);
        let peak: f64 = audio["extra"]["MaxTruePeakLevel"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(peak, got[2]);
    }
    // Unique per take and file.
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 3);
    umids.sort();
    umids.dedup();
    assert_eq!(umids.len(), 3);
    // The audio is what went in (24-bit).
    let vox: Vec<f32> = audio.iter().step_by(3).copied().collect();
    let recorded = samples(&files[0]);
    assert_eq!(recorded.len(), vox.len());
    assert!(
        recorded
            .iter()
            .zip(&vox)
            .all(|(a, b)| (a - b).abs() < 1.5 / 8_388_608.0)
    );
}

/// Just before midnight at 96 kHz the TimeReference passes 2³²: the high half is used.
#[test]
fn late_takes_at_high_rates_use_the_high_half_of_the_time_reference() {
    let started = "2026-03-14T23:59:59.5[UTC]".parse().unwrap();
    // 86 399.5 s × 96 000.
    assert_eq!(
        studiodesk::engine::bwf::samples_since_midnight(&started, 96_000),
        8_294_352_000
    );
}

fn ok(db: &str, args: &[&str]) -> String {
    let out = common::studiodesk_at(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The audio bytes of a WAV and the file's length.
fn audio_bytes(path: &Path) -> (Vec<u8>, u64) {
    let bytes = std::fs::read(path).unwrap();
    let data = chunk(&chunks(&bytes), b"data").to_vec();
    (data, bytes.len() as u64)
}

fn ixml_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    String::from_utf8(chunk(&chunks(&bytes), b"iXML").to_vec()).unwrap()
}

#[test]
fn logging_rating_and_circling_rewrite_the_ixml_in_place_never_the_audio() {
    let dir = tempfile::tempdir().unwrap();
    common::studio(dir.path());
    let db = common::db_in(dir.path());
    let takes = dir.path().join("takes");
    let rec = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .args([
            "record",
            "--demo",
            "--channels",
            "2",
            "--duration",
            "2",
            "--song",
            "Paper Moon",
        ])
        .arg("--out")
        .arg(&takes)
        .output()
        .unwrap();
    assert!(
        rec.status.success(),
        "{}",
        String::from_utf8_lossy(&rec.stderr)
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&takes)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2);
    let before: Vec<_> = files.iter().map(|f| audio_bytes(f)).collect();
    // Someone else's WAV in the take's list is never written to.
    let foreign = dir.path().join("foreign.wav");
    let mut w = hound::WavWriter::create(
        &foreign,
        hound::WavSpec {
            channels: 1,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        },
    )
    .unwrap();
    (0..4800).for_each(|i| w.write_sample((i % 100) as i16).unwrap());
    w.finalize().unwrap();
    let foreign_bytes = std::fs::read(&foreign).unwrap();

    ok(
        &db,
        &[
            "booking",
            "book",
            "--project",
            "Night Songs",
            "--room",
            "Studio A",
            "--start",
            "2027-05-03 10:00",
            "--end",
            "2027-05-03 18:00",
        ],
    );
    ok(&db, &["log", "take", "1", "--song", "Paper Moon"]);
    let list: Vec<String> = files
        .iter()
        .chain([&foreign, &dir.path().join("gone.wav")])
        .map(|f| f.display().to_string())
        .collect();
    let warned = ok(
        &db,
        &[
            "log",
            "take",
            "1",
            "--song",
            "Paper Moon",
            "--files",
            &list.join(","),
        ],
    );
    assert!(
        warned.contains("foreign.wav: no studiodesk iXML chunk, not tagged"),
        "{warned}"
    );
    assert!(warned.contains("gone.wav: not tagged"), "{warned}");
    for f in &files {
        let x = ixml_of(f);
        assert_eq!(element(&x, "PROJECT"), "Night Songs");
        assert_eq!(element(&x, "SCENE"), "Paper Moon");
        // The log numbers the take per song: this is the song's second.
        assert_eq!(element(&x, "TAKE"), "2");
        assert_eq!(element(&x, "CIRCLED"), "FALSE");
    }
    let long_note = "a long note with <angle> & ampersand ".repeat(100);
    ok(
        &db,
        &[
            "log",
            "rate",
            "2",
            "--circled",
            "--type",
            "pickup",
            "--rating",
            "5",
            "--notes",
            &long_note,
        ],
    );
    for (f, (data, len)) in files.iter().zip(&before) {
        let x = ixml_of(f);
        assert_eq!(element(&x, "CIRCLED"), "TRUE");
        assert_eq!(element(&x, "TAKE_TYPE"), "PICKUP");
        let note = element(&x, "NOTE");
        assert!(
            note.starts_with("a long note with &lt;angle&gt; &amp; ampersand"),
            "{note}"
        );
        assert_eq!(x.len(), studiodesk::engine::bwf::IXML_CAPACITY);
        // The audio and the file's length are untouched.
        let (after, after_len) = audio_bytes(f);
        assert!(&after == data, "{} audio changed", f.display());
        assert_eq!(after_len, *len);
        // Still a whole, readable take for FFmpeg.
        assert_eq!(ffprobe_tags(f)["encoded_by"], "studiodesk");
    }
    ok(&db, &["log", "rate", "2", "--uncircled"]);
    assert_eq!(element(&ixml_of(&files[0]), "CIRCLED"), "FALSE");
    assert_eq!(std::fs::read(&foreign).unwrap(), foreign_bytes);
}
