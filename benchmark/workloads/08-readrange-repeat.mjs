import { readRange } from '../readrange.mjs'

export { setup } from '../readrange.mjs'
export const title = 'readRange() of 1% of 100,000: later calls (mean)'
export const target = { text: '>= 10x', met: ({ ratio }) => ratio >= 10 }
export const run = (ctx) => readRange(ctx, true)
