// Timing and event-loop stall measurement shared by the workloads.
import { readFileSync, existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

/**
 * Event-loop stall = the longest gap between two ticks of a 1 ms interval timer (an idle loop
 * shows about 1 ms). The gap up to `stop()` counts too, so a phase that blocks the loop right
 * up to its end is still seen. Chosen over monitorEventLoopDelay because of that last point.
 */
export function stallMonitor() {
  let last = performance.now()
  let max = 0
  const timer = setInterval(() => {
    const now = performance.now()
    if (now - last > max) max = now - last
    last = now
  }, 1)
  return {
    stop() {
      clearInterval(timer)
      const now = performance.now()
      if (now - last > max) max = now - last
      return max
    },
  }
}

/**
 * For loops of calls: returns a function to await after each call, which lets the event loop
 * turn (timers included) once the loop has held the thread for 0.5 ms, as a server would between
 * requests. Without it, a loop over already-settled promises never yields, and the stall
 * measured would be the loop's length, not the longest any one call blocks.
 */
export function yielder() {
  let last = performance.now()
  const turn = (resolve) =>
    setImmediate(() => {
      last = performance.now()
      resolve()
    })
  return () => (performance.now() - last < 0.5 ? undefined : new Promise(turn))
}

/** Runs `fn` once under the stall monitor: { ms, maxStallMs, value } where value is fn's result. */
export async function timed(fn) {
  const mon = stallMonitor()
  const t0 = performance.now()
  const value = await fn()
  const ms = performance.now() - t0
  return { ms, maxStallMs: mon.stop(), value }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Complete lines ('\n'-terminated, non-blank) in a file; 0 when it does not exist. */
export function countLines(file) {
  if (!existsSync(file)) return 0
  const buf = readFileSync(file)
  let n = 0
  let start = 0
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
    if (i > start) n++
    start = i + 1
  }
  return n
}

/** A fresh store's view of the index, without going through either implementation. */
export function readIndexFile(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}
