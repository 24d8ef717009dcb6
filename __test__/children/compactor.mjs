// Rewrites the store in a loop, as a second process running maintenance would:
// acquireLock, compact(1e9), writeAll(await readAll()), releaseLock. Answers {cycle: 1} after
// its first full cycle and {stopped, cycles} once told {"stop": true}.
import { EventStore, storagePath, say, onCommands, isLockedError } from './child-common.mjs'

const store = new EventStore(storagePath)
let stop = false
let cycles = 0
let lockedRetries = 0

async function loop() {
  while (!stop) {
    try {
      await store.acquireLock()
    } catch (err) {
      if (!isLockedError(err)) throw err
      lockedRetries++
      await new Promise((r) => setTimeout(r, 1))
      continue
    }
    try {
      await store.compact(1e9)
      await store.writeAll(await store.readAll())
    } finally {
      await store.releaseLock()
    }
    cycles++
    if (cycles === 1) say({ cycle: 1 })
  }
  say({ stopped: true, cycles, lockedRetries })
}

const running = loop()
onCommands(async (cmd) => {
  if ('stop' in cmd) {
    stop = true
    await running
  }
})
running.catch((err) => {
  say({ error: String(err?.stack ?? err) })
  process.exit(1)
})
