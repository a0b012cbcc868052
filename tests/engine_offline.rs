//! The processor and recorder driven offline (as fast as possible), exactly the code a live
//! stream runs: recording is sample-exact, the mix follows fader, pan, mute and solo, the meters
//! read the levels that went in, and nothing in the audio path allocates.
mod common;

use ringbuf::traits::{Consumer, Observer};
use studiodesk::engine::processor::{Command, ProcessorConfig, Track};
use studiodesk::engine::recorder::{
    MAX_FILE_BYTES, RecordFormat, Recorder, TakeMeta, TakeSpec, TakeTrack,
};
use studiodesk::engine::session::build;
use studiodesk::signals::Rng;

#[global_allocator]
static GLOBAL: common::Counting = common::Counting;

const RATE: u32 = 48_000;

fn config(channels: usize) -> ProcessorConfig {
    ProcessorConfig {
        sample_rate_hz: RATE,
        input_channels: channels,
        max_block_frames: 1024,
        tracks: (0..channels)
            .map(|c| Track::mono(format!("in {}", c + 1), c))
            .collect(),
        master_gain_db: 0.0,
    }
}

/// 8 channels, each a sine of its own frequency and level plus a little noise.
fn source(channels: usize, frames: usize) -> Vec<f32> {
    let mut rng = Rng::new(1);
    (0..frames)
        .flat_map(|i| {
            let noise: Vec<f64> = (0..channels).map(|_| rng.gaussian()).collect();
            (0..channels).map(move |c| {
                let amp = 10f64.powf((-6.0 - 3.0 * c as f64) / 20.0);
                let f = 100.0 * (c + 1) as f64;
                (amp * (std::f64::consts::TAU * f * i as f64 / RATE as f64).sin() + 1e-3 * noise[c])
                    as f32
            })
        })
        .collect()
}

fn take_spec(dir: &std::path::Path, channels: usize, format: RecordFormat) -> TakeSpec {
    TakeSpec {
        dir: dir.to_path_buf(),
        session: "test".into(),
        take: 1,
        tracks: (0..channels)
            .map(|c| TakeTrack {
                name: format!("in {}", c + 1),
                input: studiodesk::engine::processor::TrackInput::Mono(c),
            })
            .collect(),
        sample_rate_hz: RATE,
        input_channels: channels,
        format,
        max_file_bytes: MAX_FILE_BYTES,
        meta: TakeMeta::default(),
    }
}

#[test]
fn recording_is_sample_exact_and_meters_read_the_input() {
    let channels = 8;
    let input = source(channels, 4 * RATE as usize + 77);
    let dir = tempfile::tempdir().unwrap();
    let parts = build(config(channels), true, false).unwrap();
    let (mut processor, mut handle) = (parts.processor, parts.handle);
    let recorder = Recorder::start(
        take_spec(dir.path(), channels, RecordFormat::F32),
        parts.record.unwrap(),
        handle.shared_counters(),
    )
    .unwrap();
    handle.send(Command::Record(true)).unwrap();
    // Odd block sizes, as devices deliver them.
    let mut at = 0;
    for size in [256usize, 441, 1024, 4000, 1].iter().cycle() {
        if at >= input.len() {
            break;
        }
        let end = (at + size * channels).min(input.len());
        processor.process(&input[at..end]);
        at = end;
    }
    handle.send(Command::Record(false)).unwrap();
    processor.process(&[]);
    let report = recorder.finish().unwrap();
    assert_eq!(report.files.len(), channels);
    assert_eq!(report.frames, (input.len() / channels) as u64);
    for (c, file) in report.files.iter().enumerate() {
        let name = file.path.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(name, format!("test_take001_{:02}-in_{}.wav", c + 1, c + 1));
        let recorded: Vec<f32> = hound::WavReader::open(&file.path)
            .unwrap()
            .samples::<f32>()
            .map(Result::unwrap)
            .collect();
        let expected: Vec<f32> = input.iter().skip(c).step_by(channels).copied().collect();
        assert!(recorded == expected, "channel {c} differs");
    }
    let counters = handle.counters();
    assert_eq!(counters.dropped_frames, 0);
    assert_eq!(counters.frames_recorded, report.frames);

    let snapshot = handle.latest().clone();
    assert_eq!(snapshot.tracks.len(), channels);
    for (c, t) in snapshot.tracks.iter().enumerate() {
        // Sine peak (plus up to ~0.004 of noise), RMS 3.01 dB under it; loudness from the
        // ebur128 crate on the same channel.
        let peak = -6.0 - 3.0 * c as f64;
        let channel: Vec<f32> = input.iter().skip(c).step_by(channels).copied().collect();
        let mut reference = ebur128::EbuR128::new(1, RATE, ebur128::Mode::S).unwrap();
        reference.add_frames_f32(&channel).unwrap();
        let short_term = reference.loudness_shortterm().unwrap();
        let sample_max = 20.0 * (channel.iter().fold(0.0f32, |m, x| m.max(x.abs())) as f64).log10();
        assert!(
            t.true_peak_dbtp >= sample_max && t.true_peak_dbtp < sample_max + 0.1,
            "track {c}: {t:?}, sample peak {sample_max}"
        );
        assert!(
            (t.rms_dbfs - (peak - 3.01)).abs() < 0.05,
            "track {c}: {t:?}"
        );
        assert!(
            (t.short_term_lufs - short_term).abs() < 0.05,
            "track {c}: {t:?} vs {short_term}"
        );
        assert!(
            (t.momentary_lufs - short_term).abs() < 0.1,
            "track {c}: {t:?} vs {short_term}"
        );
        assert!(
            t.peak_dbfs <= sample_max && t.peak_dbfs > peak - 0.1,
            "track {c}: {t:?}"
        );
        assert_eq!(t.clips, 0);
    }
    assert!(snapshot.master.integrated_lufs.is_finite());
    assert!(snapshot.t_s > 2.9);
}

/// A recording in 24-bit rolls over to a second part when the first is full, and the parts
/// together hold every frame.
#[test]
fn files_roll_over_before_the_size_limit() {
    let channels = 2;
    let input = source(channels, RATE as usize);
    let dir = tempfile::tempdir().unwrap();
    let parts = build(config(channels), true, false).unwrap();
    let (mut processor, handle) = (parts.processor, parts.handle);
    let mut spec = take_spec(dir.path(), channels, RecordFormat::S24);
    spec.max_file_bytes = 3 * 20_000;
    let recorder = Recorder::start(spec, parts.record.unwrap(), handle.shared_counters()).unwrap();
    handle.send(Command::Record(true)).unwrap();
    processor.process(&input);
    handle.send(Command::Record(false)).unwrap();
    processor.process(&[]);
    let report = recorder.finish().unwrap();
    // 48 000 frames at 20 000 frames per part: three parts per track.
    assert_eq!(report.files.len(), 6);
    for c in 0..channels {
        let mut samples = Vec::new();
        for file in report.files.iter().filter(|f| {
            f.path
                .to_string_lossy()
                .contains(&format!("_{:02}-", c + 1))
        }) {
            let mut r = hound::WavReader::open(&file.path).unwrap();
            assert_eq!(r.spec().bits_per_sample, 24);
            samples.extend(r.samples::<i32>().map(Result::unwrap));
        }
        let expected: Vec<i32> = input
            .iter()
            .skip(c)
            .step_by(channels)
            .map(|x| (x * 8_388_607.0).round() as i32)
            .collect();
        assert!(samples == expected, "track {c}");
    }
}

/// The mix: a mono track panned centre reaches both sides at −3 dB; muted, solo'd and faded
/// tracks change the master as they should.
#[test]
fn the_master_follows_fader_pan_mute_and_solo() {
    let channels = 2;
    let parts = build(config(channels), false, true).unwrap();
    let (mut processor, handle, mut monitor) =
        (parts.processor, parts.handle, parts.monitor.unwrap());
    let block: Vec<f32> = (0..512).flat_map(|_| [0.5f32, 0.25]).collect();
    let mut last_frame = |processor: &mut studiodesk::engine::processor::Processor| {
        processor.process(&block);
        processor.process(&block);
        let mut out = vec![0.0f32; monitor.occupied_len()];
        monitor.pop_slice(&mut out);
        [out[out.len() - 2], out[out.len() - 1]]
    };
    let centre = std::f32::consts::FRAC_1_SQRT_2;
    let [l, r] = last_frame(&mut processor);
    assert!(
        (l - 0.75 * centre).abs() < 1e-6 && (r - 0.75 * centre).abs() < 1e-6,
        "{l} {r}"
    );
    handle
        .send(Command::Pan {
            track: 0,
            pan: -1.0,
        })
        .unwrap();
    handle.send(Command::Pan { track: 1, pan: 1.0 }).unwrap();
    let [l, r] = last_frame(&mut processor);
    assert!((l - 0.5).abs() < 1e-6 && (r - 0.25).abs() < 1e-6, "{l} {r}");
    handle
        .send(Command::Gain {
            track: 0,
            db: -6.0206,
        })
        .unwrap();
    let [l, _] = last_frame(&mut processor);
    assert!((l - 0.25).abs() < 1e-4, "{l}");
    handle.send(Command::Solo { track: 1, on: true }).unwrap();
    let [l, r] = last_frame(&mut processor);
    assert!(l == 0.0 && (r - 0.25).abs() < 1e-6, "{l} {r}");
    handle
        .send(Command::Solo {
            track: 1,
            on: false,
        })
        .unwrap();
    handle.send(Command::Mute { track: 1, on: true }).unwrap();
    handle.send(Command::MasterGain { db: 6.0206 }).unwrap();
    let [l, r] = last_frame(&mut processor);
    assert!((l - 0.5).abs() < 1e-4 && r == 0.0, "{l} {r}");
}

/// Gain changes ramp over 5 ms (240 frames at 48 kHz) whatever the block size, carried across
/// block boundaries: no zipper noise, no click, and no sluggish fade with large buffers.
#[test]
fn gain_changes_ramp_over_five_milliseconds() {
    for block_frames in [1000usize, 64] {
        let parts = build(config(1), false, true).unwrap();
        let (mut processor, handle, mut monitor) =
            (parts.processor, parts.handle, parts.monitor.unwrap());
        let block = vec![1.0f32; block_frames];
        let blocks = 2000 / block_frames + 1;
        processor.process(&vec![1.0f32; 1000]);
        handle
            .send(Command::Gain {
                track: 0,
                db: f64::NEG_INFINITY,
            })
            .unwrap();
        for _ in 0..blocks {
            processor.process(&block);
        }
        let mut out = vec![0.0f32; monitor.occupied_len()];
        monitor.pop_slice(&mut out);
        let left: Vec<f32> = out.iter().step_by(2).copied().collect();
        let centre = std::f32::consts::FRAC_1_SQRT_2;
        let ramp = (48_000.0 * studiodesk::engine::processor::RAMP_MS / 1000.0) as usize;
        assert_eq!(ramp, 240);
        assert!((left[999] - centre).abs() < 1e-6);
        assert!(
            (left[1000] - centre * (1.0 - 1.0 / 240.0)).abs() < 1e-5,
            "{block_frames}: {}",
            left[1000]
        );
        assert!(
            (left[1119] - centre * 0.5).abs() < 1e-5,
            "{block_frames}: {}",
            left[1119]
        );
        assert_eq!(left[1239], 0.0, "{block_frames}");
        assert!(left[1240..].iter().all(|x| *x == 0.0));
        // Monotonic fall in equal steps.
        for pair in left[1000..1240].windows(2) {
            assert!(
                pair[1] <= pair[0] && pair[0] - pair[1] < centre / 240.0 + 1e-5,
                "{block_frames}: {pair:?}"
            );
        }
    }
}

/// Nothing in the audio path allocates: 64 tracks, every meter, recording, monitoring and
/// commands arriving, over thousands of blocks; the recorder and monitor drain on other threads.
#[test]
fn the_audio_path_never_allocates() {
    let channels = 64;
    let dir = tempfile::tempdir().unwrap();
    let parts = build(config(channels), true, true).unwrap();
    let (mut processor, handle, mut monitor) =
        (parts.processor, parts.handle, parts.monitor.unwrap());
    let recorder = Recorder::start(
        take_spec(dir.path(), channels, RecordFormat::F32),
        parts.record.unwrap(),
        handle.shared_counters(),
    )
    .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_monitor = std::sync::Arc::clone(&stop);
    let drain = std::thread::spawn(move || {
        let mut out = vec![0.0f32; 8192];
        while !stop_monitor.load(std::sync::atomic::Ordering::Relaxed) {
            monitor.pop_slice(&mut out);
            std::thread::yield_now();
        }
    });
    let input = source(channels, 4096);
    handle.send(Command::Record(true)).unwrap();
    let mut count = 0;
    for i in 0..3000 {
        let block = &input[(i % 32) * 128 * channels..((i % 32) + 1) * 128 * channels];
        if i % 10 == 0 {
            handle
                .send(Command::Gain {
                    track: i % channels,
                    db: -((i % 20) as f64),
                })
                .unwrap();
            handle
                .send(Command::Pan {
                    track: (i + 1) % channels,
                    pan: 0.5,
                })
                .unwrap();
        }
        if i == 1500 {
            handle.send(Command::Solo { track: 3, on: true }).unwrap();
            handle.send(Command::ResetMeters).unwrap();
            handle.send(Command::PauseIntegrated(true)).unwrap();
            handle.send(Command::ResetTrackPeaks { track: 5 }).unwrap();
        }
        if i == 2000 {
            handle.send(Command::PauseIntegrated(false)).unwrap();
        }
        count += common::allocations_during(|| processor.process(block));
    }
    handle.send(Command::Record(false)).unwrap();
    processor.process(&[]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    drain.join().unwrap();
    let report = recorder.finish().unwrap();
    assert_eq!(count, 0, "allocations in the audio path");
    assert_eq!(report.frames + handle.counters().dropped_frames, 3000 * 128);
}

/// A writer that cannot keep up: with nobody draining the recorder's ring, the frames that do not
/// fit are counted as dropped, never silently lost, and the ring's content is intact.
#[test]
fn frames_that_do_not_fit_are_counted() {
    let channels = 2;
    let parts = build(config(channels), true, false).unwrap();
    let (mut processor, handle, mut ring) = (parts.processor, parts.handle, parts.record.unwrap());
    handle.send(Command::Record(true)).unwrap();
    let input = source(channels, RATE as usize);
    let seconds = studiodesk::engine::session::RECORD_RING_S + 2;
    for _ in 0..seconds {
        processor.process(&input);
    }
    let counters = handle.counters();
    let held = ring.occupied_len() / channels;
    assert_eq!(
        held + counters.dropped_frames as usize,
        seconds * RATE as usize
    );
    assert!(counters.dropped_frames >= 2 * RATE as u64, "{counters:?}");
    let mut first = vec![0.0f32; 1024 * channels];
    ring.pop_slice(&mut first);
    assert!(first == input[..1024 * channels]);
}

/// The monitor feed for a device at 44.1 kHz in a 48 kHz session: the tone keeps its pitch and
/// level, filling allocates nothing, and a dry ring plays silence and counts an underrun.
#[test]
fn the_monitor_is_converted_to_the_device_rate_without_allocating() {
    use ringbuf::HeapRb;
    use ringbuf::traits::{Producer, Split};
    use studiodesk::engine::monitor::MonitorFeed;
    use studiodesk::engine::snapshot::Counters;

    let (mut producer, consumer) = HeapRb::<f32>::new(2 * RATE as usize).split();
    let tone: Vec<f32> = (0..RATE as usize)
        .flat_map(|i| {
            let x = (0.5 * (std::f64::consts::TAU * 1000.0 * i as f64 / RATE as f64).sin()) as f32;
            [x, -x]
        })
        .collect();
    assert_eq!(producer.push_slice(&tone), tone.len());
    let counters = std::sync::Arc::new(Counters::default());
    let mut feed = MonitorFeed::new(consumer, RATE, 44_100, counters.clone(), false).unwrap();
    let mut played = vec![0.0f32; 2 * 40_000];
    let mut at = 0;
    let mut allocations = 0;
    for size in [64usize, 441, 128, 1000].iter().cycle() {
        if at == played.len() {
            break;
        }
        let end = (at + 2 * size).min(played.len());
        allocations += common::allocations_during(|| feed.fill(&mut played[at..end]));
        at = end;
    }
    assert_eq!(allocations, 0);
    assert_eq!(counters.values().monitor_underruns, 0);
    let left: Vec<f32> = played.iter().step_by(2).copied().collect();
    let right: Vec<f32> = played.iter().skip(1).step_by(2).copied().collect();
    let middle = &left[4_410..39_690];
    let level_db = 20.0 * (common::rms(middle) / (0.5 / 2f64.sqrt())).log10();
    assert!(level_db.abs() < 0.1, "level {level_db} dB");
    let period = common::period_samples(middle);
    assert!((period - 44.1).abs() < 0.01, "period {period} samples");
    assert!(
        left[10_000..10_100]
            .iter()
            .zip(&right[10_000..10_100])
            .all(|(l, r)| (l + r).abs() < 1e-6)
    );
    // The ring runs dry: silence and an underrun, no panic.
    let mut rest = vec![1.0f32; 2 * 20_000];
    feed.fill(&mut rest);
    assert!(counters.values().monitor_underruns > 0);
    assert!(rest[rest.len() - 2..].iter().all(|x| *x == 0.0));
}

impl Monitored {
    /// The correction found, averaged, is the clocks' drift within 10 ppm.
    fn assert_drift_found(&self, drift_ppm: f64) {
        let found = self.correction_ppm.unwrap();
        assert!(
            (found - drift_ppm).abs() < 10.0,
            "{drift_ppm} ppm: {self:?}"
        );
    }
}

/// A stretch of monitoring on two clocks, simulated: the input delivers `block`-frame blocks at
/// 48 kHz × (1 + drift), the device asks for `callback`-frame callbacks at `device_rate_hz`. No
/// sleeping: the same every run.
struct Clocks {
    drift_ppm: f64,
    follow: bool,
    seconds: f64,
    device_rate_hz: u32,
    block: usize,
    callback: usize,
    /// The input delivers nothing from this second for this long (its frames are lost).
    stall: Option<(f64, f64)>,
    /// Frames already waiting when the output starts.
    backlog: usize,
    /// Waiting audio is watched from this second on.
    watch_from_s: f64,
}

impl Default for Clocks {
    fn default() -> Self {
        Clocks {
            drift_ppm: 0.0,
            follow: true,
            seconds: 60.0,
            device_rate_hz: RATE,
            block: 128,
            callback: 256,
            stall: None,
            backlog: 0,
            watch_from_s: 20.0,
        }
    }
}

/// What the monitor did.
#[derive(Debug)]
struct Monitored {
    underruns: u64,
    overrun_frames: u64,
    /// Audio waiting after a callback, lowest and highest, in session frames.
    waiting: (f64, f64),
    /// The drift correction, averaged over the watch and its widest swing either side of that.
    correction_ppm: Option<f64>,
    wobble_ppm: f64,
    cushion_frames: Option<f64>,
    allocations: usize,
}

impl Clocks {
    fn run(&self) -> Monitored {
        use ringbuf::HeapRb;
        use ringbuf::traits::{Observer, Producer, Split};
        use studiodesk::engine::monitor::MonitorFeed;
        use studiodesk::engine::snapshot::Counters;

        // The engine's monitor ring: half a second.
        let (mut producer, consumer) = HeapRb::<f32>::new(RATE as usize).split();
        let counters = std::sync::Arc::new(Counters::default());
        let mut feed = MonitorFeed::new(
            consumer,
            RATE,
            self.device_rate_hz,
            counters.clone(),
            self.follow,
        )
        .unwrap();
        let input_rate = RATE as f64 * (1.0 + self.drift_ppm * 1e-6);
        let block: Vec<f32> = (0..self.block)
            .flat_map(|i| {
                let x = (0.25 * (std::f64::consts::TAU * i as f64 / 64.0).sin()) as f32;
                [x, x]
            })
            .collect();
        for _ in 0..self.backlog / self.block {
            producer.push_slice(&block);
        }
        let mut out = vec![0.0f32; 2 * self.callback];
        let (mut delivered, mut overrun_frames, mut allocations) = (0u64, 0u64, 0);
        let mut waiting = (f64::MAX, f64::MIN);
        let mut corrections = Vec::new();
        let callbacks = (self.seconds * self.device_rate_hz as f64 / self.callback as f64) as u64;
        for n in 1..=callbacks {
            let now_s = (n * self.callback as u64) as f64 / self.device_rate_hz as f64;
            while ((delivered + self.block as u64) as f64) <= now_s * input_rate {
                delivered += self.block as u64;
                let stalled = self
                    .stall
                    .is_some_and(|(from, length)| (from..from + length).contains(&now_s));
                if stalled {
                    continue;
                }
                if producer.vacant_len() >= block.len() {
                    producer.push_slice(&block);
                } else {
                    overrun_frames += self.block as u64;
                }
            }
            allocations += common::allocations_during(|| feed.fill(&mut out));
            if now_s >= self.watch_from_s {
                let w = feed.buffered_frames();
                waiting = (waiting.0.min(w), waiting.1.max(w));
                corrections.extend(feed.correction_ppm());
            }
        }
        // What the front ends read: the correction applied last, in ppb, while following.
        assert_eq!(
            counters.values().monitor_correction_ppb,
            feed.correction_ppm().map(|ppm| (ppm * 1e3).round() as i64)
        );
        let mean = (!corrections.is_empty())
            .then(|| corrections.iter().sum::<f64>() / corrections.len() as f64);
        let wobble_ppm = corrections
            .iter()
            .map(|c| (c - mean.unwrap_or(0.0)).abs())
            .fold(0.0, f64::max);
        Monitored {
            underruns: counters.values().monitor_underruns,
            overrun_frames,
            waiting,
            correction_ppm: mean,
            wobble_ppm,
            cushion_frames: feed.cushion_frames(),
            allocations,
        }
    }
}

/// A monitor on a clock of its own, 300 ppm off the input's either way, over ten simulated
/// minutes. Left alone (`shared`), the ring fills up by 14 frames a second (the monitor's delay
/// creeps up by 170 ms in ten minutes, until the ring overflows), or runs dry again and again;
/// following the input, the feed finds the drift (within 10 ppm), holds its fill steady near its
/// cushion, and never runs dry or over once started. Allocates nothing.
#[test]
fn a_monitor_on_its_own_clock_follows_the_input() {
    for drift_ppm in [300.0, -300.0] {
        let clocks = Clocks {
            drift_ppm,
            seconds: 600.0,
            watch_from_s: 120.0,
            ..Clocks::default()
        };
        let alone = Clocks {
            follow: false,
            ..clocks
        }
        .run();
        if drift_ppm > 0.0 {
            // 14.4 frames a second for 480 s.
            let (low, high) = alone.waiting;
            assert!(high - low > 6_500.0, "{drift_ppm} ppm alone: {alone:?}");
        } else {
            // A click every few seconds.
            assert!(alone.underruns > 20, "{drift_ppm} ppm alone: {alone:?}");
        }
        let followed = clocks.run();
        assert_eq!(followed.allocations, 0);
        assert_eq!(followed.overrun_frames, 0, "{followed:?}");
        assert_eq!(followed.underruns, 0, "{followed:?}");
        followed.assert_drift_found(drift_ppm);
        // Blocks arrive whole: the pitch wobbles, by less than a third of a cent.
        assert!(followed.wobble_ppm < 200.0, "{followed:?}");
        let (low, high) = followed.waiting;
        let cushion = followed.cushion_frames.unwrap();
        assert!(low > 0.0 && high < 2.0 * cushion, "{followed:?}");
    }
    // The same clock: nothing to correct.
    let same = Clocks {
        seconds: 120.0,
        watch_from_s: 60.0,
        ..Clocks::default()
    }
    .run();
    same.assert_drift_found(0.0);
    assert_eq!(same.underruns, 0);
}

/// Following another clock through what real set-ups bring: a device at 44.1 kHz asking for
/// 512-frame callbacks while the input delivers 1024-frame blocks (no underrun: the cushion
/// covers the bursts from the start); the input stalling for a second (the underruns are
/// counted, the cushion does not grow for it, and the drift is found again); a late start with
/// 0.4 s already waiting (dropped, not played 0.4 s late).
#[test]
fn a_followed_monitor_copes_with_blocks_rates_stalls_and_backlogs() {
    let big = Clocks {
        drift_ppm: 200.0,
        seconds: 240.0,
        watch_from_s: 120.0,
        device_rate_hz: 44_100,
        block: 1024,
        callback: 512,
        ..Clocks::default()
    }
    .run();
    assert_eq!((big.underruns, big.overrun_frames), (0, 0), "{big:?}");
    big.assert_drift_found(200.0);
    let cushion = big.cushion_frames.unwrap();
    // Two conversion chunks, a callback, a block: about 2 300 frames.
    assert!((1_024.0 + 512.0..3_000.0).contains(&cushion), "{big:?}");
    assert!(
        big.waiting.0 > 0.0 && big.waiting.1 < cushion + 1_024.0,
        "{big:?}"
    );

    let steady = Clocks {
        drift_ppm: 100.0,
        seconds: 240.0,
        watch_from_s: 120.0,
        ..Clocks::default()
    };
    let stalled = Clocks {
        stall: Some((30.0, 1.0)),
        ..steady
    }
    .run();
    let steady = steady.run();
    assert!((1..=3).contains(&stalled.underruns), "{stalled:?}");
    assert_eq!(stalled.cushion_frames, steady.cushion_frames, "{stalled:?}");
    stalled.assert_drift_found(100.0);
    assert!(
        stalled.waiting.1 < 2.0 * stalled.cushion_frames.unwrap(),
        "{stalled:?}"
    );

    let late = Clocks {
        backlog: 19_200,
        seconds: 30.0,
        watch_from_s: 0.0,
        ..Clocks::default()
    }
    .run();
    assert_eq!(late.underruns, 0, "{late:?}");
    assert!(
        late.waiting.1 < 2.0 * late.cushion_frames.unwrap(),
        "{late:?}"
    );
}

/// Bad configurations and commands: a track on a channel the input lacks is refused; a NaN or
/// infinite gain or pan is ignored instead of poisoning the mix and the meters.
#[test]
fn bad_configurations_and_commands_are_refused() {
    let mut bad = config(2);
    bad.tracks.push(Track::mono("ghost", 5));
    let error = build(bad, false, false).err().unwrap();
    assert_eq!(
        error.to_string(),
        "track 'ghost' reads input channel 6, the input has 2"
    );

    let parts = build(config(1), false, true).unwrap();
    let (mut processor, mut handle, mut monitor) =
        (parts.processor, parts.handle, parts.monitor.unwrap());
    handle
        .send(Command::Gain {
            track: 0,
            db: f64::NAN,
        })
        .unwrap();
    handle
        .send(Command::Pan {
            track: 0,
            pan: f64::INFINITY,
        })
        .unwrap();
    handle.send(Command::MasterGain { db: f64::NAN }).unwrap();
    handle.send(Command::Gain { track: 7, db: 3.0 }).unwrap();
    processor.process(&vec![0.5f32; 4800]);
    let mut out = vec![0.0f32; monitor.occupied_len()];
    monitor.pop_slice(&mut out);
    assert!(out.iter().all(|x| x.is_finite()));
    assert!((out[out.len() - 1] - 0.5 * std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    assert!(handle.latest().master.true_peak_dbtp.is_finite());
}

/// Tech 3341's pause: while paused, the master's integrated loudness stands still (momentary goes
/// on); it reads what the `ebur128` crate reads of the audio before the pause. One track's clip
/// light is reset without touching the others.
#[test]
fn integrated_pauses_and_clip_lights_reset_per_track() {
    let parts = build(config(2), false, false).unwrap();
    let (mut processor, mut handle) = (parts.processor, parts.handle);
    let tone = |amp: f64, seconds: usize| -> Vec<f32> {
        (0..RATE as usize * seconds)
            .flat_map(|i| {
                let x =
                    (amp * (std::f64::consts::TAU * 997.0 * i as f64 / RATE as f64).sin()) as f32;
                [x, x]
            })
            .collect()
    };
    let before = tone(0.1, 5);
    for block in before.chunks(2 * 1000) {
        processor.process(block);
    }
    // The master is the two tracks panned centre (−3 dB each), summed: 0.1 × 2 × 0.7071 per side.
    let master: Vec<f32> = before
        .iter()
        .map(|x| x * 2.0 * std::f32::consts::FRAC_1_SQRT_2)
        .collect();
    let mut reference = ebur128::EbuR128::new(2, RATE, ebur128::Mode::I).unwrap();
    reference.add_frames_f32(&master).unwrap();
    let expected = reference.loudness_global().unwrap();
    let integrated = handle.latest().master.integrated_lufs;
    assert!(
        (integrated - expected).abs() < 0.02,
        "{integrated} vs {expected}"
    );

    handle.send(Command::PauseIntegrated(true)).unwrap();
    for block in tone(0.5, 3).chunks(2 * 1000) {
        processor.process(block);
    }
    let paused = handle.latest().master.clone();
    assert!(paused.integrated_paused);
    assert_eq!(paused.integrated_lufs, integrated);
    assert!(paused.momentary_lufs > integrated + 10.0, "{paused:?}");

    handle.send(Command::PauseIntegrated(false)).unwrap();
    for block in tone(0.5, 3).chunks(2 * 1000) {
        processor.process(block);
    }
    let going = handle.latest().master.clone();
    assert!(!going.integrated_paused);
    assert!(going.integrated_lufs > integrated + 5.0, "{going:?}");

    // Clip both tracks, then reset track 0's light only.
    processor.process(&[1.0f32, -1.0].repeat(64));
    for block in tone(0.01, 1).chunks(2 * 1000) {
        processor.process(block);
    }
    let clipped = handle.latest().tracks.clone();
    assert!(
        clipped[0].clips >= 3 && clipped[1].clips >= 3,
        "{clipped:?}"
    );
    handle.send(Command::ResetTrackPeaks { track: 0 }).unwrap();
    for block in tone(0.01, 1).chunks(2 * 1000) {
        processor.process(block);
    }
    let after = handle.latest().tracks.clone();
    assert_eq!(after[0].clips, 0);
    assert!(after[0].true_peak_dbtp < -30.0, "{after:?}");
    assert_eq!(after[1].clips, clipped[1].clips);
    assert!(after[1].true_peak_dbtp > -0.1, "{after:?}");
}

/// Takes one after another on one ring (as the desk records them): each take holds exactly the
/// frames played while it was recording, and nothing of the audio between takes.
#[test]
fn takes_follow_each_other_on_one_ring() {
    let channels = 2;
    let input = source(channels, 3 * RATE as usize);
    let dir = tempfile::tempdir().unwrap();
    let parts = build(config(channels), true, false).unwrap();
    let (mut processor, handle) = (parts.processor, parts.handle);
    let mut ring = parts.record;
    let third = input.len() / 3;
    for take in 1..=2u32 {
        let spec = TakeSpec {
            take,
            ..take_spec(dir.path(), channels, RecordFormat::F32)
        };
        let recorder =
            Recorder::start(spec, ring.take().unwrap(), handle.shared_counters()).unwrap();
        handle.send(Command::Record(true)).unwrap();
        let part = &input[(take as usize - 1) * third..take as usize * third];
        part.chunks(512 * channels)
            .for_each(|b| processor.process(b));
        handle.send(Command::Record(false)).unwrap();
        // Audio between takes is metered, not recorded.
        processor.process(&input[2 * third..2 * third + 100 * channels]);
        let (report, back) = recorder.finish_keeping_ring();
        ring = back;
        let report = report.unwrap();
        assert_eq!(report.frames, (third / channels) as u64, "take {take}");
        let recorded: Vec<f32> = hound::WavReader::open(&report.files[1].path)
            .unwrap()
            .samples::<f32>()
            .map(Result::unwrap)
            .collect();
        let expected: Vec<f32> = part.iter().skip(1).step_by(channels).copied().collect();
        assert!(recorded == expected, "take {take} differs");
    }
    assert!(ring.is_some());
    assert_eq!(handle.counters().dropped_frames, 0);
}
