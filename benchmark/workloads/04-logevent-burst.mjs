import { logEventBurst } from '../logevent-burst.mjs'

export const title = '20,000 logEvent() in a burst, until all are on disk'
export const how =
  '`createPersistentLedger({ storagePath, compactIntervalMs: 0 })`, `await init()`, then 20,000 `logEvent()` in one synchronous loop; the clock stops when all are on disk: `await ledger.flush()` for native-ledger; for the original (which has no such signal) when the file last grew before 1 s of quiet (60 s deadline). Lines on disk are then counted. The stall includes the synchronous burst itself.'
export const target = { text: '>= 150,000 events/s', met: ({ native }) => native.ok && native.value >= 150_000 }
export const run = logEventBurst
