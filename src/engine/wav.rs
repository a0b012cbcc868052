//! Reading WAV files as interleaved `f32` blocks, fast, and repairing the ones a crash cut short.
//!
//! The header is read here from the chunk walk ([`super::riff`]): `fmt ` (PCM, IEEE float and
//! `WAVE_FORMAT_EXTENSIBLE`, with its channel mask) and `data`, in any order of other chunks,
//! padded or not. The sample data is then read in large blocks straight from the file and
//! converted in one tight loop, which is several times faster than reading sample by sample.
//! A sample that is not a finite number (NaN, ±∞) is an error naming where it is: it would
//! otherwise turn a whole programme's loudness into silence.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::riff::{self, ChunkRef, Tail, Walk, WalkError};

/// Sample rates the meters run at, in Hz (BS.1770-4 filters are validated over this range).
pub const RATE_RANGE_HZ: std::ops::RangeInclusive<u32> = 8_000..=384_000;
/// Sample rates of files read, in Hz; the meters, the sound check and playback take only
/// [`RATE_RANGE_HZ`] and say so.
pub const READ_RATE_RANGE_HZ: std::ops::RangeInclusive<u32> = 1..=768_000;
/// Most channels accepted.
pub const MAX_CHANNELS: usize = 64;

/// Why a WAV file cannot be read (or repaired).
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("cannot open: {0}")]
    Open(#[source] io::Error),
    #[error("not a regular file ({0}): give a WAV file")]
    NotAFile(&'static str),
    #[error("not a WAV file ({0})")]
    NotWav(String),
    #[error("malformed WAV: {0}")]
    Malformed(String),
    #[error("unsupported format: {0}")]
    Unsupported(String),
    #[error("unsupported format: format tag 0x{0:04x} (PCM, IEEE float, A-law and µ-law are read)")]
    UnsupportedTag(u16),
    #[error("no channels")]
    NoChannels,
    #[error(
        "truncated: the header promises {expected} frames, the file holds {found} (`studiodesk repair` makes them readable)"
    )]
    Truncated { expected: u64, found: u64 },
    #[error(
        "sample {value} (not a finite number) at frame {frame} ({seconds:.3} s), channel {channel}"
    )]
    NonFinite {
        value: f32,
        /// 0-based frame.
        frame: u64,
        seconds: f64,
        /// 1-based channel.
        channel: usize,
    },
    #[error("{0}")]
    NotAudio(String),
    #[error("cannot decode: {0}")]
    Decode(String),
    #[error("not repaired: {0}")]
    NotRepairable(String),
    #[error("read error: {0}")]
    Read(#[source] io::Error),
    #[error("write error: {0}")]
    Write(#[source] io::Error),
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

impl From<WalkError> for WavError {
    fn from(e: WalkError) -> Self {
        match e {
            WalkError::NotRiff => WavError::NotWav("no RIFF/WAVE header".into()),
            WalkError::TooManyChunks | WalkError::NoDs64 => WavError::Malformed(e.to_string()),
            WalkError::Io(e) => WavError::Read(e),
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
    /// Signed integer in a container of 5 to 8 bytes, left-justified.
    Wide(u8),
    /// IEEE 32-bit float.
    F32,
    /// IEEE 64-bit float.
    F64,
    /// G.711 µ-law, 8 bits.
    MuLaw,
    /// G.711 A-law, 8 bits.
    ALaw,
}

/// G.711 µ-law byte to a 16-bit sample.
const fn ulaw(byte: u8) -> i16 {
    let u = !byte;
    let t = (((u & 0x0F) as i32) << 3) + 0x84;
    let t = t << ((u & 0x70) >> 4);
    (if u & 0x80 != 0 { 0x84 - t } else { t - 0x84 }) as i16
}

/// G.711 A-law byte to a 16-bit sample.
const fn alaw(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let seg = (a & 0x70) >> 4;
    t += if seg == 0 { 8 } else { 0x108 };
    if seg > 1 {
        t <<= seg - 1;
    }
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

const fn law_table(mu: bool) -> [f32; 256] {
    let mut table = [0.0f32; 256];
    let mut i = 0;
    while i < 256 {
        let v = if mu { ulaw(i as u8) } else { alaw(i as u8) };
        table[i] = v as f32 / 32_768.0;
        i += 1;
    }
    table
}

static ULAW: [f32; 256] = law_table(true);
static ALAW: [f32; 256] = law_table(false);

impl Encoding {
    fn bytes(self) -> usize {
        match self {
            Encoding::U8 | Encoding::MuLaw | Encoding::ALaw => 1,
            Encoding::I16 => 2,
            Encoding::I24 => 3,
            Encoding::I32 | Encoding::F32 => 4,
            Encoding::Wide(n) => n as usize,
            Encoding::F64 => 8,
        }
    }

    /// Convert little-endian samples to `f32` (full scale = 1.0).
    fn decode(self, raw: &[u8], out: &mut [f32]) {
        let b = self.bytes();
        let pairs = raw.chunks_exact(b).zip(out.iter_mut());
        match self {
            Encoding::U8 => pairs.for_each(|(s, o)| *o = (s[0] as f32 - 128.0) / 128.0),
            Encoding::MuLaw => pairs.for_each(|(s, o)| *o = ULAW[s[0] as usize]),
            Encoding::ALaw => pairs.for_each(|(s, o)| *o = ALAW[s[0] as usize]),
            Encoding::I16 => pairs
                .for_each(|(s, o)| *o = i16::from_le_bytes([s[0], s[1]]) as f32 * (1.0 / 32_768.0)),
            Encoding::I24 => pairs.for_each(|(s, o)| {
                *o = (i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) as f32 * (1.0 / 8_388_608.0)
            }),
            Encoding::I32 => pairs.for_each(|(s, o)| {
                *o = i32::from_le_bytes([s[0], s[1], s[2], s[3]]) as f32 * (1.0 / 2_147_483_648.0)
            }),
            Encoding::Wide(_) => pairs.for_each(|(s, o)| {
                // The container's bytes at the top of an i64: full scale is 2⁶³.
                let mut v = [0u8; 8];
                v[8 - b..].copy_from_slice(s);
                *o = (i64::from_le_bytes(v) as f64 * (1.0 / 9_223_372_036_854_775_808.0)) as f32
            }),
            Encoding::F32 => {
                pairs.for_each(|(s, o)| *o = f32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            }
            Encoding::F64 => pairs.for_each(|(s, o)| {
                *o = f64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]) as f32
            }),
        }
    }

    /// True for encodings that can hold values that are not finite numbers.
    fn is_float(self) -> bool {
        matches!(self, Encoding::F32 | Encoding::F64)
    }

    /// What the encoding is, for messages and reports ("24-bit integer").
    pub fn describe(self, bits: u16) -> String {
        match self {
            Encoding::F32 => "32-bit float".into(),
            Encoding::F64 => "64-bit float".into(),
            Encoding::MuLaw => "µ-law".into(),
            Encoding::ALaw => "A-law".into(),
            Encoding::U8 => format!("{bits}-bit unsigned integer"),
            e if bits as usize == 8 * e.bytes() => format!("{bits}-bit integer"),
            e => format!("{bits}-bit integer in {} bytes", e.bytes()),
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
    /// The container: RIFF, RIFX (big-endian samples), RF64 or Wave64.
    pub form: riff::Form,
}

impl WavFormat {
    /// Bytes of one frame of sample data.
    pub fn bytes_per_frame(&self) -> usize {
        self.channels * self.encoding.bytes()
    }
}

/// Open `path` for reading, refusing what is not a regular file before a read could block on it
/// (a FIFO waits forever for a writer; a folder or a device is no WAV file either).
pub fn open_regular(path: &Path) -> Result<File, WavError> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    // Opening a FIFO without O_NONBLOCK blocks until someone writes to it; with it, the open
    // returns and the file type is checked on what was opened (no race with a rename).
    let file = File::options()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(WavError::Open)?;
    let kind = file.metadata().map_err(WavError::Open)?.file_type();
    let what = if kind.is_file() {
        return Ok(file);
    } else if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a plain file"
    };
    Err(WavError::NotAFile(what))
}

/// An open WAV file, read block by block as interleaved `f32`.
pub struct WavReader {
    format: WavFormat,
    data_at: u64,
    data: BufReader<File>,
    raw: Vec<u8>,
    frames_read: u64,
}

impl WavReader {
    /// Open and validate `path`.
    pub fn open(path: &Path) -> Result<Self, WavError> {
        let mut file = open_regular(path)?;
        let header = read_header(&mut file)?;
        file.seek(SeekFrom::Start(header.data.body_at()))
            .map_err(WavError::Read)?;
        Ok(WavReader {
            data_at: header.data.body_at(),
            format: header.format,
            data: BufReader::with_capacity(1 << 16, file),
            raw: Vec::new(),
            frames_read: 0,
        })
    }

    /// The file's format.
    pub fn format(&self) -> &WavFormat {
        &self.format
    }

    /// Offset of the first sample in the file, in bytes.
    pub fn data_at(&self) -> u64 {
        self.data_at
    }

    /// Read up to `out.len() / channels` frames into `out`; returns the frames read, 0 at the end.
    /// A file shorter than its header promises is an error ([`WavError::Truncated`]), and so is a
    /// sample that is not a finite number ([`WavError::NonFinite`]).
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
        let out = &mut out[..frames * f.channels];
        let width = f.encoding.bytes();
        if f.form == riff::Form::Rifx && width > 1 {
            self.raw[..frames * frame_bytes]
                .chunks_exact_mut(width)
                .for_each(<[u8]>::reverse);
        }
        f.encoding.decode(&self.raw, out);
        if f.encoding.is_float() {
            if let Some(i) = out.iter().position(|x| !x.is_finite()) {
                let frame = self.frames_read + (i / f.channels) as u64;
                return Err(WavError::NonFinite {
                    value: out[i],
                    frame,
                    seconds: frame as f64 / f.sample_rate_hz as f64,
                    channel: i % f.channels + 1,
                });
            }
        }
        self.frames_read += frames as u64;
        Ok(frames)
    }
}

const TAG_PCM: u16 = 1;
const TAG_FLOAT: u16 = 3;
const TAG_ALAW: u16 = 6;
const TAG_MULAW: u16 = 7;
const TAG_EXTENSIBLE: u16 = 0xfffe;
/// Largest `fmt ` body read, in bytes (real ones are 16 to 40).
const MAX_FMT_BYTES: u32 = 1024;

/// A WAV file's header as the chunk walk found it.
struct Header {
    walk: Walk,
    /// Index of the `data` chunk in the walk.
    data_index: usize,
    data: ChunkRef,
    format: WavFormat,
}

impl Header {
    /// True when nothing follows the audio.
    fn data_is_last(&self) -> bool {
        self.data_index + 1 == self.walk.chunks.len()
    }
}

/// Walk `file`'s chunks and read its format: the one path every reader of a header takes.
fn read_header(file: &mut File) -> Result<Header, WavError> {
    let file_len = file.metadata().map_err(WavError::Read)?.len();
    let walk = riff::walk(file, file_len)?;
    let (fmt, data_index) = audio_chunks(&walk)?;
    let data = walk.chunks[data_index];
    let format = parse_fmt(&read_body(file, fmt)?, data.size, walk.form)?;
    Ok(Header {
        walk,
        data_index,
        data,
        format,
    })
}

/// Make the RIFF form end with `data_bytes` of audio: the RIFF and `data` sizes rewritten in
/// place (no free space needed), then flushed to disk.
fn write_sizes(file: &mut File, data: ChunkRef, data_bytes: u64) -> Result<(), WavError> {
    use std::io::Write;
    for (at, value) in [
        (4, data.body_at() + data_bytes - 8),
        (data.header_at + 4, data_bytes),
    ] {
        file.seek(SeekFrom::Start(at))
            .and_then(|_| file.write_all(&(value as u32).to_le_bytes()))
            .map_err(WavError::Write)?;
    }
    file.sync_all().map_err(WavError::Write)
}

/// The `fmt ` chunk and the index of the `data` chunk of a walk: exactly one `data`, after a
/// whole `fmt `.
fn audio_chunks(walk: &Walk) -> Result<(ChunkRef, usize), WavError> {
    let fmt = walk.position(b"fmt ");
    let mut data = walk.all(b"data");
    let first_data = data.next();
    if let Some((second, _)) = data.next() {
        let at = walk.chunks[second].header_at;
        return Err(WavError::Malformed(format!(
            "a second data chunk at byte {at}"
        )));
    }
    match (fmt, first_data) {
        (None, _) if walk.tail == Tail::Overrun => Err(WavError::Malformed(format!(
            "the file ends inside chunk '{}' before the format",
            walk.chunks.last().map(ChunkRef::name).unwrap_or_default()
        ))),
        (None, _) => Err(WavError::Malformed("no fmt chunk".into())),
        (Some(_), None) => Err(WavError::Malformed("no data chunk".into())),
        (Some(f), Some((d, _))) if d < f => Err(WavError::Malformed(
            "the data chunk comes before the fmt chunk".into(),
        )),
        (Some(f), Some((d, _))) if walk.is_whole(f) => Ok((walk.chunks[f], d)),
        (Some(_), Some(_)) => Err(WavError::Malformed("fmt chunk cut short".into())),
    }
}

fn read_body(file: &mut File, chunk: ChunkRef) -> Result<Vec<u8>, WavError> {
    if !(16..=MAX_FMT_BYTES as u64).contains(&chunk.size) {
        return Err(WavError::Malformed(format!(
            "fmt chunk of {} bytes (16 to {MAX_FMT_BYTES})",
            chunk.size
        )));
    }
    let mut body = vec![0u8; chunk.size as usize];
    file.seek(SeekFrom::Start(chunk.body_at()))
        .and_then(|_| file.read_exact(&mut body))
        .map_err(WavError::Read)?;
    Ok(body)
}

/// Read a `fmt ` body of a file in `form`; `data_bytes` is the `data` chunk's declared size.
fn parse_fmt(body: &[u8], data_bytes: u64, form: riff::Form) -> Result<WavFormat, WavError> {
    let big = form == riff::Form::Rifx;
    let u16_at = |i: usize| {
        let b = [body[i], body[i + 1]];
        if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    };
    let u32_at = |i: usize| {
        let b = [body[i], body[i + 1], body[i + 2], body[i + 3]];
        if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let mut tag = u16_at(0);
    let channels = u16_at(2) as usize;
    let sample_rate_hz = u32_at(4);
    let block_align = u16_at(12) as usize;
    let container_bits = u16_at(14);
    let mut bits = container_bits;
    let mut channel_mask = None;
    let extensible = tag == TAG_EXTENSIBLE;
    if extensible {
        if body.len() < 40 {
            return Err(WavError::Malformed(
                "WAVE_FORMAT_EXTENSIBLE with a short fmt chunk".into(),
            ));
        }
        let valid = u16_at(18);
        if valid != 0 {
            bits = valid;
        }
        channel_mask = Some(u32_at(20));
        // The sub-format GUID starts with the format tag as a 32-bit number (in the file's byte
        // order).
        tag = u32_at(24) as u16;
    }
    if ![TAG_PCM, TAG_FLOAT, TAG_ALAW, TAG_MULAW].contains(&tag) {
        return Err(WavError::UnsupportedTag(tag));
    }
    if channels == 0 {
        return Err(WavError::NoChannels);
    }
    if channels > MAX_CHANNELS {
        return Err(WavError::Unsupported(format!(
            "{channels} channels (at most {MAX_CHANNELS})"
        )));
    }
    if !READ_RATE_RANGE_HZ.contains(&sample_rate_hz) {
        return Err(WavError::Unsupported(format!(
            "sample rate {sample_rate_hz} Hz (1 to 768000 Hz)"
        )));
    }
    // The container is the block alignment's share per channel. A plain header whose alignment
    // disagrees with its bits (seen in the wild) is read by its bits, as FFmpeg reads it.
    let aligned = (block_align > 0 && block_align % channels == 0)
        .then_some(block_align / channels)
        .filter(|&c| c * 8 >= bits as usize);
    let container = match aligned {
        Some(c) => c,
        None if !extensible && bits > 0 => (bits as usize).div_ceil(8),
        None => {
            return Err(WavError::Malformed(format!(
                "block alignment of {block_align} bytes for {channels} channels of {container_bits} bits"
            )));
        }
    };
    if bits == 0 || bits as usize > container * 8 {
        return Err(WavError::Malformed(format!(
            "{bits}-bit samples in {container}-byte containers"
        )));
    }
    let encoding = match (tag, container) {
        (TAG_PCM, 1) => Encoding::U8,
        (TAG_PCM, 2) => Encoding::I16,
        (TAG_PCM, 3) => Encoding::I24,
        (TAG_PCM, 4) => Encoding::I32,
        (TAG_PCM, n @ 5..=8) => Encoding::Wide(n as u8),
        (TAG_FLOAT, 4) => Encoding::F32,
        (TAG_FLOAT, 8) => Encoding::F64,
        (TAG_MULAW, 1) => Encoding::MuLaw,
        (TAG_ALAW, 1) => Encoding::ALaw,
        (TAG_PCM, bytes) => {
            return Err(WavError::Unsupported(format!(
                "integer samples of {bytes} bytes"
            )));
        }
        (TAG_FLOAT, bytes) => {
            return Err(WavError::Unsupported(format!(
                "{}-bit float samples",
                bytes * 8
            )));
        }
        (_, bytes) => {
            return Err(WavError::Unsupported(format!(
                "{}-byte A-law/µ-law samples",
                bytes
            )));
        }
    };
    Ok(WavFormat {
        sample_rate_hz,
        channels,
        bits,
        encoding,
        channel_mask,
        frames: data_bytes / (container * channels) as u64,
        form,
    })
}

/// What [`repair`] found and did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repair {
    /// Every chunk is whole and the audio is what the header says: the file was not touched.
    Healthy {
        /// Whole frames of audio.
        frames: u64,
    },
    /// The `data` chunk ran to the end of the file with another size in its header; the RIFF and
    /// `data` sizes now cover every whole frame on disk.
    Repaired {
        /// Whole frames the header now declares.
        frames: u64,
        /// Frames the header declared before.
        frames_before: u64,
        /// Bytes of an incomplete last frame left out.
        partial_bytes: u64,
    },
}

/// What a walk says of a file that [`repair`] looks at: healthy, or the whole frames on disk.
enum Diagnosis {
    Healthy,
    DataRunsToEnd { on_disk: u64 },
}

/// Only a file whose `data` chunk runs to the end of the file is repairable; every well-formed
/// walk is healthy; anything else is refused with the reason.
///
/// After a crash the audio runs on past the size the last header checkpoint gave, and its bytes
/// can look like a chunk header (float samples are often printable text). What tells them apart
/// is the RIFF header: a writer that checkpoints keeps it ending where the `data` chunk ends, while
/// a file with chunks after its audio has a RIFF size that covers them.
fn diagnose(header: &Header) -> Result<Diagnosis, WavError> {
    let (walk, data) = (&header.walk, header.data);
    let on_disk = walk.file_len - data.body_at();
    let data_end = data.body_end().saturating_add(data.size % 2);
    let riff_ends_with_data = walk.riff_size.saturating_add(8) <= data_end;
    match walk.tail {
        Tail::Clean => Ok(Diagnosis::Healthy),
        // The recorder writes RIFF; the others' sizes live elsewhere (ds64, 64-bit, big-endian).
        _ if walk.form != riff::Form::Riff => Err(WavError::NotRepairable(format!(
            "a {} file cut short: repair mends RIFF WAVs only",
            walk.form.name()
        ))),
        _ if riff_ends_with_data || header.data_is_last() => {
            Ok(Diagnosis::DataRunsToEnd { on_disk })
        }
        Tail::Overrun => {
            let chunk = walk.chunks[walk.chunks.len() - 1];
            Err(WavError::NotRepairable(format!(
                "chunk '{}' after the audio (at byte {}) claims {} bytes, more than the file holds; the audio itself is whole",
                chunk.name(),
                chunk.header_at,
                chunk.size
            )))
        }
        Tail::Junk { at } => Err(WavError::NotRepairable(format!(
            "bytes at {at}, after chunk '{}', are not a chunk; the audio itself is whole",
            walk.chunks[walk.chunks.len() - 1].name()
        ))),
    }
}

/// Rewrite the RIFF and `data` sizes of a WAV cut short (a crash, a full disk) so that every whole
/// frame on disk is readable again.
///
/// Only a `data` chunk that runs to the end of the file and whose size disagrees with it is
/// changed. A file whose chunks all walk cleanly is healthy and left byte for byte; any other
/// shape (two `data` chunks, `data` before `fmt `, a chunk after the audio cut short, …) is
/// refused with the reason ([`WavError::NotRepairable`]). The file is opened for writing only
/// once it is proven damaged.
pub fn repair(path: &Path) -> Result<Repair, WavError> {
    let mut file = open_regular(path)?;
    let header = read_header(&mut file).map_err(|e| match e {
        WavError::Malformed(reason) => WavError::NotRepairable(reason),
        e => e,
    })?;
    let (data, format) = (header.data, header.format);
    let healthy = Ok(Repair::Healthy {
        frames: format.frames,
    });
    let on_disk = match diagnose(&header)? {
        Diagnosis::Healthy => return healthy,
        Diagnosis::DataRunsToEnd { on_disk } => on_disk,
    };
    let block_align = format.bytes_per_frame() as u64;
    let limit = (u32::MAX as u64 - data.body_at()) / block_align * block_align;
    let whole = (on_disk / block_align * block_align).min(limit);
    if whole == data.size {
        // What follows the audio is less than a frame (left by an earlier repair).
        return healthy;
    }
    drop(file);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(WavError::Open)?;
    // The RIFF body ends with the audio: nothing stands after a data chunk that runs to the end.
    write_sizes(&mut file, data, whole)?;
    Ok(Repair::Repaired {
        frames: whole / block_align,
        frames_before: format.frames,
        partial_bytes: on_disk.saturating_sub(whole),
    })
}

/// Close a recorder's file whose writer failed (a full disk): its header is made to cover every
/// whole frame on disk, as [`repair`] makes it, and with `keep_frames` the audio is cut to at most
/// that many frames (tracks of one take end together). Returns the whole frames it then holds.
/// Rewriting a header in place and shortening a file need no free space.
pub fn close_cut(path: &Path, keep_frames: Option<u64>) -> Result<u64, WavError> {
    let frames = match repair(path)? {
        Repair::Healthy { frames } | Repair::Repaired { frames, .. } => frames,
    };
    let Some(keep) = keep_frames.filter(|&k| k < frames) else {
        return Ok(frames);
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(WavError::Open)?;
    let header = read_header(&mut file)?;
    if !header.data_is_last() {
        return Err(WavError::NotRepairable(
            "chunks follow the audio: not shortened".into(),
        ));
    }
    let bytes = keep * header.format.bytes_per_frame() as u64;
    file.set_len(header.data.body_at() + bytes)
        .map_err(WavError::Write)?;
    write_sizes(&mut file, header.data, bytes)?;
    Ok(keep)
}
