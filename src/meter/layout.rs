//! Channel layouts and their BS.1770-4 channel weights.
//!
//! BS.1770-4 table 3: left, right and centre weigh 1.0, the surround channels 1.41 (+1.5 dB),
//! the LFE channel is excluded. Channel order follows WAVE (`WAVEFORMATEXTENSIBLE`) speaker order.

use std::fmt;
use std::str::FromStr;

/// Weight of a surround channel, BS.1770-4 table 3 (linear power weight).
pub const SURROUND_WEIGHT: f64 = 1.41;

/// WAVE speaker-position bits (`dwChannelMask`).
mod speaker {
    pub const FRONT_LEFT: u32 = 0x1;
    pub const FRONT_CENTER: u32 = 0x4;
    pub const LOW_FREQUENCY: u32 = 0x8;
    pub const BACK_LEFT: u32 = 0x10;
    pub const BACK_RIGHT: u32 = 0x20;
    pub const SIDE_LEFT: u32 = 0x200;
    pub const SIDE_RIGHT: u32 = 0x400;
}

/// How the channels of a stream are measured.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// One channel.
    Mono,
    /// L, R.
    Stereo,
    /// L, R, C, Ls, Rs.
    Surround50,
    /// L, R, C, LFE, Ls, Rs.
    Surround51,
    /// L, R, C, LFE, Lb, Rb, Ls, Rs.
    Surround71,
    /// Positions given by a WAVE channel mask, one bit per channel in ascending bit order.
    Mask { channels: usize, mask: u32 },
    /// A programme of N channels, each weighted 1.0 (no known speaker positions).
    Plain(usize),
    /// N independent mono tracks, each metered on its own (a multitrack recorder).
    Tracks(usize),
}

impl Layout {
    /// The layout a WAV file implies: its channel mask when it has one that names every channel,
    /// else its channel count (1 mono, 2 stereo, 6 = 5.1, 8 = 7.1, otherwise N plain channels).
    pub fn for_stream(channels: usize, mask: Option<u32>) -> Layout {
        match mask {
            Some(mask) if mask != 0 && mask.count_ones() as usize == channels => match mask {
                speaker::FRONT_LEFT | speaker::FRONT_CENTER => Layout::Mono,
                0x3 => Layout::Stereo,
                0x37 | 0x607 => Layout::Surround50,
                0x3f | 0x60f => Layout::Surround51,
                0x63f => Layout::Surround71,
                _ => Layout::Mask { channels, mask },
            },
            _ => match channels {
                1 => Layout::Mono,
                2 => Layout::Stereo,
                6 => Layout::Surround51,
                8 => Layout::Surround71,
                n => Layout::Plain(n),
            },
        }
    }

    /// Number of channels of the stream.
    pub fn channels(&self) -> usize {
        match self {
            Layout::Mono => 1,
            Layout::Stereo => 2,
            Layout::Surround50 => 5,
            Layout::Surround51 => 6,
            Layout::Surround71 => 8,
            Layout::Mask { channels, .. } => *channels,
            Layout::Plain(n) | Layout::Tracks(n) => *n,
        }
    }

    /// True when each channel is a programme of its own.
    pub fn is_tracks(&self) -> bool {
        matches!(self, Layout::Tracks(_))
    }

    /// BS.1770-4 power weight of every channel, in stream order (0.0 for LFE).
    pub fn weights(&self) -> Vec<f64> {
        const S: f64 = SURROUND_WEIGHT;
        match self {
            Layout::Mono => vec![1.0],
            Layout::Stereo => vec![1.0, 1.0],
            Layout::Surround50 => vec![1.0, 1.0, 1.0, S, S],
            Layout::Surround51 => vec![1.0, 1.0, 1.0, 0.0, S, S],
            Layout::Surround71 => vec![1.0, 1.0, 1.0, 0.0, S, S, S, S],
            Layout::Mask { mask, .. } => (0..32)
                .map(|bit| 1u32 << bit)
                .filter(|position| mask & position != 0)
                .map(|position| match position {
                    speaker::LOW_FREQUENCY => 0.0,
                    speaker::BACK_LEFT
                    | speaker::BACK_RIGHT
                    | speaker::SIDE_LEFT
                    | speaker::SIDE_RIGHT => S,
                    _ => 1.0,
                })
                .collect(),
            Layout::Plain(n) | Layout::Tracks(n) => vec![1.0; *n],
        }
    }

    /// The same layout with a different channel count check: `Err` names the mismatch.
    pub fn check_channels(&self, channels: usize) -> Result<(), LayoutError> {
        if self.channels() == channels {
            Ok(())
        } else {
            Err(LayoutError::ChannelCount {
                layout: self.to_string(),
                expected: self.channels(),
                found: channels,
            })
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layout::Mono => write!(f, "mono"),
            Layout::Stereo => write!(f, "stereo"),
            Layout::Surround50 => write!(f, "5.0"),
            Layout::Surround51 => write!(f, "5.1"),
            Layout::Surround71 => write!(f, "7.1"),
            Layout::Mask { channels, mask } => write!(f, "{channels} ch (mask 0x{mask:x})"),
            Layout::Plain(n) => write!(f, "{n} ch"),
            Layout::Tracks(n) => write!(f, "{n} tracks"),
        }
    }
}

/// A layout name as given on a command line, before the channel count is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutChoice {
    Mono,
    Stereo,
    Surround50,
    Surround51,
    Surround71,
    Tracks,
}

impl LayoutChoice {
    /// The layout for a stream of `channels` channels; `Err` when the counts do not match.
    pub fn resolve(self, channels: usize) -> Result<Layout, LayoutError> {
        let layout = match self {
            LayoutChoice::Mono => Layout::Mono,
            LayoutChoice::Stereo => Layout::Stereo,
            LayoutChoice::Surround50 => Layout::Surround50,
            LayoutChoice::Surround51 => Layout::Surround51,
            LayoutChoice::Surround71 => Layout::Surround71,
            LayoutChoice::Tracks => Layout::Tracks(channels),
        };
        layout.check_channels(channels)?;
        Ok(layout)
    }
}

impl FromStr for LayoutChoice {
    type Err = LayoutError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "mono" => LayoutChoice::Mono,
            "stereo" => LayoutChoice::Stereo,
            "5.0" => LayoutChoice::Surround50,
            "5.1" => LayoutChoice::Surround51,
            "7.1" => LayoutChoice::Surround71,
            "tracks" => LayoutChoice::Tracks,
            other => return Err(LayoutError::Unknown(other.to_string())),
        })
    }
}

/// A layout that cannot apply.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LayoutError {
    #[error("unknown layout '{0}' (expected mono, stereo, 5.0, 5.1, 7.1 or tracks)")]
    Unknown(String),
    #[error("layout {layout} needs {expected} channels, the stream has {found}")]
    ChannelCount {
        layout: String,
        expected: usize,
        found: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bs1770_weights_exclude_lfe_and_raise_surrounds() {
        assert_eq!(
            Layout::Surround51.weights(),
            vec![1.0, 1.0, 1.0, 0.0, 1.41, 1.41]
        );
        // 5.1 by mask: FL FR FC LFE BL BR, and with side surrounds FL FR FC LFE SL SR.
        assert_eq!(Layout::for_stream(6, Some(0x3f)), Layout::Surround51);
        assert_eq!(Layout::for_stream(6, Some(0x60f)), Layout::Surround51);
        // Quad (FL FR BL BR) and 7.1 wide (FL FR FC LFE BL BR FLC FRC) by their masks.
        let quad = Layout::for_stream(4, Some(0x33));
        assert_eq!(quad.weights(), vec![1.0, 1.0, 1.41, 1.41]);
        let wide = Layout::for_stream(8, Some(0xff));
        assert_eq!(
            wide.weights(),
            vec![1.0, 1.0, 1.0, 0.0, 1.41, 1.41, 1.0, 1.0]
        );
    }

    #[test]
    fn layout_by_count_when_mask_is_missing_or_inconsistent() {
        assert_eq!(Layout::for_stream(2, None), Layout::Stereo);
        assert_eq!(Layout::for_stream(8, Some(0x3)), Layout::Surround71);
        assert_eq!(Layout::for_stream(3, None), Layout::Plain(3));
    }

    #[test]
    fn choice_checks_channel_count() {
        assert!("5.1".parse::<LayoutChoice>().unwrap().resolve(2).is_err());
        assert_eq!(
            "tracks".parse::<LayoutChoice>().unwrap().resolve(4),
            Ok(Layout::Tracks(4))
        );
        assert!("quad".parse::<LayoutChoice>().is_err());
    }
}
