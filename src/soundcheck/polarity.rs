//! Polarity and time offsets between inputs that hear one source.
//!
//! Every channel is transformed once per window (Hann, ~85 ms, end to end); every pair's
//! cross-spectrum and every channel's power spectrum are summed over the check (Welch). Memory
//! is channels² × one window, whatever the length, and a pair costs one multiply-add per bin
//! per window.
//!
//! At the end, per pair:
//! - below 20 Hz is left out (DC and rumble say nothing about polarity);
//! - the lag is the peak of the coherence-weighted cross-correlation (each bin counts by how
//!   consistently the two channels share it, not by how loud it is), so sustained low notes do
//!   not outvote the broadband attack, and a half-period lag of a tone cannot win;
//! - the pair is related when the plain correlation at that lag is strong;
//! - the sign is trusted only when the plain and weighted correlations agree, no band of the
//!   spectrum disagrees, and no peak of the opposite sign comes close (a periodic series).
//!
//! Then the signs are settled by consensus over each group of related inputs: the assignment
//! of polarities that contradicts the fewest (weakest) pairs; the minority is inverted.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// Largest lag searched between related channels, in ms (about 3.4 m of path difference).
pub const MAX_LAG_MS: f64 = 10.0;
/// Channels whose plain correlation at the found lag reaches this are strongly related…
pub const RELATED: f64 = 0.5;
/// …and those that share a consistent delay (the weighted correlation reaches [`COHERENT`])
/// with a plain correlation of at least [`WEAK`], or both at least [`BOTH`], are related too
/// (a room mic hears every source, each as a part of what it hears).
const WEAK: f64 = 0.15;
const COHERENT: f64 = 0.5;
const BOTH: f64 = 0.35;
/// Below this, in Hz, bins are left out.
const LOW_CUT_HZ: f64 = 20.0;
/// Band edges for the sign's agreement across the spectrum, in Hz.
const BANDS_HZ: [f64; 2] = [300.0, 2000.0];
/// How much a bin's level counts beside its coherence (0: not at all, 1: as in a plain
/// correlation, where sustained low notes outvote everything).
const LEVEL_WEIGHT: f64 = 0.3;
/// A plain correlation this strong at (nearly) no lag is one signal split in two.
const COPY: f64 = 0.95;
/// An opposite-signed peak this close to the best one makes the sign uncertain.
const SERIES: f64 = 0.7;

/// Cross-spectra of every pair, summed over the check.
pub struct Correlator {
    size: usize,
    channels: usize,
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Per channel, the samples of the window being filled.
    buffers: Vec<f32>,
    filled: usize,
    /// Per channel, the current window's spectrum (real and imaginary parts apart).
    re: Vec<f32>,
    im: Vec<f32>,
    /// Per channel, summed power per bin.
    auto: Vec<f64>,
    /// Per pair (a < b, in order), summed conj(A)·B per bin.
    cross_re: Vec<f32>,
    cross_im: Vec<f32>,
    pairs: Vec<(usize, usize)>,
    windows: u64,
}

/// Window length for `rate_hz`: a power of two of about 85 ms (4096 at 48 kHz), at least four
/// times the largest lag.
pub fn window_frames(rate_hz: u32) -> usize {
    let lag = (MAX_LAG_MS / 1000.0 * rate_hz as f64) as usize;
    ((rate_hz as f64 * 0.085) as usize)
        .next_power_of_two()
        .max((4 * lag).next_power_of_two())
        .max(64)
}

impl Correlator {
    pub fn new(channels: usize, rate_hz: u32) -> Self {
        let size = window_frames(rate_hz);
        let bins = size / 2 + 1;
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(size);
        let pairs: Vec<(usize, usize)> = (0..channels)
            .flat_map(|a| (a + 1..channels).map(move |b| (a, b)))
            .collect();
        Correlator {
            size,
            channels,
            window: (0..size)
                .map(|i| {
                    (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / size as f64).cos()) as f32
                })
                .collect(),
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            buffers: vec![0.0; channels * size],
            filled: 0,
            re: vec![0.0; channels * bins],
            im: vec![0.0; channels * bins],
            auto: vec![0.0; channels * bins],
            cross_re: vec![0.0; pairs.len() * bins],
            cross_im: vec![0.0; pairs.len() * bins],
            pairs,
            windows: 0,
        }
    }

    fn bins(&self) -> usize {
        self.size / 2 + 1
    }

    /// The next frames: one slice per channel; a slice shorter than the longest is padded with
    /// silence (its channel has ended).
    pub fn push(&mut self, planar: &[&[f32]]) {
        let frames = planar.iter().map(|c| c.len()).max().unwrap_or(0);
        let mut done = 0;
        while done < frames {
            let take = (self.size - self.filled).min(frames - done);
            for (c, x) in planar.iter().enumerate().take(self.channels) {
                let buffer = &mut self.buffers[c * self.size..(c + 1) * self.size];
                let target = &mut buffer[self.filled..self.filled + take];
                let available = x.len().saturating_sub(done).min(take);
                if available > 0 {
                    target[..available].copy_from_slice(&x[done..done + available]);
                }
                target[available..].fill(0.0);
            }
            self.filled += take;
            done += take;
            // Windows end to end: overlapping them would double the pairs' work for little
            // more evidence over a check of seconds.
            if self.filled == self.size {
                self.window_done();
                self.filled = 0;
            }
        }
    }

    /// Sum what is left (a check shorter than one window is zero-padded to one).
    fn flush(&mut self) {
        if self.windows == 0 && self.filled > 0 {
            for c in 0..self.channels {
                self.buffers[c * self.size + self.filled..(c + 1) * self.size].fill(0.0);
            }
            self.window_done();
        }
    }

    fn window_done(&mut self) {
        let bins = self.bins();
        for c in 0..self.channels {
            let buffer = &self.buffers[c * self.size..(c + 1) * self.size];
            for ((d, x), w) in self.input.iter_mut().zip(buffer).zip(&self.window) {
                *d = x * w;
            }
            if self
                .fft
                .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
                .is_err()
            {
                self.output.fill(Complex::default());
            }
            let (re, im) = (
                &mut self.re[c * bins..(c + 1) * bins],
                &mut self.im[c * bins..(c + 1) * bins],
            );
            let auto = &mut self.auto[c * bins..(c + 1) * bins];
            for (((r, i), a), z) in re.iter_mut().zip(im.iter_mut()).zip(auto).zip(&self.output) {
                *r = z.re;
                *i = z.im;
                *a += (z.re as f64).powi(2) + (z.im as f64).powi(2);
            }
        }
        for (p, &(a, b)) in self.pairs.iter().enumerate() {
            let (ar, ai) = (&self.re[a * bins..][..bins], &self.im[a * bins..][..bins]);
            let (br, bi) = (&self.re[b * bins..][..bins], &self.im[b * bins..][..bins]);
            accumulate(
                &mut self.cross_re[p * bins..][..bins],
                &mut self.cross_im[p * bins..][..bins],
                ar,
                ai,
                br,
                bi,
            );
        }
        self.windows += 1;
    }

    /// Every related pair (0-based channels), with its lag and the sign's evidence.
    pub fn finish(mut self, rate_hz: u32) -> Vec<Pair> {
        self.flush();
        let bins = self.bins();
        let mut planner = RealFftPlanner::<f64>::new();
        let inverse = planner.plan_fft_inverse(self.size);
        let mut analysis = PairAnalysis::new(self.size, rate_hz, inverse);
        self.pairs
            .iter()
            .enumerate()
            .filter_map(|(p, &(a, b))| {
                let cross: Vec<Complex<f64>> = self.cross_re[p * bins..][..bins]
                    .iter()
                    .zip(&self.cross_im[p * bins..][..bins])
                    .map(|(r, i)| Complex::new(*r as f64, *i as f64))
                    .collect();
                analysis.pair(
                    a,
                    b,
                    &cross,
                    &self.auto[a * bins..][..bins],
                    &self.auto[b * bins..][..bins],
                )
            })
            .collect()
    }
}

/// `acc += conj(a) · b`, bin by bin (split real and imaginary parts, so it vectorises).
fn accumulate(
    acc_re: &mut [f32],
    acc_im: &mut [f32],
    ar: &[f32],
    ai: &[f32],
    br: &[f32],
    bi: &[f32],
) {
    for (((((sr, si), ar), ai), br), bi) in acc_re
        .iter_mut()
        .zip(acc_im.iter_mut())
        .zip(ar)
        .zip(ai)
        .zip(br)
        .zip(bi)
    {
        *sr += ar * br + ai * bi;
        *si += ar * bi - ai * br;
    }
}

/// Two related channels.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// 0-based channels, `a < b`.
    pub a: usize,
    pub b: usize,
    /// Samples by which `b` arrives after `a` (negative: before).
    pub lag: isize,
    /// Plain correlation (−1…+1) at that lag, DC and rumble removed.
    pub correlation: f64,
    /// `Ok(+1 | −1)` when the sign is trusted; `Err` with the reason when it is not (only for
    /// strongly related pairs: a weak relation with an untrusted sign is left out).
    pub sign: Result<i8, &'static str>,
}

struct PairAnalysis {
    size: usize,
    max_lag: usize,
    low: usize,
    band_edges: [usize; 2],
    inverse: Arc<dyn realfft::ComplexToReal<f64>>,
    /// wac(0) / wac(τ) of the Hann window, for τ = 0…max_lag.
    unbias: Vec<f64>,
    spectrum: Vec<Complex<f64>>,
    time: Vec<f64>,
    scratch: Vec<Complex<f64>>,
}

impl PairAnalysis {
    fn new(size: usize, rate_hz: u32, inverse: Arc<dyn realfft::ComplexToReal<f64>>) -> Self {
        let max_lag = ((MAX_LAG_MS / 1000.0 * rate_hz as f64) as usize).min(size / 4);
        let bin_hz = rate_hz as f64 / size as f64;
        let w: Vec<f64> = (0..size)
            .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / size as f64).cos())
            .collect();
        let wac = |tau: usize| (0..size).map(|n| w[n] * w[(n + tau) % size]).sum::<f64>();
        let zero = wac(0);
        PairAnalysis {
            size,
            max_lag,
            low: ((LOW_CUT_HZ / bin_hz).ceil() as usize).max(1),
            band_edges: BANDS_HZ.map(|f| (f / bin_hz).round() as usize),
            unbias: (0..=max_lag).map(|t| zero / wac(t)).collect(),
            spectrum: inverse.make_input_vec(),
            time: inverse.make_output_vec(),
            scratch: inverse.make_scratch_vec(),
            inverse,
        }
    }

    /// Σ_k spec[k]·e^{iωτ} (both sides of the spectrum) for every τ, into `self.time`.
    fn transform_back(&mut self) {
        // The DC and Nyquist bins are left out: they must be real for the inverse transform.
        self.spectrum[0] = Complex::default();
        let last = self.spectrum.len() - 1;
        self.spectrum[last] = Complex::default();
        if self
            .inverse
            .process_with_scratch(&mut self.spectrum, &mut self.time, &mut self.scratch)
            .is_err()
        {
            self.time.fill(0.0);
        }
    }

    fn at(&self, lag: isize) -> f64 {
        self.time[lag.rem_euclid(self.size as isize) as usize]
    }

    fn pair(
        &mut self,
        a: usize,
        b: usize,
        cross: &[Complex<f64>],
        auto_a: &[f64],
        auto_b: &[f64],
    ) -> Option<Pair> {
        let bins = cross.len();
        let used = self.low..bins - 1;
        let energy = |auto: &[f64]| 2.0 * auto[used.clone()].iter().sum::<f64>();
        let (ea, eb) = (energy(auto_a), energy(auto_b));
        if !(ea > 0.0 && eb > 0.0) {
            return None;
        }
        let coherence = self.weigh(cross, auto_a, auto_b, used.clone());
        let weight = 2.0 * coherence.iter().sum::<f64>();
        if weight <= 0.0 {
            return None;
        }
        self.transform_back();
        let max_lag = self.max_lag as isize;
        let weighted: Vec<f64> = (-max_lag..=max_lag).map(|t| self.at(t) / weight).collect();
        let (best, g) = weighted
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.abs().total_cmp(&y.1.abs()))
            .map(|(i, g)| (i as isize - max_lag, *g))?;
        // Plain correlation at that lag.
        self.spectrum.fill(Complex::default());
        self.spectrum[used.clone()].copy_from_slice(&cross[used.clone()]);
        self.transform_back();
        let correlation =
            (self.at(best) * self.unbias[best.unsigned_abs()] / (ea * eb).sqrt()).clamp(-1.0, 1.0);
        let strong = correlation.abs() >= RELATED;
        let (plain, coherent) = (correlation.abs(), g.abs());
        let related =
            strong || (coherent >= COHERENT && plain >= WEAK) || coherent.min(plain) >= BOTH;
        if !related {
            return None;
        }
        let trusted = self.trust(cross, &coherence, &weighted, best, g, correlation);
        // A weak relation whose sign cannot be trusted says nothing.
        if !strong && trusted.is_err() {
            return None;
        }
        Some(Pair {
            a,
            b,
            lag: best,
            correlation,
            sign: trusted,
        })
    }

    /// Each bin's phase into `self.spectrum`, weighted by its coherence and, gently, by its
    /// level: a bin counts by how consistently the two channels share it, and a shared whisper
    /// (a common noise floor) counts less than a shared note. Returns the weights per bin.
    fn weigh(
        &mut self,
        cross: &[Complex<f64>],
        auto_a: &[f64],
        auto_b: &[f64],
        used: std::ops::Range<usize>,
    ) -> Vec<f64> {
        let loudest = cross[used.clone()]
            .iter()
            .map(|s| s.norm())
            .fold(0.0, f64::max);
        let mut weights = vec![0.0f64; cross.len()];
        self.spectrum.fill(Complex::default());
        for k in used {
            let s = cross[k];
            let m = s.norm();
            let denominator = auto_a[k] * auto_b[k];
            if m > 0.0 && denominator > 0.0 {
                weights[k] = (m * m / denominator).min(1.0) * (m / loudest).powf(LEVEL_WEIGHT);
                self.spectrum[k] = s * (weights[k] / m);
            }
        }
        weights
    }

    /// The sign of the weighted peak `g` at lag `best`, if the evidence holds: `Err` says why not.
    fn trust(
        &self,
        cross: &[Complex<f64>],
        weights: &[f64],
        weighted: &[f64],
        best: isize,
        g: f64,
        correlation: f64,
    ) -> Result<i8, &'static str> {
        let sign = if g > 0.0 { 1 } else { -1 };
        // One signal split in two (a Y-cable, a DI and its thru) correlates all but perfectly
        // at no lag: no pair of microphones does, so even a pure tone's sign is certain.
        let copy = correlation.abs() >= COPY && best.unsigned_abs() <= self.guard() as usize;
        if correlation.signum() != g.signum() {
            Err("the plain and the weighted correlation disagree")
        } else if copy {
            Ok(sign as i8)
        } else if self.series(weighted, best, g) {
            Err("the correlation peaks repeat with alternating sign (tonal material)")
        } else if self.bands_disagree(cross, weights, best, sign) {
            Err("the bands of the spectrum disagree")
        } else {
            Ok(sign as i8)
        }
    }

    /// Lags this close to the best one belong to its peak, in samples.
    fn guard(&self) -> isize {
        (self.size as isize / 256).max(2)
    }

    /// True when a peak of the opposite sign, away from the best lag, comes close to it.
    fn series(&self, weighted: &[f64], best: isize, g: f64) -> bool {
        let max_lag = self.max_lag as isize;
        let guard = self.guard();
        weighted.iter().enumerate().any(|(i, v)| {
            let lag = i as isize - max_lag;
            (lag - best).abs() > guard && v.signum() != g.signum() && v.abs() >= SERIES * g.abs()
        })
    }

    /// True when a band carrying a fair share of the coherence says the opposite sign.
    fn bands_disagree(
        &self,
        cross: &[Complex<f64>],
        coherence: &[f64],
        lag: isize,
        sign: i32,
    ) -> bool {
        let total: f64 = coherence.iter().sum();
        let edges = [
            self.low,
            self.band_edges[0],
            self.band_edges[1],
            cross.len() - 1,
        ];
        edges.windows(2).any(|band| {
            let range = band[0].min(band[1])..band[1];
            let weight: f64 = coherence[range.clone()].iter().sum();
            if weight < 0.1 * total {
                return false;
            }
            let agreement: f64 = range
                .map(|k| {
                    let omega = std::f64::consts::TAU * k as f64 / self.size as f64;
                    coherence[k] * (cross[k].arg() + omega * lag as f64).cos()
                })
                .sum::<f64>()
                / weight;
            agreement * (sign as f64) < -0.3
        })
    }
}

/// How each input of a group of related inputs stands.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdicts {
    /// Per channel in a group: +1 in polarity, −1 inverted (0-based channel → sign).
    pub polarity: Vec<(usize, i8)>,
    /// Groups where a tie left it open (exactly two inputs, or equal sides): the channels
    /// failed, with the others of the group.
    pub ties: Vec<(usize, Vec<usize>)>,
}

/// Settle polarities by consensus. Returns, per channel that belongs to a group of related
/// inputs with trusted signs, +1 or −1, and marks the channels whose inversion is a guess
/// (a tie: two inputs, or equal sides).
pub fn consensus(channels: usize, pairs: &[Pair]) -> Verdicts {
    let trusted: Vec<(usize, usize, i8, f64)> = pairs
        .iter()
        .filter_map(|p| p.sign.ok().map(|s| (p.a, p.b, s, p.correlation.abs())))
        .collect();
    // Groups: connected components over trusted pairs.
    let mut group: Vec<usize> = (0..channels).collect();
    fn root(group: &mut [usize], mut x: usize) -> usize {
        while group[x] != x {
            group[x] = group[group[x]];
            x = group[x];
        }
        x
    }
    for &(a, b, _, _) in &trusted {
        let (ra, rb) = (root(&mut group, a), root(&mut group, b));
        group[ra.max(rb)] = ra.min(rb);
    }
    let mut out = Verdicts {
        polarity: Vec::new(),
        ties: Vec::new(),
    };
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); channels];
    for c in 0..channels {
        if trusted.iter().any(|t| t.0 == c || t.1 == c) {
            let r = root(&mut group, c);
            members[r].push(c);
        }
    }
    for nodes in members.into_iter().filter(|m| m.len() >= 2) {
        let edges: Vec<(usize, usize, i8, f64)> = trusted
            .iter()
            .filter(|t| nodes.contains(&t.0))
            .map(|&(a, b, s, w)| {
                let (ia, ib) = (
                    nodes.iter().position(|n| *n == a).unwrap_or(0),
                    nodes.iter().position(|n| *n == b).unwrap_or(0),
                );
                (ia, ib, s, w)
            })
            .collect();
        let signs = best_assignment(nodes.len(), &edges);
        let inverted = signs.iter().filter(|s| **s < 0).count();
        let upright = nodes.len() - inverted;
        // The minority is inverted; on a tie, the side without the group's first input.
        let flip = inverted > upright || (inverted == upright && signs[0] < 0);
        let signs: Vec<i8> = signs.iter().map(|s| if flip { -s } else { *s }).collect();
        if inverted == upright {
            for (i, s) in signs.iter().enumerate() {
                if *s < 0 {
                    out.ties.push((nodes[i], nodes.clone()));
                }
            }
        }
        out.polarity
            .extend(nodes.iter().zip(&signs).map(|(n, s)| (*n, *s)));
    }
    out.polarity.sort();
    out
}

/// The signs (±1 per node, first node +1) that contradict the least weight of edges: every
/// assignment for small groups, else grown greedily from the strongest edges.
fn best_assignment(nodes: usize, edges: &[(usize, usize, i8, f64)]) -> Vec<i8> {
    let cost = |signs: &[i8]| -> f64 {
        edges
            .iter()
            .filter(|(a, b, s, _)| signs[*a] * signs[*b] != *s)
            .map(|e| e.3)
            .sum()
    };
    if nodes <= 16 {
        return (0..1u32 << (nodes - 1))
            .map(|bits| {
                (0..nodes)
                    .map(|i| {
                        if i > 0 && bits & (1 << (i - 1)) != 0 {
                            -1
                        } else {
                            1
                        }
                    })
                    .collect::<Vec<i8>>()
            })
            .min_by(|x, y| cost(x).total_cmp(&cost(y)))
            .unwrap_or_else(|| vec![1; nodes]);
    }
    let mut signs = vec![0i8; nodes];
    signs[0] = 1;
    let mut sorted = edges.to_vec();
    sorted.sort_by(|x, y| y.3.total_cmp(&x.3));
    while signs.contains(&0) {
        let Some(&(a, b, s, _)) = sorted
            .iter()
            .find(|(a, b, _, _)| (signs[*a] == 0) != (signs[*b] == 0))
        else {
            break;
        };
        if signs[a] == 0 {
            signs[a] = signs[b] * s;
        } else {
            signs[b] = signs[a] * s;
        }
    }
    let mut signs: Vec<i8> = signs.iter().map(|s| if *s == 0 { 1 } else { *s }).collect();
    // Then flip single inputs while that contradicts less.
    let mut current = cost(&signs);
    let mut improved = true;
    while improved {
        improved = false;
        for i in 1..nodes {
            signs[i] = -signs[i];
            let flipped = cost(&signs);
            if flipped < current - 1e-12 {
                current = flipped;
                improved = true;
            } else {
                signs[i] = -signs[i];
            }
        }
    }
    signs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: usize, b: usize, sign: i8) -> Pair {
        Pair {
            a,
            b,
            lag: 0,
            correlation: 0.8 * sign as f64,
            sign: Ok(sign),
        }
    }

    #[test]
    fn the_odd_one_out_is_inverted() {
        // DI (0), amp (1, inverted), room (2).
        let v = consensus(3, &[pair(0, 1, -1), pair(0, 2, 1), pair(1, 2, -1)]);
        assert_eq!(v.polarity, [(0, 1), (1, -1), (2, 1)]);
        assert!(v.ties.is_empty());
        // The inverted one is the first.
        let v = consensus(3, &[pair(0, 1, -1), pair(0, 2, -1), pair(1, 2, 1)]);
        assert_eq!(v.polarity, [(0, -1), (1, 1), (2, 1)]);
    }

    #[test]
    fn two_inputs_are_a_tie_blaming_the_second() {
        let v = consensus(4, &[pair(1, 3, -1)]);
        assert_eq!(v.polarity, [(1, 1), (3, -1)]);
        assert_eq!(v.ties, [(3, vec![1, 3])]);
    }
}
