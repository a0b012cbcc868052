//! The RIFF/WAVE chunk walk, shared by the WAV reader and `repair`.
//!
//! A WAV file is a 12-byte `RIFF…WAVE` header followed by chunks: a 4-byte ASCII id, a 32-bit
//! little-endian body size, the body, and a pad byte after an odd-sized body. The walk reads only
//! chunk headers (seeking over bodies) and says exactly how it ended, so that a reader can accept
//! every well-formed file (padded or not, chunks in any order) and `repair` can tell a file cut
//! short by a crash from a healthy file with chunks it does not know.

use std::io::{self, Read, Seek, SeekFrom};

/// Most chunks walked before a file is refused (real files have a handful; a file of millions of
/// empty chunks would otherwise take unbounded time).
pub const MAX_CHUNKS: usize = 4096;

/// One chunk's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkRef {
    pub id: [u8; 4],
    /// Offset of the chunk's 8-byte header, in bytes.
    pub header_at: u64,
    /// Size the header gives for the body, in bytes.
    pub size: u32,
}

impl ChunkRef {
    /// Offset of the body, in bytes.
    pub fn body_at(&self) -> u64 {
        self.header_at + 8
    }

    /// Offset just past the body (before any pad byte), in bytes.
    pub fn body_end(&self) -> u64 {
        self.body_at() + self.size as u64
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
    /// The RIFF header's size field, in bytes.
    pub riff_size: u32,
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

/// Why a file is not RIFF/WAVE at all.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("no RIFF/WAVE header")]
    NotRiff,
    #[error("more than {MAX_CHUNKS} chunks")]
    TooManyChunks,
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A chunk id is four printable ASCII characters (space included, as in `fmt `).
fn is_chunk_id(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && bytes[..4].iter().all(|b| (0x20..=0x7e).contains(b))
}

/// Read up to 8 bytes at `at`; the count read.
fn read_header<R: Read + Seek>(r: &mut R, at: u64, buf: &mut [u8; 8]) -> io::Result<usize> {
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

/// Walk the chunks of the RIFF/WAVE file `r`, `file_len` bytes long.
///
/// After an odd-sized body the next header is looked for after the pad byte; where a writer left
/// the pad byte out (the next id stands one byte earlier), the walk follows it.
pub fn walk<R: Read + Seek>(r: &mut R, file_len: u64) -> Result<Walk, WalkError> {
    let mut head = [0u8; 8];
    let mut form = [0u8; 4];
    if read_header(r, 0, &mut head)? < 8 || &head[..4] != b"RIFF" {
        return Err(WalkError::NotRiff);
    }
    if r.read_exact(&mut form).is_err() || &form != b"WAVE" {
        return Err(WalkError::NotRiff);
    }
    let riff_size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    let mut chunks = Vec::new();
    let mut at = 12u64;
    let tail = loop {
        if at == file_len {
            break Tail::Clean;
        }
        if chunks.len() == MAX_CHUNKS {
            return Err(WalkError::TooManyChunks);
        }
        let n = read_header(r, at, &mut head)?;
        if n < 8 || !is_chunk_id(&head) {
            break Tail::Junk { at };
        }
        let chunk = ChunkRef {
            id: [head[0], head[1], head[2], head[3]],
            header_at: at,
            size: u32::from_le_bytes([head[4], head[5], head[6], head[7]]),
        };
        chunks.push(chunk);
        let end = chunk.body_end();
        if end > file_len {
            break Tail::Overrun;
        }
        at = if chunk.size % 2 == 1 && end < file_len {
            next_after_odd(r, end, file_len)?
        } else {
            end
        };
    };
    Ok(Walk {
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
    let n = read_header(r, end, &mut buf)?;
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

    #[test]
    fn not_riff_is_refused() {
        let err = walk(&mut Cursor::new(b"RIFX\0\0\0\0WAVE"), 12).unwrap_err();
        assert!(matches!(err, WalkError::NotRiff));
    }
}
