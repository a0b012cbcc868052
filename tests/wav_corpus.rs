//! A mutation corpus: valid WAVs of every encoding studiodesk reads (8-bit unsigned, 16, 24 and
//! 32-bit integer, 24-in-32, 32 and 64-bit float, WAVE_FORMAT_EXTENSIBLE, padded chunks before and
//! after the audio) cut at random places, with bytes flipped and chunks shuffled. Every outcome of
//! reading, analysing and repairing them must be a reading or a one-line error: no panic, no hang.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use studiodesk::engine::analyze::analyze_file;
use studiodesk::engine::wav::{Repair, repair};

/// A small deterministic generator (xorshift64*), so a failure names a case that can be rerun.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// A `fmt ` body: plain (`extensible` false) or WAVE_FORMAT_EXTENSIBLE with a sub-format.
fn fmt(
    tag: u16,
    channels: u16,
    container_bytes: u16,
    valid_bits: u16,
    extensible: bool,
) -> Vec<u8> {
    let align = channels * container_bytes;
    let mut v = Vec::new();
    v.extend((if extensible { 0xfffe } else { tag }).to_le_bytes());
    v.extend(channels.to_le_bytes());
    v.extend(48_000u32.to_le_bytes());
    v.extend((48_000 * align as u32).to_le_bytes());
    v.extend(align.to_le_bytes());
    v.extend((container_bytes * 8).to_le_bytes());
    if extensible {
        v.extend(22u16.to_le_bytes());
        v.extend(valid_bits.to_le_bytes());
        v.extend(((1u32 << channels) - 1).to_le_bytes());
        v.extend(tag.to_le_bytes());
        v.extend([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);
    }
    v
}

/// One sample of a 440 Hz tone in `container_bytes` little-endian bytes.
fn sample(i: usize, tag: u16, container_bytes: u16, valid_bits: u16) -> Vec<u8> {
    let x = 0.5 * (2.0 * std::f64::consts::PI * 440.0 * i as f64 / 48_000.0).sin();
    match (tag, container_bytes) {
        (3, 4) => (x as f32).to_le_bytes().to_vec(),
        (3, 8) => x.to_le_bytes().to_vec(),
        (_, 1) => vec![(x * 127.0 + 128.0).round() as u8],
        (_, bytes) => {
            let full = (x * ((1i64 << (valid_bits - 1)) - 1) as f64).round() as i64;
            let left = full << (bytes * 8 - valid_bits);
            left.to_le_bytes()[..bytes as usize].to_vec()
        }
    }
}

/// The valid files of the corpus: (name, bytes).
fn corpus() -> Vec<(String, Vec<u8>)> {
    let shapes: [(u16, u16, u16, u16, bool); 9] = [
        (1, 1, 1, 8, false),
        (1, 2, 2, 16, false),
        (1, 2, 3, 24, false),
        (1, 1, 4, 32, false),
        (1, 2, 4, 24, true),
        (3, 2, 4, 32, false),
        (3, 1, 8, 64, false),
        (3, 6, 4, 32, true),
        (1, 8, 2, 16, true),
    ];
    let mut files = Vec::new();
    for (tag, channels, bytes, bits, extensible) in shapes {
        let audio: Vec<u8> = (0..2_400)
            .flat_map(|i| (0..channels).flat_map(move |_| sample(i, tag, bytes, bits)))
            .collect();
        let f = chunk(b"fmt ", &fmt(tag, channels, bytes, bits, extensible));
        let d = chunk(b"data", &audio);
        for (layout, chunks) in [
            ("plain", vec![f.clone(), d.clone()]),
            (
                "chunks",
                vec![
                    chunk(b"LIST", b"INFOISFT\x05\0\0\0odd!"),
                    f.clone(),
                    chunk(b"JUNK", &[0; 27]),
                    d.clone(),
                    chunk(b"cart", &[1; 33]),
                ],
            ),
        ] {
            let body = chunks.concat();
            let mut out = b"RIFF".to_vec();
            out.extend((body.len() as u32 + 4).to_le_bytes());
            out.extend(b"WAVE");
            out.extend(body);
            files.push((
                format!("t{tag}-{channels}ch-{bytes}B-{bits}b-{extensible}-{layout}"),
                out,
            ));
        }
    }
    files
}

/// Chunk boundaries of a well-formed file (offsets of each chunk header, then the end).
fn chunk_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let end = (at + 8 + size + size % 2).min(bytes.len());
        spans.push((at, end));
        at = end;
    }
    spans
}

fn mutate(bytes: &[u8], rng: &mut Rng) -> (String, Vec<u8>) {
    let mut out = bytes.to_vec();
    match rng.below(4) {
        0 => {
            let cut = rng.below(out.len());
            out.truncate(cut);
            (format!("cut at {cut}"), out)
        }
        1 => {
            // Flips in the header region, where they matter most, and anywhere.
            let flips = 1 + rng.below(4);
            for _ in 0..flips {
                let at = if rng.below(2) == 0 {
                    rng.below(120.min(out.len()))
                } else {
                    rng.below(out.len())
                };
                out[at] ^= 1 << rng.below(8);
            }
            (format!("{flips} bit flips"), out)
        }
        2 => {
            let at = rng.below(out.len().saturating_sub(4));
            let value = [0u32, 1, 0xffff_ffff, 0x8000_0000, 7][rng.below(5)];
            out[at..at + 4].copy_from_slice(&value.to_le_bytes());
            (format!("u32 {value:#x} written at {at}"), out)
        }
        _ => {
            let mut spans = chunk_spans(&out);
            for i in (1..spans.len()).rev() {
                spans.swap(i, rng.below(i + 1));
            }
            let mut shuffled = out[..12].to_vec();
            for (a, b) in &spans {
                shuffled.extend(&out[*a..*b]);
            }
            ("chunks shuffled".into(), shuffled)
        }
    }
}

/// Every mutation read, analysed and repaired in this process: a panic fails the test with the
/// case that caused it, and so does an error message of more than one line.
#[test]
fn mutated_wavs_give_a_reading_or_a_one_line_error_never_a_panic_or_a_hang() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(0x5eed_5eed_1234_5678);
    let (mut readings, mut errors, mut repaired) = (0, 0, 0);
    let started = Instant::now();
    for (name, bytes) in corpus() {
        // The valid file itself reads.
        let path = dir.path().join(format!("{name}.wav"));
        std::fs::write(&path, &bytes).expect("write");
        let valid = analyze_file(&path, None, &|_| {});
        assert!(valid.is_ok(), "{name}: {:?}", valid.err());
        for case in 0..40 {
            let (what, mutated) = mutate(&bytes, &mut rng);
            let label = format!("{name} case {case} ({what})");
            std::fs::write(&path, &mutated).expect("write");
            let outcome = std::panic::catch_unwind(|| analyze_file(&path, None, &|_| {}))
                .unwrap_or_else(|_| panic!("analyze panicked on {label}"));
            match outcome {
                Ok(_) => readings += 1,
                Err(e) => {
                    errors += 1;
                    assert!(!e.to_string().contains('\n'), "{label}: {e}");
                }
            }
            let fixed = std::panic::catch_unwind(|| repair(&path))
                .unwrap_or_else(|_| panic!("repair panicked on {label}"));
            match fixed {
                Ok(Repair::Repaired { .. }) => {
                    repaired += 1;
                    // What repair made is readable, or says in one line why not.
                    if let Err(e) = analyze_file(&path, None, &|_| {}) {
                        assert!(!e.to_string().contains('\n'), "{label} after repair: {e}");
                    }
                }
                Ok(Repair::Healthy { .. }) => {}
                Err(e) => assert!(!e.to_string().contains('\n'), "{label}: {e}"),
            }
        }
    }
    println!(
        "{readings} readings, {errors} one-line errors, {repaired} repaired in {:?}",
        started.elapsed()
    );
    assert!(
        readings > 0 && errors > 0 && repaired > 0,
        "the mutations reach every outcome"
    );
}

/// The same through the binary, many mutated files in one `analyze`: one stderr line per file that
/// failed, none that panicked, and the whole run bounded in time.
#[test]
fn the_binary_names_each_bad_file_in_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(0xfeed_beef_0bad_cafe);
    let mut paths: Vec<PathBuf> = Vec::new();
    for (name, bytes) in corpus() {
        for case in 0..6 {
            let (_, mutated) = mutate(&bytes, &mut rng);
            let path = dir.path().join(format!("{name}-{case}.wav"));
            std::fs::write(&path, mutated).expect("write");
            paths.push(path);
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .arg("analyze")
        .arg("--json")
        .args(&paths)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!(
                "analyze of {} mutated files still running after 60 s",
                paths.len()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let failed = json
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| f["error"].is_string())
        .count();
    assert_eq!(stderr.lines().count(), failed, "{stderr}");
    let named = |p: &Path| {
        stderr
            .lines()
            .filter(|l| l.contains(&*p.to_string_lossy()))
            .count()
    };
    assert!(paths.iter().all(|p| named(p) <= 1), "{stderr}");
}
