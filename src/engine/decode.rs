//! Every audio file a studio is sent, read block by block as interleaved `f32`.
//!
//! WAV in all its variants (RIFF, RIFX, RF64/BW64, Wave64; integer of any width, float, A-law,
//! µ-law) goes through our own reader ([`super::wav`]): it is the fast path `analyze` is measured
//! on, and it reads variants the decoders below refuse. Everything else is decoded by `symphonia`
//! (pure Rust): FLAC, AIFF/AIFC, MP3, Ogg Vorbis, AAC and ALAC in MP4/M4A, CAF, Matroska/WebM, and
//! the ADPCM WAVs our reader leaves to it. Both decode one block or packet at a time, so memory
//! stays the same however long the file is.

use std::io::Read;
use std::path::Path;

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

use super::wav::{READ_RATE_RANGE_HZ, WavError, WavReader, open_regular};

/// What a file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioFormat {
    pub sample_rate_hz: u32,
    pub channels: usize,
    /// The speaker positions, as a WAVE channel mask, where the file says.
    pub channel_mask: Option<u32>,
    /// Frames the file says it holds (an MP3 without a header, for one, does not say).
    pub frames: Option<u64>,
    /// The container and codec ("WAV, 24-bit integer", "FLAC").
    pub codec: String,
}

/// An open audio file.
pub enum AudioReader {
    Wav(WavReader, AudioFormat),
    Coded(Box<Coded>),
}

/// A file decoded by symphonia.
pub struct Coded {
    format_reader: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    info: AudioFormat,
    /// Decoded samples not yet handed out, from `at`.
    pending: Vec<f32>,
    at: usize,
}

/// Formats read, for messages.
pub const FORMATS: &str = "WAV (RIFF, RIFX, RF64/BW64, Wave64), FLAC, AIFF/AIFC, MP3, Ogg Vorbis, AAC or ALAC in MP4/M4A, CAF, Matroska/WebM";

/// The first bytes of WAVE files our reader takes.
fn is_wave(head: &[u8]) -> bool {
    let riff = head.len() >= 12
        && matches!(&head[..4], b"RIFF" | b"RIFX" | b"RF64" | b"BW64")
        && &head[8..12] == b"WAVE";
    let w64 = head.len() >= 16 && head[..4] == *b"riff" && head[4..8] == [0x2E, 0x91, 0xCF, 0x11];
    riff || w64
}

impl AudioReader {
    /// Open `path`, whatever its format; a file that is no audio says so.
    pub fn open(path: &Path) -> Result<AudioReader, WavError> {
        let mut file = open_regular(path)?;
        let mut head = [0u8; 64];
        let mut n = 0;
        while n < head.len() {
            match file.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(WavError::Read(e)),
            }
        }
        let head = &head[..n];
        if is_wave(head) {
            match WavReader::open(path) {
                Ok(reader) => {
                    let f = *reader.format();
                    let info = AudioFormat {
                        sample_rate_hz: f.sample_rate_hz,
                        channels: f.channels,
                        channel_mask: f.channel_mask,
                        frames: Some(f.frames),
                        codec: format!("{}, {}", f.form.name(), f.encoding.describe(f.bits)),
                    };
                    return Ok(AudioReader::Wav(reader, info));
                }
                // An encoding our reader leaves to the codecs (ADPCM, …).
                Err(WavError::Unsupported(reason)) if reason.starts_with("format tag") => {
                    return Coded::open(path).map_err(|e| match e {
                        WavError::NotAudio(_) => WavError::Unsupported(reason),
                        e => e,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        if head.len() >= 36 && &head[..4] == b"OggS" && &head[28..36] == b"OpusHead" {
            return Err(WavError::Unsupported(
                "Ogg Opus is not read (no well-kept pure-Rust Opus decoder yet): convert it, e.g. `ffmpeg -i FILE.opus FILE.flac`".into(),
            ));
        }
        Coded::open(path)
    }

    pub fn format(&self) -> &AudioFormat {
        match self {
            AudioReader::Wav(_, info) => info,
            AudioReader::Coded(c) => &c.info,
        }
    }

    /// Frames to read for playing: a WAV's header capped by what its file holds (a file cut short
    /// plays what it has), a coded stream's own count, `None` when unknown (read to the end).
    pub fn playable_frames(&self, path: &Path) -> Option<u64> {
        match self {
            AudioReader::Wav(reader, _) => {
                let f = reader.format();
                let on_disk =
                    std::fs::metadata(path).map_or(0, |m| m.len()) / f.bytes_per_frame() as u64;
                Some(f.frames.min(on_disk))
            }
            AudioReader::Coded(c) => c.info.frames,
        }
    }

    /// Read up to `out.len() / channels` frames into `out`; the frames read, 0 at the end.
    pub fn read(&mut self, out: &mut [f32]) -> Result<usize, WavError> {
        match self {
            AudioReader::Wav(reader, _) => reader.read(out),
            AudioReader::Coded(c) => c.read(out),
        }
    }
}

fn decode_error(e: SymphoniaError) -> WavError {
    match e {
        SymphoniaError::IoError(e) => WavError::Read(e),
        SymphoniaError::Unsupported(what) => WavError::Unsupported(what.to_string()),
        e => WavError::Decode(e.to_string()),
    }
}

impl Coded {
    fn open(path: &Path) -> Result<AudioReader, WavError> {
        let file = open_regular(path)?;
        let stream = MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let format_reader = symphonia::default::get_probe()
            .probe(
                &hint,
                stream,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| match e {
                SymphoniaError::IoError(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => {
                    WavError::Read(e)
                }
                _ => WavError::NotAudio(format!("not an audio file read here ({FORMATS})")),
            })?;
        let track = format_reader
            .default_track(TrackType::Audio)
            .ok_or_else(|| WavError::NotAudio("no audio track".into()))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| WavError::NotAudio("no audio track".into()))?
            .clone();
        let (track_id, frames) = (track.id, track.num_frames);
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(decode_error)?;
        let sample_rate_hz = params
            .sample_rate
            .ok_or_else(|| WavError::Malformed("no sample rate".into()))?;
        if !READ_RATE_RANGE_HZ.contains(&sample_rate_hz) {
            return Err(WavError::Unsupported(format!(
                "sample rate {sample_rate_hz} Hz"
            )));
        }
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        if channels == 0 {
            return Err(WavError::NoChannels);
        }
        if channels > super::wav::MAX_CHANNELS {
            return Err(WavError::Unsupported(format!(
                "{channels} channels (at most {})",
                super::wav::MAX_CHANNELS
            )));
        }
        let channel_mask = match &params.channels {
            Some(symphonia::core::audio::Channels::Positioned(p)) if channels > 2 => {
                Some((p.bits() & 0x3FFFF) as u32)
            }
            _ => None,
        };
        let codec = format!(
            "{}, {}",
            format_reader.format_info().short_name,
            decoder.codec_info().short_name
        );
        Ok(AudioReader::Coded(Box::new(Coded {
            format_reader,
            decoder,
            track_id,
            info: AudioFormat {
                sample_rate_hz,
                channels,
                channel_mask,
                frames,
                codec,
            },
            pending: Vec::new(),
            at: 0,
        })))
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, WavError> {
        let channels = self.info.channels;
        let want = out.len() / channels * channels;
        let mut filled = 0;
        while filled < want {
            if self.at == self.pending.len() && !self.decode_next()? {
                break;
            }
            let n = (want - filled).min(self.pending.len() - self.at);
            out[filled..filled + n].copy_from_slice(&self.pending[self.at..self.at + n]);
            filled += n;
            self.at += n;
        }
        Ok(filled / channels)
    }

    /// Decode the next packet of the track into `pending`; false at the end of the stream.
    fn decode_next(&mut self) -> Result<bool, WavError> {
        loop {
            let packet = match self.format_reader.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => return Ok(false),
                // A stream cut short ends where it was cut.
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(false);
                }
                Err(e) => return Err(decode_error(e)),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let audio = match self.decoder.decode(&packet) {
                Ok(audio) => audio,
                // A damaged packet is skipped, as players do.
                Err(SymphoniaError::DecodeError(_)) => continue,
                Err(e) => return Err(decode_error(e)),
            };
            if audio.spec().channels().count() != self.info.channels {
                return Err(WavError::Decode(
                    "the channel count changes mid-stream".into(),
                ));
            }
            self.pending.resize(audio.samples_interleaved(), 0.0);
            audio.copy_to_slice_interleaved(&mut self.pending);
            self.at = 0;
            if !self.pending.is_empty() {
                return Ok(true);
            }
        }
    }
}
