//! Throughput of `json_line` on RunEvent-like lines. Prints figures, asserts none:
//! `cargo test --release --test json_line_bench -- --ignored --nocapture`

use native_ledger::json_line::{canonicalize, scan, trim_js};
use std::hint::black_box;
use std::time::Instant;

fn events(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            format!(
                concat!(
                    r#"{{"eventId":"{:08x}-3b1f-4c2e-9a7d-{:012x}","taskId":"task-{}","guidanceHash":"sha256-9f2c1e7a","#,
                    r#""retrievedRuleIds":["R001","R014","R027"],"toolsUsed":["Edit","Bash","Read"],"#,
                    r#""filesTouched":["src/index.ts","src/store/{}.ts"],"diffSummary":{{"linesAdded":{},"linesRemoved":{},"filesChanged":2}},"#,
                    r#""testResults":{{"ran":true,"passed":{},"failed":0,"skipped":1}},"violations":[],"#,
                    r#""outcomeAccepted":true,"reworkLines":0,"intent":"feature","timestamp":{},"durationMs":{},"sessionId":"s-{}"}}"#
                ),
                i,
                i * 7919,
                i % 500,
                i % 37,
                i % 300,
                i % 40,
                i % 90,
                1_712_345_678_901u64 + i as u64 * 13,
                1000 + i % 5000,
                i % 17
            )
        })
        .collect()
}

/// Bytes per second of `f` over `lines`, timed on chunks of 1000 lines, best chunk of `passes`
/// passes: the machine may be shared, and the undisturbed chunks show the code's own speed.
fn measure(label: &str, lines: &[String], passes: usize, mut f: impl FnMut(&[String])) {
    let mut best = 0f64;
    for _ in 0..passes {
        for chunk in lines.chunks(1000) {
            let bytes: usize = chunk.iter().map(String::len).sum();
            let start = Instant::now();
            f(chunk);
            best = best.max(bytes as f64 / start.elapsed().as_secs_f64());
        }
    }
    println!("{label}: {:.0} MB/s", best / 1e6);
}

#[test]
#[ignore]
fn throughput() {
    let lines = events(100_000);
    let bytes: usize = lines.iter().map(String::len).sum();
    println!(
        "{} lines, {:.0} bytes on average",
        lines.len(),
        bytes as f64 / lines.len() as f64
    );
    assert!(lines
        .iter()
        .all(|l| scan(l.as_bytes()).is_some_and(|s| s.canonical)));

    measure("trim_js + scan", &lines, 3, |chunk| {
        for l in chunk {
            black_box(scan(trim_js(black_box(l.as_bytes()))));
        }
    });
    if std::env::var("SCAN_ONLY").is_ok() {
        return;
    }
    let spaced: Vec<String> = lines.iter().map(|l| l.replace(',', ", ")).collect();
    measure(
        "scan (non-canonical: spaces after commas)",
        &spaced,
        3,
        |chunk| {
            for l in chunk {
                black_box(scan(black_box(l.as_bytes())));
            }
        },
    );
    let mut out = Vec::new();
    measure("canonicalize (canonical input)", &lines, 1, |chunk| {
        out.clear();
        for l in chunk {
            canonicalize(black_box(l.as_bytes()), &mut out);
        }
    });
    measure("canonicalize (spaces after commas)", &spaced, 1, |chunk| {
        out.clear();
        for l in chunk {
            canonicalize(black_box(l.as_bytes()), &mut out);
        }
    });
}
