'use strict'
// Progress on stderr, only when it is a terminal: piped output and logs stay clean.

/** progress('verifying', total) → { update(done), end() }; without total, a running clock. */
function progress(label, total) {
  const tty = process.stderr.isTTY
  const started = Date.now()
  let last = 0
  let shown = false
  const draw = (done) => {
    const secs = ((Date.now() - started) / 1000).toFixed(1)
    if (total) {
      const share = Math.min(1, done / total)
      const width = 30
      const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.')
      process.stderr.write(`\r${label} [${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${secs} s`)
    } else {
      process.stderr.write(`\r${label}... ${secs} s`)
    }
    shown = true
  }
  // Work shorter than this never draws, so quick commands print nothing extra.
  const timer = tty && !total ? setInterval(() => draw(0), 200) : null
  timer?.unref()
  return {
    update(done) {
      if (!tty || Date.now() - last < 100 || Date.now() - started < 300) return
      last = Date.now()
      draw(done)
    },
    end() {
      if (timer) clearInterval(timer)
      if (shown) process.stderr.write('\r\x1b[K')
    },
  }
}

module.exports = { progress }
