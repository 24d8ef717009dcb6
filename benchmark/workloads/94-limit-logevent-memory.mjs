import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { makeEvents } from '../events.mjs'
import { timed } from '../measure.mjs'

export const title = "the original's in-memory logEvent() of 20,000 events, no disk, in a fresh process"
export const how =
  "`createLedger().logEvent(e)` of the original's RunLedger (copy, new UUID, keep in memory) in a burst: what the burst rows do before serializing and writing."
export const impls = ['machine']

export async function run({ quick }) {
  const dist = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '.original', 'dist')
  const { createLedger } = await import(pathToFileURL(join(dist, 'ledger.js')).href)
  const events = makeEvents(quick ? 2_000 : 20_000)
  const ledger = createLedger()
  const { ms } = await timed(() => {
    for (const e of events) ledger.logEvent(e)
  })
  return { value: (events.length / ms) * 1000, unit: 'events/s', better: 'higher' }
}
