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
}

impl PeakHold {
    /// Nothing held yet.
    pub fn new(now: Instant) -> Self {
        PeakHold {
            level_db: f64::NEG_INFINITY,
            since: now,
        }
    }

    /// Take a new peak reading (dB) at `now`; returns where the hold line is.
    pub fn update(&mut self, peak_db: f64, now: Instant) -> f64 {
        let held = now.duration_since(self.since);
        let fallen = if held > HOLD {
            self.level_db - FALL_DB_PER_S * (held - HOLD).as_secs_f64()
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
}
