import { makeEvents } from '../events.mjs'
import { timed } from '../measure.mjs'
import { appendResult } from '../serial-append.mjs'

export const title = '10,000 append() at once'
export const how =
  '`await Promise.all(events.map((e) => store.append(e)))` for 10,000 events; events/s. Index exact = a fresh store\'s `getStats().eventCount` is 10,000.'
export const target = { text: '>= 100x, index exact', met: ({ ratio, native }) => ratio >= 100 && native.ok }

export async function run({ dir, quick, lib }) {
  const n = quick ? 2_000 : 10_000
  const events = makeEvents(n)
  const store = lib.createEventStore(dir)
  const { ms, stall } = await timed(() => Promise.all(events.map((e) => store.append(e))))
  return appendResult({ dir, lib, n, ms, stall })
}
