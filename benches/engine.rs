//! `Processor::process` per 128-frame block at 48 kHz with 8, 32 and 64 tracks, every meter on,
//! recording and monitoring (their rings drained by another thread, as the recorder and output
//! stream do). Throughput is in frames per second: divide by 48 000 for the real-time factor; the
//! share of one core the engine needs is 48 000 / throughput.

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

criterion_group!(benches, engine);
criterion_main!(benches);
