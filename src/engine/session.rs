//! Wiring: one call makes the processor and every channel, ring and buffer around it, and hands
//! back the processor (for the audio thread) and the handles (for everyone else).

use std::sync::Arc;

use crossbeam_channel::{Sender, TrySendError, bounded};
use ringbuf::traits::Split;
use ringbuf::{HeapCons, HeapRb};

use super::processor::{Command, ConfigError, Processor, ProcessorConfig, ProcessorOutputs};
use super::snapshot::{CounterValues, Counters, MeterSnapshot};

/// Commands that may wait for the audio thread at once.
const COMMAND_QUEUE: usize = 256;
/// Seconds of input the recorder's ring holds (the writer must fall this far behind to drop).
pub const RECORD_RING_S: usize = 4;
/// Seconds of master audio the monitor ring holds.
const MONITOR_RING_S: f64 = 0.5;

/// Why a command did not reach the engine.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CommandError {
    #[error("the engine is not keeping up with commands (queue of {COMMAND_QUEUE} full)")]
    Full,
    #[error("the engine has stopped")]
    Stopped,
}

/// The non-real-time side of a running engine: send commands, read the latest meters and the
/// counters. Owned by one front end.
pub struct EngineHandle {
    commands: Sender<Command>,
    snapshots: triple_buffer::Output<MeterSnapshot>,
    counters: Arc<Counters>,
}

impl EngineHandle {
    /// Queue a command; it applies at the next block boundary.
    pub fn send(&self, command: Command) -> Result<(), CommandError> {
        self.commands.try_send(command).map_err(|e| match e {
            TrySendError::Full(_) => CommandError::Full,
            TrySendError::Disconnected(_) => CommandError::Stopped,
        })
    }

    /// The newest meter snapshot.
    pub fn latest(&mut self) -> &MeterSnapshot {
        self.snapshots.read()
    }

    /// The counters now.
    pub fn counters(&self) -> CounterValues {
        self.counters.values()
    }

    /// The shared counters themselves (for the recorder and device error callbacks).
    pub fn shared_counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }
}

/// A processor with everything around it, before any stream runs.
pub struct Parts {
    /// Moves into the audio callback.
    pub processor: Processor,
    pub handle: EngineHandle,
    /// Raw input of takes, for the recorder (present when asked for).
    pub record: Option<HeapCons<f32>>,
    /// Master bus (stereo interleaved), for a monitor output (present when asked for).
    pub monitor: Option<HeapCons<f32>>,
}

/// Build a processor for `config`, with a recorder ring and a monitor ring when asked for.
pub fn build(config: ProcessorConfig, record: bool, monitor: bool) -> Result<Parts, ConfigError> {
    config.check()?;
    let rate = config.sample_rate_hz as usize;
    let (record_prod, record_cons) = if record {
        let (p, c) = HeapRb::<f32>::new(rate * config.input_channels * RECORD_RING_S).split();
        (Some(p), Some(c))
    } else {
        (None, None)
    };
    let (monitor_prod, monitor_cons) = if monitor {
        let (p, c) = HeapRb::<f32>::new((rate as f64 * MONITOR_RING_S) as usize * 2).split();
        (Some(p), Some(c))
    } else {
        (None, None)
    };
    let (snap_in, snap_out) = triple_buffer::triple_buffer(&Processor::snapshot_shape(&config));
    let (tx, rx) = bounded(COMMAND_QUEUE);
    let counters = Arc::new(Counters::default());
    let processor = Processor::new(
        config,
        rx,
        ProcessorOutputs {
            record: record_prod,
            monitor: monitor_prod,
            snapshots: snap_in,
            counters: Arc::clone(&counters),
        },
    );
    Ok(Parts {
        processor,
        handle: EngineHandle {
            commands: tx,
            snapshots: snap_out,
            counters,
        },
        record: record_cons,
        monitor: monitor_cons,
    })
}
