//! Level conversions, the one place where linear values become decibels.
//!
//! Silence maps to `f64::NEG_INFINITY`; front ends decide how to show it (JSON prints `null`).

/// BS.1770-4 loudness offset: `L = -0.691 + 10 log10(sum of weighted mean squares)`, in dB.
pub const LOUDNESS_OFFSET_DB: f64 = -0.691;

/// Amplitude (linear, full scale = 1.0) to dB; 0 and below give −∞.
pub fn gain_to_db(gain: f64) -> f64 {
    if gain > 0.0 {
        20.0 * gain.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// dB to amplitude (linear, full scale = 1.0).
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Power (mean square, full scale sine = 0.5) to dB; 0 and below give −∞.
pub fn power_to_db(power: f64) -> f64 {
    if power > 0.0 {
        10.0 * power.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// Channel-weighted mean square of K-weighted samples to loudness in LUFS (BS.1770-4 eq. 2).
pub fn energy_to_lufs(energy: f64) -> f64 {
    LOUDNESS_OFFSET_DB + power_to_db(energy)
}

/// Loudness in LUFS to the channel-weighted mean square it stands for.
pub fn lufs_to_energy(lufs: f64) -> f64 {
    10f64.powf((lufs - LOUDNESS_OFFSET_DB) / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip_and_floor_at_minus_infinity() {
        assert!((gain_to_db(0.5) - (-6.0206)).abs() < 1e-4);
        assert!((db_to_gain(-6.0206) - 0.5).abs() < 1e-5);
        assert_eq!(gain_to_db(0.0), f64::NEG_INFINITY);
        assert_eq!(energy_to_lufs(0.0), f64::NEG_INFINITY);
        assert!((energy_to_lufs(lufs_to_energy(-23.0)) + 23.0).abs() < 1e-12);
    }
}
