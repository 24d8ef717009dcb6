import { makeEvents, writeStoreFixture } from '../events.mjs'
import { median, timed, worst } from '../measure.mjs'

export const title = 'readAll() of 100,000'
export const how =
  '100,000-event fixture; median of 5 `readAll()` calls on one store; stall is the worst of the 5.'
export const target = {
  text: ">= 1.3x, stall no longer than the original's",
  met: ({ ratio, original, native }) => ratio >= 1.3 && native.stall.ms <= original.stall.ms,
}
const size = (quick) => (quick ? 10_000 : 100_000)
export const setup = ({ dir, quick }) => writeStoreFixture(dir, makeEvents(size(quick)))

export async function run({ dir, quick, lib }) {
  const n = size(quick)
  const store = lib.createEventStore(dir)
  const runs = []
  for (let i = 0; i < 5; i++) runs.push(await timed(() => store.readAll()))
  const counts = runs.map((r) => r.value.length)
  return {
    value: median(runs.map((r) => r.ms)),
    unit: 'ms',
    better: 'lower',
    stall: worst(...runs.map((r) => r.stall)),
    ok: counts.every((c) => c === n),
    check: `median of 5 calls; ${counts[0].toLocaleString('en-US')} events`,
  }
}
