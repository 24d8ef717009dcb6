// logEvent() in one synchronous burst, then wait until every event is on disk.
import { closeSync, openSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { makeEvents } from './events.mjs'
import { countLines, stallMonitor } from './measure.mjs'

const QUIET_MS = 1_000 // the original gives no completion signal: "done" = file unchanged this long
const DEADLINE_MS = 60_000

const sizeOf = (file) => {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

// The original swallows its write errors; probing for a free descriptor tells whether it ran out.
const fdsExhausted = () => {
  try {
    closeSync(openSync('/dev/null', 'r'))
    return false
  } catch (err) {
    return err.code === 'EMFILE' || err.code === 'ENFILE'
  }
}

export async function logEventBurst({ dir, quick, impl, lib }) {
  const n = quick ? 2_000 : 20_000
  const events = makeEvents(n)
  const file = join(dir, 'events.ndjson')
  const ledger = lib.createPersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
  await ledger.init()

  let emfile = false
  const mon = stallMonitor()
  const t0 = performance.now()
  for (const e of events) ledger.logEvent(e)
  let ms
  if (impl === 'native') {
    await ledger.flush()
    ms = performance.now() - t0
  } else {
    let size = sizeOf(file)
    let changedAt = performance.now()
    while (performance.now() - changedAt < QUIET_MS && performance.now() - t0 < DEADLINE_MS) {
      await sleep(10)
      emfile ||= fdsExhausted()
      const now = sizeOf(file)
      if (now !== size) {
        size = now
        changedAt = performance.now()
      }
    }
    ms = changedAt - t0
  }
  const stall = mon.stop()
  // The original may still hold every descriptor for its index.json updates: wait for one.
  let lines
  for (const t1 = performance.now(); lines === undefined; ) {
    try {
      lines = countLines(file)
    } catch (err) {
      if (err.code !== 'EMFILE' || performance.now() - t1 > DEADLINE_MS) throw err
      emfile = true
      await sleep(20)
    }
  }
  await ledger.destroy()
  const result = {
    value: (n / ms) * 1000,
    unit: 'events/s',
    better: 'higher',
    stall,
    ok: lines === n,
    check: `${lines.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} on disk${emfile ? ', EMFILE seen' : ''}`,
  }
  if (lines !== n) {
    result.failed = `lost ${(n - lines).toLocaleString('en-US')} of ${n.toLocaleString('en-US')}${emfile ? ' (EMFILE)' : ''}`
  }
  return result
}
