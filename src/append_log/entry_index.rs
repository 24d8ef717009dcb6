//! Seq → byte offset of every record in the indexed prefix of the log, so a read from any seq
//! is a lookup, not a scan.

/// Seqs only ever rise; a log this crate wrote has no gaps, so the common case stores none.
#[derive(Debug, Clone)]
enum Seqs {
    Contiguous { first: u64 },
    Explicit(Vec<u64>),
}

#[derive(Debug, Clone)]
pub struct EntryIndex {
    offsets: Vec<u64>,
    seqs: Seqs,
    /// Bytes covered: the index describes `[0, end)`, which ends at a line boundary.
    end: u64,
}

impl Default for EntryIndex {
    fn default() -> Self {
        Self {
            offsets: Vec::new(),
            seqs: Seqs::Contiguous { first: 1 },
            end: 0,
        }
    }
}

impl EntryIndex {
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    pub fn end(&self) -> u64 {
        self.end
    }

    pub fn seq_at(&self, i: usize) -> u64 {
        match &self.seqs {
            Seqs::Contiguous { first } => first + i as u64,
            Seqs::Explicit(v) => v[i],
        }
    }

    pub fn last_seq(&self) -> Option<u64> {
        (!self.is_empty()).then(|| self.seq_at(self.len() - 1))
    }

    /// Records one entry. Callers guarantee `seq` exceeds every indexed seq and `offset` is
    /// at or past `end`.
    pub fn push(&mut self, seq: u64, offset: u64) {
        debug_assert!(self.last_seq().is_none_or(|last| seq > last));
        match &mut self.seqs {
            Seqs::Contiguous { first } if self.offsets.is_empty() => *first = seq,
            Seqs::Contiguous { first } if *first + self.offsets.len() as u64 == seq => {}
            Seqs::Contiguous { first } => {
                let first = *first;
                let mut v: Vec<u64> = (first..first + self.offsets.len() as u64).collect();
                v.push(seq);
                self.seqs = Seqs::Explicit(v);
            }
            Seqs::Explicit(v) => v.push(seq),
        }
        self.offsets.push(offset);
    }

    pub fn set_end(&mut self, end: u64) {
        debug_assert!(end >= self.end);
        self.end = end;
    }

    /// Position of the first entry whose seq is greater than `since`.
    pub fn first_after(&self, since: u64) -> usize {
        match &self.seqs {
            Seqs::Contiguous { first } => {
                let skip = since.saturating_add(1).saturating_sub(*first);
                usize::try_from(skip).map_or(self.len(), |s| s.min(self.len()))
            }
            Seqs::Explicit(v) => v.partition_point(|&s| s <= since),
        }
    }

    /// Byte range holding entries `[from, to)`.
    pub fn byte_range(&self, from: usize, to: usize) -> (u64, u64) {
        let start = self.offsets.get(from).copied().unwrap_or(self.end);
        let stop = self.offsets.get(to).copied().unwrap_or(self.end);
        (start, stop)
    }

    /// Forgets the first `count` entries, whose bytes `[0, offset of entry count)` were cut
    /// from the front of the log.
    pub fn drop_front(&mut self, count: usize) {
        let (cut, _) = self.byte_range(count, count);
        self.seqs = match std::mem::replace(&mut self.seqs, Seqs::Contiguous { first: 1 }) {
            Seqs::Contiguous { first } => Seqs::Contiguous {
                first: first + count as u64,
            },
            Seqs::Explicit(mut v) => {
                v.drain(..count);
                Seqs::Explicit(v)
            }
        };
        self.offsets.drain(..count);
        for o in &mut self.offsets {
            *o -= cut;
        }
        self.end -= cut;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(seqs: &[u64]) -> EntryIndex {
        let mut ix = EntryIndex::default();
        for (i, &s) in seqs.iter().enumerate() {
            ix.push(s, i as u64 * 10);
        }
        ix.set_end(seqs.len() as u64 * 10);
        ix
    }

    #[test]
    fn finds_the_first_entry_after_a_seq() {
        for ix in [index(&[5, 6, 7, 8]), index(&[5, 6, 7, 9])] {
            assert_eq!(ix.first_after(0), 0);
            assert_eq!(ix.first_after(4), 0);
            assert_eq!(ix.first_after(5), 1);
            assert_eq!(ix.first_after(7), 3);
            assert_eq!(ix.first_after(9), 4);
            assert_eq!(ix.first_after(u64::MAX), 4);
        }
        assert!(matches!(index(&[5, 6, 7, 8]).seqs, Seqs::Contiguous { .. }));
        let gap = index(&[5, 6, 7, 9]);
        assert_eq!(gap.first_after(8), 3);
        assert_eq!(gap.seq_at(3), 9);
    }

    #[test]
    fn drops_a_prefix_and_rebases_offsets() {
        for seqs in [[1, 2, 3, 4], [1, 2, 4, 5]] {
            let mut ix = index(&seqs);
            ix.drop_front(2);
            assert_eq!(ix.len(), 2);
            assert_eq!(ix.seq_at(0), seqs[2]);
            assert_eq!(ix.byte_range(0, 2), (0, 20));
            assert_eq!(ix.end(), 20);
        }
    }
}
