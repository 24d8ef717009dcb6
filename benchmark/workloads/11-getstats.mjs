import { performance } from 'node:perf_hooks'
import { makeEvents, writeStoreFixture } from '../events.mjs'
import { stallMonitor, timed, worst, yielder } from '../measure.mjs'

export const title = 'getStats() with 10,000 task ids'
export const how =
  'Fixture of 10,000 events, each its own task id; after one call (shown in notes), `await store.getStats()` in a loop for 1 s; calls/s.'
export const target = { text: '>= 100x', met: ({ ratio, native }) => ratio >= 100 && native.ok }
const size = (quick) => (quick ? 2_000 : 10_000)
export const setup = ({ dir, quick }) => writeStoreFixture(dir, makeEvents(size(quick), { taskIds: 'unique' }))

export async function run({ dir, quick, lib }) {
  const n = size(quick)
  const store = lib.createEventStore(dir)
  const first = await timed(() => store.getStats())
  const mon = stallMonitor()
  const t0 = performance.now()
  let calls = 0
  let stats
  const turn = yielder()
  while (performance.now() - t0 < 1_000) {
    stats = await store.getStats()
    calls++
    await turn()
  }
  const ms = performance.now() - t0
  return {
    value: (calls / ms) * 1000,
    unit: 'calls/s',
    better: 'higher',
    stall: worst(first.stall, mon.stop()),
    ok: first.value.eventCount === n && stats.eventCount === n,
    check: `first call ${first.ms.toFixed(2)} ms; eventCount ${stats.eventCount.toLocaleString('en-US')}`,
  }
}
