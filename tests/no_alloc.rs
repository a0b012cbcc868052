//! Every meter's `process` (and the readouts a live meter makes) allocates nothing: a counting
//! global allocator, counting per thread, watches thousands of blocks of every size.

mod common;

use studiodesk::meter::{Correlation, Layout, Levels, LoudnessMeter, Spectrum};
use studiodesk::signals::{noise_and_tone, programme};

#[global_allocator]
static GLOBAL: common::Counting = common::Counting;

#[test]
fn meters_never_allocate_while_processing_or_reading() {
    for (rate, layout) in [
        (48_000, Layout::Stereo),
        (44_100, Layout::Surround51),
        (96_000, Layout::Tracks(8)),
        (192_000, Layout::Mono),
        (48_000, Layout::Plain(12)),
    ] {
        let channels = layout.channels();
        let mut signal = noise_and_tone(rate, channels, 3.0, 1);
        signal.extend(programme(rate, channels, 3.0, 2));
        let mut meter = LoudnessMeter::new(rate, &layout);
        let mut levels = Levels::new(rate, channels, 300);
        let pairs: Vec<(usize, usize)> = (0..channels / 2).map(|p| (2 * p, 2 * p + 1)).collect();
        let mut correlation = Correlation::new(rate, channels, &pairs, 400);
        let mut spectrum = Spectrum::new(rate, channels, 4096);
        let mut bands = vec![0.0; spectrum.band_count()];
        let mut blocks = 0;
        let count = common::allocations_during(|| {
            // Block sizes as audio interfaces deliver them, odd ones included.
            for (i, size) in [64usize, 128, 256, 441, 1024, 4096, 1]
                .iter()
                .cycle()
                .enumerate()
            {
                let start = blocks * channels;
                if start >= signal.len() {
                    break;
                }
                let end = (start + size * channels).min(signal.len());
                let block = &signal[start..end];
                meter.process(block);
                levels.process(block);
                correlation.process(block);
                spectrum.process(block);
                blocks += (end - start) / channels;
                if i % 16 == 0 {
                    for p in 0..meter.programmes() {
                        std::hint::black_box(meter.reading(p));
                    }
                    for c in 0..channels {
                        std::hint::black_box((levels.rms_dbfs(c), levels.dc_offset(c)));
                    }
                    for p in 0..pairs.len() {
                        std::hint::black_box(correlation.correlation(p));
                    }
                    spectrum.analyse(0, &mut bands);
                }
            }
            meter.reset();
            levels.reset();
        });
        assert_eq!(count, 0, "{rate} Hz {layout}: {count} allocations");
        assert!(blocks > 0);
    }
}

/// The counter works: a `Vec` push is seen.
#[test]
fn the_counter_sees_allocations() {
    assert!(
        common::allocations_during(|| {
            std::hint::black_box(vec![1u8; 16]);
        }) > 0
    );
}
