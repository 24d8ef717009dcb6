import { readRange } from '../readrange.mjs'

export { setup } from '../readrange.mjs'
export const title = 'readRange() of 1% of 100,000: first call on a fresh store'
export const how =
  '100,000-event fixture with timestamps 1 s apart; the first `readRange(t0, t1)` (1,000 events from the middle) on a fresh store, which includes any index the implementation builds.'
export const target = { text: '>= 10x', met: ({ ratio }) => ratio >= 10 }
export const run = (ctx) => readRange(ctx, false)
