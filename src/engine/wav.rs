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

/// Position of a chunk in a RIFF/WAVE file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Offset of the chunk's 8-byte header.
    pub header_at: u64,
    /// Size the header gives for the body, in bytes.
    pub size: u32,
}

impl Chunk {
    /// Offset of the body.
    pub fn body_at(&self) -> u64 {
        self.header_at + 8
    }
}

/// Check the RIFF/WAVE header and walk the chunks from the start of `file` to the first one named
/// `id`. `Ok(None)` when the file ends first (or a chunk claims to run past the end of the file).
pub fn find_chunk(file: &mut File, id: &[u8; 4]) -> Result<Option<Chunk>, WavError> {
    let mut header = [0u8; 12];
    file.seek(SeekFrom::Start(0)).map_err(WavError::Read)?;
    if file.read_exact(&mut header).is_err()
        || &header[0..4] != b"RIFF"
        || &header[8..12] != b"WAVE"
    {
        return Err(WavError::NotWav("no RIFF/WAVE header".into()));
    }
    let mut at = 12u64;
    loop {
        let mut chunk = [0u8; 8];
        if file.read_exact(&mut chunk).is_err() {
            return Ok(None);
        }
        let size = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
        if &chunk[0..4] == id {
            return Ok(Some(Chunk {
                header_at: at,
                size,
            }));
        }
        at += 8 + size as u64 + (size % 2) as u64;
        file.seek(SeekFrom::Start(at)).map_err(WavError::Read)?;
    }
}

/// Read the `fmt ` chunk's tag, bits, block alignment and channel mask. `None` when the chunk is
/// missing or odd (hound then says what is wrong).
fn read_fmt_extra(file: &mut File) -> Result<Option<FmtExtra>, WavError> {
    let Some(chunk) = find_chunk(file, b"fmt ")? else {
        return Ok(None);
    };
    let size = chunk.size as usize;
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
    Ok(Some(FmtExtra {
        tag,
        bits,
        block_align,
        channel_mask,
    }))
}

/// What [`repair`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repair {
    /// Whole frames the header now declares.
    pub frames: u64,
    /// Frames the header declared before.
    pub frames_before: u64,
    /// Bytes of an incomplete last frame left out.
    pub partial_bytes: u64,
}

/// Rewrite the RIFF and `data` sizes of a WAV cut short (a crash, a full disk) so that every whole
/// frame on disk is readable again. Safe on a healthy file (it then changes nothing).
pub fn repair(path: &Path) -> Result<Repair, WavError> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(WavError::Open)?;
    let extra = read_fmt_extra(&mut file)?
        .ok_or_else(|| WavError::Malformed("no readable fmt chunk".into()))?;
    let block_align = extra.block_align as u64;
    if block_align == 0 {
        return Err(WavError::Malformed("block alignment of 0".into()));
    }
    let data = find_chunk(&mut file, b"data")?
        .ok_or_else(|| WavError::Malformed("no data chunk".into()))?;
    let file_len = file.metadata().map_err(WavError::Read)?.len();
    let on_disk = file_len.saturating_sub(data.body_at());
    // The data runs to the end of the file unless another chunk follows the declared size (a
    // recorder that crashed after a header checkpoint leaves audio there, not a chunk header).
    let declared = data.size as u64;
    // Only chunks that tools put after the audio count (audio bytes that happen to look like a
    // chunk header must not stop the recovery).
    const TRAILING: [&[u8; 4]; 9] = [
        b"LIST", b"id3 ", b"ID3 ", b"bext", b"iXML", b"cue ", b"smpl", b"JUNK", b"_PMX",
    ];
    let followed_by_chunk = declared < on_disk && {
        let mut next = [0u8; 8];
        file.seek(SeekFrom::Start(data.body_at() + declared + declared % 2))
            .map_err(WavError::Read)?;
        file.read_exact(&mut next).is_ok()
            && TRAILING.iter().any(|id| next[..4] == id[..])
            && 8 + u32::from_le_bytes([next[4], next[5], next[6], next[7]]) as u64
                <= on_disk - declared
    };
    if followed_by_chunk {
        // A complete file with more after its audio: nothing to repair.
        return Ok(Repair {
            frames: declared / block_align,
            frames_before: declared / block_align,
            partial_bytes: declared % block_align,
        });
    }
    let available = on_disk;
    let whole = (available / block_align).min(u32::MAX as u64 / block_align) * block_align;
    let riff_size = (data.body_at() + whole - 8).min(u32::MAX as u64) as u32;
    use std::io::Write;
    file.seek(SeekFrom::Start(4)).map_err(WavError::Read)?;
    file.write_all(&riff_size.to_le_bytes())
        .map_err(WavError::Read)?;
    file.seek(SeekFrom::Start(data.header_at + 4))
        .map_err(WavError::Read)?;
    file.write_all(&(whole as u32).to_le_bytes())
        .map_err(WavError::Read)?;
    file.sync_all().map_err(WavError::Read)?;
    Ok(Repair {
        frames: whole / block_align,
        frames_before: data.size as u64 / block_align,
        partial_bytes: available - whole,
    })
}
