import { serialAppend } from '../serial-append.mjs'

export const title = 'await append() one at a time, 100 task ids'
export const target = { text: '>= 30x', met: ({ ratio }) => ratio >= 30 }
export const run = (ctx) => serialAppend(ctx, 100)
