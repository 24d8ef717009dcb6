//! Torn tails: what a crash in the middle of a `write` leaves at the end of `events.ndjson`.
//!
//! The events file's contract (the original's) is that malformed lines are skipped on read, so
//! recovery never deletes bytes: the append path ends an unterminated last line before writing
//! (`append.rs`), and readers take a final unterminated line only if it parses, as the original.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use crate::json_line;

/// Whether the file, `len` bytes long, is non-empty and does not end with `\n`.
pub fn ends_unterminated(f: &File, len: u64) -> io::Result<bool> {
    if len == 0 {
        return Ok(false);
    }
    let mut last = [0u8; 1];
    f.read_exact_at(&mut last, len - 1)?;
    Ok(last[0] != b'\n')
}

/// The trimmed text of a final line without `\n`, if `JSON.parse` would accept it.
pub fn valid_tail(tail: &[u8]) -> Option<&[u8]> {
    let t = json_line::trim_js(tail);
    (!t.is_empty() && json_line::scan(t).is_some()).then_some(t)
}
