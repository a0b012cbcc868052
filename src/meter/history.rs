//! Session-long loudness history for gating: integrated loudness (BS.1770-4) and loudness range
//! (EBU Tech 3342).
//!
//! Blocks are kept in a fixed histogram of 0.01 LU bins from −70 LUFS up, each holding the block
//! count and the exact sum of the blocks' energies, with Fenwick trees over both so that the gated
//! sums and the percentiles are found in O(log bins) steps. Adding a block costs O(log bins) and
//! memory is fixed, so a ten-hour session costs what a ten-second one does, and a live meter can
//! read integrated loudness and loudness range in its audio callback. Gated means are exact sums,
//! except for the one bin the relative gate cuts, whose share above the gate is estimated as if its
//! blocks were spread evenly over its 0.01 LU.

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
    /// Fenwick trees (1-based) of the bins' counts and energies.
    tree_count: Box<[u64]>,
    tree_energy: Box<[f64]>,
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
            tree_count: vec![0; BINS + 1].into_boxed_slice(),
            tree_energy: vec![0.0; BINS + 1].into_boxed_slice(),
            count: 0,
            energy: 0.0,
        }
    }

    /// Forget every block.
    pub fn reset(&mut self) {
        self.bins.fill(Bin::default());
        self.tree_count.fill(0);
        self.tree_energy.fill(0.0);
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
        let mut i = index + 1;
        while i <= BINS {
            self.tree_count[i] += 1;
            self.tree_energy[i] += energy;
            i += i & i.wrapping_neg();
        }
    }

    /// Count and energy of bins `0..=index` (nothing for a negative index).
    fn prefix(&self, index: isize) -> (u64, f64) {
        if index < 0 {
            return (0, 0.0);
        }
        let (mut count, mut energy) = (0, 0.0);
        let mut i = (index as usize + 1).min(BINS);
        while i > 0 {
            count += self.tree_count[i];
            energy += self.tree_energy[i];
            i &= i - 1;
        }
        (count, energy)
    }

    /// The bin holding the block of rank `rank` (0-based, ascending) among all blocks.
    fn bin_of_rank(&self, rank: u64) -> usize {
        let (mut position, mut remaining) = (0usize, rank);
        let mut step = BINS.next_power_of_two();
        while step > 0 {
            let next = position + step;
            if next <= BINS && self.tree_count[next] <= remaining {
                position = next;
                remaining -= self.tree_count[next];
            }
            step /= 2;
        }
        position.min(BINS - 1)
    }

    /// Blocks passing a gate at `gate_lufs`: count, energy, the cut bin (if any) and whether it
    /// passes whole. Bins above the cut pass, the cut bin by its mean.
    fn passing(&self, gate_lufs: f64) -> (u64, f64, Option<(usize, bool)>) {
        let cut = Self::bin_of(gate_lufs);
        if cut < 0 {
            return (self.count, self.energy, None);
        }
        if cut as usize >= BINS {
            return (0, 0.0, None);
        }
        let (below_count, below_energy) = self.prefix(cut);
        let (mut count, mut energy) = (
            self.count - below_count,
            (self.energy - below_energy).max(0.0),
        );
        let cut = cut as usize;
        let passes = self.passes(cut, gate_lufs);
        if passes {
            count += self.bins[cut].count;
            energy += self.bins[cut].energy;
        }
        (count, energy, Some((cut, passes)))
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
        let (count, energy, cut) = self.passing(gate);
        let (mut count, mut energy) = (count as f64, energy);
        // The bin the gate cuts: take the share of it above the gate, as if its blocks were spread
        // evenly across its 0.01 LU (a better estimate than all or nothing).
        if let Some((bin, passes)) = cut {
            let b = &self.bins[bin];
            let upper = ABSOLUTE_GATE_LUFS + (bin + 1) as f64 * BIN_LU;
            let share = ((upper - gate) / BIN_LU).clamp(0.0, 1.0);
            let taken = if passes { 1.0 } else { 0.0 };
            count += (share - taken) * b.count as f64;
            energy += (share - taken) * b.energy;
        }
        if count <= 0.0 {
            f64::NEG_INFINITY
        } else {
            energy_to_lufs(energy / count)
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
        let (count, _, cut) = self.passing(gate);
        if count < 2 {
            return 0.0;
        }
        // Ranks among all blocks of the gated blocks' ranks: those below the cut are skipped, and
        // the cut bin's own blocks when it does not pass.
        let skipped = match cut {
            None => 0,
            Some((bin, passes)) => {
                let below = self.prefix(bin as isize - 1).0;
                if passes {
                    below
                } else {
                    below + self.bins[bin].count
                }
            }
        };
        // Nearest rank on the sorted gated values, as the reference implementations do.
        let value_at = |p: f64| {
            let rank = ((count - 1) as f64 * p).round() as u64;
            let bin = &self.bins[self.bin_of_rank(skipped + rank)];
            energy_to_lufs(bin.energy / bin.count as f64)
        };
        value_at(HIGH_PERCENTILE) - value_at(LOW_PERCENTILE)
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

    /// The exact Tech 3342 range over all values, the reference for the tree search.
    fn exact_range(blocks: &[f64]) -> f64 {
        let above: Vec<f64> = blocks
            .iter()
            .copied()
            .filter(|&e| energy_to_lufs(e) > ABSOLUTE_GATE_LUFS)
            .collect();
        let gate = energy_to_lufs(above.iter().sum::<f64>() / above.len() as f64) - 20.0;
        let mut kept: Vec<f64> = above
            .into_iter()
            .map(energy_to_lufs)
            .filter(|&l| l > gate)
            .collect();
        kept.sort_by(|a, b| a.total_cmp(b));
        let at = |p: f64| kept[((kept.len() - 1) as f64 * p).round() as usize];
        at(0.95) - at(0.10)
    }

    /// Loudness range from the trees against the sorted values, on wandering levels with quiet
    /// stretches below the gates: within 0.02 LU (two percentiles, each within a 0.01 LU bin).
    #[test]
    fn loudness_range_matches_the_sorted_values() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for trial in 0..20 {
            let mut history = History::new();
            let mut blocks = Vec::new();
            for i in 0..20_000u64 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let jitter = (seed >> 11) as f64 / (1u64 << 53) as f64;
                let lufs =
                    -30.0 + (10.0 + trial as f64) * ((i as f64) / 900.0).sin() + 6.0 * jitter;
                let e = block_energy(lufs);
                blocks.push(e);
                history.add(e);
            }
            let (exact, ours) = (exact_range(&blocks), history.loudness_range_lu());
            assert!(
                (exact - ours).abs() < 0.02,
                "trial {trial}: exact {exact}, trees {ours}"
            );
            let (exact_i, ours_i) = (exact_gated(&blocks, -10.0), history.gated_lufs(-10.0));
            assert!(
                (exact_i - ours_i).abs() < 0.001,
                "trial {trial}: exact {exact_i}, trees {ours_i}"
            );
        }
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
