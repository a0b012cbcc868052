//! `Processor::process` per 128-frame block at 48 kHz with 8, 32 and 64 tracks, every meter on,
//! recording and monitoring (their rings drained by another thread, as the recorder and output
//! stream do). Throughput is in frames per second: divide by 48 000 for the real-time factor; the
//! share of one core the engine needs is 48 000 / throughput. Then the monitor output's callback,
//! on one clock with the input and following another.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ringbuf::traits::Consumer;
use studiodesk::engine::processor::{Command, ProcessorConfig, Track};
use studiodesk::engine::session::build;
use studiodesk::signals::programme;

const RATE: u32 = 48_000;
const BLOCK: usize = 128;

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("process-128-frames");
    group.throughput(Throughput::Elements(BLOCK as u64));
    for tracks in [8usize, 32, 64] {
        let config = ProcessorConfig {
            sample_rate_hz: RATE,
            input_channels: tracks,
            max_block_frames: BLOCK,
            tracks: (0..tracks)
                .map(|t| Track::mono(format!("{t}"), t))
                .collect(),
            master_gain_db: 0.0,
        };
        let parts = build(config, true, true).unwrap();
        let (mut processor, handle) = (parts.processor, parts.handle);
        let (mut record, mut monitor) = (parts.record.unwrap(), parts.monitor.unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let drain_stop = Arc::clone(&stop);
        let drain = std::thread::spawn(move || {
            let mut buffer = vec![0.0f32; 1 << 16];
            while !drain_stop.load(Ordering::Relaxed) {
                let n = record.pop_slice(&mut buffer) + monitor.pop_slice(&mut buffer);
                if n == 0 {
                    std::thread::yield_now();
                }
            }
        });
        handle.send(Command::Record(true)).unwrap();
        let input = programme(RATE, tracks, 2.0, 7);
        let blocks: Vec<&[f32]> = input.chunks_exact(BLOCK * tracks).collect();
        let mut i = 0;
        group.bench_function(
            BenchmarkId::from_parameter(format!("{tracks}-tracks")),
            |b| {
                b.iter(|| {
                    processor.process(blocks[i % blocks.len()]);
                    i += 1;
                })
            },
        );
        stop.store(true, Ordering::Relaxed);
        drain.join().unwrap();
        let counters = handle.counters();
        eprintln!(
            "{tracks} tracks: {} frames processed, {} dropped by the recorder ring",
            counters.frames_processed, counters.dropped_frames
        );
    }
    group.finish();
}

/// The monitor output's callback (256 frames at 48 kHz, stereo): the mix copied from the ring
/// when the device shares the input's clock, against the drift-following feed (sinc resampler
/// with its ratio trimmed every callback).
fn monitor(c: &mut Criterion) {
    use ringbuf::HeapRb;
    use ringbuf::traits::{Producer, Split};
    use studiodesk::engine::monitor::MonitorFeed;
    use studiodesk::engine::snapshot::Counters;

    const CALLBACK: usize = 256;
    let mut group = c.benchmark_group("monitor-256-frames");
    group.throughput(Throughput::Elements(CALLBACK as u64));
    let mix = programme(RATE, 2, 1.0, 3);
    for (name, follow) in [("shared-clock", false), ("following", true)] {
        let (mut producer, consumer) = HeapRb::<f32>::new(RATE as usize).split();
        let counters = Arc::new(Counters::default());
        let mut feed = MonitorFeed::new(consumer, RATE, RATE, counters.clone(), follow).unwrap();
        let mut out = vec![0.0f32; 2 * CALLBACK];
        // Start from a cushion, then each call brings what a callback takes (the same push in
        // both, timed with the callback).
        producer.push_slice(&mix[..4 * CALLBACK * 2]);
        let blocks: Vec<&[f32]> = mix.chunks_exact(2 * CALLBACK).collect();
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                producer.push_slice(blocks[i % blocks.len()]);
                i += 1;
                feed.fill(&mut out);
            })
        });
        eprintln!(
            "{name}: {} underruns, {} frames waiting",
            counters.values().monitor_underruns,
            feed.buffered_frames()
        );
    }
    group.finish();
}

criterion_group!(benches, engine, monitor);
criterion_main!(benches);
