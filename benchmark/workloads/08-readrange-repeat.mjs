import { readRange } from '../readrange.mjs'

export { setup } from '../readrange.mjs'
export const title = 'readRange() of 1% of 100,000: later calls (mean)'
export const how =
  'The same store after that first call: mean of later calls (at least 3, up to 2 s of calls).'
export const target = { text: '>= 10x', met: ({ ratio }) => ratio >= 10 }
export const run = (ctx) => readRange(ctx, true)
