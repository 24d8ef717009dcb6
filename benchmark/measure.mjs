// Timing and event-loop stall measurement shared by the workloads.
import { existsSync, openSync, readFileSync, readSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

/**
 * Event-loop stall = the longest gap between two ticks of a 1 ms interval timer (an idle loop
 * shows about 1 ms), less the time the main thread spent waiting for a CPU in that gap (Linux:
 * /proc/thread-self/schedstat). On a busy 2-core machine a tick also comes late when the main
 * thread is merely runnable while the implementation's worker threads or other processes hold
 * the CPUs; that is contention, not blocking. The raw gap is kept as `rawMs`. The gap up to
 * `stop()` counts too, so a phase that blocks the loop right up to its end is still seen (the
 * reason this is not monitorEventLoopDelay).
 */
// Opened once: a workload may use up every descriptor (the original's logEvent burst does).
const schedstat = (() => {
  try {
    return openSync('/proc/thread-self/schedstat', 'r')
  } catch {
    return null
  }
})()
const schedBuf = Buffer.alloc(128)
const runQueueWaitMs = () => {
  if (schedstat === null) return 0
  const n = readSync(schedstat, schedBuf, 0, schedBuf.length, 0)
  return Number(schedBuf.toString('latin1', 0, n).split(' ')[1]) / 1e6
}

export function stallMonitor() {
  let last = performance.now()
  let lastWait = runQueueWaitMs()
  let max = 0
  let rawMax = 0
  const tick = () => {
    const now = performance.now()
    const wait = runQueueWaitMs()
    const gap = now - last
    if (gap - (wait - lastWait) > max) max = gap - (wait - lastWait)
    if (gap > rawMax) rawMax = gap
    last = now
    lastWait = wait
  }
  const timer = setInterval(tick, 1)
  return {
    /** @returns {{ ms: number, rawMs: number }} the longest stall, and the longest raw gap */
    stop() {
      clearInterval(timer)
      tick()
      return { ms: max, rawMs: rawMax }
    },
  }
}

/** The worst of several stalls. */
export const worst = (...stalls) => ({
  ms: Math.max(...stalls.map((s) => s.ms)),
  rawMs: Math.max(...stalls.map((s) => s.rawMs)),
})

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

/** Runs `fn` once under the stall monitor: { ms, stall, value } where value is fn's result. */
export async function timed(fn) {
  const mon = stallMonitor()
  const t0 = performance.now()
  const value = await fn()
  const ms = performance.now() - t0
  return { ms, stall: mon.stop(), value }
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
