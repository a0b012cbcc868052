//! Audio interfaces through `cpal`: listing devices, opening an input stream that feeds the
//! processor and an output stream that plays the monitor mix.
//!
//! # Real-time contract
//! The data callbacks here convert samples into buffers allocated before the stream starts and
//! call [`Processor::process`] or pop the monitor ring; they allocate, lock, log and block on
//! nothing. The error callbacks only set atomics.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{BufferSize, FromSample, SampleFormat, SizedSample, StreamConfig};
use serde::Serialize;

use super::monitor::MonitorFeed;
use super::processor::Processor;
use super::snapshot::Counters;

/// Why an audio device could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("no {direction} device named '{name}' (available: {available})")]
    UnknownDevice {
        name: String,
        direction: &'static str,
        available: String,
    },
    #[error(
        "{device}: no {direction} configuration with {channels} channels at {rate_hz} Hz (it offers: {offers})"
    )]
    Unsupported {
        device: String,
        direction: &'static str,
        channels: usize,
        rate_hz: u32,
        offers: String,
    },
    #[error("{device}: {what}: {source}")]
    Device {
        device: String,
        what: &'static str,
        #[source]
        source: cpal::Error,
    },
}

/// A range of configurations a device supports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigRange {
    pub channels: u16,
    pub min_rate_hz: u32,
    pub max_rate_hz: u32,
    pub sample_format: String,
}

/// A device as `studiodesk devices` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    pub host: String,
    /// What `--device` accepts (the name works too).
    pub id: String,
    pub name: String,
    pub inputs: Vec<ConfigRange>,
    pub outputs: Vec<ConfigRange>,
}

/// Every device of every available host, with what it supports. Devices that cannot be queried
/// are listed with no configurations.
pub fn list_devices() -> Vec<DeviceInfo> {
    let mut list = Vec::new();
    for host_id in cpal::available_hosts() {
        let Ok(host) = cpal::host_from_id(host_id) else {
            continue;
        };
        let Ok(devices) = host.devices() else {
            continue;
        };
        for device in devices {
            let ranges =
                |configs: Result<Vec<cpal::SupportedStreamConfigRange>, _>| -> Vec<ConfigRange> {
                    configs
                        .unwrap_or_default()
                        .into_iter()
                        .map(|c| ConfigRange {
                            channels: c.channels(),
                            min_rate_hz: c.min_sample_rate(),
                            max_rate_hz: c.max_sample_rate(),
                            sample_format: c.sample_format().to_string(),
                        })
                        .collect()
                };
            let inputs = if device.supports_input() {
                ranges(device.supported_input_configs().map(Iterator::collect))
            } else {
                Vec::new()
            };
            let outputs = if device.supports_output() {
                ranges(device.supported_output_configs().map(Iterator::collect))
            } else {
                Vec::new()
            };
            list.push(DeviceInfo {
                host: host_id.to_string(),
                id: device_id(&device),
                name: device.to_string(),
                inputs,
                outputs,
            });
        }
    }
    list
}

fn device_id(device: &cpal::Device) -> String {
    device
        .id()
        .map(|id| id.id().to_string())
        .unwrap_or_else(|_| device.to_string())
}

/// The input (or output) device whose id or name is `name`.
pub fn find_device(name: &str, input: bool) -> Result<cpal::Device, AudioError> {
    let direction = if input { "input" } else { "output" };
    let mut seen = Vec::new();
    for host_id in cpal::available_hosts() {
        let Ok(host) = cpal::host_from_id(host_id) else {
            continue;
        };
        let Ok(devices) = host.devices() else {
            continue;
        };
        for device in devices {
            let usable = if input {
                device.supports_input()
            } else {
                device.supports_output()
            };
            if !usable {
                continue;
            }
            let id = device_id(&device);
            if id == name || device.to_string() == name {
                return Ok(device);
            }
            seen.push(id);
        }
    }
    Err(AudioError::UnknownDevice {
        name: name.to_string(),
        direction,
        available: if seen.is_empty() {
            "none".into()
        } else {
            seen.join(", ")
        },
    })
}

/// True when `input` and `output` run on one clock: the same device, two devices of one JACK
/// server (JACK runs one clock), or two ALSA names of one card (`hw:CARD=x` and `front:CARD=x`,
/// `hw:1` and `plughw:1,0`). Devices that cannot be told apart are taken to have clocks of their
/// own.
pub fn one_clock(input: &cpal::DeviceId, output: &cpal::DeviceId) -> bool {
    if input.host() != output.host() {
        return false;
    }
    if input.id() == output.id() || input.host().name().eq_ignore_ascii_case("jack") {
        return true;
    }
    let card = |id: &str| -> Option<String> {
        if let Some(at) = id.find("CARD=") {
            let rest = &id[at + 5..];
            return Some(rest.split(',').next().unwrap_or(rest).to_string());
        }
        let (_, rest) = id.split_once(':')?;
        let index = rest.split(',').next()?;
        index.parse::<u32>().ok().map(|i| i.to_string())
    };
    input.host().name().eq_ignore_ascii_case("alsa")
        && card(input.id()).is_some_and(|c| Some(c) == card(output.id()))
}

/// The system's default input device, if it has one.
pub fn default_input() -> Option<cpal::Device> {
    cpal::default_host().default_input_device()
}

/// A configuration of `device` with exactly `channels` channels at `rate_hz`, preferring `f32`
/// samples, and its sample format.
pub fn choose_config(
    device: &cpal::Device,
    input: bool,
    channels: usize,
    rate_hz: u32,
    buffer_frames: Option<u32>,
) -> Result<(StreamConfig, SampleFormat), AudioError> {
    let name = device.to_string();
    let direction = if input { "input" } else { "output" };
    let configs: Vec<cpal::SupportedStreamConfigRange> = if input {
        device.supported_input_configs().map(Iterator::collect)
    } else {
        device.supported_output_configs().map(Iterator::collect)
    }
    .map_err(|source| AudioError::Device {
        device: name.clone(),
        what: "cannot read its configurations",
        source,
    })?;
    let preference = |f: SampleFormat| match f {
        SampleFormat::F32 => 0,
        SampleFormat::I32 => 1,
        SampleFormat::I24 => 2,
        SampleFormat::I16 => 3,
        _ => 4,
    };
    let best = configs
        .iter()
        .filter(|c| c.channels() as usize == channels && c.contains_rate(rate_hz))
        .min_by_key(|c| preference(c.sample_format()));
    let Some(best) = best else {
        let offers: Vec<String> = configs
            .iter()
            .map(|c| {
                format!(
                    "{} ch {}–{} Hz {}",
                    c.channels(),
                    c.min_sample_rate(),
                    c.max_sample_rate(),
                    c.sample_format()
                )
            })
            .collect();
        return Err(AudioError::Unsupported {
            device: name,
            direction,
            channels,
            rate_hz,
            offers: if offers.is_empty() {
                "nothing".into()
            } else {
                offers.join("; ")
            },
        });
    };
    let config = StreamConfig {
        channels: channels as u16,
        sample_rate: rate_hz,
        buffer_size: buffer_frames.map_or(BufferSize::Default, BufferSize::Fixed),
    };
    Ok((config, best.sample_format()))
}

/// A configuration for playing the stereo monitor on `device`: two channels where offered, else
/// the fewest above two (the mix goes to the first two).
pub fn choose_monitor_config(
    device: &cpal::Device,
    rate_hz: u32,
    buffer_frames: Option<u32>,
) -> Result<(StreamConfig, SampleFormat), AudioError> {
    let stereo = choose_config(device, false, 2, rate_hz, buffer_frames);
    if stereo.is_ok() {
        return stereo;
    }
    let wider = device
        .supported_output_configs()
        .map(|configs| {
            configs
                .filter(|c| c.channels() > 2 && c.contains_rate(rate_hz))
                .map(|c| c.channels())
                .min()
        })
        .ok()
        .flatten();
    match wider {
        Some(channels) => choose_config(device, false, channels as usize, rate_hz, buffer_frames),
        None => stereo,
    }
}

/// The host's error callback: count xruns, flag a lost device (the input's or the monitor's).
/// Only atomics.
fn on_error(counters: Arc<Counters>, output: bool) -> impl FnMut(cpal::Error) + Send + 'static {
    move |error| match error.kind() {
        cpal::ErrorKind::Xrun => Counters::bump(&counters.xruns, 1),
        cpal::ErrorKind::DeviceNotAvailable
        | cpal::ErrorKind::StreamInvalidated
        | cpal::ErrorKind::HostUnavailable
        | cpal::ErrorKind::ResourceExhausted
        | cpal::ErrorKind::BackendError
        | cpal::ErrorKind::Other => {
            let flag = if output {
                &counters.monitor_lost
            } else {
                &counters.device_lost
            };
            flag.store(true, Ordering::Release)
        }
        _ => {}
    }
}

/// Call `$build::<T>(args…)` with the sample type `T` of a [`SampleFormat`]; `Err(format)` for a
/// format studiodesk does not convert.
macro_rules! with_sample_type {
    ($format:expr, $build:ident($($arg:expr),*)) => {
        match $format {
            SampleFormat::F32 => Ok($build::<f32>($($arg),*)),
            SampleFormat::F64 => Ok($build::<f64>($($arg),*)),
            SampleFormat::I8 => Ok($build::<i8>($($arg),*)),
            SampleFormat::I16 => Ok($build::<i16>($($arg),*)),
            SampleFormat::I24 => Ok($build::<cpal::I24>($($arg),*)),
            SampleFormat::I32 => Ok($build::<i32>($($arg),*)),
            SampleFormat::U8 => Ok($build::<u8>($($arg),*)),
            SampleFormat::U16 => Ok($build::<u16>($($arg),*)),
            SampleFormat::U32 => Ok($build::<u32>($($arg),*)),
            other => Err(other),
        }
    };
}

/// Turn the result of building a stream of `direction` into a playing stream or an error that
/// names the device and what failed.
fn started(
    device: &cpal::Device,
    config: &StreamConfig,
    direction: &'static str,
    built: Result<Result<cpal::Stream, cpal::Error>, SampleFormat>,
) -> Result<cpal::Stream, AudioError> {
    let fail = |what: &'static str| {
        move |source| AudioError::Device {
            device: device.to_string(),
            what,
            source,
        }
    };
    let stream = built
        .map_err(|format| AudioError::Unsupported {
            device: device.to_string(),
            direction,
            channels: config.channels as usize,
            rate_hz: config.sample_rate,
            offers: format!("sample format {format} only"),
        })?
        .map_err(fail(if direction == "input" {
            "cannot open the input stream"
        } else {
            "cannot open the output stream"
        }))?;
    stream.play().map_err(fail(if direction == "input" {
        "cannot start the input stream"
    } else {
        "cannot start the output stream"
    }))?;
    Ok(stream)
}

/// Start capturing from `device` into `processor`, whatever sample format the device uses.
/// `max_block_frames` sizes the conversion buffer (longer callbacks are processed in parts).
pub fn start_input(
    device: &cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
    processor: Processor,
    counters: Arc<Counters>,
    max_block_frames: usize,
) -> Result<cpal::Stream, AudioError> {
    let built = with_sample_type!(
        format,
        build_input(device, config, processor, counters, max_block_frames)
    );
    started(device, &config, "input", built)
}

fn build_input<T>(
    device: &cpal::Device,
    config: StreamConfig,
    mut processor: Processor,
    counters: Arc<Counters>,
    max_block_frames: usize,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let channels = config.channels as usize;
    let mut scratch = vec![0.0f32; max_block_frames.max(1) * channels];
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], _| {
            for part in data.chunks(scratch.len()) {
                let block = &mut scratch[..part.len()];
                for (out, &sample) in block.iter_mut().zip(part) {
                    *out = <f32 as FromSample<T>>::from_sample_(sample);
                }
                processor.process(block);
            }
        },
        on_error(counters, false),
        None,
    )
}

/// Start playing the monitor mix (stereo, from `feed`) on `device`'s first two channels.
pub fn start_output(
    device: &cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
    feed: MonitorFeed,
    counters: Arc<Counters>,
    max_block_frames: usize,
) -> Result<cpal::Stream, AudioError> {
    let built = with_sample_type!(
        format,
        build_output(device, config, feed, counters, max_block_frames)
    );
    started(device, &config, "output", built)
}

fn build_output<T>(
    device: &cpal::Device,
    config: StreamConfig,
    mut feed: MonitorFeed,
    counters: Arc<Counters>,
    max_block_frames: usize,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32> + Send + 'static,
{
    let channels = config.channels as usize;
    let mut stereo = vec![0.0f32; max_block_frames.max(1) * 2];
    device.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], _| {
            for part in data.chunks_mut(stereo.len() / 2 * channels) {
                let frames = part.len() / channels;
                let mix = &mut stereo[..2 * frames];
                feed.fill(mix);
                for (out, lr) in part.chunks_exact_mut(channels).zip(mix.chunks_exact(2)) {
                    for (c, sample) in out.iter_mut().enumerate() {
                        *sample = T::from_sample(if c < 2 { lr[c] } else { 0.0 });
                    }
                }
            }
        },
        on_error(counters, true),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::one_clock;
    use cpal::{DeviceId, HostId};

    fn alsa(id: &str) -> DeviceId {
        DeviceId::new(HostId::Alsa, id)
    }

    /// One card under two ALSA names shares its clock; other cards, sound servers and names that
    /// say nothing of a card do not.
    #[test]
    fn alsa_names_of_one_card_share_a_clock() {
        for (a, b, one) in [
            ("hw:CARD=PCH,DEV=0", "front:CARD=PCH,DEV=0", true),
            ("hw:CARD=PCH,DEV=0", "hw:CARD=USB,DEV=0", false),
            ("hw:1", "plughw:1,0", true),
            ("hw:1", "hw:2", false),
            ("default", "default", true),
            ("pulse", "default", false),
            ("testcap", "testplay", false),
        ] {
            assert_eq!(one_clock(&alsa(a), &alsa(b)), one, "{a} / {b}");
            assert_eq!(one_clock(&alsa(b), &alsa(a)), one, "{b} / {a}");
        }
    }

    /// A JACK server runs one clock for all its ports.
    #[cfg(feature = "jack")]
    #[test]
    fn jack_devices_share_the_server_clock() {
        let (input, output) = (
            DeviceId::new(HostId::Jack, "input"),
            DeviceId::new(HostId::Jack, "output"),
        );
        assert!(one_clock(&input, &output));
        assert!(!one_clock(&input, &alsa("output")));
    }
}
