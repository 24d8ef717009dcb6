// compact(keep) in a loop, without acquireLock, until told {"stop": true}; answers {cycle: 1}
// after its first compaction and {stopped, cycles} at the end.
import { EventStore, storagePath, rest, say, onCommands } from './child-common.mjs'

const keep = Number(rest[0])
const store = new EventStore(storagePath)
let stop = false
let cycles = 0
const running = (async () => {
  while (!stop) {
    await store.compact(keep)
    if (++cycles === 1) say({ cycle: 1 })
    await new Promise(setImmediate)
  }
  say({ stopped: true, cycles })
})()
running.catch((err) => {
  say({ error: String(err?.stack ?? err) })
  process.exit(1)
})
onCommands(async (cmd) => {
  if ('stop' in cmd) {
    stop = true
    await running
  }
})
