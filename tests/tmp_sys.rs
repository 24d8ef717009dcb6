use std::io::{Seek, SeekFrom, Write};
use std::time::Instant;
#[test]
#[ignore]
fn t() {
    let p = "/tmp/prof/sys.bin";
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(p)
        .unwrap();
    let line = vec![b'x'; 400];
    for _ in 0..3 {
        let n = 50_000;
        let t0 = Instant::now();
        for _ in 0..n {
            f.write_all(&line).unwrap();
        }
        let w = t0.elapsed() / n;
        let t0 = Instant::now();
        for _ in 0..n {
            std::hint::black_box(f.metadata().unwrap().len());
        }
        let m = t0.elapsed() / n;
        let t0 = Instant::now();
        for _ in 0..n {
            std::hint::black_box(rustix::fs::fstat(&f).unwrap().st_size);
        }
        let fs = t0.elapsed() / n;
        let t0 = Instant::now();
        for _ in 0..n {
            std::hint::black_box(f.seek(SeekFrom::End(0)).unwrap());
        }
        let s = t0.elapsed() / n;
        let t0 = Instant::now();
        for _ in 0..n {
            std::hint::black_box(f.stream_position().unwrap());
        }
        let c = t0.elapsed() / n;
        eprintln!("write {w:?} statx {m:?} fstat {fs:?} lseek_end {s:?} lseek_cur {c:?}");
    }
    std::fs::remove_file(p).unwrap();
}
