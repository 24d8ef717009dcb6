//! What a range read needs of every line and no more: where each non-blank line is and its
//! skimmed timestamp. Much cheaper to build than the full line table, because a line is only
//! validated (`json_line::scan`) once a range read is about to return it.

use std::fs::File;
use std::io;

use super::{line_table, parallel};
use crate::json_line;

/// One non-blank line, valid or not.
#[derive(Debug, Clone, Copy)]
pub struct RangeLine {
    /// Offset of the trimmed text in the file.
    pub offset: u64,
    pub len: u32,
    /// `json_line::skim_timestamp`, NaN when `None`: for a valid line, its numeric top-level
    /// `timestamp`, NaN when absent or not a number; for an invalid one, anything.
    pub ts: f64,
}

/// The skimmed view of one events file, kept current incrementally as `LineTable` is.
#[derive(Debug, Default)]
pub struct RangeIndex {
    /// Identity of the file skimmed; a different inode means it was replaced.
    pub inode: u64,
    /// Bytes of the file covered: always just past a `\n`.
    pub scanned_to: u64,
    pub lines: Vec<RangeLine>,
}

impl RangeIndex {
    /// Brings the index up to date with `file`, whose inode is `inode` and length `size`.
    pub fn update(&mut self, file: &File, inode: u64, size: u64) -> io::Result<()> {
        if self.inode != inode || self.scanned_to > size {
            *self = RangeIndex {
                inode,
                ..RangeIndex::default()
            };
        }
        let skim_block = |start: u64, bytes: &[u8]| {
            let mut part = RangeIndex {
                scanned_to: start,
                ..RangeIndex::default()
            };
            part.skim(bytes);
            part
        };
        let (parts, _) = parallel::over_lines(file, self.scanned_to, size, skim_block)?;
        for part in parts {
            self.lines.extend_from_slice(&part.lines);
            self.scanned_to = part.scanned_to;
        }
        Ok(())
    }

    /// The lines a read of `[start, end]` must consider: those skimmed in the range, and
    /// those without a numeric timestamp (the caller compares those as the original does).
    /// Invalid lines among them are for the caller to drop.
    pub fn candidates(&self, start: f64, end: f64) -> impl Iterator<Item = &RangeLine> {
        self.lines
            .iter()
            .filter(move |l| l.ts.is_nan() || (start <= l.ts && l.ts <= end))
    }

    /// Skims `bytes`, which start at file offset `self.scanned_to`, up to their last `\n`; an
    /// unterminated remainder is left for later (it may still be being written).
    fn skim(&mut self, bytes: &[u8]) {
        let (lines, covered) = line_table::complete_lines(bytes, self.scanned_to);
        for (offset, trimmed) in lines {
            self.lines.push(RangeLine {
                offset,
                len: trimmed.len() as u32,
                ts: json_line::skim_timestamp(trimmed).unwrap_or(f64::NAN),
            });
        }
        self.scanned_to += covered as u64;
    }
}
