//! Peak hold for meter displays: the highest recent peak is held, then falls.

use std::time::{Duration, Instant};

/// How long a peak is held before it falls.
pub const HOLD: Duration = Duration::from_millis(1500);
/// How fast a held peak falls after [`HOLD`], in dB per second.
pub const FALL_DB_PER_S: f64 = 20.0;

/// A peak-hold line for one meter.
#[derive(Clone, Copy, Debug)]
pub struct PeakHold {
    level_db: f64,
    since: Instant,
    hold: Duration,
    fall_db_per_s: f64,
}

impl PeakHold {
    /// Nothing held yet; [`HOLD`], then [`FALL_DB_PER_S`].
    pub fn new(now: Instant) -> Self {
        Self::with_ballistics(now, HOLD, FALL_DB_PER_S)
    }

    /// Nothing held yet; a peak is held for `hold`, then falls `fall_db_per_s` dB per second.
    pub fn with_ballistics(now: Instant, hold: Duration, fall_db_per_s: f64) -> Self {
        PeakHold {
            level_db: f64::NEG_INFINITY,
            since: now,
            hold,
            fall_db_per_s,
        }
    }

    /// Take a new peak reading (dB) at `now`; returns where the hold line is.
    pub fn update(&mut self, peak_db: f64, now: Instant) -> f64 {
        let held = now.duration_since(self.since);
        let fallen = if held > self.hold {
            self.level_db - self.fall_db_per_s * (held - self.hold).as_secs_f64()
        } else {
            self.level_db
        };
        if peak_db >= fallen {
            self.level_db = peak_db;
            self.since = now;
            peak_db
        } else {
            fallen
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_then_falls_twenty_db_per_second() {
        let start = Instant::now();
        let mut hold = PeakHold::new(start);
        assert_eq!(hold.update(-6.0, start), -6.0);
        assert_eq!(
            hold.update(-30.0, start + Duration::from_millis(1000)),
            -6.0
        );
        let later = hold.update(-30.0, start + Duration::from_millis(2000));
        assert!((later - (-16.0)).abs() < 1e-9, "{later}");
        assert_eq!(hold.update(-3.0, start + Duration::from_millis(2100)), -3.0);
    }

    #[test]
    fn ballistics_are_configurable() {
        let start = Instant::now();
        let mut hold = PeakHold::with_ballistics(start, Duration::from_millis(500), 12.0);
        hold.update(-6.0, start);
        let later = hold.update(-60.0, start + Duration::from_millis(1500));
        assert!((later - (-18.0)).abs() < 1e-9, "{later}");
    }
}
