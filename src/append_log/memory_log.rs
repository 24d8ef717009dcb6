//! The in-memory backend: the same records, in a byte buffer.

use super::{Result, State};
use std::borrow::Cow;

#[derive(Default)]
pub struct MemoryLog {
    bytes: Vec<u8>,
}

impl MemoryLog {
    pub fn write(&mut self, state: &mut State, records: &[u8]) -> Result<()> {
        debug_assert_eq!(state.index.end(), self.bytes.len() as u64);
        self.bytes.extend_from_slice(records);
        Ok(())
    }

    pub fn bytes(&self, start: u64, stop: u64) -> Result<Cow<'_, [u8]>> {
        Ok(Cow::Borrowed(&self.bytes[start as usize..stop as usize]))
    }

    pub fn cut_front(&mut self, state: &mut State, count: usize) -> Result<()> {
        let (cut, _) = state.index.byte_range(count, count);
        self.bytes.drain(..cut as usize);
        state.index.drop_front(count);
        Ok(())
    }
}
