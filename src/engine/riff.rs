//! The RIFF/WAVE chunk walk, shared by the WAV reader and `repair`.
//!
//! A WAV file is a 12-byte `RIFF…WAVE` header followed by chunks: a 4-byte ASCII id, a 32-bit
//! little-endian body size, the body, and a pad byte after an odd-sized body. The walk reads only
//! chunk headers (seeking over bodies) and says exactly how it ended, so that a reader can accept
//! every well-formed file (padded or not, chunks in any order) and `repair` can tell a file cut
//! short by a crash from a healthy file with chunks it does not know.
//!
//! The same walk reads the WAVE file's relatives: RIFX (big-endian), RF64/BW64 (64-bit sizes from
//! a `ds64` chunk, for files past 4 GiB) and Sony Wave64 (GUID ids, 64-bit sizes, 8-byte padding).

use std::io::{self, Read, Seek, SeekFrom};

/// Most chunks walked before a file is refused (real files have a handful; a file of millions of
/// empty chunks would otherwise take unbounded time).
pub const MAX_CHUNKS: usize = 4096;

/// Which container a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// RIFF/WAVE: little-endian, 32-bit sizes, bodies padded to 2 bytes.
    Riff,
    /// RIFX/WAVE: as RIFF, but every number (header and samples) big-endian.
    Rifx,
    /// RF64/WAVE or BW64/WAVE (EBU Tech 3306, ITU-R BS.2088): RIFF with 64-bit sizes in a `ds64`
    /// chunk for files beyond 4 GiB.
    Rf64,
    /// Sony Wave64: 16-byte GUID chunk ids, 64-bit sizes that count the 24-byte header, bodies
    /// padded to 8 bytes.
    W64,
}

impl Form {
    /// The form's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Form::Riff => "RIFF",
            Form::Rifx => "RIFX",
            Form::Rf64 => "RF64",
            Form::W64 => "Wave64",
        }
    }

    /// Bodies are padded to a multiple of this many bytes.
    fn align(self) -> u64 {
        if self == Form::W64 { 8 } else { 2 }
    }
}

/// One chunk's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkRef {
    /// The id (for Wave64, the first four bytes of its GUID: `fmt `, `data`, … for the standard
    /// chunks).
    pub id: [u8; 4],
    /// Offset of the chunk's header, in bytes.
    pub header_at: u64,
    /// Length of the header: 8, or 24 for Wave64, in bytes.
    pub header_len: u64,
    /// Size of the body, in bytes (for RF64, from `ds64` where the header says 0xFFFFFFFF).
    pub size: u64,
}

impl ChunkRef {
    /// Offset of the body, in bytes.
    pub fn body_at(&self) -> u64 {
        self.header_at + self.header_len
    }

    /// Offset just past the body (before any pad byte), in bytes.
    pub fn body_end(&self) -> u64 {
        self.body_at().saturating_add(self.size)
    }

    /// The id as text, for messages.
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.id).into_owned()
    }
}

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tail {
    /// The last chunk (with its pad byte, or without where the file ends there) ends exactly at
    /// the end of the file.
    Clean,
    /// The last chunk walked claims more bytes than the file has left (a file cut short).
    Overrun,
    /// Bytes at `at` that are no chunk header: fewer than 8, or an id that is not ASCII text.
    Junk { at: u64 },
}

/// A file's chunks in order, and how the walk ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    pub form: Form,
    /// The container header's size field (RIFF size: the bytes after the first 8; Wave64: the
    /// whole file), in bytes.
    pub riff_size: u64,
    pub chunks: Vec<ChunkRef>,
    pub tail: Tail,
    /// Length of the file, in bytes.
    pub file_len: u64,
}

impl Walk {
    /// Index of the first chunk named `id`.
    pub fn position(&self, id: &[u8; 4]) -> Option<usize> {
        self.chunks.iter().position(|c| &c.id == id)
    }

    /// Every chunk named `id`.
    pub fn all<'a>(&'a self, id: &'a [u8; 4]) -> impl Iterator<Item = (usize, &'a ChunkRef)> {
        self.chunks
            .iter()
            .enumerate()
            .filter(move |(_, c)| &c.id == id)
    }

    /// True when the chunk at `index` lies wholly inside the file.
    pub fn is_whole(&self, index: usize) -> bool {
        !(self.tail == Tail::Overrun && index + 1 == self.chunks.len())
    }
}

/// Why a file is not a WAVE file at all.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("no RIFF/WAVE header")]
    NotRiff,
    #[error("more than {MAX_CHUNKS} chunks")]
    TooManyChunks,
    #[error("RF64 file without a ds64 chunk first")]
    NoDs64,
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A chunk id is four printable ASCII characters (space included, as in `fmt `).
fn is_chunk_id(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && bytes[..4].iter().all(|b| (0x20..=0x7e).contains(b))
}

/// Fill as much of `buf` as the file has at `at`; the count read.
fn read_at<R: Read + Seek>(r: &mut R, at: u64, buf: &mut [u8]) -> io::Result<usize> {
    r.seek(SeekFrom::Start(at))?;
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The GUID suffix of Wave64's standard chunk ids (after the four ASCII bytes).
const W64_SUFFIX: [u8; 12] = [
    0xF3, 0xAC, 0xD3, 0x11, 0x8C, 0xD1, 0x00, 0xC0, 0x4F, 0x8E, 0xDB, 0x8A,
];
/// Wave64's `riff` GUID.
const W64_RIFF: [u8; 16] = [
    b'r', b'i', b'f', b'f', 0x2E, 0x91, 0xCF, 0x11, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00,
];

/// The form of a file from its first 40 bytes, and where its first chunk starts.
pub(crate) fn form_of(head: &[u8]) -> Option<(Form, u64, u64)> {
    if head.len() >= 40 && head[..16] == W64_RIFF && &head[24..28] == b"wave" {
        let size = u64::from_le_bytes(head[16..24].try_into().ok()?);
        return Some((Form::W64, size, 40));
    }
    if head.len() < 12 || &head[8..12] != b"WAVE" {
        return None;
    }
    let le = u32::from_le_bytes(head[4..8].try_into().ok()?) as u64;
    let be = u32::from_be_bytes(head[4..8].try_into().ok()?) as u64;
    match &head[..4] {
        b"RIFF" => Some((Form::Riff, le, 12)),
        b"RIFX" => Some((Form::Rifx, be, 12)),
        b"RF64" | b"BW64" => Some((Form::Rf64, le, 12)),
        _ => None,
    }
}

/// The sizes a `ds64` chunk gives: the RIFF size, the `data` size, and the table's.
struct Ds64 {
    riff: u64,
    data: u64,
    table: Vec<([u8; 4], u64)>,
}

fn read_ds64<R: Read + Seek>(r: &mut R, at: u64, size: u64) -> Result<Ds64, WalkError> {
    if size < 28 {
        return Err(WalkError::NoDs64);
    }
    let mut body = vec![0u8; size.min(28 + 12 * 256) as usize];
    if read_at(r, at, &mut body)? < 28 {
        return Err(WalkError::NoDs64);
    }
    let u64_at = |i: usize| u64::from_le_bytes(body[i..i + 8].try_into().unwrap_or([0; 8]));
    let entries = u32::from_le_bytes([body[24], body[25], body[26], body[27]]) as usize;
    let table = body[28..]
        .chunks_exact(12)
        .take(entries)
        .map(|e| ([e[0], e[1], e[2], e[3]], u64_at_slice(&e[4..12])))
        .collect();
    Ok(Ds64 {
        riff: u64_at(0),
        data: u64_at(8),
        table,
    })
}

fn u64_at_slice(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().unwrap_or([0; 8]))
}

/// Walk the chunks of the WAVE file `r` (RIFF, RIFX, RF64/BW64 or Wave64), `file_len` bytes long.
///
/// After an odd-sized body the next header is looked for after the pad byte; where a writer left
/// the pad byte out (the next id stands one byte earlier), the walk follows it.
pub fn walk<R: Read + Seek>(r: &mut R, file_len: u64) -> Result<Walk, WalkError> {
    let mut head = [0u8; 40];
    let n = read_at(r, 0, &mut head)?;
    let (form, mut riff_size, mut at) = form_of(&head[..n]).ok_or(WalkError::NotRiff)?;
    let header_len = if form == Form::W64 { 24 } else { 8 };
    let mut ds64: Option<Ds64> = None;
    let mut chunks = Vec::new();
    let tail = loop {
        if at == file_len {
            break Tail::Clean;
        }
        if chunks.len() == MAX_CHUNKS {
            return Err(WalkError::TooManyChunks);
        }
        let mut buf = [0u8; 24];
        let got = read_at(r, at, &mut buf[..header_len as usize])?;
        let junk = got < header_len as usize
            || form != Form::W64 && !is_chunk_id(&buf)
            || form == Form::W64 && u64_at_slice(&buf[16..24]) < 24;
        if junk {
            break Tail::Junk { at };
        }
        let id = [buf[0], buf[1], buf[2], buf[3]];
        let size = match form {
            Form::Riff => u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]) as u64,
            Form::Rifx => u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]) as u64,
            Form::Rf64 => {
                let short = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
                match (&ds64, short) {
                    (Some(d), u32::MAX) if &id == b"data" => d.data,
                    (Some(d), u32::MAX) => d
                        .table
                        .iter()
                        .find(|(t, _)| *t == id)
                        .map_or(u32::MAX as u64, |(_, s)| *s),
                    _ => short as u64,
                }
            }
            // The size counts the header; a standard id's GUID ends with the W64 suffix.
            Form::W64 => u64_at_slice(&buf[16..24]) - 24,
        };
        let chunk = ChunkRef {
            // A Wave64 GUID that is not a standard chunk's is walked over, never matched.
            id: if form == Form::W64 && buf[4..16] != W64_SUFFIX {
                [0; 4]
            } else {
                id
            },
            header_at: at,
            header_len,
            size,
        };
        if form == Form::Rf64 && chunks.is_empty() {
            if &id != b"ds64" {
                return Err(WalkError::NoDs64);
            }
            let d = read_ds64(r, chunk.body_at(), size)?;
            riff_size = d.riff;
            ds64 = Some(d);
        }
        chunks.push(chunk);
        let end = chunk.body_end();
        if end > file_len {
            break Tail::Overrun;
        }
        at = if form == Form::W64 {
            let align = form.align();
            chunk.header_at + (header_len + chunk.size).div_ceil(align) * align
        } else if chunk.size % 2 == 1 && end < file_len {
            next_after_odd(r, end, file_len)?
        } else {
            end
        };
        if at > file_len {
            // Wave64's last chunk need not be padded to 8 bytes.
            at = file_len;
        }
    };
    Ok(Walk {
        form,
        riff_size,
        chunks,
        tail,
        file_len,
    })
}

/// Where the next header stands after an odd-sized body ending at `end`: after the pad byte,
/// unless only the unpadded position holds a chunk id.
fn next_after_odd<R: Read + Seek>(r: &mut R, end: u64, file_len: u64) -> io::Result<u64> {
    let mut buf = [0u8; 8];
    let n = read_at(r, end, &mut buf)?;
    let padded_is_chunk = n == 8 && is_chunk_id(&buf[1..]) || end + 1 == file_len;
    let unpadded_is_chunk = n == 8 && is_chunk_id(&buf);
    Ok(if !padded_is_chunk && unpadded_is_chunk {
        end
    } else {
        end + 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn chunk(id: &[u8; 4], body: &[u8], pad: bool) -> Vec<u8> {
        let mut out = id.to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
        if pad && body.len() % 2 == 1 {
            out.push(0);
        }
        out
    }

    fn file(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
        out.extend_from_slice(b"WAVE");
        out.extend_from_slice(&body);
        out
    }

    fn walk_bytes(bytes: &[u8]) -> Walk {
        walk(&mut Cursor::new(bytes), bytes.len() as u64).expect("a RIFF file")
    }

    fn ids(w: &Walk) -> Vec<&[u8]> {
        w.chunks.iter().map(|c| &c.id[..]).collect()
    }

    #[test]
    fn padded_and_unpadded_odd_chunks_are_both_walked() {
        for pad in [true, false] {
            let bytes = file(&[
                chunk(b"LIST", b"odd", pad),
                chunk(b"fmt ", &[0; 16], pad),
                chunk(b"junk", b"x", pad),
                chunk(b"data", &[1, 2, 3, 4], pad),
            ]);
            let w = walk_bytes(&bytes);
            assert_eq!(ids(&w), [b"LIST", b"fmt ", b"junk", b"data"], "pad {pad}");
            assert_eq!(w.tail, Tail::Clean);
        }
    }

    #[test]
    fn a_cut_body_is_an_overrun_and_trailing_bytes_are_junk() {
        let mut bytes = file(&[
            chunk(b"fmt ", &[0; 16], true),
            chunk(b"data", &[0; 10], true),
        ]);
        bytes.truncate(bytes.len() - 3);
        let w = walk_bytes(&bytes);
        assert_eq!(w.tail, Tail::Overrun);
        assert!(!w.is_whole(1));

        let mut bytes = file(&[
            chunk(b"fmt ", &[0; 16], true),
            chunk(b"data", &[0; 10], true),
        ]);
        let end = bytes.len() as u64;
        bytes.extend_from_slice(&[0x80, 0, 0, 0, 1, 2, 3, 4, 5]);
        assert_eq!(walk_bytes(&bytes).tail, Tail::Junk { at: end });
    }

    /// Hostile 64-bit sizes end the walk; they never overflow or send it backwards.
    #[test]
    fn huge_sizes_are_overruns() {
        // Wave64: a `fmt ` chunk claiming u64::MAX bytes.
        let mut w64 = W64_RIFF.to_vec();
        w64.extend_from_slice(&200u64.to_le_bytes());
        w64.extend_from_slice(b"wave");
        w64.extend_from_slice(&W64_SUFFIX);
        w64.extend_from_slice(b"fmt ");
        w64.extend_from_slice(&W64_SUFFIX);
        w64.extend_from_slice(&u64::MAX.to_le_bytes());
        w64.resize(120, 0);
        let w = walk(&mut Cursor::new(&w64), w64.len() as u64).unwrap();
        assert_eq!(
            (w.form, w.tail, w.chunks.len()),
            (Form::W64, Tail::Overrun, 1)
        );
        // RF64: ds64 gives the data chunk 2⁶⁴ − 1 bytes and the RIFF as much.
        let mut rf = b"RF64".to_vec();
        rf.extend_from_slice(&u32::MAX.to_le_bytes());
        rf.extend_from_slice(b"WAVEds64");
        rf.extend_from_slice(&28u32.to_le_bytes());
        rf.extend_from_slice(&u64::MAX.to_le_bytes());
        rf.extend_from_slice(&u64::MAX.to_le_bytes());
        rf.extend_from_slice(&[0; 12]);
        rf.extend_from_slice(b"data");
        rf.extend_from_slice(&u32::MAX.to_le_bytes());
        rf.extend_from_slice(&[0; 16]);
        let w = walk(&mut Cursor::new(&rf), rf.len() as u64).unwrap();
        assert_eq!((w.riff_size, w.tail), (u64::MAX, Tail::Overrun));
        assert_eq!(w.chunks[1].body_end(), u64::MAX);
    }

    #[test]
    fn not_riff_is_refused() {
        let err = walk(&mut Cursor::new(b"RIFY\0\0\0\0WAVE"), 12).unwrap_err();
        assert!(matches!(err, WalkError::NotRiff));
        let err = walk(&mut Cursor::new(b"RF64\0\0\0\0WAVEfmt \0\0\0\0"), 20).unwrap_err();
        assert!(matches!(err, WalkError::NoDs64));
    }
}
