import { join } from 'node:path'
import { makeEvents, writeStoreFixture } from '../events.mjs'
import { countLines, timed } from '../measure.mjs'

export const title = 'compact() 100,000 to 50,000'
export const how =
  '100,000-event fixture; `await store.compact(50_000)` on a fresh store. Checked: evicted count, lines, a fresh store\'s eventCount.'
export const target = {
  text: '>= 10x, stall <= 5 ms',
  met: ({ ratio, native }) => ratio >= 10 && native.stall.ms <= 5 && native.ok,
}
const size = (quick) => (quick ? 10_000 : 100_000)
export const setup = ({ dir, quick }) => writeStoreFixture(dir, makeEvents(size(quick)))

export async function run({ dir, quick, lib }) {
  const n = size(quick)
  const keep = n / 2
  const { ms, stall, value: evicted } = await timed(() => lib.createEventStore(dir).compact(keep))
  const stats = await lib.createEventStore(dir).getStats()
  const lines = countLines(join(dir, 'events.ndjson'))
  return {
    value: ms,
    unit: 'ms',
    better: 'lower',
    stall,
    ok: evicted === n - keep && stats.eventCount === keep && lines === keep,
    check: `evicted ${evicted.toLocaleString('en-US')}, ${lines.toLocaleString('en-US')} lines, index ${stats.eventCount.toLocaleString('en-US')}`,
  }
}
