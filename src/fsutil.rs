//! Small file-system steps that durability depends on.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Makes a rename or an unlink inside `dir` durable: write-file-atomic forgets this step.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// A temp-file name beside `target`, unique per call, so concurrent writers never share one.
pub fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    target.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::new_v4()))
}

/// Replaces `target` with `bytes` so that a reader sees the old or the new file, never a mix:
/// temp file, rename. `durable` adds the fsyncs (file before the rename, directory after) that
/// make a crash of the machine leave one of the two as well.
pub fn write_atomic(target: &Path, bytes: &[u8], durable: bool) -> io::Result<()> {
    Replacement::write(target, durable, |f| f.write_all(bytes))?.commit()
}

/// The new content of a file, written beside it (and, if durable, on stable storage), not yet
/// in its place: [`Replacement::commit`] renames it over the target; dropped, it is removed.
pub struct Replacement {
    file: File,
    tmp: PathBuf,
    target: PathBuf,
    durable: bool,
    committed: bool,
}

impl Replacement {
    /// `fill` writes the new content.
    pub fn write(
        target: &Path,
        durable: bool,
        fill: impl FnOnce(&mut File) -> io::Result<()>,
    ) -> io::Result<Self> {
        let tmp = temp_path(target);
        let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let mut r = Replacement {
            file,
            tmp,
            target: target.to_path_buf(),
            durable,
            committed: false,
        };
        fill(&mut r.file)?;
        if durable {
            r.file.sync_data()?;
        }
        Ok(r)
    }

    /// Adds `bytes` at the end of the new content.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let at = self.file.metadata()?.len();
        self.file.write_all_at(bytes, at)?;
        if self.durable {
            self.file.sync_data()?;
        }
        Ok(())
    }

    pub fn commit(mut self) -> io::Result<()> {
        fs::rename(&self.tmp, &self.target)?;
        self.committed = true;
        if self.durable {
            if let Some(dir) = self.target.parent() {
                sync_dir(dir)?;
            }
        }
        Ok(())
    }
}

impl Drop for Replacement {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Copies bytes `[from, to)` of `src` to `dst` at `at`, in the kernel where it can.
pub fn copy_range(src: &File, from: u64, to: u64, dst: &File, at: u64) -> io::Result<()> {
    let (mut off_in, mut off_out) = (from, at);
    while off_in < to {
        let want = usize::try_from(to - off_in)
            .unwrap_or(usize::MAX)
            .min(1 << 30);
        match rustix::fs::copy_file_range(src, Some(&mut off_in), dst, Some(&mut off_out), want) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(_) => {}
            // Across file systems or where the call is missing: copy through memory.
            Err(_) => {
                let mut buf = vec![0u8; (1 << 20).min((to - off_in) as usize)];
                while off_in < to {
                    let n = buf.len().min((to - off_in) as usize);
                    src.read_exact_at(&mut buf[..n], off_in)?;
                    dst.write_all_at(&buf[..n], off_out)?;
                    off_in += n as u64;
                    off_out += n as u64;
                }
            }
        }
    }
    Ok(())
}

/// `unlink` that treats "already gone" as done.
pub fn remove_if_exists(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Milliseconds since the epoch, as `Date.now()`.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0)
}
