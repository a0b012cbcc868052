//! Audio in and out of the meters: file reading and the offline analysis driver. (The real-time
//! engine, cpal devices and the recorder come here too.)

pub mod analyze;
pub mod audio;
pub mod bwf;
pub mod decode;
pub mod files;
pub mod live;
pub mod monitor;
pub mod processor;
pub mod recorder;
pub mod riff;
pub mod session;
pub mod snapshot;
pub mod source;
pub mod take;
pub mod wav;
