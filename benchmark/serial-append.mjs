// `await append()` one at a time: shared by the two serial-append workloads.
import { join } from 'node:path'
import { makeEvents } from './events.mjs'
import { countLines, timed, yielder } from './measure.mjs'

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
  return appendResult({ dir, lib, n, ms, stall })
}

/**
 * The result row of an append workload: events/s, checked by a fresh store (which reads what is
 * on disk, not what the writer remembers) and by the lines in the file.
 */
export async function appendResult({ dir, lib, n, ms, stall }) {
  const stats = await lib.createEventStore(dir).getStats()
  const lines = countLines(join(dir, 'events.ndjson'))
  return {
    value: (n / ms) * 1000,
    unit: 'events/s',
    better: 'higher',
    stall,
    ok: stats.eventCount === n && lines === n,
    check: `${n.toLocaleString('en-US')} appended, ${lines.toLocaleString('en-US')} lines, index says ${stats.eventCount.toLocaleString('en-US')}`,
  }
}
