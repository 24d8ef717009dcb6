// `await append()` one at a time: shared by the two serial-append workloads.
import { makeEvents } from './events.mjs'
import { countLines, timed, yielder } from './measure.mjs'
import { join } from 'node:path'

export async function serialAppend({ dir, quick, lib }, taskIds) {
  const n = quick ? 500 : 5_000
  const events = makeEvents(n, { taskIds })
  const store = lib.createEventStore(dir)
  const { ms, stall } = await timed(async () => {
    const turn = yielder()
    for (const e of events) {
      await store.append(e)
      await turn()
    }
  })
  const stats = await lib.createEventStore(dir).getStats()
  const lines = countLines(join(dir, 'events.ndjson'))
  return {
    value: (n / ms) * 1000,
    unit: 'events/s',
    better: 'higher',
    stall,
    ok: stats.eventCount === n && lines === n,
    check: `${n.toLocaleString('en-US')} appended, ${lines.toLocaleString('en-US')} lines, index ${stats.eventCount.toLocaleString('en-US')}`,
  }
}
