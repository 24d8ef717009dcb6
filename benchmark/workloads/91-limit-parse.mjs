import { makeEvents } from '../events.mjs'
import { timed } from '../measure.mjs'

export const title = 'V8 JSON.parse of 100,000 event lines'
export const impls = ['machine']

export async function run({ quick }) {
  const lines = makeEvents(quick ? 10_000 : 100_000).map((e) => JSON.stringify(e))
  const { ms, value } = await timed(() => lines.map((l) => JSON.parse(l)))
  return { value: ms, unit: 'ms', better: 'lower', check: `${value.length.toLocaleString('en-US')} events` }
}
