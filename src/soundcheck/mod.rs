//! Sound check: every channel measured, judged against a profile, explained.
//!
//! The checks take samples they are given (a live capture or files) and know nothing of devices:
//! signal present, level (peaks against the profile's window, or programme loudness for delivery
//! profiles), clipping (runs of ≥ 3 samples at full scale) and true peak, noise floor (the
//! quietest 10 % of 100 ms blocks), mains hum (50 or 60 Hz and harmonics from the FFT), DC offset,
//! dropouts (runs of exact zeros or a frozen sample inside signal), polarity and phase between
//! related channels (correlation and the sign and lag of the cross-correlation peak), and the
//! source's sample rate against the session's.

pub mod profile;
pub mod report;

use std::sync::Arc;

use realfft::RealFftPlanner;
use realfft::num_complex::Complex;
use serde::Serialize;

use crate::meter::units::{gain_to_db, power_to_db};
use crate::meter::{Layout, LoudnessMeter, Peaks};

pub use profile::Profile;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }

    /// The verdict named by `text` ("pass", "warn", "fail", in any case).
    pub fn parse(text: &str) -> Option<Verdict> {
        [Verdict::Pass, Verdict::Warn, Verdict::Fail]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(text))
    }
}

/// One check of one channel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckResult {
    pub check: &'static str,
    pub verdict: Verdict,
    /// What was measured (units in `threshold`'s text); `None` when it could not be measured.
    pub value: Option<f64>,
    /// The rule, for people: "−18 to −6 dBFS".
    pub threshold: String,
    /// One line of advice (empty when there is nothing to do).
    pub advice: String,
}

/// Every check of one channel, and the worst verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelResult {
    /// 1-based.
    pub channel: usize,
    pub name: String,
    pub verdict: Verdict,
    pub checks: Vec<CheckResult>,
}

/// A check run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub profile: String,
    pub sample_rate_hz: u32,
    pub seconds: f64,
    pub channels: Vec<ChannelResult>,
    /// Delivery profiles: the programme (all channels, weighted by layout) judged for loudness.
    pub programme: Vec<CheckResult>,
    pub verdict: Verdict,
}

/// A channel to check.
#[derive(Clone, Debug)]
pub struct Channel<'a> {
    pub name: String,
    pub samples: &'a [f32],
    /// Rate of the source, when it could differ from the session's (files).
    pub source_rate_hz: Option<u32>,
}

/// |x| at or above which a sample is at full scale.
const FULL_SCALE: f32 = 0.999;
/// Consecutive full-scale samples that make a clip.
const CLIP_RUN: usize = 3;
/// Below this peak a channel has no signal, in dBFS.
const DEAD_DBFS: f64 = -80.0;
/// A run of exact zeros or a frozen sample this long inside signal is a dropout, in ms…
const DROPOUT_MS: f64 = 2.0;
/// …up to this long; longer exact silence is a gate or a mute, not a dropout.
const DROPOUT_MAX_MS: f64 = 250.0;
/// Channels whose signals correlate at least this much are compared for polarity and phase.
const RELATED: f64 = 0.5;
/// Largest lag searched between related channels, in ms (about 3.4 m of path difference).
const MAX_LAG_MS: f64 = 10.0;

fn check(
    check: &'static str,
    verdict: Verdict,
    value: Option<f64>,
    threshold: impl Into<String>,
    advice: impl Into<String>,
) -> CheckResult {
    CheckResult {
        check,
        verdict,
        value,
        threshold: threshold.into(),
        advice: advice.into(),
    }
}

fn time(index: usize, rate: u32) -> f64 {
    index as f64 / rate as f64
}

/// Split interleaved frames of `channels` channels into one vector per channel.
pub fn deinterleave(interleaved: &[f32], channels: usize) -> Vec<Vec<f32>> {
    (0..channels)
        .map(|c| {
            interleaved
                .iter()
                .skip(c)
                .step_by(channels)
                .copied()
                .collect()
        })
        .collect()
}

/// Run every check of `profile` over `channels` (all at `rate_hz`).
pub fn run(channels: &[Channel], rate_hz: u32, profile: &Profile) -> Report {
    let frames = channels.iter().map(|c| c.samples.len()).max().unwrap_or(0);
    let mut results: Vec<ChannelResult> = channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let checks = channel_checks(c, rate_hz, profile);
            ChannelResult {
                channel: i + 1,
                name: c.name.clone(),
                verdict: checks
                    .iter()
                    .map(|c| c.verdict)
                    .max()
                    .unwrap_or(Verdict::Pass),
                checks,
            }
        })
        .collect();
    for (a, b, result) in polarity_checks(channels, rate_hz) {
        for target in [a, b] {
            let r = &mut results[target];
            r.verdict = r.verdict.max(result.verdict);
            r.checks.push(result.clone());
        }
    }
    let programme = match profile.loudness_lufs {
        Some(target) => programme_checks(channels, rate_hz, target, profile.max_true_peak_dbtp),
        None => Vec::new(),
    };
    let verdict = results
        .iter()
        .map(|r| r.verdict)
        .chain(programme.iter().map(|c| c.verdict))
        .max()
        .unwrap_or(Verdict::Pass);
    Report {
        profile: profile.name.clone(),
        sample_rate_hz: rate_hz,
        seconds: frames as f64 / rate_hz as f64,
        channels: results,
        programme,
        verdict,
    }
}

fn channel_checks(c: &Channel, rate: u32, profile: &Profile) -> Vec<CheckResult> {
    let x = c.samples;
    let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs())) as f64;
    let peak_db = gain_to_db(peak);
    let mut out = Vec::new();
    if let Some(source) = c.source_rate_hz
        && source != rate
    {
        out.push(check(
            "sample_rate",
            Verdict::Warn,
            Some(source as f64),
            format!("{rate} Hz (the session's)"),
            format!(
                "recorded at {source} Hz: it is converted for the session; deliver at {rate} Hz"
            ),
        ));
    }
    if peak_db < DEAD_DBFS {
        let what = if peak == 0.0 {
            "digital silence"
        } else {
            "no usable signal"
        };
        out.push(check(
            "signal",
            Verdict::Fail,
            Some(peak_db).filter(|v| v.is_finite()),
            format!("peak above {DEAD_DBFS} dBFS"),
            format!("{what}: check the cable, phantom power, the preamp and the routing"),
        ));
        return out;
    }
    out.push(check(
        "signal",
        Verdict::Pass,
        Some(peak_db),
        format!("peak above {DEAD_DBFS} dBFS"),
        "",
    ));
    let rms_db = power_to_db(x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64);
    out.push(check(
        "rms",
        Verdict::Pass,
        Some(rms_db),
        "RMS over the check, dBFS (for reference)",
        "",
    ));
    let mut loudness = LoudnessMeter::new(rate, &Layout::Mono);
    loudness.process(x);
    let short_term = loudness.reading(0).short_term_max_lufs;
    out.push(check(
        "short_term_max",
        Verdict::Pass,
        Some(short_term).filter(|v| v.is_finite()),
        "loudest 3 s, LUFS (for reference)",
        "",
    ));
    if let Some((low, high)) = profile.peak_window_dbfs {
        let centre = (low + high) / 2.0;
        let (verdict, advice) = if peak_db > high {
            let v = if peak_db > -1.0 {
                Verdict::Fail
            } else {
                Verdict::Warn
            };
            (
                v,
                format!(
                    "peaks {peak_db:.1} dBFS: lower the preamp gain ~{:.0} dB",
                    peak_db - centre
                ),
            )
        } else if peak_db < low {
            let v = if peak_db < low - 12.0 {
                Verdict::Fail
            } else {
                Verdict::Warn
            };
            (
                v,
                format!(
                    "peaks {peak_db:.1} dBFS: raise the preamp gain ~{:.0} dB",
                    centre - peak_db
                ),
            )
        } else {
            (Verdict::Pass, String::new())
        };
        out.push(check(
            "level",
            verdict,
            Some(peak_db),
            format!("peaks {low} to {high} dBFS (headroom {:.1} dB)", -peak_db),
            advice,
        ));
    }
    out.push(clipping(x, rate, profile));
    out.push(noise_floor(x, rate, profile));
    out.push(hum(x, rate, profile));
    let dc = x.iter().map(|v| *v as f64).sum::<f64>() / x.len().max(1) as f64;
    let limit = profile.max_dc_offset;
    let verdict = if dc.abs() >= 4.0 * limit {
        Verdict::Fail
    } else if dc.abs() >= limit {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    out.push(check(
        "dc_offset",
        verdict,
        Some(dc),
        format!("|DC| below {limit}"),
        if verdict == Verdict::Pass {
            String::new()
        } else {
            format!(
                "DC offset {dc:+.3}: check the preamp or converter; a high-pass filter removes it"
            )
        },
    ));
    out.push(dropouts(x, rate));
    out
}

fn clipping(x: &[f32], rate: u32, profile: &Profile) -> CheckResult {
    let (mut runs, mut first, mut run) = (0usize, None, 0usize);
    for (i, v) in x.iter().enumerate() {
        if v.abs() >= FULL_SCALE {
            run += 1;
            if run == CLIP_RUN {
                runs += 1;
                first.get_or_insert(i + 1 - CLIP_RUN);
            }
        } else {
            run = 0;
        }
    }
    let mut peaks = Peaks::new(rate, 1);
    peaks.process(x);
    peaks.process(&[0.0; 64]);
    let tp = gain_to_db(peaks.true_peak(0) as f64);
    if let Some(at) = first {
        return check(
            "clipping",
            Verdict::Fail,
            Some(runs as f64),
            format!("no run of {CLIP_RUN} samples at full scale"),
            format!(
                "{runs} clipped run(s), first at {:.3} s: lower the gain before the converter",
                time(at, rate)
            ),
        );
    }
    let ceiling = profile.max_true_peak_dbtp;
    let verdict = if tp > ceiling {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    check(
        "clipping",
        verdict,
        Some(tp),
        format!("true peak ≤ {ceiling} dBTP, no clipped runs"),
        if verdict == Verdict::Pass {
            String::new()
        } else {
            format!("true peak {tp:.1} dBTP: leave more headroom")
        },
    )
}

/// 100 ms RMS blocks, sorted.
fn block_levels(x: &[f32], rate: u32) -> Vec<f64> {
    let block = (rate as usize / 10).max(1);
    let mut levels: Vec<f64> = x
        .chunks_exact(block)
        .map(|b| power_to_db(b.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / block as f64))
        .collect();
    levels.sort_by(|a, b| a.total_cmp(b));
    levels
}

fn noise_floor(x: &[f32], rate: u32, profile: &Profile) -> CheckResult {
    let levels = block_levels(x, rate);
    let limit = profile.max_noise_floor_dbfs;
    let threshold = format!("quietest 10 % of 100 ms blocks below {limit} dBFS");
    if levels.len() < 10 {
        return check(
            "noise_floor",
            Verdict::Pass,
            None,
            threshold,
            "too short to measure (needs 1 s)",
        );
    }
    let floor = levels[levels.len() / 10];
    let loud = levels[levels.len() * 9 / 10];
    // A floor within 25 dB of the loud passages is the signal itself (decays, soft notes): no
    // quiet stretch to measure.
    if floor.is_finite() && loud - floor < 25.0 {
        return check(
            "noise_floor",
            Verdict::Pass,
            None,
            threshold,
            "no quiet passage to measure: include a few seconds of silence in the check",
        );
    }
    let floor_value = floor.max(-200.0);
    let verdict = if floor_value > limit + 10.0 {
        Verdict::Fail
    } else if floor_value > limit {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    check(
        "noise_floor",
        verdict,
        Some(floor_value),
        threshold,
        if verdict == Verdict::Pass {
            String::new()
        } else {
            format!(
                "quietest passages at {floor_value:.1} dBFS (noise or bleed): find the source, gate, or use less gain on a louder source"
            )
        },
    )
}

fn hum(x: &[f32], rate: u32, profile: &Profile) -> CheckResult {
    let n = x
        .len()
        .min(1 << 16)
        .next_power_of_two()
        .min(x.len().next_power_of_two());
    let threshold = format!(
        "hum at least {} dB under the signal",
        profile.min_hum_margin_db
    );
    if x.len() < rate as usize / 2 {
        return check(
            "hum",
            Verdict::Pass,
            None,
            threshold,
            "too short to measure (needs 0.5 s)",
        );
    }
    let n = if n > x.len() { n / 2 } else { n };
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(n);
    let mut input: Vec<f64> = x[..n]
        .iter()
        .enumerate()
        .map(|(i, v)| {
            *v as f64 * (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos())
        })
        .collect();
    let mut spectrum = vec![Complex::default(); n / 2 + 1];
    if fft.process(&mut input, &mut spectrum).is_err() {
        return check(
            "hum",
            Verdict::Pass,
            None,
            threshold,
            "could not be measured",
        );
    }
    let power: Vec<f64> = spectrum.iter().map(|c| c.norm_sqr()).collect();
    let total: f64 = power.iter().skip(1).sum();
    let bin_hz = rate as f64 / n as f64;
    let band = |from: f64, to: f64| -> (f64, usize) {
        let (a, b) = (
            (from / bin_hz).ceil().max(1.0) as usize,
            (to / bin_hz).floor() as usize,
        );
        let b = b.min(power.len() - 1);
        if a > b {
            (0.0, 0)
        } else {
            (power[a..=b].iter().sum(), b - a + 1)
        }
    };
    // Mains hum is a steady, narrow line at exactly k × 50 or 60 Hz; music near those pitches is
    // not. A harmonic counts when its ±0.75 Hz line stands 10 dB above the spectrum 2–8 Hz away.
    let line = |f: f64| {
        let (line, bins) = band(f - 0.75, f + 0.75);
        let (below, nb) = band(f - 8.0, f - 2.0);
        let (above, na) = band(f + 2.0, f + 8.0);
        let background = (below + above) / (nb + na).max(1) as f64 * bins as f64;
        if line > 10.0 * background { line } else { 0.0 }
    };
    let mains = |f0: f64| line(f0) + line(2.0 * f0) + line(3.0 * f0);
    let (mains_hz, hum_power) = if mains(50.0) >= mains(60.0) {
        (50.0, mains(50.0))
    } else {
        (60.0, mains(60.0))
    };
    let margin = -power_to_db(hum_power / total.max(f64::MIN_POSITIVE));
    let needed = profile.min_hum_margin_db;
    let verdict = if margin >= needed {
        Verdict::Pass
    } else if margin >= needed - 10.0 {
        Verdict::Warn
    } else {
        Verdict::Fail
    };
    check(
        "hum",
        verdict,
        Some(-margin),
        threshold,
        if verdict == Verdict::Pass {
            String::new()
        } else {
            format!(
                "hum at {mains_hz:.0} Hz {margin:.0} dB under the signal: check grounding and cable runs"
            )
        },
    )
}

fn dropouts(x: &[f32], rate: u32) -> CheckResult {
    let min_run = ((DROPOUT_MS / 1000.0) * rate as f64).ceil() as usize;
    let max_run = ((DROPOUT_MAX_MS / 1000.0) * rate as f64) as usize;
    let threshold = format!(
        "no run of zeros or a frozen sample of {DROPOUT_MS}–{DROPOUT_MAX_MS} ms inside signal"
    );
    // Signal bounds: ignore silence before the first and after the last audible sample.
    let audible = |v: &f32| v.abs() > 1e-4;
    let (Some(first), Some(last)) = (x.iter().position(audible), x.iter().rposition(audible))
    else {
        return check("dropouts", Verdict::Pass, None, threshold, "");
    };
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut start = first;
    for i in first + 1..=last + 1 {
        if i <= last && x[i] == x[start] {
            continue;
        }
        let length = i - start;
        // A flat top at full scale is clipping, reported as such.
        if (min_run..=max_run).contains(&length)
            && start > first
            && i <= last
            && x[start].abs() < FULL_SCALE
        {
            found.push((start, length));
        }
        start = i;
    }
    match found.first() {
        None => check("dropouts", Verdict::Pass, Some(0.0), threshold, ""),
        Some(&(at, length)) => check(
            "dropouts",
            Verdict::Fail,
            Some(found.len() as f64),
            threshold,
            format!(
                "{} dropout(s), first {:.1} ms at {:.3} s: check the clock, the cable and the buffer size",
                found.len(),
                1000.0 * length as f64 / rate as f64,
                time(at, rate)
            ),
        ),
    }
}

/// Pairs of related channels (correlating at least [`RELATED`] at their best lag) with inverted
/// polarity or a time offset. Returns (channel a, channel b, result) with 0-based indices.
fn polarity_checks(channels: &[Channel], rate: u32) -> Vec<(usize, usize, CheckResult)> {
    let max_lag = (MAX_LAG_MS / 1000.0 * rate as f64) as usize;
    let mut out = Vec::new();
    for a in 0..channels.len() {
        for b in a + 1..channels.len() {
            let (x, y) = (channels[a].samples, channels[b].samples);
            let n = x.len().min(y.len());
            if n < 2 * max_lag + 1 {
                continue;
            }
            let Some((lag, r)) = best_lag(&x[..n], &y[..n], max_lag) else {
                continue;
            };
            if r.abs() < RELATED {
                continue;
            }
            let lag_ms = 1000.0 * lag as f64 / rate as f64;
            let (na, nb) = (a + 1, b + 1);
            let result = if r < 0.0 {
                check(
                    "polarity",
                    Verdict::Fail,
                    Some(r),
                    "related channels in polarity (correlation > 0)",
                    format!(
                        "polarity of ch {nb} inverted against ch {na} (correlation {r:+.2}, lag {lag} samples): flip one"
                    ),
                )
            } else if lag_ms.abs() > 0.5 {
                check(
                    "phase",
                    Verdict::Warn,
                    Some(lag_ms),
                    "related channels within 0.5 ms",
                    format!(
                        "ch {nb} is {lag_ms:+.2} ms ({lag} samples) against ch {na}: check the mic distances"
                    ),
                )
            } else {
                check(
                    "polarity",
                    Verdict::Pass,
                    Some(r),
                    "related channels in polarity (correlation > 0)",
                    "",
                )
            };
            out.push((a, b, result));
        }
    }
    out
}

/// The lag (in samples, of `y` against `x`) within ±`max_lag` where the normalised
/// cross-correlation is largest in magnitude, and its value (−1…+1). FFT-based.
fn best_lag(x: &[f32], y: &[f32], max_lag: usize) -> Option<(isize, f64)> {
    let n = x.len();
    let size = (2 * n).next_power_of_two();
    let mut planner = RealFftPlanner::<f64>::new();
    let forward: Arc<dyn realfft::RealToComplex<f64>> = planner.plan_fft_forward(size);
    let inverse = planner.plan_fft_inverse(size);
    let spectrum = |s: &[f32]| -> Option<Vec<Complex<f64>>> {
        let mut input = vec![0.0f64; size];
        for (d, v) in input.iter_mut().zip(s) {
            *d = *v as f64;
        }
        let mut out = vec![Complex::default(); size / 2 + 1];
        forward.process(&mut input, &mut out).ok()?;
        Some(out)
    };
    let (fx, fy) = (spectrum(x)?, spectrum(y)?);
    let mut product: Vec<Complex<f64>> = fx.iter().zip(&fy).map(|(a, b)| a.conj() * b).collect();
    let mut xcorr = vec![0.0f64; size];
    inverse.process(&mut product, &mut xcorr).ok()?;
    let energy = |s: &[f32]| s.iter().map(|v| (*v as f64).powi(2)).sum::<f64>();
    let norm = (energy(x) * energy(y)).sqrt() * size as f64;
    if norm <= 0.0 {
        return None;
    }
    (-(max_lag as isize)..=max_lag as isize)
        .map(|lag| {
            let index = if lag >= 0 {
                lag as usize
            } else {
                size - (-lag) as usize
            };
            (lag, xcorr[index] / norm)
        })
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
}

/// Delivery profiles: integrated loudness and true peak of all channels as one programme.
fn programme_checks(
    channels: &[Channel],
    rate: u32,
    (target, tolerance): (f64, f64),
    max_tp: f64,
) -> Vec<CheckResult> {
    let n = channels.len();
    let frames = channels.iter().map(|c| c.samples.len()).min().unwrap_or(0);
    let mut interleaved = vec![0.0f32; frames * n];
    for (c, ch) in channels.iter().enumerate() {
        for (i, v) in ch.samples[..frames].iter().enumerate() {
            interleaved[i * n + c] = *v;
        }
    }
    let mut meter = LoudnessMeter::new(rate, &Layout::for_stream(n, None));
    meter.process(&interleaved);
    let reading = meter.reading(0);
    let i = reading.integrated_lufs;
    let off = i - target;
    let loudness = if !i.is_finite() {
        check(
            "loudness",
            Verdict::Fail,
            None,
            format!("{target} LUFS ±{tolerance} LU"),
            "no programme above the −70 LUFS gate",
        )
    } else if off.abs() <= tolerance {
        check(
            "loudness",
            Verdict::Pass,
            Some(i),
            format!("{target} LUFS ±{tolerance} LU"),
            "",
        )
    } else {
        check(
            "loudness",
            if off.abs() <= 2.0 * tolerance {
                Verdict::Warn
            } else {
                Verdict::Fail
            },
            Some(i),
            format!("{target} LUFS ±{tolerance} LU"),
            format!(
                "integrated {i:.1} LUFS: change the level by {:+.1} dB",
                -off
            ),
        )
    };
    let tp = reading.true_peak_dbtp;
    let peak = check(
        "true_peak",
        if tp <= max_tp {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        Some(tp).filter(|v| v.is_finite()),
        format!("≤ {max_tp} dBTP"),
        if tp <= max_tp {
            String::new()
        } else {
            format!("true peak {tp:.1} dBTP: limit to {max_tp} dBTP")
        },
    );
    vec![loudness, peak]
}
