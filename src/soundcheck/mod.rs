//! Sound check: every channel measured, judged against a profile, explained.
//!
//! The checks take samples they are given (a live capture or files, block by block) and know
//! nothing of devices. A [`Checker`] measures as the audio streams by, in memory bounded by the
//! number of channels, whatever the length: signal present, level (peaks against the profile's
//! window, or programme loudness for delivery profiles), clipping (runs of ≥ 3 samples at full
//! scale) and true peak, noise floor (the quietest steady half second, DC removed, and what
//! dominates it), mains hum (50 or 60 Hz and harmonics, its level in dBFS and under the
//! channel's own level), DC offset, dropouts (a sounding signal cut and resumed), polarity
//! (settled by consensus over every group of inputs that hear one source) and time offsets
//! between them, and the source's sample rate against the session's.

mod channel;
mod checks;
pub mod hum;
pub mod polarity;
pub mod profile;
pub mod report;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::meter::layout::Layout;
use crate::meter::{Isa, Loudness, Peaks};

use channel::{ChannelMeter, Shared};
use polarity::Correlator;

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
    /// Further measurements by name, units in the name (`hum_dbfs`, `under_signal_db`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub measured: BTreeMap<&'static str, f64>,
}

impl CheckResult {
    /// The same result with one more named measurement.
    pub fn with(mut self, name: &'static str, value: f64) -> Self {
        if value.is_finite() {
            self.measured.insert(name, value);
        }
        self
    }
}

/// Every check of one channel, and the worst verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelResult {
    /// 1-based.
    pub channel: usize,
    pub name: String,
    pub verdict: Verdict,
    pub checks: Vec<CheckResult>,
    /// The channel's average spectrum in [`hum::BandSpectrum`]'s bands (20 Hz up, 12 a
    /// octave), in dBFS to a tenth; empty when the check was too short.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spectrum_dbfs: Vec<f32>,
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

/// A channel to check, all in memory (see [`run`]).
#[derive(Clone, Debug)]
pub struct Channel<'a> {
    pub name: String,
    pub samples: &'a [f32],
    /// Rate of the source, when it could differ from the session's (files).
    pub source_rate_hz: Option<u32>,
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

/// Frames [`run`] hands a [`Checker`] at a time.
const BLOCK_FRAMES: usize = 8192;

/// Run every check of `profile` over `channels` (all at `rate_hz`), block by block.
pub fn run(channels: &[Channel], rate_hz: u32, profile: &Profile) -> Report {
    let mut checker = Checker::new(
        channels.iter().map(|c| c.name.clone()).collect(),
        channels.iter().map(|c| c.source_rate_hz).collect(),
        rate_hz,
        profile,
    );
    let frames = channels.iter().map(|c| c.samples.len()).max().unwrap_or(0);
    for start in (0..frames).step_by(BLOCK_FRAMES) {
        let block: Vec<&[f32]> = channels
            .iter()
            .map(|c| {
                let s = c.samples;
                &s[start.min(s.len())..(start + BLOCK_FRAMES).min(s.len())]
            })
            .collect();
        checker.push(&block);
    }
    checker.finish()
}

/// A sound check in progress: feed it blocks as they come, then [`Checker::finish`].
pub struct Checker {
    rate_hz: u32,
    profile: Profile,
    names: Vec<String>,
    source_rates: Vec<Option<u32>>,
    meters: Vec<ChannelMeter>,
    /// Spectra for the meters of each of the two threads.
    shared: [Shared; 2],
    correlator: Correlator,
    /// Per channel alone, then the programme (layout-weighted).
    loudness: Loudness,
    peaks: Peaks,
    interleaved: Vec<f32>,
    frames: u64,
}

impl Checker {
    /// A check of channels named `names` at `rate_hz`; `source_rates` are the rates the
    /// sources were at before conversion (files), `None` when they are the session's.
    pub fn new(
        names: Vec<String>,
        source_rates: Vec<Option<u32>>,
        rate_hz: u32,
        profile: &Profile,
    ) -> Self {
        let n = names.len();
        let programmes = (0..n)
            .map(|c| {
                let mut one = vec![0.0; n];
                one[c] = 1.0;
                one
            })
            .chain(std::iter::once(
                Layout::for_stream(n.max(1), None).weights(),
            ))
            .map(|mut w| {
                w.resize(n, 0.0);
                w
            })
            .collect();
        let isa = Isa::detect();
        Checker {
            rate_hz,
            profile: profile.clone(),
            source_rates: (0..n)
                .map(|c| source_rates.get(c).copied().flatten())
                .collect(),
            meters: (0..n).map(|_| ChannelMeter::new(rate_hz)).collect(),
            shared: [Shared::new(rate_hz), Shared::new(rate_hz)],
            correlator: Correlator::new(n, rate_hz),
            loudness: Loudness::with_programmes(rate_hz, n, programmes, isa),
            peaks: Peaks::with_isa(rate_hz, n, isa),
            interleaved: Vec::new(),
            frames: 0,
            names,
        }
    }

    /// The next frames, one slice per channel. A slice shorter than the longest means its
    /// channel has ended: it is measured to there, and silent for what is compared with others.
    pub fn push(&mut self, planar: &[&[f32]]) {
        let n = self.meters.len();
        let frames = planar.iter().map(|c| c.len()).max().unwrap_or(0);
        if n == 0 || frames == 0 {
            return;
        }
        // Two threads: the pairs and half the channels on one, the other half with the
        // loudness and peak meters on this one.
        let half = n.div_ceil(2);
        let (first, second) = self.meters.split_at_mut(half);
        let [shared_a, shared_b] = &mut self.shared;
        let (correlator, loudness, peaks, interleaved) = (
            &mut self.correlator,
            &mut self.loudness,
            &mut self.peaks,
            &mut self.interleaved,
        );
        std::thread::scope(|scope| {
            scope.spawn(|| {
                correlator.push(planar);
                for (meter, x) in second.iter_mut().zip(&planar[half.min(planar.len())..]) {
                    meter.push(x, shared_b);
                }
            });
            for (meter, x) in first.iter_mut().zip(planar) {
                meter.push(x, shared_a);
            }
            interleaved.clear();
            interleaved.resize(frames * n, 0.0);
            for (c, x) in planar.iter().enumerate().take(n) {
                for (i, v) in x.iter().enumerate() {
                    interleaved[i * n + c] = *v;
                }
            }
            loudness.process(interleaved);
            peaks.process(interleaved);
        });
        self.frames += frames as u64;
    }

    /// The next interleaved frames of every channel.
    pub fn push_interleaved(&mut self, interleaved: &[f32]) {
        let n = self.meters.len().max(1);
        let planar = deinterleave(interleaved, n);
        let slices: Vec<&[f32]> = planar.iter().map(|c| c.as_slice()).collect();
        self.push(&slices);
    }

    /// Judge everything measured.
    pub fn finish(mut self) -> Report {
        let n = self.meters.len();
        // Flush the true-peak interpolator.
        self.peaks.process(&vec![0.0; 64 * n]);
        let rate = self.rate_hz;
        let measured: Vec<channel::Measured> = std::mem::take(&mut self.meters)
            .into_iter()
            .map(|m| m.finish(&mut self.shared[0]))
            .collect();
        let mut results: Vec<ChannelResult> = measured
            .iter()
            .enumerate()
            .map(|(c, m)| {
                let checks = checks::channel(
                    m,
                    &checks::Context {
                        rate,
                        profile: &self.profile,
                        source_rate_hz: self.source_rates[c],
                        short_term_max_lufs: self.loudness.short_term_max_lufs(c),
                        true_peak: self.peaks.true_peak(c) as f64,
                    },
                );
                ChannelResult {
                    channel: c + 1,
                    name: self.names[c].clone(),
                    verdict: Verdict::Pass,
                    checks,
                    spectrum_dbfs: m
                        .spectrum_dbfs
                        .iter()
                        .map(|d| (d * 10.0).round() / 10.0)
                        .collect(),
                }
            })
            .collect();
        let alive: Vec<bool> = measured.iter().map(checks::alive).collect();
        let pairs: Vec<polarity::Pair> = self
            .correlator
            .finish(rate)
            .into_iter()
            .filter(|p| alive[p.a] && alive[p.b])
            .collect();
        for (c, result) in checks::polarity(n, &pairs, rate) {
            results[c].checks.push(result);
        }
        for r in &mut results {
            r.verdict = r
                .checks
                .iter()
                .map(|c| c.verdict)
                .max()
                .unwrap_or(Verdict::Pass);
        }
        let programme = match self.profile.loudness_lufs {
            Some(target) => checks::programme(
                self.loudness.integrated_lufs(n),
                self.peaks.max_true_peak() as f64,
                target,
                self.profile.max_true_peak_dbtp,
            ),
            None => Vec::new(),
        };
        let verdict = results
            .iter()
            .map(|r| r.verdict)
            .chain(programme.iter().map(|c| c.verdict))
            .max()
            .unwrap_or(Verdict::Pass);
        Report {
            profile: self.profile.name.clone(),
            sample_rate_hz: rate,
            seconds: self.frames as f64 / rate as f64,
            channels: results,
            programme,
            verdict,
        }
    }
}
