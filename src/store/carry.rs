//! Lines that writers which take no OS lock (the original module, appending with `appendFile`)
//! add to the events file while this store rewrites it. Native writers are kept out by the
//! lock and check the file at the path before they write; these are not, and their lines would
//! be left in the replaced file. So a rewrite carries them over: lines appended before its
//! rename go into the new file before it is renamed, and lines that land in the old file just
//! after the rename (an `appendFile` that opened the path before it) are appended to the new
//! file after it, for as long as `LATE_WINDOW` once such a writer has been seen.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long after its rename a rewrite keeps watching the old file, once a writer that takes
/// no lock was seen appending during the rewrite: `appendFile` opens, then writes, a few event
/// loop turns apart.
const LATE_WINDOW: Duration = Duration::from_millis(20);

/// Where a rewrite starts taking the lines that others append to the old file.
pub struct CarryFrom {
    pub from: u64,
    /// Ranges of the old file this store appended itself, in order (not carried: a `writeAll`
    /// replaces them).
    pub own: Vec<(u64, u64)>,
}

impl CarryFrom {
    /// Everything after the first `size` bytes.
    pub fn at(size: u64) -> Self {
        CarryFrom {
            from: size,
            own: Vec::new(),
        }
    }
}

pub struct Carry {
    old: File,
    from: u64,
    own: Vec<(u64, u64)>,
    seen_writer: bool,
}

impl Carry {
    pub fn new(old: File, CarryFrom { from, own }: CarryFrom) -> Self {
        Carry {
            old,
            from,
            own,
            seen_writer: false,
        }
    }

    /// The complete lines appended to the old file since the last call, other than this store's.
    pub fn take(&mut self) -> io::Result<Vec<u8>> {
        let size = self.old.metadata()?.len();
        if size <= self.from {
            return Ok(Vec::new());
        }
        let mut buf = vec![0u8; (size - self.from) as usize];
        self.old.read_exact_at(&mut buf, self.from)?;
        buf.truncate(memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1));
        let start = self.from;
        self.from += buf.len() as u64;
        if !self.own.is_empty() {
            let mut kept = Vec::with_capacity(buf.len());
            let mut at = start;
            for &(s, e) in &self.own {
                let (s, e) = (s.clamp(at, self.from), e.clamp(at, self.from));
                kept.extend_from_slice(&buf[(at - start) as usize..(s - start) as usize]);
                at = at.max(e);
            }
            kept.extend_from_slice(&buf[(at - start) as usize..]);
            buf = kept;
        }
        self.seen_writer |= !buf.is_empty();
        Ok(buf)
    }

    /// After the rename: appends to the file now at `path` what still lands in the old one.
    pub fn after_rename(&mut self, path: &Path) -> io::Result<Vec<u8>> {
        let deadline = Instant::now()
            + if self.seen_writer {
                LATE_WINDOW
            } else {
                Duration::ZERO
            };
        let mut late = self.take()?;
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
            late.extend(self.take()?);
        }
        if !late.is_empty() {
            OpenOptions::new()
                .append(true)
                .open(path)?
                .write_all(&late)?;
        }
        Ok(late)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_whole_lines_of_others_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"a\nmine\nb\nc").unwrap();
        let own = vec![(2, 7)];
        let mut c = Carry::new(File::open(&path).unwrap(), CarryFrom { from: 2, own });
        assert_eq!(c.take().unwrap(), b"b\n");
        assert_eq!(c.take().unwrap(), b"", "c is not a whole line yet");
        let new = dir.path().join("g");
        std::fs::write(&new, b"x\n").unwrap();
        OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"\nd\n")
            .unwrap();
        assert_eq!(c.after_rename(&new).unwrap(), b"c\nd\n");
        assert_eq!(std::fs::read(&new).unwrap(), b"x\nc\nd\n");
    }
}
