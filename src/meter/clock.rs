//! Cutting a stream of interleaved frames at fixed sub-block boundaries.

/// Splits incoming frames so that each sub-block of `frames_per_block` frames ends on a cut,
/// whatever size the blocks arrive in.
#[derive(Clone, Debug)]
pub struct SubBlockClock {
    frames_per_block: usize,
    pending: usize,
}

impl SubBlockClock {
    /// A clock of `frames_per_block` (at least 1) frames.
    pub fn new(frames_per_block: usize) -> Self {
        SubBlockClock {
            frames_per_block: frames_per_block.max(1),
            pending: 0,
        }
    }

    /// Frames in one sub-block.
    pub fn frames_per_block(&self) -> usize {
        self.frames_per_block
    }

    /// Start a new sub-block.
    pub fn reset(&mut self) {
        self.pending = 0;
    }

    /// Take from `rest` the frames up to the next cut (or all of it): the part, and whether it
    /// completes a sub-block. `None` once `rest` holds no whole frame.
    #[inline]
    pub fn next_part<'a>(
        &mut self,
        rest: &mut &'a [f32],
        channels: usize,
    ) -> Option<(&'a [f32], bool)> {
        let frames = rest.len() / channels;
        if frames == 0 {
            return None;
        }
        let take = (self.frames_per_block - self.pending).min(frames);
        let (part, later) = rest.split_at(take * channels);
        *rest = later;
        self.pending += take;
        let complete = self.pending == self.frames_per_block;
        if complete {
            self.pending = 0;
        }
        Some((part, complete))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_on_block_boundaries_whatever_the_input_sizes() {
        let mut clock = SubBlockClock::new(5);
        let data = [0.0f32; 2 * 13];
        let mut cuts = Vec::new();
        let mut seen = 0;
        for piece in [&data[..6], &data[6..20], &data[20..]] {
            let mut rest = piece;
            while let Some((part, complete)) = clock.next_part(&mut rest, 2) {
                seen += part.len() / 2;
                if complete {
                    cuts.push(seen);
                }
            }
        }
        assert_eq!(cuts, vec![5, 10]);
        assert_eq!(seen, 13);
    }
}
