//! Work over a block of lines on every core: whole files (a first read, compaction) are
//! scanned at the speed of all cores rather than one.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `f(from, part)` on parts of `bytes`, each but the last ending just after a `\n`, one
/// per core, and returns their results in order; `None` when `bytes` is too small to be worth
/// splitting (the caller then works through it alone).
pub fn per_core<T: Send>(bytes: &[u8], f: impl Fn(usize, &[u8]) -> T + Sync) -> Option<Vec<T>> {
    const MIN_PART: usize = 4 << 20;
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let parts = cores.min(bytes.len() / MIN_PART);
    if parts < 2 {
        return None;
    }
    let mut bounds = vec![0usize];
    for k in 1..parts {
        let target = (bytes.len() * k / parts).max(*bounds.last().expect("non-empty"));
        match memchr::memchr(b'\n', &bytes[target..]) {
            Some(i) => bounds.push(target + i + 1),
            None => break,
        }
    }
    bounds.push(bytes.len());
    let f = &f;
    Some(std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let (from, to) = (w[0], w[1]);
                scope.spawn(move || f(from, &bytes[from..to]))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("line scans do not panic"))
            .collect()
    }))
}

/// Where the last whole line in `[from, to)` of `file` ends (just after its `\n`); `from` when
/// there is none.
pub fn end_of_last_line(file: &File, from: u64, to: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; 64 << 10];
    let mut hi = to;
    while hi > from {
        let lo = hi.saturating_sub(buf.len() as u64).max(from);
        let part = &mut buf[..(hi - lo) as usize];
        file.read_exact_at(part, lo)?;
        if let Some(i) = memchr::memrchr(b'\n', part) {
            return Ok(lo + i as u64 + 1);
        }
        hi = lo;
    }
    Ok(from)
}

/// The largest block of a scan spread over the cores.
pub const FILE_BLOCK: u64 = 4 << 20;

/// `f(start, bytes)` over the whole lines of `[from, to)` of `file`: in blocks on every core,
/// or, for a range too small to be worth spreading, once on the calling thread. Returns the
/// results in file order and the bytes after the last whole line (an unterminated line).
pub fn over_lines<T: Send>(
    file: &File,
    from: u64,
    to: u64,
    f: impl Fn(u64, &[u8]) -> T + Sync,
) -> io::Result<(Vec<T>, Vec<u8>)> {
    let len = to.saturating_sub(from);
    if len < 2 << 20 {
        let mut buf = vec![0u8; len as usize];
        file.read_exact_at(&mut buf, from)?;
        let lines = memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1);
        let part = f(from, &buf[..lines]);
        return Ok((vec![part], buf.split_off(lines)));
    }
    let lines_end = end_of_last_line(file, from, to)?;
    // Enough blocks that the threads finish together; not so small that overheads show.
    let block = (len / 8).clamp(1 << 20, FILE_BLOCK);
    let bounds = line_blocks(file, from, lines_end, block)?;
    let mut parts: Vec<Option<T>> = bounds.iter().skip(1).map(|_| None).collect();
    for_each_block(file, &bounds, false, f, |i, t| parts[i] = Some(t))?;
    let mut rest = vec![0u8; (to - lines_end) as usize];
    file.read_exact_at(&mut rest, lines_end)?;
    Ok((parts.into_iter().flatten().collect(), rest))
}

/// Offsets that cut `[from, to)` of `file` into blocks of whole lines about `block` bytes
/// long: `from`, the start of a line near each multiple of `block`, and `to`. `to` must be a
/// line boundary (just after a `\n`).
pub fn line_blocks(file: &File, from: u64, to: u64, block: u64) -> io::Result<Vec<u64>> {
    let mut bounds = vec![from];
    let mut probe = vec![0u8; 64 << 10];
    let mut at = from + block;
    while at < to {
        // The next line starts after the first `\n` at or past `at - 1`.
        let mut pos = at - 1;
        let start = loop {
            let n = probe.len().min((to - pos) as usize);
            if n == 0 {
                break to; // `to` was not a line boundary after all: one block to the end
            }
            file.read_exact_at(&mut probe[..n], pos)?;
            if let Some(i) = memchr::memchr(b'\n', &probe[..n]) {
                break pos + i as u64 + 1;
            }
            pos += n as u64;
        };
        if start >= to {
            break;
        }
        bounds.push(start);
        at = start + block;
    }
    bounds.push(to);
    Ok(bounds)
}

/// Runs `f(start, bytes)` on each block `[bounds[i], bounds[i + 1])` of `file` on every core,
/// each thread reading through its own buffer, and hands each result to `each(i, result)` on
/// the calling thread as it arrives. `newest_first`: blocks are taken from the end of the file.
pub fn for_each_block<T: Send>(
    file: &File,
    bounds: &[u64],
    newest_first: bool,
    f: impl Fn(u64, &[u8]) -> T + Sync,
    mut each: impl FnMut(usize, T),
) -> io::Result<()> {
    let blocks = bounds.len().saturating_sub(1);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
        .min(blocks);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, io::Result<T>)>();
    let work = |tx: mpsc::Sender<(usize, io::Result<T>)>| {
        let mut buf = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= blocks {
                break;
            }
            let i = if newest_first { blocks - 1 - k } else { k };
            let (start, end) = (bounds[i], bounds[i + 1]);
            buf.resize((end - start) as usize, 0);
            let result = file.read_exact_at(&mut buf, start).map(|()| f(start, &buf));
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            if tx.send((i, result)).is_err() {
                break;
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            scope.spawn(|| work(tx));
        }
        drop(tx);
        let mut first_error = None;
        for (i, result) in rx {
            match result {
                Ok(t) if first_error.is_none() => each(i, t),
                Ok(_) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_whole_lines_covering_the_range_each_handed_over_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines");
        // Lines of many lengths, one longer than a block.
        let mut text = String::new();
        for i in 0..5_000 {
            text.push_str(&"x".repeat(i % 97));
            text.push('\n');
            if i == 2_500 {
                text.push_str(&"y".repeat(3_000));
                text.push('\n');
            }
        }
        std::fs::write(&path, &text).unwrap();
        let file = File::open(&path).unwrap();
        let to = text.len() as u64;
        for block in [1, 100, 1_000, 1 << 20] {
            let bounds = line_blocks(&file, 0, to, block).unwrap();
            assert_eq!((bounds[0], *bounds.last().unwrap()), (0, to));
            assert!(bounds.windows(2).all(|w| w[0] < w[1]), "{block}");
            assert!(bounds[1..]
                .iter()
                .all(|&b| text.as_bytes()[b as usize - 1] == b'\n'));
            for newest_first in [false, true] {
                let mut got = vec![None; bounds.len() - 1];
                for_each_block(
                    &file,
                    &bounds,
                    newest_first,
                    |start, bytes| (start, bytes.to_vec()),
                    |i, r| assert!(got[i].replace(r).is_none(), "block {i} twice"),
                )
                .unwrap();
                let joined: Vec<u8> = got
                    .iter()
                    .enumerate()
                    .flat_map(|(i, r)| {
                        let (start, bytes) = r.clone().expect("every block");
                        assert_eq!(start, bounds[i]);
                        bytes
                    })
                    .collect();
                assert!(joined == text.as_bytes(), "{block} {newest_first}");
            }
        }
    }
}
