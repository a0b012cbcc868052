//! EBU Tech 3341 (loudness metering, "EBU Mode") and Tech 3342 (loudness range) conformance,
//! with the test signals synthesised from their definitions, at 48 kHz (the standard's rate) and
//! again at 44.1 kHz and 96 kHz. Tolerances are the specification's: ±0.1 LU for loudness, ±1 LU
//! for loudness range, +0.2 / −0.4 dB for true peak.

use studiodesk::meter::{Layout, LoudnessMeter};
use studiodesk::signals::{sine, stepped_sine, true_peak_case};

const RATES: [u32; 3] = [48_000, 44_100, 96_000];

/// Feed `frames` in 100 ms blocks; return the meter and (time in s, M, S) after each block.
fn meter(rate: u32, layout: &Layout, frames: &[f32]) -> (LoudnessMeter, Vec<(f64, f64, f64)>) {
    let mut meter = LoudnessMeter::new(rate, layout);
    let block = rate as usize / 10 * layout.channels();
    let mut readings = Vec::new();
    for (i, chunk) in frames.chunks(block).enumerate() {
        meter.process(chunk);
        let l = meter.loudness();
        readings.push((
            (i + 1) as f64 / 10.0,
            l.momentary_lufs(0),
            l.short_term_lufs(0),
        ));
    }
    (meter, readings)
}

fn assert_near(what: &str, value: f64, expected: f64, tolerance: f64) {
    assert!(
        (value - expected).abs() <= tolerance,
        "{what}: {value:.3}, expected {expected} ± {tolerance}"
    );
}

/// Cases 1 and 2: a constant stereo sine reads its level as M, S and I.
#[test]
fn tech3341_cases_1_and_2_constant_level() {
    for rate in RATES {
        for dbfs in [-23.0, -33.0] {
            let (m, readings) = meter(rate, &Layout::Stereo, &stepped_sine(rate, &[(dbfs, 20.0)]));
            let what = format!("{rate} Hz, {dbfs} dBFS");
            for &(t, momentary, short_term) in &readings {
                if t >= 3.0 {
                    assert_near(&format!("{what} M at {t:.1} s"), momentary, dbfs, 0.1);
                    assert_near(&format!("{what} S at {t:.1} s"), short_term, dbfs, 0.1);
                }
            }
            assert_near(
                &format!("{what} I"),
                m.reading(0).integrated_lufs,
                dbfs,
                0.1,
            );
        }
    }
}

/// Cases 3, 4 and 5: the gates. Quiet passages below the relative (case 3, 4) and absolute
/// (case 4, −72 dBFS) gates do not pull the integrated loudness down.
#[test]
fn tech3341_cases_3_to_5_gating() {
    let cases: [&[(f64, f64)]; 3] = [
        &[(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)],
        &[
            (-72.0, 10.0),
            (-36.0, 10.0),
            (-23.0, 60.0),
            (-36.0, 10.0),
            (-72.0, 10.0),
        ],
        &[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)],
    ];
    for rate in RATES {
        for (i, sections) in cases.iter().enumerate() {
            let (m, _) = meter(rate, &Layout::Stereo, &stepped_sine(rate, sections));
            let what = format!("{rate} Hz case {}", i + 3);
            assert_near(&what, m.reading(0).integrated_lufs, -23.0, 0.1);
        }
    }
}

/// Case 6: 5.0 — L and R at −28 dBFS, C at −24, Ls and Rs at −30 with the 1.41 surround weight.
#[test]
fn tech3341_case_6_surround() {
    for rate in RATES {
        let channels = [
            sine(rate, 1, 1000.0, -28.0, 20.0, 0.0),
            sine(rate, 1, 1000.0, -28.0, 20.0, 0.0),
            sine(rate, 1, 1000.0, -24.0, 20.0, 0.0),
            sine(rate, 1, 1000.0, -30.0, 20.0, 0.0),
            sine(rate, 1, 1000.0, -30.0, 20.0, 0.0),
        ];
        let frames: Vec<f32> = (0..channels[0].len())
            .flat_map(|i| channels.iter().map(move |c| c[i]))
            .collect();
        let (m, _) = meter(rate, &Layout::Surround50, &frames);
        assert_near(
            &format!("{rate} Hz case 6"),
            m.reading(0).integrated_lufs,
            -23.0,
            0.1,
        );
        // The same with an LFE channel carrying a loud tone: 5.1 excludes it.
        let lfe = sine(rate, 1, 60.0, -6.0, 20.0, 0.0);
        let frames: Vec<f32> = (0..channels[0].len())
            .flat_map(|i| {
                let c = &channels;
                [c[0][i], c[1][i], c[2][i], lfe[i], c[3][i], c[4][i]]
            })
            .collect();
        let (m, _) = meter(rate, &Layout::Surround51, &frames);
        assert_near(
            &format!("{rate} Hz case 6 + LFE"),
            m.reading(0).integrated_lufs,
            -23.0,
            0.1,
        );
    }
}

/// Case 9: alternating 1.34 s at −20 and 1.66 s at −30 dBFS; every 3 s window holds one of each,
/// so short-term loudness reads −23.0 throughout after 3 s.
#[test]
fn tech3341_case_9_short_term_constant() {
    for rate in RATES {
        let sections: Vec<(f64, f64)> = (0..5)
            .flat_map(|_| [(-20.0, 1.34), (-30.0, 1.66)])
            .collect();
        let (_, readings) = meter(rate, &Layout::Stereo, &stepped_sine(rate, &sections));
        for &(t, _, short_term) in readings.iter().filter(|r| r.0 >= 3.0) {
            assert_near(&format!("{rate} Hz S at {t:.1} s"), short_term, -23.0, 0.1);
        }
    }
}

/// Case 12: alternating 0.18 s at −20 and 0.22 s at −30 dBFS; momentary reads −23.0 after 1 s.
#[test]
fn tech3341_case_12_momentary_constant() {
    for rate in RATES {
        let sections: Vec<(f64, f64)> = (0..25)
            .flat_map(|_| [(-20.0, 0.18), (-30.0, 0.22)])
            .collect();
        let (_, readings) = meter(rate, &Layout::Stereo, &stepped_sine(rate, &sections));
        for &(t, momentary, _) in readings.iter().filter(|r| r.0 >= 1.0) {
            assert_near(&format!("{rate} Hz M at {t:.1} s"), momentary, -23.0, 0.1);
        }
    }
}

/// Cases 15–19: true peak of sines whose peaks fall between samples.
#[test]
fn tech3341_cases_15_to_19_true_peak() {
    // (divisor of the rate, phase in degrees, peak amplitude, expected dBTP)
    let cases = [
        (4.0, 0.0, 0.5, -6.0),
        (4.0, 45.0, 0.5, -6.0),
        (6.0, 60.0, 0.5, -6.0),
        (8.0, 67.5, 0.5, -6.0),
        (4.0, 45.0, 1.41, 3.0),
    ];
    for rate in RATES {
        for (i, &(divisor, phase, peak, expected)) in cases.iter().enumerate() {
            let (m, _) = meter(
                rate,
                &Layout::Stereo,
                &true_peak_case(rate, divisor, phase, peak),
            );
            let tp = m.reading(0).true_peak_dbtp;
            let what = format!("{rate} Hz case {}: {tp:.3} dBTP", i + 15);
            assert!(
                tp <= expected + 0.2 && tp >= expected - 0.4,
                "{what}, expected {expected}"
            );
        }
    }
}

/// Tech 3342 cases 1–4: loudness range of stepped levels.
#[test]
fn tech3342_cases_1_to_4_loudness_range() {
    let cases: [(&[(f64, f64)], f64); 4] = [
        (&[(-20.0, 20.0), (-30.0, 20.0)], 10.0),
        (&[(-20.0, 20.0), (-15.0, 20.0)], 5.0),
        (&[(-40.0, 20.0), (-20.0, 20.0)], 20.0),
        (
            &[
                (-50.0, 20.0),
                (-35.0, 20.0),
                (-20.0, 20.0),
                (-35.0, 20.0),
                (-50.0, 20.0),
            ],
            15.0,
        ),
    ];
    for rate in RATES {
        for (i, (sections, expected)) in cases.iter().enumerate() {
            let (m, _) = meter(rate, &Layout::Stereo, &stepped_sine(rate, sections));
            let lra = m.reading(0).loudness_range_lu;
            assert_near(
                &format!("{rate} Hz Tech 3342 case {}", i + 1),
                lra,
                *expected,
                1.0,
            );
        }
    }
}
