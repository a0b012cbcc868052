//! Reading WAV files as interleaved `f32` blocks, fast.
//!
//! `hound` parses and validates the header (RIFF/WAVE, `fmt `, `WAVE_FORMAT_EXTENSIBLE`); the
//! sample data is then read in large blocks straight from the file and converted in one tight loop,
//! which is several times faster than reading sample by sample. The channel mask, which `hound`
//! does not expose, is read from the `fmt ` chunk here.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Sample rates accepted, in Hz (BS.1770-4 filters are validated over this range).
pub const RATE_RANGE_HZ: std::ops::RangeInclusive<u32> = 8_000..=384_000;
/// Most channels accepted.
pub const MAX_CHANNELS: usize = 64;

/// Why a WAV file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("cannot open: {0}")]
    Open(#[source] io::Error),
    #[error("not a WAV file ({0})")]
    NotWav(String),
    #[error("malformed WAV: {0}")]
    Malformed(String),
    #[error("unsupported format: {0}")]
    Unsupported(String),
    #[error("no channels")]
    NoChannels,
    #[error("truncated: the header promises {expected} frames, the file holds {found}")]
    Truncated { expected: u64, found: u64 },
    #[error("read error: {0}")]
    Read(#[source] io::Error),
}

impl From<hound::Error> for WavError {
    fn from(e: hound::Error) -> Self {
        match e {
            // hound reads only the header here; running out of bytes is "Other" in its words.
            hound::Error::IoError(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::UnexpectedEof | io::ErrorKind::Other
                ) =>
            {
                WavError::Malformed("header cut short".into())
            }
            hound::Error::IoError(e) => WavError::Read(e),
            hound::Error::FormatError(msg) if msg.contains("RIFF") || msg.contains("WAVE") => {
                WavError::NotWav(msg.to_lowercase())
            }
            hound::Error::FormatError(msg) => WavError::Malformed(msg.to_lowercase()),
            hound::Error::TooWide => WavError::Unsupported("sample wider than 32 bits".into()),
            hound::Error::UnfinishedSample => WavError::Malformed("unfinished sample".into()),
            hound::Error::Unsupported => WavError::Unsupported("encoding not supported".into()),
            hound::Error::InvalidSampleFormat => WavError::Unsupported("sample format".into()),
        }
    }
}

/// How samples are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Unsigned 8-bit integer.
    U8,
    /// Signed 16-bit integer.
    I16,
    /// Signed 24-bit integer in 3 bytes.
    I24,
    /// Signed integer in a 4-byte container (24 valid bits or 32), left-justified.
    I32,
    /// IEEE 32-bit float.
    F32,
}

impl Encoding {
    fn bytes(self) -> usize {
        match self {
            Encoding::U8 => 1,
            Encoding::I16 => 2,
            Encoding::I24 => 3,
            Encoding::I32 | Encoding::F32 => 4,
        }
    }

    /// Convert little-endian samples to `f32` (full scale = 1.0).
    fn decode(self, raw: &[u8], out: &mut [f32]) {
        let b = self.bytes();
        let pairs = raw.chunks_exact(b).zip(out.iter_mut());
        match self {
            Encoding::U8 => pairs.for_each(|(s, o)| *o = (s[0] as f32 - 128.0) / 128.0),
            Encoding::I16 => pairs
                .for_each(|(s, o)| *o = i16::from_le_bytes([s[0], s[1]]) as f32 * (1.0 / 32_768.0)),
            Encoding::I24 => pairs.for_each(|(s, o)| {
                *o = (i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) as f32 * (1.0 / 8_388_608.0)
            }),
            Encoding::I32 => pairs.for_each(|(s, o)| {
                *o = i32::from_le_bytes([s[0], s[1], s[2], s[3]]) as f32 * (1.0 / 2_147_483_648.0)
            }),
            Encoding::F32 => {
                pairs.for_each(|(s, o)| *o = f32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            }
        }
    }
}

/// What a WAV header says about its audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WavFormat {
    pub sample_rate_hz: u32,
    pub channels: usize,
    /// Valid bits per sample.
    pub bits: u16,
    pub encoding: Encoding,
    /// `dwChannelMask` of a `WAVE_FORMAT_EXTENSIBLE` header.
    pub channel_mask: Option<u32>,
    /// Frames the header promises.
    pub frames: u64,
}

impl WavFormat {
    /// Bytes of one frame of sample data.
    pub fn bytes_per_frame(&self) -> usize {
        self.channels * self.encoding.bytes()
    }
}

/// An open WAV file, read block by block as interleaved `f32`.
pub struct WavReader {
    format: WavFormat,
    data: BufReader<File>,
    raw: Vec<u8>,
    frames_read: u64,
}

impl WavReader {
    /// Open and validate `path`.
    pub fn open(path: &Path) -> Result<Self, WavError> {
        let mut file = File::open(path).map_err(WavError::Open)?;
        let extra = read_fmt_extra(&mut file)?;
        match extra {
            Some(FmtExtra {
                tag: TAG_FLOAT,
                bits,
                ..
            }) if bits != 32 => {
                return Err(WavError::Unsupported(format!("{bits}-bit float samples")));
            }
            Some(FmtExtra { tag, .. }) if ![TAG_PCM, TAG_FLOAT, TAG_EXTENSIBLE].contains(&tag) => {
                return Err(WavError::Unsupported(format!(
                    "format tag 0x{tag:04x} (only PCM and IEEE float)"
                )));
            }
            _ => {}
        }
        file.seek(SeekFrom::Start(0)).map_err(WavError::Read)?;
        let reader = hound::WavReader::new(BufReader::new(file))?;
        let spec = reader.spec();
        let channels = spec.channels as usize;
        if channels == 0 {
            return Err(WavError::NoChannels);
        }
        if channels > MAX_CHANNELS {
            return Err(WavError::Unsupported(format!(
                "{channels} channels (at most {MAX_CHANNELS})"
            )));
        }
        if !RATE_RANGE_HZ.contains(&spec.sample_rate) {
            return Err(WavError::Unsupported(format!(
                "sample rate {} Hz (8000 to 384000 Hz)",
                spec.sample_rate
            )));
        }
        let container = extra
            .map(|e| e.block_align as usize / channels)
            .unwrap_or(spec.bits_per_sample.div_ceil(8) as usize);
        let encoding = match (spec.sample_format, container) {
            (hound::SampleFormat::Float, 4) => Encoding::F32,
            (hound::SampleFormat::Int, 1) => Encoding::U8,
            (hound::SampleFormat::Int, 2) => Encoding::I16,
            (hound::SampleFormat::Int, 3) => Encoding::I24,
            (hound::SampleFormat::Int, 4) => Encoding::I32,
            (format, bytes) => {
                return Err(WavError::Unsupported(format!(
                    "{:?} samples of {} bytes",
                    format, bytes
                )));
            }
        };
        let format = WavFormat {
            sample_rate_hz: spec.sample_rate,
            channels,
            bits: spec.bits_per_sample,
            encoding,
            channel_mask: extra.and_then(|e| e.channel_mask),
            frames: reader.duration() as u64,
        };
        Ok(WavReader {
            format,
            data: reader.into_inner(),
            raw: Vec::new(),
            frames_read: 0,
        })
    }

    /// The file's format.
    pub fn format(&self) -> &WavFormat {
        &self.format
    }

    /// Read up to `out.len() / channels` frames into `out`; returns the frames read, 0 at the end.
    /// A file shorter than its header promises is an error ([`WavError::Truncated`]).
    pub fn read(&mut self, out: &mut [f32]) -> Result<usize, WavError> {
        let f = &self.format;
        let want = ((out.len() / f.channels) as u64).min(f.frames - self.frames_read) as usize;
        if want == 0 {
            return Ok(0);
        }
        let frame_bytes = f.bytes_per_frame();
        self.raw.resize(want * frame_bytes, 0);
        let mut filled = 0;
        while filled < self.raw.len() {
            match self.data.read(&mut self.raw[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(WavError::Read(e)),
            }
        }
        let frames = filled / frame_bytes;
        if frames < want {
            return Err(WavError::Truncated {
                expected: f.frames,
                found: self.frames_read + frames as u64,
            });
        }
        f.encoding
            .decode(&self.raw, &mut out[..frames * f.channels]);
        self.frames_read += frames as u64;
        Ok(frames)
    }
}

const TAG_PCM: u16 = 1;
const TAG_FLOAT: u16 = 3;
const TAG_EXTENSIBLE: u16 = 0xfffe;

/// What the `fmt ` chunk holds beyond what `hound` reports.
#[derive(Clone, Copy, Debug)]
struct FmtExtra {
    tag: u16,
    bits: u16,
    block_align: u16,
    channel_mask: Option<u32>,
}

/// Walk the RIFF chunks to `fmt ` and read its block alignment and channel mask. `None` when the
/// `fmt ` chunk is missing or odd (hound then says what is wrong).
fn read_fmt_extra(file: &mut File) -> Result<Option<FmtExtra>, WavError> {
    let mut header = [0u8; 12];
    if file.read_exact(&mut header).is_err()
        || &header[0..4] != b"RIFF"
        || &header[8..12] != b"WAVE"
    {
        return Err(WavError::NotWav("no RIFF/WAVE header".into()));
    }
    loop {
        let mut chunk = [0u8; 8];
        if file.read_exact(&mut chunk).is_err() {
            return Ok(None);
        }
        let size = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]) as usize;
        if &chunk[0..4] != b"fmt " {
            file.seek(SeekFrom::Current((size + size % 2) as i64))
                .map_err(WavError::Read)?;
            continue;
        }
        if !(16..=1024).contains(&size) {
            return Ok(None);
        }
        let mut body = vec![0u8; size];
        if file.read_exact(&mut body).is_err() {
            return Ok(None);
        }
        let tag = u16::from_le_bytes([body[0], body[1]]);
        let block_align = u16::from_le_bytes([body[12], body[13]]);
        let bits = u16::from_le_bytes([body[14], body[15]]);
        let channel_mask = (tag == TAG_EXTENSIBLE && size >= 24)
            .then(|| u32::from_le_bytes([body[20], body[21], body[22], body[23]]));
        return Ok(Some(FmtExtra {
            tag,
            bits,
            block_align,
            channel_mask,
        }));
    }
}
