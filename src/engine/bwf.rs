//! Broadcast WAV: the `bext` chunk (EBU Tech 3285 version 2) and the `iXML` chunk that every
//! recorded take carries, so that a DAW drops each file at the time of day it was recorded and
//! knows its project, song, take and tracks.
//!
//! Both chunks are written before `data` when a file is made, so a take killed mid-way already
//! carries them. What is only known later is written in place, inside the chunk's own bytes,
//! never moving or touching the audio: the loudness fields when the take is finalised, and the
//! iXML when the take is logged, rated or circled (its text is padded with spaces to a fixed
//! capacity, as the iXML guidelines suggest, so that edits never change a size).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::Path;

use jiff::ZonedDateTime;

use super::riff;
use super::wav::WavError;
use crate::meter::ProgrammeReading;

/// Size of the `bext` body before the coding history, in bytes (Tech 3285 v2).
const BEXT_FIXED: usize = 602;
/// Offset of the five loudness fields in the `bext` body, in bytes.
const LOUDNESS_AT: usize = 412;
/// A loudness field that is not set (Tech 3285 v2).
const NOT_SET: i16 = 0x7FFF;
/// Size of every `iXML` body written, in bytes: room for later edits of the take's details.
pub const IXML_CAPACITY: usize = 8192;
/// Longest note kept in the iXML, in bytes (the rest of the document must fit beside it).
const NOTE_MAX: usize = 2048;

/// A timecode rate for the iXML `SPEED` block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimecodeRate {
    Fps23_976,
    Fps24,
    #[default]
    Fps25,
    Fps29_97,
    Fps29_97Drop,
    Fps30,
}

impl TimecodeRate {
    /// Every rate with its name, as typed.
    pub const ALL: [(TimecodeRate, &'static str); 6] = [
        (TimecodeRate::Fps23_976, "23.976"),
        (TimecodeRate::Fps24, "24"),
        (TimecodeRate::Fps25, "25"),
        (TimecodeRate::Fps29_97, "29.97"),
        (TimecodeRate::Fps29_97Drop, "29.97df"),
        (TimecodeRate::Fps30, "30"),
    ];

    /// The rate as the fraction iXML writes ("30000/1001").
    pub fn fraction(self) -> &'static str {
        match self {
            TimecodeRate::Fps23_976 => "24000/1001",
            TimecodeRate::Fps24 => "24/1",
            TimecodeRate::Fps25 => "25/1",
            TimecodeRate::Fps29_97 | TimecodeRate::Fps29_97Drop => "30000/1001",
            TimecodeRate::Fps30 => "30/1",
        }
    }

    /// "DF" for drop-frame timecode, else "NDF".
    pub fn flag(self) -> &'static str {
        if self == TimecodeRate::Fps29_97Drop {
            "DF"
        } else {
            "NDF"
        }
    }
}

impl std::str::FromStr for TimecodeRate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let typed = s.trim().to_ascii_lowercase();
        TimecodeRate::ALL
            .iter()
            .find(|(_, name)| *name == typed)
            .map(|(rate, _)| *rate)
            .ok_or_else(|| {
                let names: Vec<&str> = TimecodeRate::ALL.iter().map(|(_, n)| *n).collect();
                format!("timecode rate '{s}': one of {}", names.join(", "))
            })
    }
}

/// What the session log knows of a take, written into its files' iXML (and rewritten there when
/// the take is logged, rated or circled).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TakeTags {
    /// The project (iXML PROJECT).
    pub project: String,
    /// The song (iXML SCENE).
    pub song: String,
    /// The take's number (iXML TAKE).
    pub take: String,
    pub circled: bool,
    /// iXML TAKE_TYPE words ("DEFAULT", "NO_GOOD", "FALSE_START", …).
    pub take_type: String,
    pub note: String,
}

/// One channel of a file, for the iXML track list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackChannel {
    /// The recorder's input channel, 1-based.
    pub input_channel: usize,
    pub name: String,
}

/// Everything written into one file's chunks when it is made.
#[derive(Clone, Debug)]
pub struct FileTags {
    pub tags: TakeTags,
    /// The session (iXML TAPE; the first part of the file name).
    pub session: String,
    pub track_name: String,
    pub channels: Vec<TrackChannel>,
    pub sample_rate_hz: u32,
    pub bits: u16,
    pub float: bool,
    /// Local date and time of the take's first frame.
    pub started: ZonedDateTime,
    /// Samples since local midnight of this file's first frame (a later part of a take starts
    /// later by the frames before it).
    pub time_reference: u64,
    pub timecode: TimecodeRate,
    /// Unique to the take (the bext OriginatorReference holds it with the track).
    pub take_id: u64,
    /// Unique to the file (the UMID's material number).
    pub file_id: u128,
    /// Track (0-based) and part (1-based), to tell the take's files apart.
    pub track: usize,
    pub part: u32,
}

/// Samples since local midnight of `at`, at `rate_hz` (the bext TimeReference).
pub fn samples_since_midnight(at: &ZonedDateTime, rate_hz: u32) -> u64 {
    let time = at.time();
    let seconds = time.hour() as u64 * 3600 + time.minute() as u64 * 60 + time.second() as u64;
    seconds * rate_hz as u64 + time.subsec_nanosecond() as u64 * rate_hz as u64 / 1_000_000_000
}

/// `text` as ASCII for a bext field (other characters become '_'), in a field of `len` bytes.
fn ascii_field(out: &mut Vec<u8>, text: &str, len: usize) {
    let mut field: Vec<u8> = text
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() || c == '\r' || c == '\n' {
                c as u8
            } else {
                b'_'
            }
        })
        .take(len)
        .collect();
    field.resize(len, 0);
    out.extend_from_slice(&field);
}

/// The 32-byte basic UMID (SMPTE ST 330) of a file, in the 64-byte bext field.
fn umid(channels: usize, material: u128) -> [u8; 64] {
    let mut u = [0u8; 64];
    // Universal label for a UMID; material type 08h one audio component, 09h several;
    // number creation 20h (UUID/UL material number, no instance method).
    u[..10].copy_from_slice(&[0x06, 0x0A, 0x2B, 0x34, 0x01, 0x01, 0x01, 0x05, 0x01, 0x01]);
    u[10] = if channels == 1 { 0x08 } else { 0x09 };
    u[11] = 0x20;
    u[12] = 0x13; // basic UMID: 19 more bytes
    u[16..32].copy_from_slice(&material.to_be_bytes());
    u
}

/// The `bext` body (even-sized) for a file.
pub fn bext_body(t: &FileTags) -> Vec<u8> {
    let mut b = Vec::with_capacity(BEXT_FIXED + 80);
    let description = format!(
        "sPROJECT={}\r\nsSCENE={}\r\nsTAKE={}\r\nsTRACK={:02} {}\r\nsTAPE={}\r\n",
        t.tags.project,
        t.tags.song,
        t.tags.take,
        t.track + 1,
        t.track_name,
        t.session
    );
    ascii_field(&mut b, &description, 256);
    ascii_field(&mut b, "studiodesk", 32);
    let reference = format!("SD{:016X}T{:02}P{:03}", t.take_id, t.track + 1, t.part);
    ascii_field(&mut b, &reference, 32);
    ascii_field(&mut b, &t.started.strftime("%Y-%m-%d").to_string(), 10);
    ascii_field(&mut b, &t.started.strftime("%H:%M:%S").to_string(), 8);
    b.extend_from_slice(&t.time_reference.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&umid(t.channels.len(), t.file_id));
    for _ in 0..5 {
        b.extend_from_slice(&NOT_SET.to_le_bytes());
    }
    b.resize(BEXT_FIXED, 0);
    let mode = match t.channels.len() {
        1 => "mono",
        2 => "stereo",
        _ => "multichannel",
    };
    let kind = if t.float { "float" } else { "integer" };
    let history = format!(
        "A=PCM,F={},W={},M={mode},T=studiodesk {} ({kind})\r\n",
        t.sample_rate_hz,
        t.bits,
        env!("CARGO_PKG_VERSION")
    );
    b.extend_from_slice(history.as_bytes());
    if b.len() % 2 == 1 {
        b.push(0);
    }
    b
}

/// `text` with XML's special characters escaped (control characters other than tab and line
/// breaks, which XML 1.0 does not allow, are left out).
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `text` escaped for XML and cut (on a character) to at most `max` bytes once escaped, so that
/// every document fits [`IXML_CAPACITY`].
fn xml_cut(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let escaped = xml_text(c.encode_utf8(&mut [0; 4]));
        if out.len() + escaped.len() > max {
            break;
        }
        out.push_str(&escaped);
    }
    out
}

/// The iXML elements that carry the take's details, in the order they are written.
fn tag_elements(tags: &TakeTags, note_max: usize) -> String {
    let note = xml_cut(&tags.note, note_max);
    let take_type = if tags.take_type.is_empty() {
        "DEFAULT"
    } else {
        &tags.take_type
    };
    format!(
        "  <PROJECT>{}</PROJECT>\n  <SCENE>{}</SCENE>\n  <TAKE>{}</TAKE>\n  <CIRCLED>{}</CIRCLED>\n  <TAKE_TYPE>{}</TAKE_TYPE>\n  <NOTE>{}</NOTE>\n",
        xml_cut(&tags.project, 512),
        xml_cut(&tags.song, 512),
        xml_cut(&tags.take, 64),
        if tags.circled { "TRUE" } else { "FALSE" },
        xml_text(take_type),
        note
    )
}

const TAGS_START: &str = "  <PROJECT>";
const TAGS_END: &str = "</NOTE>\n";

/// The `iXML` body of a file, padded with spaces to [`IXML_CAPACITY`].
pub fn ixml_body(t: &FileTags) -> Vec<u8> {
    let hi = t.time_reference >> 32;
    let lo = t.time_reference & 0xFFFF_FFFF;
    let mut tracks = String::new();
    for (i, c) in t.channels.iter().enumerate() {
        tracks.push_str(&format!(
            "    <TRACK><CHANNEL_INDEX>{}</CHANNEL_INDEX><INTERLEAVE_INDEX>{}</INTERLEAVE_INDEX><NAME>{}</NAME></TRACK>\n",
            c.input_channel,
            i + 1,
            xml_cut(&c.name, 256)
        ));
    }
    let rate = t.timecode.fraction();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BWFXML>\n  <IXML_VERSION>3.01</IXML_VERSION>\n{tags}  <TAPE>{tape}</TAPE>\n  <FILE_UID>SD{take:016X}T{track:02}P{part:03}</FILE_UID>\n  <SPEED>\n    <MASTER_SPEED>{rate}</MASTER_SPEED>\n    <CURRENT_SPEED>{rate}</CURRENT_SPEED>\n    <TIMECODE_RATE>{rate}</TIMECODE_RATE>\n    <TIMECODE_FLAG>{flag}</TIMECODE_FLAG>\n    <FILE_SAMPLE_RATE>{sr}</FILE_SAMPLE_RATE>\n    <AUDIO_BIT_DEPTH>{bits}</AUDIO_BIT_DEPTH>\n    <DIGITIZER_SAMPLE_RATE>{sr}</DIGITIZER_SAMPLE_RATE>\n    <TIMESTAMP_SAMPLE_RATE>{sr}</TIMESTAMP_SAMPLE_RATE>\n    <TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>{hi}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>\n    <TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>{lo}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>\n  </SPEED>\n  <TRACK_LIST>\n    <TRACK_COUNT>{count}</TRACK_COUNT>\n{tracks}  </TRACK_LIST>\n</BWFXML>\n",
        tags = tag_elements(&t.tags, NOTE_MAX),
        tape = xml_cut(&t.session, 256),
        take = t.take_id,
        track = t.track + 1,
        part = t.part,
        flag = t.timecode.flag(),
        sr = t.sample_rate_hz,
        bits = t.bits,
        count = t.channels.len(),
    );
    let mut body = xml.into_bytes();
    // Every text is cut above (escaped, at most ~5.4 KB in all), so this always fits.
    body.resize(IXML_CAPACITY.max(body.len() + body.len() % 2), b' ');
    body
}

/// The RIFF header, `fmt ` (as given), `bext`, `iXML` and an empty `data` chunk header: what a
/// take's file starts with.
pub fn file_header(fmt_body: &[u8], tags: &FileTags) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + 8 * 4 + fmt_body.len() + 700 + IXML_CAPACITY);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(b"WAVE");
    for (id, body) in [
        (b"fmt ", fmt_body.to_vec()),
        (b"bext", bext_body(tags)),
        (b"iXML", ixml_body(tags)),
    ] {
        out.extend_from_slice(id);
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&[0; 4]);
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    out
}

/// The five bext loudness fields of a reading (×100; not set where the value is not finite,
/// e.g. the integrated loudness of silence).
pub fn loudness_fields(r: &ProgrammeReading) -> [i16; 5] {
    [
        r.integrated_lufs,
        r.loudness_range_lu,
        r.true_peak_dbtp,
        r.momentary_max_lufs,
        r.short_term_max_lufs,
    ]
    .map(|v| {
        if v.is_finite() {
            (v * 100.0).round().clamp(-32768.0, 32766.0) as i16
        } else {
            NOT_SET
        }
    })
}

/// A chunk of a WAV, found by walking its chunks; `None` when it has none whole.
fn find_chunk(file: &mut File, id: &[u8; 4]) -> Result<Option<riff::ChunkRef>, WavError> {
    let len = file.metadata().map_err(WavError::Open)?.len();
    let walk = riff::walk(file, len).map_err(|e| match e {
        riff::WalkError::Io(e) => WavError::Read(e),
        e => WavError::Malformed(e.to_string()),
    })?;
    Ok(walk
        .all(id)
        .find(|(i, _)| walk.is_whole(*i))
        .map(|(_, c)| *c))
}

fn open_rw(path: &Path) -> Result<File, WavError> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(WavError::Open)
}

/// Write `bytes` at `at` and make them durable.
fn write_durably(file: &File, at: u64, bytes: &[u8]) -> Result<(), WavError> {
    file.write_all_at(bytes, at).map_err(WavError::Write)?;
    file.sync_data().map_err(WavError::Write)
}

/// A file's version-2 bext, as found.
struct BextAt {
    /// Offset of its body, in bytes.
    body_at: u64,
    /// Written by studiodesk (the originator says so).
    ours: bool,
    /// The loudness fields as stored (×100; [`NOT_SET`] where unset).
    loudness: [i16; 5],
}

/// The version-2 bext of `file`, if it has one.
fn bext_v2(file: &mut File) -> Result<Option<BextAt>, WavError> {
    let Some(bext) = find_chunk(file, b"bext")? else {
        return Ok(None);
    };
    if (bext.size as usize) < BEXT_FIXED {
        return Ok(None);
    }
    let mut body = [0u8; LOUDNESS_AT + 10];
    file.seek(SeekFrom::Start(bext.body_at()))
        .and_then(|_| file.read_exact(&mut body))
        .map_err(WavError::Read)?;
    if u16::from_le_bytes([body[346], body[347]]) < 2 {
        return Ok(None);
    }
    Ok(Some(BextAt {
        body_at: bext.body_at(),
        ours: &body[256..267] == b"studiodesk\0",
        loudness: std::array::from_fn(|i| {
            i16::from_le_bytes([body[LOUDNESS_AT + 2 * i], body[LOUDNESS_AT + 2 * i + 1]])
        }),
    }))
}

/// Fill the bext loudness fields of `path` in place (ten bytes, not synced: the recorder calls
/// this at a part's rollover and must not wait for gigabytes to reach the disk). False when the
/// file has no version-2 bext.
pub fn write_loudness(path: &Path, fields: [i16; 5]) -> Result<bool, WavError> {
    let mut file = open_rw(path)?;
    let Some(bext) = bext_v2(&mut file)? else {
        return Ok(false);
    };
    let bytes: Vec<u8> = fields.iter().flat_map(|v| v.to_le_bytes()).collect();
    file.write_all_at(&bytes, bext.body_at + LOUDNESS_AT as u64)
        .map_err(WavError::Write)?;
    Ok(true)
}

/// The bext loudness fields of `path` as written (`None` for a field not set); `None` when the
/// file has no version-2 bext.
pub fn read_loudness(path: &Path) -> Result<Option<[Option<f64>; 5]>, WavError> {
    let mut file = super::wav::open_regular(path)?;
    Ok(bext_v2(&mut file)?.map(|b| {
        b.loudness
            .map(|v| (v != NOT_SET).then_some(v as f64 / 100.0))
    }))
}

/// Rewrite the take's details in the iXML of `path`, in place and at the same length (the audio
/// is never touched). False when the file has no iXML written by studiodesk.
pub fn write_tags(path: &Path, tags: &TakeTags) -> Result<bool, WavError> {
    let mut file = open_rw(path)?;
    // Only a file this program made: its bext names studiodesk as the originator.
    if !bext_v2(&mut file)?.is_some_and(|b| b.ours) {
        return Ok(false);
    }
    let Some(chunk) = find_chunk(&mut file, b"iXML")? else {
        return Ok(false);
    };
    let mut body = vec![0u8; chunk.size as usize];
    file.seek(SeekFrom::Start(chunk.body_at()))
        .and_then(|_| file.read_exact(&mut body))
        .map_err(WavError::Read)?;
    let Ok(text) = std::str::from_utf8(&body) else {
        return Ok(false);
    };
    let (Some(start), Some(end)) = (text.find(TAGS_START), text.find(TAGS_END)) else {
        return Ok(false);
    };
    let end = end + TAGS_END.len();
    let head = &text[..start];
    let tail = text[end..].trim_end_matches(' ');
    // The note gives way when the document would outgrow its chunk.
    let room = body.len().saturating_sub(head.len() + tail.len());
    let mut note_max = NOTE_MAX;
    let mut elements = tag_elements(tags, note_max);
    while elements.len() > room && note_max > 0 {
        note_max = note_max.saturating_sub(64);
        elements = tag_elements(tags, note_max);
    }
    if elements.len() > room {
        return Err(WavError::Malformed(
            "the take's details do not fit the file's iXML chunk".into(),
        ));
    }
    let mut new = format!("{head}{elements}{tail}").into_bytes();
    new.resize(body.len(), b' ');
    if new != body {
        write_durably(&file, chunk.body_at(), &new)?;
    }
    Ok(true)
}

/// True when `path` carries a version-2 bext written by studiodesk whose loudness fields are all
/// unset (a take killed before it was finalised).
fn loudness_missing(path: &Path) -> Result<bool, WavError> {
    let mut file = super::wav::open_regular(path)?;
    Ok(bext_v2(&mut file)?.is_some_and(|b| b.ours && b.loudness.iter().all(|&v| v == NOT_SET)))
}

/// Fill the bext loudness fields of a studiodesk take that was never finalised (killed, or
/// closed after a failed write) by measuring the audio on disk. True when they were filled.
pub fn fill_missing_loudness(path: &Path) -> Result<bool, WavError> {
    if !loudness_missing(path)? {
        return Ok(false);
    }
    let analysis = super::analyze::analyze_file(path, None, &|_| {}).map_err(|e| match e {
        super::analyze::AnalyzeError::Wav(e) => e,
        e => WavError::Unsupported(e.to_string()),
    })?;
    let fields = loudness_fields(&analysis.programme);
    if fields.iter().all(|&f| f == NOT_SET) {
        return Ok(false);
    }
    write_loudness(path, fields)
}

/// [`super::wav::repair`], and then the loudness fields of a take that was never finalised.
/// Returns what the repair did, and whether the loudness was filled (or why it could not be:
/// the repair stands either way).
pub fn repair(path: &Path) -> Result<(super::wav::Repair, Result<bool, WavError>), WavError> {
    let repaired = super::wav::repair(path)?;
    Ok((repaired, fill_missing_loudness(path)))
}

impl TakeTags {
    /// The details of a take as the session log has them.
    pub fn logged(take: &crate::studio::log::Take, project: &str) -> TakeTags {
        TakeTags {
            project: project.to_string(),
            song: take.song.clone(),
            take: take.take_no.to_string(),
            circled: take.circled,
            take_type: take.take_type.ixml(),
            note: take.notes.clone(),
        }
    }
}

/// Write a logged take's details into the iXML of each of its recorded files. The log is the
/// record: a file that is gone or cannot be written is reported (one line each), not an error.
pub fn tag_logged_take(take: &crate::studio::log::Take, project: &str) -> Vec<String> {
    let tags = TakeTags::logged(take, project);
    take.files
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .filter_map(|f| match write_tags(Path::new(f), &tags) {
            Ok(true) => None,
            Ok(false) => Some(format!("{f}: no studiodesk iXML chunk, not tagged")),
            Err(e) => Some(format!("{f}: not tagged: {e}")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> FileTags {
        let started: ZonedDateTime = "2026-03-14T14:42:00[Europe/London]".parse().unwrap();
        FileTags {
            tags: TakeTags {
                project: "Spring & Co".into(),
                song: "Song <1>".into(),
                take: "3".into(),
                ..TakeTags::default()
            },
            session: "spring".into(),
            track_name: "Keys".into(),
            channels: vec![
                TrackChannel {
                    input_channel: 3,
                    name: "Keys L".into(),
                },
                TrackChannel {
                    input_channel: 4,
                    name: "Keys R".into(),
                },
            ],
            sample_rate_hz: 48_000,
            bits: 24,
            float: false,
            time_reference: samples_since_midnight(&started, 48_000),
            started,
            timecode: TimecodeRate::Fps25,
            take_id: 0xABCD,
            file_id: 1,
            track: 2,
            part: 1,
        }
    }

    #[test]
    fn bext_fields_sit_where_tech_3285_puts_them() {
        let t = tags();
        // 14:42:00 × 48 000 = 52 920 s × 48 000.
        assert_eq!(t.time_reference, 2_540_160_000);
        let b = bext_body(&t);
        assert_eq!(b.len() % 2, 0);
        assert_eq!(&b[256..266], b"studiodesk");
        assert_eq!(&b[320..330], b"2026-03-14");
        assert_eq!(&b[330..338], b"14:42:00");
        assert_eq!(
            u64::from_le_bytes(b[338..346].try_into().unwrap()),
            2_540_160_000
        );
        assert_eq!(u16::from_le_bytes([b[346], b[347]]), 2);
        assert_eq!(b[348 + 12], 0x13);
        assert_eq!(i16::from_le_bytes([b[412], b[413]]), 0x7FFF);
        assert!(b[422..602].iter().all(|&x| x == 0));
        assert!(b[602..].starts_with(b"A=PCM,F=48000,W=24,M=stereo,T=studiodesk"));
    }

    #[test]
    fn ixml_is_padded_and_edits_keep_its_size() {
        let t = tags();
        let body = ixml_body(&t);
        assert_eq!(body.len(), IXML_CAPACITY);
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.contains("<PROJECT>Spring &amp; Co</PROJECT>"),
            "{text}"
        );
        assert!(text.contains("<SCENE>Song &lt;1&gt;</SCENE>"));
        assert!(text.contains("<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>2540160000<"));
        assert!(text.contains("<CHANNEL_INDEX>4</CHANNEL_INDEX><INTERLEAVE_INDEX>2<"));
        assert_eq!(
            "29.97df".parse::<TimecodeRate>(),
            Ok(TimecodeRate::Fps29_97Drop)
        );
        assert!("31".parse::<TimecodeRate>().is_err());
        // Text that grows fivefold when escaped is cut to fit, never the chunk grown.
        let mut long = tags();
        long.tags.note = "&".repeat(3000);
        long.tags.project = "<".repeat(700);
        long.channels[0].name = "\"".repeat(400);
        let body = ixml_body(&long);
        assert_eq!(body.len(), IXML_CAPACITY);
        assert!(
            String::from_utf8(body)
                .unwrap()
                .contains("&amp;&amp;</NOTE>")
        );
    }

    #[test]
    fn loudness_fields_are_hundredths_and_silence_is_not_set() {
        let r = ProgrammeReading {
            momentary_lufs: -20.0,
            short_term_lufs: -21.0,
            integrated_lufs: -23.004,
            loudness_range_lu: 7.456,
            momentary_max_lufs: -15.0,
            short_term_max_lufs: f64::NEG_INFINITY,
            sample_peak_dbfs: -1.0,
            true_peak_dbtp: -0.75,
        };
        assert_eq!(loudness_fields(&r), [-2300, 746, -75, -1500, 0x7FFF]);
    }
}
