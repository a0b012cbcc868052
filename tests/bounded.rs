//! The sound check's memory is bounded by its channels, not by how long the input is: a check of
//! ten times the audio (fed block by block, or streamed from a file and converted from 44.1 kHz)
//! peaks at the same heap, measured by a global allocator that tracks live bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use studiodesk::engine::files::FileStream;
use studiodesk::signals::Rng;
use studiodesk::soundcheck::{Checker, Profile};

struct Tracking;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts bytes.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// One measuring test at a time: the heap is the process's.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Bytes the heap grew to above where it was while `f` ran.
fn peak_during(f: impl FnOnce()) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - base
}

const CHANNELS: usize = 4;
const RATE: u32 = 48_000;

/// Noise and a tone per channel, one block at a time.
fn block(rng: &mut Rng, start: usize, frames: usize, rate: u32) -> Vec<Vec<f32>> {
    (0..CHANNELS)
        .map(|c| {
            (start..start + frames)
                .map(|i| {
                    let t = i as f64 / rate as f64;
                    (0.05 * rng.gaussian()
                        + 0.2 * (std::f64::consts::TAU * 110.0 * (c + 1) as f64 * t).sin())
                        as f32
                })
                .collect()
        })
        .collect()
}

fn tracking() -> Profile {
    Profile::preset("tracking").unwrap()
}

fn check_fed(seconds: usize) -> usize {
    peak_during(|| {
        let mut rng = Rng::new(1);
        let names = (0..CHANNELS).map(|c| format!("in {c}")).collect();
        let mut checker = Checker::new(names, vec![None; CHANNELS], RATE, &tracking());
        let frames = seconds * RATE as usize;
        for start in (0..frames).step_by(8192) {
            let b = block(&mut rng, start, 8192.min(frames - start), RATE);
            let slices: Vec<&[f32]> = b.iter().map(Vec::as_slice).collect();
            checker.push(&slices);
        }
        std::hint::black_box(checker.finish());
    })
}

fn write_file(path: &std::path::Path, seconds: usize, rate: u32) {
    let spec = hound::WavSpec {
        channels: CHANNELS as u16,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let mut rng = Rng::new(2);
    let frames = seconds * rate as usize;
    for start in (0..frames).step_by(8192) {
        let b = block(&mut rng, start, 8192.min(frames - start), rate);
        for i in 0..b[0].len() {
            for c in &b {
                w.write_sample((c[i] * 32_767.0) as i16).unwrap();
            }
        }
    }
    w.finalize().unwrap();
}

fn check_file(path: &std::path::Path) -> usize {
    peak_during(|| {
        let mut stream = FileStream::open(&[path.to_path_buf()], RATE).unwrap();
        let rates = stream.source_rates().iter().map(|r| Some(*r)).collect();
        let mut checker = Checker::new(stream.names().to_vec(), rates, RATE, &tracking());
        while let Some(b) = stream.next_block(8192).unwrap() {
            let slices: Vec<&[f32]> = b.iter().map(Vec::as_slice).collect();
            checker.push(&slices);
        }
        std::hint::black_box(checker.finish());
    })
}

#[test]
fn memory_does_not_grow_with_the_length() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Fed block by block: 12 s and 120 s.
    let (short, long) = (check_fed(12), check_fed(120));
    assert!(
        long <= short + short / 20,
        "fed: {short} bytes for 12 s, {long} bytes for 120 s"
    );
    // Streamed from 44.1 kHz files of 12 s and 120 s (the long one holds 42 MB of samples).
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("short.wav"), dir.path().join("long.wav"));
    write_file(&a, 12, 44_100);
    write_file(&b, 120, 44_100);
    let (short, long) = (check_file(&a), check_file(&b));
    assert!(
        long <= short + short / 20,
        "files: {short} bytes for 12 s, {long} bytes for 120 s"
    );
    let held = 120 * 44_100 * CHANNELS * 4;
    assert!(long < held / 4, "{long} bytes for {held} bytes of samples");
}

/// `analyze` on FLAC (decoded by symphonia one packet at a time) and on WAV: the heap does not
/// grow with the file.
#[test]
fn analysing_a_coded_file_does_not_grow_with_its_length() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut peaks = Vec::new();
    for seconds in [12, 120] {
        let wav = dir.path().join(format!("{seconds}.wav"));
        write_file(&wav, seconds, 44_100);
        let flac = dir.path().join(format!("{seconds}.flac"));
        let made = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&wav)
            .arg(&flac)
            .status()
            .expect("ffmpeg runs");
        assert!(made.success());
        for path in [&wav, &flac] {
            peaks.push(peak_during(|| {
                let a = studiodesk::engine::analyze::analyze_file(path, None, &|_| {}).unwrap();
                assert!((a.duration_s - seconds as f64).abs() < 0.01);
            }));
        }
    }
    let [wav_short, flac_short, wav_long, flac_long] = peaks[..] else {
        unreachable!()
    };
    // A long FLAC is decoded by two readers, each up to one 5 s chunk ahead: a fixed budget,
    // reached or not by the short file depending on timing.
    let read_ahead = 2 * 5 * 44_100 * CHANNELS * 4;
    assert!(
        wav_long <= wav_short + wav_short / 20
            && flac_long <= flac_short + flac_short / 20 + read_ahead,
        "WAV {wav_short} → {wav_long} bytes, FLAC {flac_short} → {flac_long} bytes for 12 → 120 s"
    );
    let held = 120 * 44_100 * CHANNELS * 4;
    assert!(
        flac_long < held / 4,
        "{flac_long} bytes for {held} bytes of samples"
    );
}
