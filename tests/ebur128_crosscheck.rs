//! Cross-check against an independent implementation, the `ebur128` crate (a port of libebur128),
//! on seeded noise-and-tone and programme-like signals at several rates and channel counts:
//! momentary and short-term read every 100 ms, integrated loudness within 0.02 LU, true peak within
//! 0.2 dB, sample peak exactly.
//!
//! Where the true peaks differ by more (white noise reaching Nyquist, which neither interpolator
//! passes whole), a 16× reference settles it: ours must be the closer of the two.

mod common;

use ebur128::{Channel, EbuR128, Mode};
use studiodesk::meter::{Isa, Layout, LoudnessMeter};
use studiodesk::signals::{noise_and_tone, programme};

fn crate_meter(rate: u32, layout: &Layout) -> EbuR128 {
    let channels = layout.channels();
    let mut r = EbuR128::new(channels as u32, rate, Mode::all() & !Mode::HISTOGRAM).unwrap();
    let map: Vec<Channel> = match layout {
        Layout::Mono => vec![Channel::Center],
        Layout::Stereo => vec![Channel::Left, Channel::Right],
        Layout::Surround51 => vec![
            Channel::Left,
            Channel::Right,
            Channel::Center,
            Channel::Unused,
            Channel::LeftSurround,
            Channel::RightSurround,
        ],
        other => panic!("no crate channel map for {other}"),
    };
    r.set_channel_map(&map).unwrap();
    r
}

/// Compare on both instruction sets this machine has (baseline SSE2 and, where present, AVX2+FMA).
fn compare(rate: u32, layout: &Layout, frames: &[f32], what: &str) {
    for isa in [Isa::baseline(), Isa::detect()] {
        compare_on(isa, rate, layout, frames, &format!("{what} ({isa})"));
    }
}

fn compare_on(isa: Isa, rate: u32, layout: &Layout, frames: &[f32], what: &str) {
    let channels = layout.channels();
    let mut ours = LoudnessMeter::with_isa(rate, layout, isa);
    let mut theirs = crate_meter(rate, layout);
    let block = (rate as usize).div_ceil(10) * channels;
    let mut compared = 0;
    for (i, chunk) in frames.chunks(block).enumerate() {
        ours.process(chunk);
        theirs.add_frames_f32(chunk).unwrap();
        if chunk.len() == block && i >= 30 {
            let (m, s) = (
                ours.loudness().momentary_lufs(0),
                ours.loudness().short_term_lufs(0),
            );
            let (m_ref, s_ref) = (
                theirs.loudness_momentary().unwrap(),
                theirs.loudness_shortterm().unwrap(),
            );
            assert!(
                (m - m_ref).abs() < 0.02,
                "{what} M at block {i}: {m} vs {m_ref}"
            );
            assert!(
                (s - s_ref).abs() < 0.02,
                "{what} S at block {i}: {s} vs {s_ref}"
            );
            compared += 1;
        }
    }
    assert!(compared > 0);
    let reading = ours.reading(0);
    let i_ref = theirs.loudness_global().unwrap();
    assert!(
        (reading.integrated_lufs - i_ref).abs() < 0.02,
        "{what} I: {} vs {i_ref}",
        reading.integrated_lufs
    );
    for c in 0..channels {
        let tp = 20.0 * (ours.peaks().true_peak(c) as f64).log10();
        let tp_ref = 20.0 * theirs.true_peak(c as u32).unwrap().log10();
        if (tp - tp_ref).abs() >= 0.2 {
            let channel: Vec<f32> = frames.iter().skip(c).step_by(channels).copied().collect();
            let truth = 20.0 * common::reference_true_peak(&channel).log10();
            assert!(
                (tp - truth).abs() < (tp_ref - truth).abs(),
                "{what} true peak ch {c}: ours {tp:.3}, crate {tp_ref:.3}, 16× reference {truth:.3}"
            );
            eprintln!(
                "{what} true peak ch {c}: ours {tp:.3}, crate {tp_ref:.3}, 16× reference {truth:.3}"
            );
        }
        assert_eq!(
            ours.peaks().sample_peak(c) as f64,
            theirs.sample_peak(c as u32).unwrap(),
            "{what} sample peak ch {c}"
        );
    }
}

#[test]
fn noise_and_tone_agrees_with_the_ebur128_crate() {
    for rate in [44_100, 48_000, 96_000] {
        for layout in [Layout::Mono, Layout::Stereo, Layout::Surround51] {
            let frames = noise_and_tone(rate, layout.channels(), 8.0, rate as u64 + 7);
            compare(
                rate,
                &layout,
                &frames,
                &format!("noise+tone {rate} Hz {layout}"),
            );
        }
    }
}

#[test]
fn programme_material_agrees_with_the_ebur128_crate() {
    for rate in [32_000, 48_000, 88_200] {
        for layout in [Layout::Stereo, Layout::Surround51] {
            let frames = programme(rate, layout.channels(), 20.0, 11);
            compare(
                rate,
                &layout,
                &frames,
                &format!("programme {rate} Hz {layout}"),
            );
        }
    }
}
