//! Loudness per ITU-R BS.1770-4 and EBU Tech 3341 / 3342: momentary (400 ms), short-term (3 s),
//! integrated (gated) loudness and loudness range.
//!
//! K-weighted squares are summed per channel over 100 ms sub-blocks. Every completed sub-block
//! updates the momentary window (the last 4 sub-blocks: a 400 ms gating block with 75 % overlap)
//! and the short-term window (the last 30), feeds the gating block to the integrated history and,
//! ten times a second as Tech 3342 (2016) asks, the short-term value to the loudness-range history.
//! Readings are therefore O(1) and change every 100 ms, the rate Tech 3341 requires of a meter.

use super::clock::SubBlockClock;
use super::history::History;
use super::kweight::{KState, KWeighting, weigh};
use super::layout::Layout;
use super::simd::Isa;
use super::units::energy_to_lufs;

/// Sub-blocks in the momentary window (400 ms).
const MOMENTARY_SUBBLOCKS: usize = 4;
/// Sub-blocks in the short-term window (3 s).
const SHORT_TERM_SUBBLOCKS: usize = 30;
/// BS.1770-4 relative gate for integrated loudness, in LU below the absolute-gated mean.
const INTEGRATED_RELATIVE_GATE_LU: f64 = -10.0;

/// One measured programme: a set of channel weights over the stream's channels.
struct Programme {
    /// BS.1770 power weight of every stream channel (0.0 for channels outside the programme).
    weights: Vec<f64>,
    /// Weighted sums of squares of the last 30 sub-blocks, ring indexed by the meter's position.
    ring: [f64; SHORT_TERM_SUBBLOCKS],
    /// Mean squares of the current windows.
    momentary: f64,
    short_term: f64,
    momentary_max: f64,
    short_term_max: f64,
    integrated: History,
    range: History,
}

impl Programme {
    fn new(weights: Vec<f64>) -> Self {
        Programme {
            weights,
            ring: [0.0; SHORT_TERM_SUBBLOCKS],
            momentary: 0.0,
            short_term: 0.0,
            momentary_max: 0.0,
            short_term_max: 0.0,
            integrated: History::new(),
            range: History::new(),
        }
    }

    fn reset(&mut self) {
        self.ring = [0.0; SHORT_TERM_SUBBLOCKS];
        self.momentary = 0.0;
        self.short_term = 0.0;
        self.momentary_max = 0.0;
        self.short_term_max = 0.0;
        self.integrated.reset();
        self.range.reset();
    }
}

/// Loudness meter for one stream: one programme (mono, stereo, surround), or N independent tracks
/// and their sum.
///
/// `new` allocates; `process` never does.
pub struct Loudness {
    isa: Isa,
    channels: usize,
    filter: KWeighting,
    states: Vec<KState>,
    /// Per-channel sum of squares of the sub-block in progress.
    pending: Vec<f64>,
    /// Cuts the stream into 100 ms sub-blocks.
    clock: SubBlockClock,
    /// Completed sub-blocks since the last reset.
    subblocks: u64,
    programmes: Vec<Programme>,
    /// While true, blocks are not counted into integrated loudness and loudness range (EBU Tech
    /// 3341's "pause"); momentary and short-term go on.
    gating_paused: bool,
}

impl Loudness {
    /// A meter for `layout` at `sample_rate_hz`, on the fastest instruction set available.
    pub fn new(sample_rate_hz: u32, layout: &Layout) -> Self {
        Self::with_isa(sample_rate_hz, layout, Isa::detect())
    }

    /// A meter that runs on `isa`.
    pub fn with_isa(sample_rate_hz: u32, layout: &Layout, isa: Isa) -> Self {
        let channels = layout.channels();
        let weights = layout.weights();
        let programmes = if layout.is_tracks() {
            (0..channels)
                .map(|track| {
                    let mut one = vec![0.0; channels];
                    one[track] = 1.0;
                    one
                })
                .chain(std::iter::once(weights))
                .collect()
        } else {
            vec![weights]
        };
        Self::with_programmes(sample_rate_hz, channels, programmes, isa)
    }

    /// A meter of `channels` interleaved channels measuring one programme per entry of
    /// `programmes`, each a BS.1770 power weight per channel (0.0 leaves a channel out).
    pub fn with_programmes(
        sample_rate_hz: u32,
        channels: usize,
        programmes: Vec<Vec<f64>>,
        isa: Isa,
    ) -> Self {
        Loudness {
            isa,
            channels,
            filter: KWeighting::new(sample_rate_hz as f64),
            states: vec![KState::default(); channels],
            pending: vec![0.0; channels],
            clock: SubBlockClock::new((sample_rate_hz as usize + 5) / 10),
            subblocks: 0,
            programmes: programmes
                .into_iter()
                .map(|weights| {
                    debug_assert_eq!(weights.len(), channels);
                    Programme::new(weights)
                })
                .collect(),
            gating_paused: false,
        }
    }

    /// Number of interleaved channels `process` expects.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Number of programmes measured: 1, or for [`Layout::Tracks`] one per track and then one of
    /// all tracks together (each weighted 1.0).
    pub fn programmes(&self) -> usize {
        self.programmes.len()
    }

    /// Pause (true) or continue (false) the integrated measurement: while paused, no block counts
    /// towards integrated loudness, loudness range or the maxima. A reset does not continue it.
    pub fn pause_integrated(&mut self, paused: bool) {
        self.gating_paused = paused;
    }

    /// True while the integrated measurement is paused.
    pub fn integrated_paused(&self) -> bool {
        self.gating_paused
    }

    /// Forget everything measured; the filters start from silence.
    pub fn reset(&mut self) {
        self.states.fill(KState::default());
        self.pending.fill(0.0);
        self.clock.reset();
        self.subblocks = 0;
        self.programmes.iter_mut().for_each(Programme::reset);
    }

    /// Measure interleaved frames (any count; a trailing partial frame is ignored). Never allocates.
    pub fn process(&mut self, frames: &[f32]) {
        let mut rest = frames;
        while let Some((part, complete)) = self.clock.next_part(&mut rest, self.channels) {
            weigh(
                self.isa,
                &self.filter,
                &mut self.states,
                &mut self.pending,
                part,
            );
            if complete {
                self.complete_subblock();
            }
        }
    }

    fn complete_subblock(&mut self) {
        let slot = (self.subblocks % SHORT_TERM_SUBBLOCKS as u64) as usize;
        self.subblocks += 1;
        let done = self.subblocks;
        let frames = self.clock.frames_per_block() as f64;
        for p in &mut self.programmes {
            p.ring[slot] = p
                .weights
                .iter()
                .zip(&self.pending)
                .map(|(w, e)| w * e)
                .sum();
            let recent = (0..MOMENTARY_SUBBLOCKS)
                .map(|back| (slot + SHORT_TERM_SUBBLOCKS - back) % SHORT_TERM_SUBBLOCKS);
            p.momentary =
                recent.map(|i| p.ring[i]).sum::<f64>() / (MOMENTARY_SUBBLOCKS as f64 * frames);
            p.short_term = p.ring.iter().sum::<f64>() / (SHORT_TERM_SUBBLOCKS as f64 * frames);
            if done >= MOMENTARY_SUBBLOCKS as u64 && !self.gating_paused {
                p.integrated.add(p.momentary);
                p.momentary_max = p.momentary_max.max(p.momentary);
            }
            if done >= SHORT_TERM_SUBBLOCKS as u64 && !self.gating_paused {
                p.range.add(p.short_term);
                p.short_term_max = p.short_term_max.max(p.short_term);
            }
        }
        self.pending.fill(0.0);
    }

    /// Momentary loudness (last 400 ms), in LUFS, of programme `p` (0 for a single programme).
    pub fn momentary_lufs(&self, p: usize) -> f64 {
        energy_to_lufs(self.programmes[p].momentary)
    }

    /// Short-term loudness (last 3 s), in LUFS.
    pub fn short_term_lufs(&self, p: usize) -> f64 {
        energy_to_lufs(self.programmes[p].short_term)
    }

    /// Highest momentary loudness since reset, in LUFS.
    pub fn momentary_max_lufs(&self, p: usize) -> f64 {
        energy_to_lufs(self.programmes[p].momentary_max)
    }

    /// Highest short-term loudness since reset, in LUFS.
    pub fn short_term_max_lufs(&self, p: usize) -> f64 {
        energy_to_lufs(self.programmes[p].short_term_max)
    }

    /// Integrated (gated) loudness since reset, in LUFS; −∞ before the first block above −70 LUFS.
    pub fn integrated_lufs(&self, p: usize) -> f64 {
        self.programmes[p]
            .integrated
            .gated_lufs(INTEGRATED_RELATIVE_GATE_LU)
    }

    /// Loudness range (EBU Tech 3342) since reset, in LU.
    pub fn loudness_range_lu(&self, p: usize) -> f64 {
        self.programmes[p].range.loudness_range_lu()
    }
}
