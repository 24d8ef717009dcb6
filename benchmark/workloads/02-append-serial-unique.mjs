import { serialAppend } from '../serial-append.mjs'

export const title = 'the same, every event a new task id'
export const target = { text: '>= 30x', met: ({ ratio }) => ratio >= 30 }
export const run = (ctx) => serialAppend(ctx, 'unique')
