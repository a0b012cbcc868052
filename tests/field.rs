//! In the field: the findings of the field trial (issue 10), each pinned by a regression test
//! that runs the real binary on files made here — healthy files `repair` must leave alone, odd
//! but valid WAVs, FIFOs, non-finite samples, closed and full outputs, exports over existing
//! files, signals and a full disk during a take.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::disk::{Tmpfs, closed_take};

fn studiodesk() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_studiodesk"));
    command.env_remove("STUDIODESK_DB");
    command
}

fn run(args: &[&str]) -> Output {
    studiodesk().args(args).output().expect("run studiodesk")
}

/// Fails with `what` unless the file at `path` still holds `before`, byte for byte.
fn assert_unchanged(path: &Path, before: &[u8], what: impl std::fmt::Display) {
    let now = std::fs::read(path).expect("read");
    assert!(now == before, "{what}: {} was changed", path.display());
}

/// Adds Studio A with the rate card of the README's example.
const ROOM_ADD: [&str; 11] = [
    "room",
    "add",
    "Studio A",
    "--hourly",
    "85",
    "--half-day",
    "380",
    "--day",
    "700",
    "--currency",
    "GBP",
];

/// A new studio database at `path` (read commands never create one).
fn new_db(path: &Path) {
    studiodesk::studio::Store::open(path, jiff::tz::TimeZone::UTC).expect("a new studio database");
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A chunk: id, size, body and the pad byte after an odd body (left out when `pad` is false).
fn chunk(id: &[u8; 4], body: &[u8], pad: bool) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    if pad && body.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// A 16-bit PCM `fmt ` body.
fn fmt16(channels: u16, rate: u32) -> Vec<u8> {
    let align = channels * 2;
    let mut v = Vec::new();
    v.extend(1u16.to_le_bytes());
    v.extend(channels.to_le_bytes());
    v.extend(rate.to_le_bytes());
    v.extend((rate * align as u32).to_le_bytes());
    v.extend(align.to_le_bytes());
    v.extend(16u16.to_le_bytes());
    v
}

/// 16-bit mono samples of a 997 Hz tone at −6 dBFS.
fn tone16(frames: usize) -> Vec<u8> {
    (0..frames)
        .flat_map(|i| {
            let x = 0.5 * (2.0 * std::f64::consts::PI * 997.0 * i as f64 / 48_000.0).sin();
            ((x * 32_767.0).round() as i16).to_le_bytes()
        })
        .collect()
}

/// A RIFF/WAVE file of `chunks`, with a RIFF size that covers them.
fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body = chunks.concat();
    let mut out = b"RIFF".to_vec();
    out.extend((body.len() as u32 + 4).to_le_bytes());
    out.extend(b"WAVE");
    out.extend(body);
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write the test file");
    path
}

/// Healthy files of many shapes, each with what its audio must read as (frames).
fn healthy_files() -> Vec<(&'static str, Vec<u8>)> {
    let audio = tone16(48_000);
    let fmt = chunk(b"fmt ", &fmt16(1, 48_000), true);
    let data = chunk(b"data", &audio, true);
    let after =
        |id: &[u8; 4], body: &[u8]| riff(&[fmt.clone(), data.clone(), chunk(id, body, true)]);
    vec![
        ("cart.wav", after(b"cart", &[7; 2048])),
        ("peak.wav", after(b"PEAK", &[1; 24])),
        ("acid.wav", after(b"acid", &[2; 24])),
        ("umid.wav", after(b"umid", &[3; 64])),
        ("unknown.wav", after(b"zq9!", &[4; 514])),
        ("odd-after.wav", after(b"note", b"odd")),
        (
            "list-first.wav",
            riff(&[chunk(b"LIST", b"INFOabc", true), fmt.clone(), data.clone()]),
        ),
        (
            "two-after.wav",
            riff(&[
                fmt.clone(),
                data.clone(),
                chunk(b"LIST", b"INFOx", true),
                chunk(b"iXML", b"<BWFXML/>", true),
            ]),
        ),
        ("plain.wav", riff(&[fmt.clone(), data.clone()])),
    ]
}

#[test]
fn repair_leaves_healthy_files_with_chunks_after_the_audio_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in healthy_files() {
        let path = write(dir.path(), name, &bytes);
        let out = studiodesk().arg("repair").arg(&path).output().expect("run");
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("nothing to repair (48000 frames)"),
            "{name}: {}",
            stdout(&out)
        );
        assert_unchanged(&path, &bytes, name);
    }
}

#[test]
fn repair_refuses_two_data_chunks_data_before_fmt_and_a_cut_chunk_after_the_audio() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audio = tone16(4_800);
    let fmt = chunk(b"fmt ", &fmt16(1, 48_000), true);
    let data = chunk(b"data", &audio, true);
    let mut cut_after = riff(&[fmt.clone(), data.clone(), chunk(b"LIST", &[5; 400], true)]);
    cut_after.truncate(cut_after.len() - 100);
    let cases = [
        (
            "two-data.wav",
            riff(&[fmt.clone(), data.clone(), data.clone()]),
            "second data chunk",
        ),
        (
            "data-first.wav",
            riff(&[data.clone(), fmt.clone()]),
            "before the fmt chunk",
        ),
        ("cut-after.wav", cut_after, "chunk 'LIST' after the audio"),
        (
            "no-data.wav",
            riff(std::slice::from_ref(&fmt)),
            "no data chunk",
        ),
    ];
    for (name, bytes, reason) in cases {
        let path = write(dir.path(), name, &bytes);
        let out = studiodesk().arg("repair").arg(&path).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("not repaired") && err.contains(reason),
            "{name}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
        assert_unchanged(&path, &bytes, name);
    }
}

/// A crash leaves the header behind the audio (or ahead of it, on a copy cut short): only then is
/// the `data` size rewritten, to every whole frame on disk.
#[test]
fn repair_fixes_a_data_chunk_that_runs_to_the_end_of_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut audio = tone16(4_801);
    // The audio after the last checkpoint may look like a chunk header: float samples are often
    // printable text (a full-disk take once ran on with "t#N;").
    audio[2_000..2_008].copy_from_slice(b"t#N;\xff\xff\xff\x3a");
    let mut behind = riff(&[
        chunk(b"fmt ", &fmt16(1, 48_000), true),
        chunk(b"data", &audio, true),
    ]);
    let data_size_at = behind.len() - audio.len() - 4;
    // As a recorder's checkpoint leaves them: RIFF and data sizes agree, the audio runs on.
    let checkpoint = |bytes: &mut Vec<u8>, data_bytes: u32| {
        bytes[data_size_at..data_size_at + 4].copy_from_slice(&data_bytes.to_le_bytes());
        let riff_size = (data_size_at + 4) as u32 + data_bytes - 8;
        bytes[4..8].copy_from_slice(&riff_size.to_le_bytes());
    };
    checkpoint(&mut behind, 2_000);
    behind.push(0x11); // half a frame
    let mut ahead = behind.clone();
    checkpoint(&mut ahead, 20_000);
    for (name, bytes, before) in [("behind.wav", behind, 1_000), ("ahead.wav", ahead, 10_000)] {
        let path = write(dir.path(), name, &bytes);
        let out = studiodesk().arg("repair").arg(&path).output().expect("run");
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!(
                "repaired: 4801 frames readable (header said {before})"
            )) && text.contains("1 bytes of a cut frame"),
            "{name}: {text}"
        );
        let reader = hound::WavReader::open(&path).expect("hound reads the repaired file");
        assert_eq!(reader.duration(), 4_801);
        let again = studiodesk().arg("repair").arg(&path).output().expect("run");
        assert!(
            stdout(&again).contains("nothing to repair (4801 frames)"),
            "{}",
            stdout(&again)
        );
    }
}

#[test]
fn repair_of_many_files_into_a_closed_pipe_repairs_them_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audio = tone16(4_800);
    let mut cut = riff(&[
        chunk(b"fmt ", &fmt16(1, 48_000), true),
        chunk(b"data", &audio, true),
    ]);
    let data_size_at = cut.len() - audio.len() - 4;
    cut[data_size_at..data_size_at + 4].copy_from_slice(&0u32.to_le_bytes());
    cut[4..8].copy_from_slice(&(data_size_at as u32 - 4).to_le_bytes());
    let paths: Vec<PathBuf> = (0..6)
        .map(|i| write(dir.path(), &format!("cut{i}.wav"), &cut))
        .collect();
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let script = format!(
        "{} repair {} | head -1; echo \"exit ${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_studiodesk"),
        list.join(" ")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("bash");
    let text = stdout(&out);
    assert!(text.ends_with("exit 0\n"), "{text} {}", stderr(&out));
    assert!(stderr(&out).is_empty(), "quiet: {}", stderr(&out));
    for path in &paths {
        let reader = hound::WavReader::open(path).expect("read");
        assert_eq!(reader.duration(), 4_800, "{}", path.display());
    }
}

/// Odd-sized chunks with their pad byte (the RIFF rule), and without (writers that forget it),
/// before `fmt ` and between `fmt ` and `data`: all valid, all read the same audio.
#[test]
fn padded_and_unpadded_odd_chunks_before_the_audio_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audio = tone16(48_000);
    let fmt = chunk(b"fmt ", &fmt16(1, 48_000), true);
    let data = chunk(b"data", &audio, true);
    let plain = write(dir.path(), "plain.wav", &riff(&[fmt.clone(), data.clone()]));
    let reference = run(&["analyze", "--json", plain.to_str().expect("utf-8")]);
    assert!(reference.status.success(), "{}", stderr(&reference));
    let reading = |out: &Output| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v[0]["programme"].clone()
    };
    for pad in [true, false] {
        let files = [
            riff(&[chunk(b"LIST", b"INFOabc", pad), fmt.clone(), data.clone()]),
            riff(&[chunk(b"JUNK", &[0; 27], pad), fmt.clone(), data.clone()]),
            riff(&[fmt.clone(), chunk(b"abcd", b"xyz", pad), data.clone()]),
        ];
        for (i, bytes) in files.iter().enumerate() {
            let path = write(dir.path(), &format!("odd{i}-{pad}.wav"), bytes);
            let out = run(&["analyze", "--json", path.to_str().expect("utf-8")]);
            assert!(out.status.success(), "case {i} pad {pad}: {}", stderr(&out));
            assert_eq!(reading(&out), reading(&reference), "case {i} pad {pad}");
        }
    }
}

/// Waits for `child` up to `limit`; kills it and fails if it is still running then.
fn wait_within(mut child: std::process::Child, limit: Duration, what: &str) -> Output {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{what} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn a_fifo_or_a_folder_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("pipe.wav");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let db = dir.path().join("studio.db");
    for args in [
        vec!["analyze"],
        vec!["repair"],
        vec!["soundcheck", "--files"],
    ] {
        for target in [&fifo, &dir.path().to_path_buf()] {
            let child = studiodesk()
                .args(&args)
                .arg(target)
                .env("STUDIODESK_DB", &db)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            let out = wait_within(child, Duration::from_secs(20), &format!("{args:?}"));
            assert!(!out.status.success(), "{args:?} {}", target.display());
            let err = stderr(&out);
            assert!(
                err.contains("a FIFO") || err.contains("a folder"),
                "{args:?}: {err}"
            );
            assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        }
    }
}

/// A float WAV of a tone with one sample that is not a number.
fn float_with(value: f32, at_frame: usize, channel: usize) -> Vec<u8> {
    let channels = 2;
    let mut fmt = Vec::new();
    fmt.extend(3u16.to_le_bytes());
    fmt.extend((channels as u16).to_le_bytes());
    fmt.extend(48_000u32.to_le_bytes());
    fmt.extend((48_000u32 * 8).to_le_bytes());
    fmt.extend(8u16.to_le_bytes());
    fmt.extend(32u16.to_le_bytes());
    let audio: Vec<u8> = (0..48_000 * channels)
        .flat_map(|i| {
            let frame = i / channels;
            let x = if frame == at_frame && i % channels == channel {
                value
            } else {
                0.25 * (2.0 * std::f32::consts::PI * 1_000.0 * frame as f32 / 48_000.0).sin()
            };
            x.to_le_bytes()
        })
        .collect();
    riff(&[chunk(b"fmt ", &fmt, true), chunk(b"data", &audio, true)])
}

#[test]
fn a_nan_or_infinite_sample_is_an_error_naming_where_it_is_never_silence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("studio.db");
    for (value, name) in [
        (f32::NAN, "nan.wav"),
        (f32::INFINITY, "inf.wav"),
        (f32::NEG_INFINITY, "neginf.wav"),
    ] {
        let path = write(dir.path(), name, &float_with(value, 24_000, 1));
        for args in [
            vec!["analyze"],
            vec!["analyze", "--json"],
            vec!["soundcheck", "--files"],
        ] {
            let out = studiodesk()
                .args(&args)
                .arg(&path)
                .env("STUDIODESK_DB", &db)
                .output()
                .expect("run");
            assert!(!out.status.success(), "{name} {args:?}: {}", stdout(&out));
            let err = stderr(&out);
            assert!(
                err.contains(name) && err.contains("frame 24000") && err.contains("channel 2"),
                "{name} {args:?}: {err}"
            );
            assert!(!stdout(&out).contains("PASS"), "{name} {args:?}");
        }
    }
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        dir.path(),
        "tone.wav",
        &riff(&[
            chunk(b"fmt ", &fmt16(1, 48_000), true),
            chunk(b"data", &tone16(48_000), true),
        ]),
    );
    let db = dir.path().join("studio.db");
    new_db(&db);
    let file = path.display().to_string();
    let commands = [
        format!("analyze {file}"),
        format!("analyze --json {file}"),
        "soundcheck profile list".to_string(),
        "rates list".to_string(),
        "devices".to_string(),
        "meter --demo --json".to_string(),
        "meter --demo --json --duration 60".to_string(),
    ];
    for command in &commands {
        let bin = env!("CARGO_BIN_EXE_studiodesk");
        let closed = format!("{bin} {command} | head -0; echo \"exit ${{PIPESTATUS[0]}}\"");
        let child = Command::new("bash")
            .arg("-c")
            .arg(&closed)
            .env("STUDIODESK_DB", &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash");
        let out = wait_within(child, Duration::from_secs(30), command);
        assert_eq!(stdout(&out), "exit 0\n", "{command}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("panicked") && !stderr(&out).contains("Broken pipe"),
            "{command}: {}",
            stderr(&out)
        );
        if command.starts_with("meter") {
            continue; // The live meter's full-disk case is the same write.
        }
        let full = Command::new("bash")
            .arg("-c")
            .arg(format!("{bin} {command} > /dev/full"))
            .env("STUDIODESK_DB", &db)
            .output()
            .expect("bash");
        assert_eq!(full.status.code(), Some(1), "{command}");
        let err = stderr(&full);
        assert!(
            err.contains("cannot write the output") && err.lines().count() == 1,
            "{command}: {err}"
        );
    }
}

#[test]
fn an_export_never_replaces_a_file_unless_forced_and_never_follows_a_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("studio.db");
    new_db(&db);
    let ics = dir.path().join("calendar.ics");
    std::fs::write(&ics, "someone's calendar").expect("write");
    let export = |force: bool, path: &Path| {
        let mut command = studiodesk();
        command
            .args(["booking", "export", "--ics"])
            .arg(path)
            .env("STUDIODESK_DB", &db);
        if force {
            command.arg("--force");
        }
        command.output().expect("run")
    };
    let refused = export(false, &ics);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("exists; not replaced (--force"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(&ics).expect("read"),
        "someone's calendar"
    );
    let forced = export(true, &ics);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(
        std::fs::read_to_string(&ics)
            .expect("read")
            .starts_with("BEGIN:VCALENDAR")
    );

    let precious = dir.path().join("precious.txt");
    std::fs::write(&precious, "keep").expect("write");
    let link = dir.path().join("link.ics");
    std::os::unix::fs::symlink(&precious, &link).expect("symlink");
    for force in [false, true] {
        let out = export(force, &link);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(&precious).expect("read"), "keep");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

/// `record` of the demo's first `channels` tracks for 30 s into `out`, running.
fn record_demo(channels: &str, out: &Path) -> std::process::Child {
    studiodesk()
        .args([
            "record",
            "--demo",
            "--channels",
            channels,
            "--duration",
            "30",
            "--out",
        ])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Ctrl-C, SIGTERM (`timeout`, systemd) and SIGHUP (a dropped SSH session) end a take the same
/// way: every file closed with a header that covers what is on disk, the summary, and the shell's
/// code for the signal.
#[test]
fn sigterm_sighup_and_ctrl_c_finalise_the_take_and_say_it_stopped_early() {
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("INT", 2)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("takes");
        let child = record_demo("4", &out);
        std::thread::sleep(Duration::from_secs(2));
        let sent = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        let result = wait_within(child, Duration::from_secs(20), signal);
        assert_eq!(
            result.status.code(),
            Some(128 + number),
            "{signal}: {}",
            stderr(&result)
        );
        let err = stderr(&result);
        assert!(
            err.contains("stopped early") && err.contains(&format!("SIG{signal}")),
            "{err}"
        );
        let frames = closed_take(&out, 4, signal);
        assert!(frames > 48_000, "{signal}: only {frames} frames in 2 s");
        assert!(stdout(&result).contains(&format!("{frames} frames per track")));
    }
}

/// A take onto a file system that fills up: the take stops at once, every file is closed on what
/// reached the disk, every track is as long as the others, the summary says "disk full", and the
/// exit code is 3. The file system is a 3 MiB [`Tmpfs`].
#[test]
fn a_take_on_a_full_disk_is_closed_on_what_reached_it_and_says_so() {
    let small = Tmpfs::mount("3m");
    let mount = small.path.clone();
    let child = record_demo("8", &mount);
    let result = wait_within(child, Duration::from_secs(25), "record on a full disk");
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(3), "{err}");
    assert!(err.contains("stopped early: disk full"), "{err}");
    let frames = closed_take(&mount, 8, "full disk");
    assert!(
        frames > 10_000,
        "only {frames} frames before the disk filled"
    );
    assert!(
        stdout(&result).contains(&format!("{frames} frames per track")),
        "{}",
        stdout(&result)
    );
}

/// Someone else's SQLite file (a contacts database) given as `--db`: read and write commands
/// refuse it before writing a byte, and say whose it is not.
#[test]
fn another_applications_database_is_refused_before_a_byte_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let contacts = dir.path().join("contacts.db");
    {
        let conn = rusqlite::Connection::open(&contacts).expect("sqlite");
        conn.execute_batch(
            "CREATE TABLE contacts (name TEXT, phone TEXT); INSERT INTO contacts VALUES ('Ann', '555');",
        )
        .expect("contacts");
    }
    let before = std::fs::read(&contacts).expect("read");
    for args in [
        vec!["booking", "list"],
        vec!["room", "list"],
        ROOM_ADD.to_vec(),
    ] {
        let out = studiodesk()
            .args(&args)
            .arg("--db")
            .arg(&contacts)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("is not a studiodesk database") && err.contains("contacts"),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_unchanged(&contacts, &before, format_args!("{args:?}"));
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["contacts.db"], "no WAL or journal made beside it");

    // A file that is not SQLite at all: one line, no repetition, no SQLite error code.
    let notes = write(dir.path(), "notes.db", b"these are my notes, not a database at all......................................................");
    let out = studiodesk()
        .args(["booking", "list", "--db"])
        .arg(&notes)
        .output()
        .expect("run");
    let err = stderr(&out);
    assert!(
        err.contains("not an SQLite database") && !err.contains("code 26"),
        "{err}"
    );
    assert_eq!(err.matches("not a").count(), 2, "said once: {err}");
}

/// A studiodesk database from a newer version, or with a schema version that studiodesk never
/// writes, is refused as it is: not switched to WAL, not migrated.
#[test]
fn a_newer_or_odd_schema_version_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (version, says) in [(99, "from a newer studiodesk"), (-1, "schema version -1")] {
        let path = dir.path().join(format!("v{version}.db"));
        {
            let conn = rusqlite::Connection::open(&path).expect("sqlite");
            conn.pragma_update(None, "application_id", 0x5344_534b)
                .expect("id");
            conn.pragma_update(None, "user_version", version)
                .expect("version");
            conn.execute_batch("CREATE TABLE rooms (id INTEGER PRIMARY KEY)")
                .expect("table");
        }
        let before = std::fs::read(&path).expect("read");
        for args in [
            vec!["room", "list"],
            vec!["policy", "set", "hold_hours", "24"],
        ] {
            let out = studiodesk()
                .args(&args)
                .arg("--db")
                .arg(&path)
                .output()
                .expect("run");
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
            assert_unchanged(&path, &before, format_args!("{args:?} v{version}"));
        }
    }
}

/// A read command given a path that does not exist says so (a typo must not look like an empty
/// studio) and creates neither the folder nor the file.
#[test]
fn a_read_command_never_creates_a_database_or_its_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let typo = dir.path().join("studoi").join("studio.db");
    for args in [
        vec!["booking", "list"],
        vec!["budget", "report", "x"],
        vec!["log", "list", "1"],
    ] {
        let out = studiodesk()
            .args(&args)
            .arg("--db")
            .arg(&typo)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains("no studio database at"),
            "{}",
            stderr(&out)
        );
        assert!(
            !dir.path().join("studoi").exists(),
            "{args:?} made the folder"
        );
    }
}

/// Read commands open the database read-only: on read-only media they work, and on a writable
/// disk they leave the file byte for byte.
#[test]
fn read_commands_work_on_read_only_media_and_change_nothing() {
    let media = Tmpfs::mount("8m");
    let mount = media.path.clone();
    let db = mount.join("studio.db");
    let add = studiodesk()
        .args(ROOM_ADD)
        .arg("--db")
        .arg(&db)
        .output()
        .expect("run");
    assert!(add.status.success(), "{}", stderr(&add));
    let before = std::fs::read(&db).expect("read");
    let listed = studiodesk()
        .args(["room", "list", "--db"])
        .arg(&db)
        .output()
        .expect("run");
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_unchanged(&db, &before, "room list (a read)");

    let ro = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&mount)
        .output()
        .expect("remount");
    assert!(ro.status.success(), "{}", stderr(&ro));
    for args in [
        vec!["room", "list"],
        vec!["booking", "list"],
        vec!["rates", "list"],
    ] {
        let out = studiodesk()
            .args(&args)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{args:?} on read-only media: {}",
            stderr(&out)
        );
    }
    let listed = studiodesk()
        .args(["room", "list", "--db"])
        .arg(&db)
        .output()
        .expect("run");
    assert!(stdout(&listed).contains("Studio A"), "{}", stdout(&listed));
}

/// Amounts as people mistype them: `--hourly 12,50` was stored as 1250.00 and `--hourly -5` got
/// clap's "unexpected argument". Both are one line naming the field; nothing is stored.
#[test]
fn a_mistyped_amount_is_refused_naming_it_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("studio.db");
    for (hourly, says) in [("12,50", "comma"), ("-5", "must not be negative")] {
        let out = studiodesk()
            .args([
                "room",
                "add",
                "Studio A",
                "--half-day",
                "380",
                "--day",
                "700",
                "--hourly",
                hourly,
                "--db",
            ])
            .arg(&db)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{hourly}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("amount '{hourly}'")) && err.contains(says),
            "{err}"
        );
    }
    if db.exists() {
        let listed = studiodesk()
            .args(["room", "list", "--db"])
            .arg(&db)
            .output()
            .expect("run");
        assert!(!stdout(&listed).contains("Studio A"), "{}", stdout(&listed));
    }
}

/// Errors that were unclear in the field, each now one line naming the file or field: a folder
/// that takes no files (`/proc`), a database locked by another process (said once, not three
/// times, with what to do), a year typed as 9999, a missing sound-check file said once.
#[test]
fn unclear_errors_are_one_line_naming_the_file_or_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("studio.db");
    new_db(&db);
    let one_line = |out: &Output, says: &str| {
        assert_eq!(out.status.code(), Some(1), "{says}: {}", stdout(out));
        let err = stderr(out);
        assert_eq!(err.lines().count(), 1, "{says}: {err}");
        assert!(err.contains(says), "{says}: {err}");
        err
    };
    one_line(
        &run(&["record", "--demo", "--duration", "1", "--out", "/proc"]),
        "/proc does not take new files",
    );
    let year = studiodesk()
        .args(["booking", "hold", "--project", "x", "--room", "y"])
        .args([
            "--start",
            "9999-01-01 10:00",
            "--end",
            "9999-01-01 12:00",
            "--db",
        ])
        .arg(&db)
        .output()
        .expect("run");
    one_line(&year, "year 9999 is outside 2000–2099");
    let missing = dir.path().join("missing.wav");
    let out = studiodesk()
        .args(["soundcheck", "--files"])
        .arg(&missing)
        .env("STUDIODESK_DB", &db)
        .output()
        .expect("run");
    let err = one_line(&out, "missing.wav: cannot open");
    assert_eq!(err.matches("No such file").count(), 1, "{err}");

    let lock = rusqlite::Connection::open(&db).expect("sqlite");
    lock.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let busy = studiodesk()
        .args(["policy", "set", "hold_expiry_hours", "24", "--db"])
        .arg(&db)
        .output()
        .expect("run");
    let err = one_line(&busy, "is busy: another studiodesk kept it locked");
    assert_eq!(err.matches("locked").count(), 1, "{err}");
}
