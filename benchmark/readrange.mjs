// readRange() over 1% of a 100,000-event store whose timestamps rise by 1 s per event.
import { BASE_TS, makeEvents, writeStoreFixture } from './events.mjs'
import { timed, worst } from './measure.mjs'
import { performance } from 'node:perf_hooks'

const size = (quick) => (quick ? 10_000 : 100_000)
export const setup = ({ dir, quick }) => writeStoreFixture(dir, makeEvents(size(quick)))

/** `repeat`: false = the first call on a fresh store; true = the mean of later calls. */
export async function readRange({ dir, quick, lib }, repeat) {
  const n = size(quick)
  const want = n / 100
  const start = BASE_TS + (n / 2) * 1000
  const end = start + (want - 1) * 1000
  const store = lib.createEventStore(dir)
  const first = await timed(() => store.readRange(start, end))
  let result = first
  let calls = 1
  if (repeat) {
    // Enough calls to average out noise, bounded so the original's full scans stay affordable.
    const t0 = performance.now()
    let total = 0
    let stall = { ms: 0, rawMs: 0 }
    calls = 0
    while (calls < 3 || (performance.now() - t0 < 2_000 && calls < 1_000)) {
      result = await timed(() => store.readRange(start, end))
      total += result.ms
      stall = worst(stall, result.stall)
      calls++
    }
    result = { ms: total / calls, stall, value: result.value }
  }
  const got = result.value.length
  return {
    value: result.ms,
    unit: 'ms',
    better: 'lower',
    stall: result.stall,
    ok: got === want && result.value[0].timestamp === start,
    check: `${repeat ? `mean of ${calls} calls after the first; ` : ''}${got.toLocaleString('en-US')} events`,
  }
}
