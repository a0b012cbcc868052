//! Metering throughput: studiodesk's full EBU meter (M, S, I, LRA, sample and true peak) beside the
//! `ebur128` crate with every mode, in the same criterion groups, on the same signals.
//!
//! - `fed-only`: blocks of 4096 frames, nothing read until the end (file analysis);
//! - `read-100ms`: blocks of 100 ms, momentary and short-term read after each (a live meter).
//!
//! Signals: seeded noise and tone (every sample different, the worst case for any shortcut) and
//! programme-like material (music-like level changes). Throughput is in frames per second.
//! `studiodesk` runs on the instruction set detected at run time (AVX2+FMA where present),
//! `studiodesk-baseline` on baseline x86-64 (SSE2).

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ebur128::{Channel, EbuR128, Mode};
use studiodesk::meter::{Isa, Layout, LoudnessMeter};
use studiodesk::signals::{noise_and_tone, programme};

const RATE: u32 = 48_000;
const SECONDS: f64 = 10.0;
const FED_BLOCK_FRAMES: usize = 4096;

fn crate_meter(layout: &Layout) -> EbuR128 {
    let mut r = EbuR128::new(
        layout.channels() as u32,
        RATE,
        Mode::all() & !Mode::HISTOGRAM,
    )
    .unwrap();
    if *layout == Layout::Surround71 {
        use Channel::*;
        r.set_channel_map(&[
            Left,
            Right,
            Center,
            Unused,
            LeftSurround,
            RightSurround,
            LeftSurround,
            RightSurround,
        ])
        .unwrap();
    }
    r
}

fn bench_signal(c: &mut Criterion, signal_name: &str, make: fn(u32, usize, f64, u64) -> Vec<f32>) {
    for layout in [Layout::Stereo, Layout::Surround71] {
        let channels = layout.channels();
        let signal = make(RATE, channels, SECONDS, 42);
        let frames = (signal.len() / channels) as u64;
        for (mode, block_frames, read) in [
            ("fed-only", FED_BLOCK_FRAMES, false),
            ("read-100ms", RATE as usize / 10, true),
        ] {
            let mut group = c.benchmark_group(format!("{signal_name}/{channels}ch/{mode}"));
            group.throughput(Throughput::Elements(frames));
            group.sample_size(10);
            let block = block_frames * channels;
            for (name, isa) in [
                ("studiodesk", Isa::detect()),
                ("studiodesk-baseline", Isa::baseline()),
            ] {
                group.bench_function(BenchmarkId::from_parameter(name), |b| {
                    b.iter_batched_ref(
                        || LoudnessMeter::with_isa(RATE, &layout, isa),
                        |m| {
                            for chunk in signal.chunks(block) {
                                m.process(chunk);
                                if read {
                                    let l = m.loudness();
                                    std::hint::black_box((
                                        l.momentary_lufs(0),
                                        l.short_term_lufs(0),
                                    ));
                                }
                            }
                            std::hint::black_box(m.reading(0))
                        },
                        BatchSize::LargeInput,
                    )
                });
            }
            group.bench_function(BenchmarkId::from_parameter("ebur128"), |b| {
                b.iter_batched_ref(
                    || crate_meter(&layout),
                    |m| {
                        for chunk in signal.chunks(block) {
                            m.add_frames_f32(chunk).unwrap();
                            if read {
                                std::hint::black_box((
                                    m.loudness_momentary().unwrap(),
                                    m.loudness_shortterm().unwrap(),
                                ));
                            }
                        }
                        std::hint::black_box((
                            m.loudness_global().unwrap(),
                            m.loudness_range().unwrap(),
                            m.true_peak(0).unwrap(),
                        ))
                    },
                    BatchSize::LargeInput,
                )
            });
            group.finish();
        }
    }
}

fn meters(c: &mut Criterion) {
    bench_signal(c, "noise-and-tone", noise_and_tone);
    bench_signal(c, "programme", programme);
}

criterion_group!(benches, meters);
criterion_main!(benches);
