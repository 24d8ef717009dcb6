import { makeEvents } from '../events.mjs'
import { timed } from '../measure.mjs'

export const title = 'V8 JSON.stringify of 10,000 events, once, in a fresh process'
export const how =
  'What `10,000 append() at once` has to do before any I/O, under the same conditions (a cold process, events just made).'
export const impls = ['machine']

export async function run({ quick }) {
  const events = makeEvents(quick ? 2_000 : 10_000)
  const { ms } = await timed(() => {
    for (const e of events) JSON.stringify(e)
  })
  return { value: (events.length / ms) * 1000, unit: 'events/s', better: 'higher' }
}
