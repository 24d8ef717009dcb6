import { serialAppend } from '../serial-append.mjs'

export const title = 'await append() one at a time, 100 task ids'
export const how =
  '5,000 events over 100 task ids, each `await store.append(e)` before the next, on an empty directory; events/s. Checked: lines on disk and a fresh store\'s `getStats().eventCount`.'
export const target = { text: '>= 30x', met: ({ ratio }) => ratio >= 30 }
export const run = (ctx) => serialAppend(ctx, 100)
