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
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::Timestamp;

use super::wav::{RATE_RANGE_HZ, READ_RATE_RANGE_HZ, WavError, WavReader, open_regular};

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
        // The containers our reader takes (its chunk walk knows their first bytes).
        if super::riff::form_of(head).is_some() {
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
                Err(WavError::UnsupportedTag(tag)) => {
                    return Coded::open(path).map_err(|e| match e {
                        WavError::NotAudio(_) => WavError::UnsupportedTag(tag),
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

    /// Refuse a rate the meters do not run at (outside [`RATE_RANGE_HZ`]): `analyze`, the sound
    /// check and the file source measure or convert only from there (a 1 Hz file would ask the
    /// converter for gigabytes).
    pub fn check_rate(&self) -> Result<(), WavError> {
        let rate = self.format().sample_rate_hz;
        if RATE_RANGE_HZ.contains(&rate) {
            return Ok(());
        }
        Err(WavError::Unsupported(format!(
            "sample rate {rate} Hz: loudness is measured and files are played from {} to {} Hz",
            RATE_RANGE_HZ.start(),
            RATE_RANGE_HZ.end()
        )))
    }

    pub fn format(&self) -> &AudioFormat {
        match self {
            AudioReader::Wav(_, info) => info,
            AudioReader::Coded(c) => &c.info,
        }
    }

    /// Frames to read for playing: a WAV's header capped by what its file holds (a file cut short
    /// plays what it has); `None` for other formats (read to the end).
    pub fn playable_frames(&self, path: &Path) -> Option<u64> {
        match self {
            AudioReader::Wav(reader, _) => {
                let f = reader.format();
                let on_disk = std::fs::metadata(path)
                    .map_or(0, |m| m.len())
                    .saturating_sub(reader.data_at())
                    / f.bytes_per_frame() as u64;
                Some(f.frames.min(on_disk))
            }
            // A codec's count is the header's claim: read to the end instead.
            AudioReader::Coded(_) => None,
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

    /// Decode frames `from..to` of the track (seeking first unless `from` is 0), handing `send`
    /// blocks of up to `block_frames` frames; stops early when `send` returns false. Where each
    /// packet's audio belongs is taken from its timestamp, so the ranges of two readers join
    /// exactly.
    fn decode_range(
        &mut self,
        from: u64,
        to: u64,
        block_frames: usize,
        send: &mut dyn FnMut(Vec<f32>) -> bool,
        fresh: &mut dyn FnMut() -> Vec<f32>,
    ) -> Result<(), WavError> {
        let channels = self.info.channels;
        if from > 0 {
            let to_ts = SeekTo::Timestamp {
                ts: Timestamp::new(from as i64),
                track_id: self.track_id,
            };
            match self.format_reader.seek(SeekMode::Accurate, to_ts) {
                Ok(_) => {}
                // A header that promised more than the file holds: the stream ended before.
                Err(SymphoniaError::SeekError(_)) => return Ok(()),
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(());
                }
                Err(e) => return Err(decode_error(e)),
            }
            self.decoder.reset();
        }
        let mut block = fresh();
        let mut landed = false;
        while let Some(pts) = self.next_packet_audio(Some(to))? {
            if !landed && pts > from {
                return Err(WavError::Decode(format!(
                    "a seek to frame {from} landed at frame {pts}"
                )));
            }
            landed = true;
            let frames = self.pending.len() / channels;
            let first = from.saturating_sub(pts).min(frames as u64) as usize;
            let last = (to - pts).min(frames as u64) as usize;
            let mut samples = &self.pending[first * channels..last * channels];
            while !samples.is_empty() {
                let room = block_frames * channels - block.len();
                let (now, rest) = samples.split_at(room.min(samples.len()));
                block.extend_from_slice(now);
                samples = rest;
                if block.len() == block_frames * channels {
                    let full = std::mem::replace(&mut block, fresh());
                    if !send(full) {
                        return Ok(());
                    }
                }
            }
        }
        if !block.is_empty() {
            send(block);
        }
        Ok(())
    }

    /// Decode the next packet of the track into `pending` and say where it starts (frames from
    /// the stream's start); `None` at the end of the stream. With `stop_at`, a packet starting
    /// there or later is not decoded and ends the stream.
    fn next_packet_audio(&mut self, stop_at: Option<u64>) -> Result<Option<u64>, WavError> {
        loop {
            let packet = match self.format_reader.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => return Ok(None),
                // A stream cut short ends where it was cut.
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(None);
                }
                Err(e) => return Err(decode_error(e)),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let pts = packet.pts.get().max(0) as u64;
            if stop_at.is_some_and(|to| pts >= to) {
                return Ok(None);
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
            return Ok(Some(pts));
        }
    }

    /// Decode the next packet with audio into `pending`; false at the end of the stream.
    fn decode_next(&mut self) -> Result<bool, WavError> {
        while self.next_packet_audio(None)?.is_some() {
            if !self.pending.is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Blocks read ahead of the one being used, by [`stream_blocks`].
const READ_AHEAD: usize = 3;

/// Read `reader` to its end on a thread of its own, handing `f` one block of up to `block_frames`
/// frames (interleaved) at a time: the next blocks are decoded while `f` works on this one, so a
/// file that is costly to decode (FLAC, MP3) takes about the longer of the two, not their sum.
/// Memory is [`READ_AHEAD`] + 1 blocks, whatever the file's length.
pub fn stream_blocks(
    path: &Path,
    reader: AudioReader,
    block_frames: usize,
    mut f: impl FnMut(&[f32]),
) -> Result<(), WavError> {
    if let Some(chunks) = parallel_chunks(&reader) {
        return stream_parallel(path, reader, chunks, block_frames, f);
    }
    let channels = reader.format().channels;
    type Block = Result<(Vec<f32>, usize), WavError>;
    std::thread::scope(|scope| {
        // Made inside the scope: if `f` panics, they are dropped before the decoder is joined,
        // so the decoder ends instead of waiting forever.
        let (full_tx, full_rx) = crossbeam_channel::bounded::<Block>(READ_AHEAD);
        let (free_tx, free_rx) = crossbeam_channel::bounded::<Vec<f32>>(READ_AHEAD + 1);
        for _ in 0..=READ_AHEAD {
            let _ = free_tx.send(vec![0.0; block_frames.max(1) * channels]);
        }
        let mut reader = reader;
        let decoder = std::thread::Builder::new()
            .name("studiodesk-decode".into())
            .spawn_scoped(scope, move || {
                while let Ok(mut buf) = free_rx.recv() {
                    let block = match reader.read(&mut buf) {
                        Ok(0) => break,
                        Ok(frames) => Ok((buf, frames)),
                        Err(e) => Err(e),
                    };
                    let failed = block.is_err();
                    if full_tx.send(block).is_err() || failed {
                        break;
                    }
                }
            });
        if let Err(e) = decoder {
            return Err(WavError::Read(e));
        }
        // Ends when the decoder has read the last block (or failed) and dropped its sender.
        for block in full_rx.iter() {
            let (buf, frames) = block?;
            f(&buf[..frames * channels]);
            let _ = free_tx.send(buf);
        }
        Ok(())
    })
}

/// Length of the stretches decoded side by side, in seconds.
const CHUNK_S: u64 = 5;
/// Decoders run side by side.
const DECODERS: usize = 2;

/// The chunk length in frames, when `reader` is worth decoding on several threads: FLAC (whose
/// seeking is frame-exact and whose decoding costs more than metering) of known length, at least
/// two chunks long, on a machine with cores to spare.
fn parallel_chunks(reader: &AudioReader) -> Option<u64> {
    let AudioReader::Coded(coded) = reader else {
        return None;
    };
    let info = &coded.info;
    let chunk = CHUNK_S * info.sample_rate_hz as u64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (info.codec.starts_with("flac") && info.frames? >= 2 * chunk && cores >= 2).then_some(chunk)
}

/// [`stream_blocks`] for a long FLAC: [`DECODERS`] readers of the same file decode alternate
/// chunks at once, each up to one chunk ahead, and `f` gets the blocks in order. Memory is one
/// chunk per decoder, whatever the file's length.
fn stream_parallel(
    path: &Path,
    first: AudioReader,
    chunk: u64,
    block_frames: usize,
    mut f: impl FnMut(&[f32]),
) -> Result<(), WavError> {
    let total = first.format().frames.unwrap_or(0);
    let channels = first.format().channels;
    let chunks = total.div_ceil(chunk);
    let block_frames = block_frames.max(1);
    let per_chunk = (chunk as usize).div_ceil(block_frames) + 1;
    // Each decoder's blocks, chunk by chunk; `None` ends a chunk.
    type Msg = Result<Option<Vec<f32>>, WavError>;
    let mut readers = vec![first];
    for _ in 1..DECODERS {
        readers.push(AudioReader::open(path)?);
    }
    std::thread::scope(|scope| {
        let mut queues = Vec::new();
        for (worker, reader) in readers.into_iter().enumerate() {
            let AudioReader::Coded(mut coded) = reader else {
                return Err(WavError::Decode(
                    "the file changed while it was read".into(),
                ));
            };
            let (tx, rx) = crossbeam_channel::bounded::<Msg>(per_chunk + 1);
            // Blocks come back once used, so that a long file allocates no more of them.
            let (free_tx, free_rx) = crossbeam_channel::bounded::<Vec<f32>>(per_chunk + 2);
            queues.push((rx, free_tx));
            let capacity = block_frames * channels;
            let spawned = std::thread::Builder::new()
                .name("studiodesk-decode".into())
                .spawn_scoped(scope, move || {
                    for k in (worker as u64..chunks).step_by(DECODERS) {
                        // The last chunk reads to the end, whatever the header said.
                        let to = if k + 1 == chunks {
                            u64::MAX
                        } else {
                            (k + 1) * chunk
                        };
                        let from = k * chunk;
                        let mut send = |block: Vec<f32>| tx.send(Ok(Some(block))).is_ok();
                        let mut fresh = || {
                            let mut block = free_rx
                                .try_recv()
                                .unwrap_or_else(|_| Vec::with_capacity(capacity));
                            block.clear();
                            block
                        };
                        let result =
                            coded.decode_range(from, to, block_frames, &mut send, &mut fresh);
                        let end = result.map(|()| None);
                        let failed = end.is_err();
                        if tx.send(end).is_err() || failed {
                            return;
                        }
                    }
                });
            if let Err(e) = spawned {
                return Err(WavError::Read(e));
            }
        }
        for k in 0..chunks {
            let (queue, free) = &queues[k as usize % DECODERS];
            // A decoder that stopped (its sender dropped) has reported why, or ended.
            while let Ok(msg) = queue.recv() {
                match msg? {
                    Some(block) => {
                        f(&block);
                        let _ = free.try_send(block);
                    }
                    None => break,
                }
            }
        }
        Ok(())
    })
}
