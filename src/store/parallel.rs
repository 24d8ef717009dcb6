//! Work over a block of lines on every core: whole files (a first read, compaction) are
//! scanned at the speed of all cores rather than one.

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
