import { makeEvents } from '../events.mjs'
import { timed } from '../measure.mjs'

export const title = 'V8 JSON.stringify of 100,000 events (best of 3)'
export const how =
  '`JSON.stringify` of each of the 100,000 events, no I/O; best of 3.'
export const impls = ['machine']

export async function run({ quick }) {
  const events = makeEvents(quick ? 10_000 : 100_000)
  let bytes = 0
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    bytes = 0
    const { ms } = await timed(() => {
      for (const e of events) bytes += JSON.stringify(e).length + 1
    })
    best = Math.min(best, ms)
  }
  return {
    value: (events.length / best) * 1000,
    unit: 'events/s',
    better: 'higher',
    check: `${(bytes / events.length).toFixed(0)} bytes per event line`,
  }
}
