import { serialAppend } from '../serial-append.mjs'

export const title = 'the same, every event a new task id'
export const how =
  'As above with 5,000 distinct task ids (the original\'s index grows with each).'
export const target = { text: '>= 30x', met: ({ ratio }) => ratio >= 30 }
export const run = (ctx) => serialAppend(ctx, 'unique')
