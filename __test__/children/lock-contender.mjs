// One of the processes racing for a store's lock. {"go": at} → at wall-clock time `at`, call
// acquireLock once and answer {won} (losers also send the error message); {"release": true} →
// release if held and answer {released}. Winners keep the lock until told to release, so every
// contender of a round has answered while the winner still holds it.
import { EventStore, storagePath, say, onCommands } from './child-common.mjs'

const store = new EventStore(storagePath)
let held = false

async function until(at) {
  const early = at - Date.now() - 3
  if (early > 0) await new Promise((r) => setTimeout(r, early))
  while (Date.now() < at) {} // spin the last few ms so all contenders start together
}

onCommands(async (cmd) => {
  if ('go' in cmd) {
    await until(cmd.go)
    try {
      await store.acquireLock()
      held = true
      say({ won: true, pid: process.pid })
    } catch (err) {
      say({ won: false, pid: process.pid, message: String(err?.message ?? err), name: err?.name })
    }
  } else if ('release' in cmd) {
    if (held) await store.releaseLock()
    held = false
    say({ released: true })
  }
})
say({ ready: true, pid: process.pid })
