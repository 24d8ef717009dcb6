import { makeEvents } from '../events.mjs'
import { timed } from '../measure.mjs'

export const title = 'V8 JSON.parse of 100,000 event lines (best of 3)'
export const how =
  '`JSON.parse` of each of 100,000 event lines, no I/O; best of 3.'
export const impls = ['machine']

export async function run({ quick }) {
  const lines = makeEvents(quick ? 10_000 : 100_000).map((e) => JSON.stringify(e))
  let best = Infinity
  let count = 0
  for (let i = 0; i < 3; i++) {
    const { ms, value } = await timed(() => lines.map((l) => JSON.parse(l)))
    best = Math.min(best, ms)
    count = value.length
  }
  return { value: best, unit: 'ms', better: 'lower', check: `${count.toLocaleString('en-US')} events` }
}
