import { logEventBurst } from '../logevent-burst.mjs'

export const title = '20,000 logEvent() in a burst, until all are on disk'
export const target = { text: '>= 150,000 events/s', met: ({ native }) => native.ok && native.value >= 150_000 }
export const run = logEventBurst
