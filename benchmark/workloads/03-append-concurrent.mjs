import { join } from 'node:path'
import { makeEvents } from '../events.mjs'
import { countLines, timed } from '../measure.mjs'

export const title = '10,000 append() at once'
export const how =
  '`await Promise.all(events.map((e) => store.append(e)))` for 10,000 events; events/s. Index exact = a fresh store\'s `getStats().eventCount` is 10,000.'
export const target = { text: '>= 100x, index exact', met: ({ ratio, native }) => ratio >= 100 && native.ok }

export async function run({ dir, quick, lib }) {
  const n = quick ? 2_000 : 10_000
  const events = makeEvents(n)
  const store = lib.createEventStore(dir)
  const { ms, stall } = await timed(() => Promise.all(events.map((e) => store.append(e))))
  // A fresh instance reads what is on disk, not what the writer remembers.
  const stats = await lib.createEventStore(dir).getStats()
  const lines = countLines(join(dir, 'events.ndjson'))
  return {
    value: (n / ms) * 1000,
    unit: 'events/s',
    better: 'higher',
    stall,
    ok: stats.eventCount === n && lines === n,
    check: `${lines.toLocaleString('en-US')} lines, index says ${stats.eventCount.toLocaleString('en-US')}`,
  }
}
