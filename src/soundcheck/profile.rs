//! Sound-check profiles: the thresholds a channel is judged against, as data (stored, editable),
//! each with the reasoning behind it.

use crate::studio::db::Tx;
use serde::{Deserialize, Serialize};

use crate::studio::{StudioError, soundchecks};

/// What a check run expects of every channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    /// What the profile is for.
    pub description: String,
    /// Tracking: sample peaks should fall between these, in dBFS. `None` for delivery profiles,
    /// which judge programme loudness instead.
    pub peak_window_dbfs: Option<(f64, f64)>,
    /// Delivery: integrated loudness target and tolerance, in LUFS / LU.
    pub loudness_lufs: Option<(f64, f64)>,
    /// Highest true peak, in dBTP.
    pub max_true_peak_dbtp: f64,
    /// The noise floor (quietest 10 % of 100 ms blocks) must be below this, in dBFS.
    pub max_noise_floor_dbfs: f64,
    /// Mains hum must be at least this far under the signal, in dB.
    pub min_hum_margin_db: f64,
    /// DC offset above this warns (linear, full scale 1.0); four times it fails.
    pub max_dc_offset: f64,
    /// Why these numbers.
    pub sources: Vec<String>,
}

impl Profile {
    /// The shipped profiles.
    pub fn presets() -> Vec<Profile> {
        vec![
            Profile {
                name: "tracking".into(),
                description: "recording: gain staging and line check of every input".into(),
                // Peaks between −18 and −6 dBFS: 24-bit converters are calibrated around −18 dBFS
                // = 0 VU (EBU R68), and 6 dB under full scale leaves room for a louder take.
                peak_window_dbfs: Some((-18.0, -6.0)),
                loudness_lufs: None,
                // Inter-sample overs of a tracked signal mean it was already clipping the converter.
                max_true_peak_dbtp: -1.0,
                // −60 dBFS: a quiet room through a good preamp sits well below; above means a
                // noisy source, too much gain on a quiet source, or interference.
                max_noise_floor_dbfs: -60.0,
                // Hum 40 dB under the signal is below what a listener picks out in a mix.
                min_hum_margin_db: 40.0,
                // 0.005 of full scale (−46 dBFS): larger offsets eat headroom and click at edits.
                max_dc_offset: 0.005,
                sources: vec![
                    "EBU R68: alignment level −18 dBFS".into(),
                    "common tracking practice: peaks −18 to −6 dBFS".into(),
                ],
            },
            Profile::delivery(
                "broadcast",
                "EBU R128 delivery: −23 LUFS ±1 LU, true peak ≤ −1 dBTP",
                (-23.0, 1.0),
                -1.0,
                "EBU R128 (2023) and EBU Tech 3343",
            ),
            Profile::delivery(
                "streaming",
                "streaming delivery: −14 LUFS ±1 LU, true peak ≤ −1 dBTP",
                (-14.0, 1.0),
                -1.0,
                "common normalisation level of Spotify, YouTube, Tidal",
            ),
            Profile::delivery(
                "atsc",
                "ATSC A/85 delivery: −24 LKFS ±2 dB, true peak ≤ −2 dBTP",
                (-24.0, 2.0),
                -2.0,
                "ATSC A/85 (2013)",
            ),
        ]
    }

    /// The shipped profile called `name`.
    pub fn preset(name: &str) -> Option<Profile> {
        Profile::presets().into_iter().find(|p| p.name == name)
    }

    fn delivery(
        name: &str,
        description: &str,
        loudness: (f64, f64),
        max_tp: f64,
        source: &str,
    ) -> Profile {
        Profile {
            name: name.into(),
            description: description.into(),
            peak_window_dbfs: None,
            loudness_lufs: Some(loudness),
            max_true_peak_dbtp: max_tp,
            // Delivered programmes: fades and pauses should be clean; −70 dBFS is the BS.1770
            // absolute gate, well under any audible floor.
            max_noise_floor_dbfs: -70.0,
            min_hum_margin_db: 40.0,
            max_dc_offset: 0.005,
            sources: vec![source.into()],
        }
    }
}

/// The thresholds a user may change, by the names `soundcheck profile set` takes.
pub const FIELDS: [&str; 8] = [
    "peak_low_dbfs",
    "peak_high_dbfs",
    "loudness_lufs",
    "tolerance_lu",
    "max_true_peak_dbtp",
    "max_noise_floor_dbfs",
    "min_hum_margin_db",
    "max_dc_offset",
];

/// Why a threshold could not be changed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FieldError {
    #[error("value: '{0}' is not a number")]
    NotANumber(String),
    #[error("field: no threshold '{0}'")]
    Unknown(String),
    #[error("peak window: the low edge must be below the high edge")]
    Window,
}

impl Profile {
    /// The value of threshold `field` (one of [`FIELDS`]), if the profile has it.
    pub fn field(&self, field: &str) -> Option<f64> {
        match field {
            "peak_low_dbfs" => self.peak_window_dbfs.map(|w| w.0),
            "peak_high_dbfs" => self.peak_window_dbfs.map(|w| w.1),
            "loudness_lufs" => self.loudness_lufs.map(|l| l.0),
            "tolerance_lu" => self.loudness_lufs.map(|l| l.1),
            "max_true_peak_dbtp" => Some(self.max_true_peak_dbtp),
            "max_noise_floor_dbfs" => Some(self.max_noise_floor_dbfs),
            "min_hum_margin_db" => Some(self.min_hum_margin_db),
            "max_dc_offset" => Some(self.max_dc_offset),
            _ => None,
        }
    }

    /// Change threshold `field` to the number in `text`; the change is noted in the sources.
    /// Nothing changes when it fails.
    pub fn set_field(&mut self, field: &str, text: &str) -> Result<f64, FieldError> {
        let value: f64 = match text.trim().parse() {
            Ok(v) if f64::is_finite(v) => v,
            _ => return Err(FieldError::NotANumber(text.to_string())),
        };
        let mut p = self.clone();
        match field {
            "peak_low_dbfs" => {
                p.peak_window_dbfs = Some((value, p.peak_window_dbfs.map_or(-6.0, |w| w.1)))
            }
            "peak_high_dbfs" => {
                p.peak_window_dbfs = Some((p.peak_window_dbfs.map_or(-18.0, |w| w.0), value))
            }
            "loudness_lufs" => {
                p.loudness_lufs = Some((value, p.loudness_lufs.map_or(1.0, |l| l.1)))
            }
            "tolerance_lu" => {
                p.loudness_lufs = Some((p.loudness_lufs.map_or(-23.0, |l| l.0), value))
            }
            "max_true_peak_dbtp" => p.max_true_peak_dbtp = value,
            "max_noise_floor_dbfs" => p.max_noise_floor_dbfs = value,
            "min_hum_margin_db" => p.min_hum_margin_db = value,
            "max_dc_offset" => p.max_dc_offset = value,
            other => return Err(FieldError::Unknown(other.to_string())),
        }
        if let Some((low, high)) = p.peak_window_dbfs
            && low >= high
        {
            return Err(FieldError::Window);
        }
        p.sources
            .push(format!("{field} set to {value} by the user"));
        *self = p;
        Ok(value)
    }
}

/// Keep a changed profile in the studio database (it replaces the preset of that name).
pub fn store(tx: &Tx, profile: &Profile) -> Result<(), StudioError> {
    let json = serde_json::to_string(profile).map_err(|e| StudioError::Invalid {
        field: "profile",
        problem: e.to_string(),
    })?;
    soundchecks::set_profile_json(tx, &profile.name, &json)
}

/// The profiles in use: each preset, or its changed copy kept in the studio database.
pub fn stored(tx: &Tx) -> Result<Vec<Profile>, StudioError> {
    Profile::presets()
        .into_iter()
        .map(
            |preset| match soundchecks::profile_json(tx, &preset.name)? {
                Some(json) => serde_json::from_str(&json).map_err(|e| StudioError::Invalid {
                    field: "profile",
                    problem: format!("the stored profile '{}' is damaged: {e}", preset.name),
                }),
                None => Ok(preset),
            },
        )
        .collect()
}
