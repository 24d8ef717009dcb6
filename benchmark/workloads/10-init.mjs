import { makeEvents, writeStoreFixture } from '../events.mjs'
import { timed } from '../measure.mjs'

export const title = 'init() of 100,000'
export const how =
  '100,000-event fixture; `await createPersistentLedger({ storagePath, compactIntervalMs: 0 }).init()`; checked `eventCount`.'
export const target = { text: '>= 1.3x', met: ({ ratio, native }) => ratio >= 1.3 && native.ok }
const size = (quick) => (quick ? 10_000 : 100_000)
export const setup = ({ dir, quick }) => writeStoreFixture(dir, makeEvents(size(quick)))

export async function run({ dir, quick, lib }) {
  const n = size(quick)
  const ledger = lib.createPersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
  const { ms, stall } = await timed(() => ledger.init())
  const count = ledger.eventCount
  await ledger.destroy()
  return {
    value: ms,
    unit: 'ms',
    better: 'lower',
    stall,
    ok: count === n,
    check: `eventCount ${count.toLocaleString('en-US')}`,
  }
}
