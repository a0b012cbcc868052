//! Running sums over a sliding window of sub-blocks, and since reset: the bookkeeping behind the
//! level (RMS, DC) and correlation meters. Readouts are O(1); the window moves one sub-block at a
//! time.

use super::clock::SubBlockClock;

/// `width` running sums over the last `slots` sub-blocks and since reset.
pub struct SlidingSums {
    width: usize,
    slots: usize,
    clock: SubBlockClock,
    /// Sums of the sub-block in progress.
    pending: Vec<f64>,
    /// Completed sub-blocks' sums, `slots × width`, ring.
    ring: Vec<f64>,
    next_slot: usize,
    /// Sums over the ring, refreshed per completed sub-block.
    window: Vec<f64>,
    window_frames: usize,
    total: Vec<f64>,
    total_frames: u64,
}

impl SlidingSums {
    /// Sums of `width` quantities over `slots` sub-blocks of `subblock_frames` frames each.
    pub fn new(width: usize, slots: usize, subblock_frames: usize) -> Self {
        SlidingSums {
            width,
            slots: slots.max(1),
            clock: SubBlockClock::new(subblock_frames),
            pending: vec![0.0; width],
            ring: vec![0.0; slots.max(1) * width],
            next_slot: 0,
            window: vec![0.0; width],
            window_frames: 0,
            total: vec![0.0; width],
            total_frames: 0,
        }
    }

    /// Forget everything.
    pub fn reset(&mut self) {
        self.clock.reset();
        self.pending.fill(0.0);
        self.ring.fill(0.0);
        self.next_slot = 0;
        self.window.fill(0.0);
        self.window_frames = 0;
        self.total.fill(0.0);
        self.total_frames = 0;
    }

    /// Feed interleaved frames; `accumulate(part, sums)` adds each part's contributions to the
    /// `width` sums of the sub-block in progress.
    #[inline]
    pub fn feed(
        &mut self,
        frames: &[f32],
        channels: usize,
        mut accumulate: impl FnMut(&[f32], &mut [f64]),
    ) {
        let mut rest = frames;
        while let Some((part, complete)) = self.clock.next_part(&mut rest, channels) {
            accumulate(part, &mut self.pending);
            self.total_frames += (part.len() / channels) as u64;
            if complete {
                self.complete();
            }
        }
    }

    fn complete(&mut self) {
        let w = self.width;
        let slot = self.next_slot;
        self.ring[slot * w..(slot + 1) * w].copy_from_slice(&self.pending);
        for (t, p) in self.total.iter_mut().zip(&self.pending) {
            *t += p;
        }
        self.pending.fill(0.0);
        self.next_slot = (slot + 1) % self.slots;
        self.window_frames = (self.window_frames + self.clock.frames_per_block())
            .min(self.slots * self.clock.frames_per_block());
        for (i, sum) in self.window.iter_mut().enumerate() {
            *sum = (0..self.slots).map(|s| self.ring[s * w + i]).sum();
        }
    }

    /// Mean of quantity `i` over the window (completed sub-blocks only); 0 before the first.
    pub fn window_mean(&self, i: usize) -> f64 {
        if self.window_frames == 0 {
            0.0
        } else {
            self.window[i] / self.window_frames as f64
        }
    }

    /// Mean of quantity `i` over every frame since reset; 0 before the first.
    pub fn total_mean(&self, i: usize) -> f64 {
        if self.total_frames == 0 {
            0.0
        } else {
            (self.total[i] + self.pending[i]) / self.total_frames as f64
        }
    }
}

/// Sums of `K` per-frame terms over interleaved frames, in four interleaved accumulators so that
/// the additions form four independent dependency chains instead of one.
#[inline(always)]
pub fn frame_sums<const K: usize>(
    part: &[f32],
    channels: usize,
    terms: impl Fn(&[f32]) -> [f64; K],
) -> [f64; K] {
    const LANES: usize = 4;
    let mut lanes = [[0.0f64; K]; LANES];
    let mut groups = part.chunks_exact(LANES * channels);
    for group in &mut groups {
        for (lane, frame) in lanes.iter_mut().zip(group.chunks_exact(channels)) {
            for (sum, term) in lane.iter_mut().zip(terms(frame)) {
                *sum += term;
            }
        }
    }
    let mut total = [0.0f64; K];
    for frame in groups.remainder().chunks_exact(channels) {
        for (sum, term) in total.iter_mut().zip(terms(frame)) {
            *sum += term;
        }
    }
    for lane in lanes {
        for (sum, term) in total.iter_mut().zip(lane) {
            *sum += term;
        }
    }
    total
}
