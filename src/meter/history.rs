//! Session-long loudness history for gating: integrated loudness (BS.1770-4) and loudness range
//! (EBU Tech 3342).
//!
//! Blocks are kept in a fixed histogram of 0.01 LU bins from −70 LUFS up, each holding the block
//! count and the exact sum of the blocks' energies. Adding a block costs O(1) and memory is fixed,
//! so a ten-hour session costs what a ten-second one does. Gated means are exact sums, except for
//! the one bin that the relative gate cuts, which is taken whole or not at all by its mean loudness:
//! at most the blocks within 0.01 LU of the gate are misjudged.

use super::units::energy_to_lufs;

/// BS.1770-4 absolute gate, in LUFS: only blocks louder than this count.
pub const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Width of one histogram bin, in LU.
const BIN_LU: f64 = 0.01;
/// Loudest bin's lower edge, in LUFS; louder blocks share the top bin (their energies stay exact).
const TOP_LUFS: f64 = 30.0;
const BINS: usize = ((TOP_LUFS - ABSOLUTE_GATE_LUFS) / BIN_LU) as usize + 1;

#[derive(Clone, Copy, Default)]
struct Bin {
    count: u64,
    energy: f64,
}

/// Histogram of block energies above the absolute gate.
pub struct History {
    bins: Box<[Bin]>,
    count: u64,
    energy: f64,
}

impl Default for History {
    fn default() -> Self {
        Self::new()
    }
}

impl History {
    /// An empty history (allocates ~160 KiB).
    pub fn new() -> Self {
        History {
            bins: vec![Bin::default(); BINS].into_boxed_slice(),
            count: 0,
            energy: 0.0,
        }
    }

    /// Forget every block.
    pub fn reset(&mut self) {
        self.bins.fill(Bin::default());
        self.count = 0;
        self.energy = 0.0;
    }

    /// Add one block's channel-weighted mean square; blocks at or below the absolute gate are dropped.
    #[inline]
    pub fn add(&mut self, energy: f64) {
        let lufs = energy_to_lufs(energy);
        if lufs <= ABSOLUTE_GATE_LUFS {
            return;
        }
        let index = (((lufs - ABSOLUTE_GATE_LUFS) / BIN_LU) as usize).min(BINS - 1);
        let bin = &mut self.bins[index];
        bin.count += 1;
        bin.energy += energy;
        self.count += 1;
        self.energy += energy;
    }

    /// Number of blocks above the absolute gate.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// True when no block passed the absolute gate.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Index of the bin holding `lufs` (may be past either end).
    fn bin_of(lufs: f64) -> isize {
        ((lufs - ABSOLUTE_GATE_LUFS) / BIN_LU).floor() as isize
    }

    /// The relative gate, `relative_lu` below the loudness of all blocks above the absolute gate.
    fn relative_gate_lufs(&self, relative_lu: f64) -> Option<f64> {
        (self.count > 0).then(|| energy_to_lufs(self.energy / self.count as f64) + relative_lu)
    }

    /// Whether a bin passes a gate: bins wholly above it do, the bin the gate cuts by its mean.
    fn passes(&self, index: usize, gate_lufs: f64) -> bool {
        let bin = &self.bins[index];
        bin.count > 0
            && match (index as isize).cmp(&Self::bin_of(gate_lufs)) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Less => false,
                std::cmp::Ordering::Equal => {
                    energy_to_lufs(bin.energy / bin.count as f64) > gate_lufs
                }
            }
    }

    /// BS.1770-4 gated loudness, in LUFS: the mean energy of blocks above the absolute gate and
    /// above `relative_lu` (−10 for integrated loudness) below their mean. −∞ with no blocks.
    pub fn gated_lufs(&self, relative_lu: f64) -> f64 {
        let Some(gate) = self.relative_gate_lufs(relative_lu) else {
            return f64::NEG_INFINITY;
        };
        let first = Self::bin_of(gate).max(0) as usize;
        let (count, energy) = (first..BINS)
            .filter(|&i| self.passes(i, gate))
            .fold((0u64, 0.0f64), |(n, e), i| {
                (n + self.bins[i].count, e + self.bins[i].energy)
            });
        if count == 0 {
            f64::NEG_INFINITY
        } else {
            energy_to_lufs(energy / count as f64)
        }
    }

    /// EBU Tech 3342 loudness range, in LU: the spread between the 10th and 95th percentiles of the
    /// blocks above the absolute gate and above a relative gate 20 LU below their mean. 0 with fewer
    /// than two such blocks.
    pub fn loudness_range_lu(&self) -> f64 {
        const RELATIVE_GATE_LU: f64 = -20.0;
        const LOW_PERCENTILE: f64 = 0.10;
        const HIGH_PERCENTILE: f64 = 0.95;
        let Some(gate) = self.relative_gate_lufs(RELATIVE_GATE_LU) else {
            return 0.0;
        };
        let first = Self::bin_of(gate).max(0) as usize;
        let passing = || (first..BINS).filter(move |&i| self.passes(i, gate));
        let count: u64 = passing().map(|i| self.bins[i].count).sum();
        if count < 2 {
            return 0.0;
        }
        // Nearest rank on the sorted gated values, as the reference implementations do.
        let rank = |p: f64| ((count - 1) as f64 * p).round() as u64;
        let value_at = |rank: u64| {
            let mut seen = 0;
            for i in passing() {
                let bin = &self.bins[i];
                seen += bin.count;
                if seen > rank {
                    return energy_to_lufs(bin.energy / bin.count as f64);
                }
            }
            unreachable!("rank {rank} is below the count {count}")
        };
        value_at(rank(HIGH_PERCENTILE)) - value_at(rank(LOW_PERCENTILE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::units::lufs_to_energy as block_energy;

    /// The exact BS.1770-4 computation over all blocks, the reference for the histogram.
    fn exact_gated(blocks: &[f64], relative: f64) -> f64 {
        let above: Vec<f64> = blocks
            .iter()
            .copied()
            .filter(|&e| energy_to_lufs(e) > ABSOLUTE_GATE_LUFS)
            .collect();
        let mean = above.iter().sum::<f64>() / above.len() as f64;
        let gate = energy_to_lufs(mean) + relative;
        let kept: Vec<f64> = above
            .into_iter()
            .filter(|&e| energy_to_lufs(e) > gate)
            .collect();
        energy_to_lufs(kept.iter().sum::<f64>() / kept.len() as f64)
    }

    /// A ten-hour session of 100 ms-hop gating blocks (360 000), levels wandering between −60 and
    /// −10 LUFS with quiet passages below the gates: the fixed histogram agrees with the exact
    /// computation to 0.001 LU.
    #[test]
    fn ten_hour_session_stays_exact() {
        let mut history = History::new();
        let mut blocks = Vec::with_capacity(360_000);
        let mut seed = 0x9e3779b97f4a7c15u64;
        for i in 0..360_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let jitter = (seed >> 11) as f64 / (1u64 << 53) as f64;
            let lufs = -35.0 + 25.0 * ((i as f64) / 5000.0).sin() + 4.0 * jitter;
            let e = block_energy(lufs);
            blocks.push(e);
            history.add(e);
        }
        let exact = exact_gated(&blocks, -10.0);
        let ours = history.gated_lufs(-10.0);
        assert!(
            (exact - ours).abs() < 0.001,
            "exact {exact}, histogram {ours}"
        );
    }

    #[test]
    fn empty_and_silent_histories_read_minus_infinity() {
        let mut history = History::new();
        assert_eq!(history.gated_lufs(-10.0), f64::NEG_INFINITY);
        history.add(0.0);
        history.add(block_energy(-80.0));
        assert!(history.is_empty());
        assert_eq!(history.loudness_range_lu(), 0.0);
    }

    /// Tech 3342: two equal halves at −20 and −30 LUFS give an LRA of 10 LU.
    #[test]
    fn loudness_range_of_two_levels() {
        let mut history = History::new();
        for _ in 0..1000 {
            history.add(block_energy(-20.0));
            history.add(block_energy(-30.0));
        }
        assert!((history.loudness_range_lu() - 10.0).abs() < 0.01);
        history.reset();
        assert!(history.is_empty());
    }
}
