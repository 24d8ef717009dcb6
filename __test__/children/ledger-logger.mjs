// A PersistentLedger that compacts on a timer, logging `count` events (field `mark`:
// `<prefix>-<i>`) in small batches with a turn of the event loop between them, then flush();
// {"go": true} starts it, {done} answers once flush() resolved.
//   node ledger-logger.mjs <entry> <storagePath> <count> <prefix> <compactIntervalMs> <maxEvents>
import { storagePath, rest, say, onCommands, entry } from './child-common.mjs'
import { importStoreModule } from '../helpers/store-impl.mjs'

const [count, prefix, interval, maxEvents] = [Number(rest[0]), rest[1], Number(rest[2]), Number(rest[3])]
const { PersistentLedger } = await importStoreModule(entry)
const ledger = new PersistentLedger({ storagePath, compactIntervalMs: interval, maxEvents })
await ledger.init()

onCommands(async (cmd) => {
  if (!('go' in cmd)) return
  for (let i = 0; i < count; i++) {
    ledger.logEvent({ taskId: `task-${i % 10}`, timestamp: 1_700_000_100_000 + i, mark: `${prefix}-${i}` })
    if (i % 20 === 19) await new Promise(setImmediate)
  }
  await ledger.flush()
  say({ done: true, count })
  await ledger.destroy()
})
say({ ready: true, pid: process.pid })
