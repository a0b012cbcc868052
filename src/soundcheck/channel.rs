//! One channel measured as it streams by, in fixed memory: peak and level, clipping, DC offset
//! (over the blocks that do not clip), dropouts (cut and resumed, not a note ending), mains hum
//! (median over long windows) and the noise floor (the quietest steady half second, DC removed,
//! with what dominates it).

use super::hum::{BandSpectrum, DbHistogram, Hum, HumStats, MAINS_HZ, PowerSpectrum, hum_in};

/// |x| at or above which a sample is at full scale.
pub const FULL_SCALE: f32 = 0.999;
/// Consecutive full-scale samples that make a clip.
pub const CLIP_RUN: usize = 3;
/// A run of exact zeros or a frozen sample this long inside signal is a dropout, in ms…
pub const DROPOUT_MS: f64 = 2.0;
/// …up to this long; longer exact silence is a gate or a mute, not a dropout.
pub const DROPOUT_MAX_MS: f64 = 250.0;
/// A dropout cuts a sounding signal and it resumes: the millisecond either side is at least
/// this loud (RMS, linear; −60 dBFS). A note that has died away is not cut.
const DROPOUT_EDGE_RMS: f64 = 1e-3;
/// Blocks of the noise floor and the level statistics, in s.
const BLOCK_S: f64 = 0.1;
/// A quiet passage is this many steady blocks (0.5 s)…
pub const STRETCH_BLOCKS: usize = 5;
/// …whose loudest block is at most this many times (6 dB) the power of its quietest.
const STEADY: f64 = 4.0;
/// Corner of the DC blocker before the noise floor and hum, in Hz.
const DC_BLOCK_HZ: f64 = 5.0;

/// The quietest steady passage found so far.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stretch {
    /// Mean square over the passage, DC removed (linear, full scale 1.0).
    pub power: f64,
    /// The mains lines in it, per mains frequency of [`MAINS_HZ`].
    pub hum: [Hum; 2],
    /// First frame of the passage.
    pub frame: u64,
}

/// Dropouts: runs of one value (exact zeros or a frozen sample) that cut a sounding signal and
/// let it resume. The hot path compares each sample with the one before; the level either side
/// of a run is looked up only for runs long enough to matter.
#[derive(Clone, Debug)]
struct Dropouts {
    min_run: usize,
    max_run: usize,
    /// Samples in a millisecond: the edges judged either side of a run.
    edge: usize,
    started: bool,
    value: f32,
    start: u64,
    length: usize,
    /// Squares of the millisecond before the run, once it is long enough to matter.
    before: f64,
    /// The last `min_run + edge` samples before the current slice.
    history: Vec<f32>,
    /// A run waiting for the millisecond after it: (start, length, before, squares, samples).
    pending: Option<(u64, usize, f64, f64, usize)>,
    count: usize,
    /// (start frame, length) of the first.
    first: Option<(u64, usize)>,
}

impl Dropouts {
    fn new(rate: u32) -> Self {
        let min_run = ((DROPOUT_MS / 1000.0) * rate as f64).ceil() as usize;
        let edge = (rate as usize / 1000).max(1);
        Dropouts {
            min_run,
            max_run: ((DROPOUT_MAX_MS / 1000.0) * rate as f64) as usize,
            edge,
            started: false,
            value: 0.0,
            start: 0,
            length: 0,
            before: 0.0,
            history: vec![0.0; min_run + edge],
            pending: None,
            count: 0,
            first: None,
        }
    }

    /// Squares of frames `from..to`, found in `x` (starting at frame `at`) or the history.
    fn squares(&self, x: &[f32], at: u64, from: u64, to: u64) -> f64 {
        (from..to)
            .map(|f| {
                let v = if f >= at {
                    x[(f - at) as usize]
                } else {
                    let back = (at - f) as usize;
                    self.history
                        .len()
                        .checked_sub(back)
                        .map_or(0.0, |i| self.history[i])
                };
                (v as f64).powi(2)
            })
            .sum()
    }

    /// Add the samples of `x` from its index `i` to a pending run's after-edge.
    fn after(&mut self, x: &[f32], i: usize) {
        let Some((start, length, before, sum, n)) = &mut self.pending else {
            return;
        };
        let take = (self.edge - *n).min(x.len().saturating_sub(i));
        *sum += x[i..i + take]
            .iter()
            .map(|v| (*v as f64).powi(2))
            .sum::<f64>();
        *n += take;
        if *n == self.edge {
            let floor = DROPOUT_EDGE_RMS * DROPOUT_EDGE_RMS * self.edge as f64;
            if *before >= floor && *sum >= floor {
                self.count += 1;
                self.first.get_or_insert((*start, *length));
            }
            self.pending = None;
        }
    }

    /// The next samples, the first of them at `frame`.
    fn push(&mut self, frame: u64, x: &[f32]) {
        self.after(x, 0);
        let mut i = 0;
        if !self.started {
            // Silence before the first audible sample is not inside the signal.
            match x.iter().position(|v| v.abs() > 1e-4) {
                Some(p) => {
                    self.started = true;
                    (self.value, self.start, self.length) = (x[p], frame + p as u64, 1);
                    self.before = 0.0;
                    i = p + 1;
                }
                None => i = x.len(),
            }
        }
        while i < x.len() {
            let v = x[i];
            if v == self.value {
                self.length += 1;
                if self.length == self.min_run && self.start > 0 {
                    let from = self.start.saturating_sub(self.edge as u64);
                    self.before = self.squares(x, frame, from, self.start);
                }
            } else {
                // A flat top at full scale is clipping, reported as such.
                if (self.min_run..=self.max_run).contains(&self.length)
                    && self.value.abs() < FULL_SCALE
                    && self.pending.is_none()
                {
                    self.pending = Some((self.start, self.length, self.before, 0.0, 0));
                    self.after(x, i);
                }
                (self.value, self.start, self.length) = (v, frame + i as u64, 1);
                self.before = 0.0;
            }
            i += 1;
        }
        // Keep the last samples for the next slice's look-back.
        let keep = self.history.len();
        if x.len() >= keep {
            self.history.copy_from_slice(&x[x.len() - keep..]);
        } else {
            self.history.copy_within(x.len().., 0);
            self.history[keep - x.len()..].copy_from_slice(x);
        }
    }
}

/// A one-pole DC blocker (−3 dB at [`DC_BLOCK_HZ`]).
#[derive(Clone, Debug)]
struct DcBlocker {
    r: f64,
    x1: f64,
    y1: f64,
}

impl DcBlocker {
    fn new(rate: u32) -> Self {
        DcBlocker {
            r: 1.0 - std::f64::consts::TAU * DC_BLOCK_HZ / rate as f64,
            x1: 0.0,
            y1: 0.0,
        }
    }

    fn process(&mut self, x: f64) -> f64 {
        let y = x - self.x1 + self.r * self.y1;
        self.x1 = x;
        self.y1 = y;
        y
    }
}

/// What one channel measured, for the checks to judge.
#[derive(Clone, Debug)]
pub struct Measured {
    /// Largest |sample| (linear).
    pub peak: f64,
    /// Mean square (linear), and with DC removed.
    pub mean_square: f64,
    pub mean_square_ac: f64,
    /// Mean over the blocks without a full-scale sample, and over all blocks.
    pub dc_unclipped: Option<f64>,
    pub dc_all: f64,
    pub clip_runs: usize,
    pub first_clip: Option<u64>,
    pub dropouts: usize,
    pub first_dropout: Option<(u64, usize)>,
    /// 100 ms blocks measured, and the level 90 % of them stay under (mean square, DC removed).
    pub blocks: u64,
    pub loud_power: f64,
    pub quietest: Option<Stretch>,
    /// The steady hum at each mains frequency.
    pub hum: Vec<Hum>,
    pub hum_windows: u64,
    /// The average spectrum in [`BandSpectrum`]'s bands, in dBFS (empty when too short).
    pub spectrum_dbfs: Vec<f32>,
}

/// The streaming state of one channel.
pub struct ChannelMeter {
    rate: u32,
    frames: u64,
    peak: f32,
    sum_sq: f64,
    sum_sq_ac: f64,
    clip_run: usize,
    clip_runs: usize,
    first_clip: Option<u64>,
    dc: DcBlocker,
    block: usize,
    block_at: usize,
    block_sum: f64,
    block_sq_ac: f64,
    block_clipped: bool,
    dc_sum_unclipped: f64,
    dc_frames_unclipped: u64,
    dc_sum_all: f64,
    levels: DbHistogram,
    blocks: u64,
    /// The last [`STRETCH_BLOCKS`] block powers and their samples (DC removed).
    recent: [f64; STRETCH_BLOCKS],
    stretch: Vec<f32>,
    stretch_at: usize,
    quietest: Option<Stretch>,
    dropouts: Dropouts,
    /// Samples (DC removed) waiting for the next hum window.
    hum_window: Vec<f32>,
    hum_filled: usize,
    hum: HumStats,
    spectrum: BandSpectrum,
}

/// Spectra the channels share (made once per check).
pub struct Shared {
    /// Long windows for the hum.
    pub hum: PowerSpectrum,
    /// The quiet passage's spectrum.
    pub stretch: PowerSpectrum,
}

impl Shared {
    pub fn new(rate: u32) -> Self {
        let block = block_frames(rate);
        Shared {
            hum: PowerSpectrum::new(hum_window_frames(rate), rate),
            stretch: PowerSpectrum::new((block * STRETCH_BLOCKS).next_power_of_two(), rate),
        }
    }
}

fn block_frames(rate: u32) -> usize {
    ((rate as f64 * BLOCK_S) as usize).max(1)
}

/// Hum windows: a power of two near 2.7 s at 48 kHz (bins of 0.37 Hz, so a Blackman-Harris line
/// at 100 Hz stays clear of a note at 98 Hz).
pub fn hum_window_frames(rate: u32) -> usize {
    (rate as usize * 2).next_power_of_two()
}

impl ChannelMeter {
    pub fn new(rate: u32) -> Self {
        let block = block_frames(rate);
        ChannelMeter {
            rate,
            frames: 0,
            peak: 0.0,
            sum_sq: 0.0,
            sum_sq_ac: 0.0,
            clip_run: 0,
            clip_runs: 0,
            first_clip: None,
            dc: DcBlocker::new(rate),
            block,
            block_at: 0,
            block_sum: 0.0,
            block_sq_ac: 0.0,
            block_clipped: false,
            dc_sum_unclipped: 0.0,
            dc_frames_unclipped: 0,
            dc_sum_all: 0.0,
            levels: DbHistogram::default(),
            blocks: 0,
            recent: [0.0; STRETCH_BLOCKS],
            stretch: vec![0.0; block * STRETCH_BLOCKS],
            stretch_at: 0,
            quietest: None,
            dropouts: Dropouts::new(rate),
            hum_window: vec![0.0; hum_window_frames(rate)],
            hum_filled: 0,
            hum: HumStats::default(),
            spectrum: BandSpectrum::new(),
        }
    }

    /// Measure the next samples of the channel.
    pub fn push(&mut self, mut x: &[f32], shared: &mut Shared) {
        while !x.is_empty() {
            // Up to the next block's end or full hum window, whichever is first.
            let n = x
                .len()
                .min(self.block - self.block_at)
                .min(self.hum_window.len() - self.hum_filled);
            let (chunk, rest) = x.split_at(n);
            self.chunk(chunk);
            x = rest;
            if self.hum_filled == self.hum_window.len() {
                self.hum_spectrum(shared);
                // Half-overlapping windows.
                let half = self.hum_window.len() / 2;
                self.hum_window.copy_within(half.., 0);
                self.hum_filled = half;
            }
            if self.block_at == self.block {
                self.end_block(shared);
            }
        }
    }

    /// Samples that end no block and fill no hum window.
    fn chunk(&mut self, x: &[f32]) {
        let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        self.peak = self.peak.max(peak);
        let (mut sum, mut squares) = (0.0f64, 0.0f64);
        for v in x {
            sum += *v as f64;
            squares += *v as f64 * *v as f64;
        }
        self.sum_sq += squares;
        self.block_sum += sum;
        if peak >= FULL_SCALE {
            self.block_clipped = true;
            for (i, v) in x.iter().enumerate() {
                if v.abs() >= FULL_SCALE {
                    self.clip_run += 1;
                    if self.clip_run == CLIP_RUN {
                        self.clip_runs += 1;
                        self.first_clip
                            .get_or_insert(self.frames + i as u64 + 1 - CLIP_RUN as u64);
                    }
                } else {
                    self.clip_run = 0;
                }
            }
        } else {
            self.clip_run = 0;
        }
        self.dropouts.push(self.frames, x);
        // DC removed: the noise floor's blocks, the quiet stretch and the hum windows.
        let stretch = &mut self.stretch[self.stretch_at..self.stretch_at + x.len()];
        let hum = &mut self.hum_window[self.hum_filled..self.hum_filled + x.len()];
        let mut squares_ac = 0.0f64;
        for ((v, s), h) in x.iter().zip(stretch.iter_mut()).zip(hum.iter_mut()) {
            let ac = self.dc.process(*v as f64);
            squares_ac += ac * ac;
            *s = ac as f32;
            *h = ac as f32;
        }
        self.sum_sq_ac += squares_ac;
        self.block_sq_ac += squares_ac;
        self.stretch_at = (self.stretch_at + x.len()) % self.stretch.len();
        self.hum_filled += x.len();
        self.block_at += x.len();
        self.frames += x.len() as u64;
    }

    fn hum_spectrum(&mut self, shared: &mut Shared) {
        let bin_hz = shared.hum.bin_hz();
        let power = shared.hum.compute(&self.hum_window[..self.hum_filled]);
        self.hum.add(power, bin_hz);
        self.spectrum.add(power, bin_hz);
    }

    fn end_block(&mut self, shared: &mut Shared) {
        let power = self.block_sq_ac / self.block as f64;
        self.dc_sum_all += self.block_sum;
        if !self.block_clipped {
            self.dc_sum_unclipped += self.block_sum;
            self.dc_frames_unclipped += self.block as u64;
        }
        self.levels.add(power);
        self.recent[self.blocks as usize % STRETCH_BLOCKS] = power;
        self.blocks += 1;
        (
            self.block_at,
            self.block_sum,
            self.block_sq_ac,
            self.block_clipped,
        ) = (0, 0.0, 0.0, false);
        // The DC blocker settles in its first half second.
        if self.blocks < 2 * STRETCH_BLOCKS as u64 {
            return;
        }
        let (low, high) = self
            .recent
            .iter()
            .fold((f64::MAX, 0.0f64), |(l, h), p| (l.min(*p), h.max(*p)));
        let mean = self.recent.iter().sum::<f64>() / STRETCH_BLOCKS as f64;
        let steady = high <= STEADY * low;
        if steady && self.quietest.is_none_or(|q| mean < q.power) {
            let hum = if mean > 0.0 {
                let ordered: Vec<f32> = self.stretch[self.stretch_at..]
                    .iter()
                    .chain(&self.stretch[..self.stretch_at])
                    .copied()
                    .collect();
                let bin_hz = shared.stretch.bin_hz();
                hum_in(shared.stretch.compute(&ordered), bin_hz)
            } else {
                MAINS_HZ.map(|mains_hz| Hum {
                    mains_hz,
                    power: 0.0,
                    harmonics: 0,
                })
            };
            self.quietest = Some(Stretch {
                power: mean,
                hum,
                frame: self.frames - (STRETCH_BLOCKS * self.block) as u64,
            });
        }
    }

    /// Everything measured, once the channel has ended.
    pub fn finish(mut self, shared: &mut Shared) -> Measured {
        // A check shorter than one hum window still gets one (coarser) spectrum.
        if self.hum.windows() == 0 && self.hum_filled >= self.rate as usize / 2 {
            self.hum_spectrum(shared);
        }
        let frames = self.frames.max(1);
        let partial = self.block_at as u64;
        let dc_all = (self.dc_sum_all + self.block_sum) / frames as f64;
        let (sum, n) = if self.block_clipped {
            (self.dc_sum_unclipped, self.dc_frames_unclipped)
        } else {
            (
                self.dc_sum_unclipped + self.block_sum,
                self.dc_frames_unclipped + partial,
            )
        };
        Measured {
            peak: self.peak as f64,
            mean_square: self.sum_sq / frames as f64,
            mean_square_ac: self.sum_sq_ac / frames as f64,
            dc_unclipped: (n > 0).then(|| sum / n as f64),
            dc_all,
            clip_runs: self.clip_runs,
            first_clip: self.first_clip,
            dropouts: self.dropouts.count,
            first_dropout: self.dropouts.first,
            blocks: self.blocks,
            loud_power: self.levels.quantile(0.9),
            quietest: self.quietest,
            hum: self.hum.hum(),
            hum_windows: self.hum.windows(),
            spectrum_dbfs: self.spectrum.dbfs(),
        }
    }
}
