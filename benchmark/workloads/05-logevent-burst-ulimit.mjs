import { logEventBurst } from '../logevent-burst.mjs'

export const title = 'the same under `ulimit -n 1024`'
export const how =
  'The same, in a child spawned through `bash -c \'ulimit -n 1024 && exec node …\'` (the usual default open-file limit).'
export const openFileLimit = 1024
export const target = { text: '>= 150,000 events/s', met: ({ native }) => native.ok && native.value >= 150_000 }
export const run = logEventBurst
