//! Delivery loudness targets: a programme loudness, a tolerance and a true-peak ceiling.

use std::fmt;
use std::str::FromStr;

/// A delivery specification.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    /// Preset name as typed on the command line.
    pub name: &'static str,
    /// Integrated loudness aimed at, in LUFS.
    pub target_lufs: f64,
    /// Allowed deviation of integrated loudness either side, in LU.
    pub tolerance_lu: f64,
    /// Highest allowed true peak, in dBTP.
    pub max_true_peak_dbtp: f64,
}

/// The presets, with their sources.
pub const PRESETS: [Target; 4] = [
    // EBU R128 (2023): −23.0 LUFS, ±1.0 LU where an exact level is not achievable (live),
    // maximum true peak −1 dBTP.
    Target {
        name: "ebu-r128",
        target_lufs: -23.0,
        tolerance_lu: 1.0,
        max_true_peak_dbtp: -1.0,
    },
    // ATSC A/85 (2013): −24 LKFS ±2 dB, true peak −2 dBTP.
    Target {
        name: "atsc-a85",
        target_lufs: -24.0,
        tolerance_lu: 2.0,
        max_true_peak_dbtp: -2.0,
    },
    // Streaming services' common normalisation level (Spotify, YouTube, Tidal): −14 LUFS, −1 dBTP.
    Target {
        name: "streaming",
        target_lufs: -14.0,
        tolerance_lu: 1.0,
        max_true_peak_dbtp: -1.0,
    },
    // Apple Music / Sound Check and Apple's podcast guidance: −16 LUFS, −1 dBTP.
    Target {
        name: "apple",
        target_lufs: -16.0,
        tolerance_lu: 1.0,
        max_true_peak_dbtp: -1.0,
    },
];

impl Target {
    /// Gain that brings `integrated_lufs` to the target, in dB; `None` for silence.
    pub fn gain_to_target_db(&self, integrated_lufs: f64) -> Option<f64> {
        integrated_lufs
            .is_finite()
            .then_some(self.target_lufs - integrated_lufs)
    }

    /// Whether a programme meets the target: loudness within tolerance, true peak at or under the
    /// ceiling.
    pub fn passes(&self, integrated_lufs: f64, true_peak_dbtp: f64) -> bool {
        (integrated_lufs - self.target_lufs).abs() <= self.tolerance_lu
            && true_peak_dbtp <= self.max_true_peak_dbtp
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} LUFS ±{} LU, ≤ {} dBTP)",
            self.name, self.target_lufs, self.tolerance_lu, self.max_true_peak_dbtp
        )
    }
}

/// A preset name that does not exist.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unknown target '{0}' (expected ebu-r128, atsc-a85, streaming or apple)")]
pub struct UnknownTarget(pub String);

impl FromStr for Target {
    type Err = UnknownTarget;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PRESETS
            .iter()
            .find(|t| t.name == s)
            .copied()
            .ok_or_else(|| UnknownTarget(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_judge_at_their_edges() {
        let ebu: Target = "ebu-r128".parse().unwrap();
        assert!(ebu.passes(-22.0, -1.0));
        assert!(!ebu.passes(-21.9, -1.0));
        assert!(!ebu.passes(-23.0, -0.9));
        assert_eq!(ebu.gain_to_target_db(-20.0), Some(-3.0));
        assert_eq!(ebu.gain_to_target_db(f64::NEG_INFINITY), None);
        assert!("bbc".parse::<Target>().is_err());
    }
}
