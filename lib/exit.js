'use strict'
// Work that must happen before the process exits even though nothing awaits it (index.json of
// stores that appended in the last milliseconds). N-API cleanup hooks do not run on
// process.exit(), so it is done here, synchronously, for the objects still alive.
const live = new Set()
const registry = new FinalizationRegistry((ref) => live.delete(ref))
let hooked = false

function onExit(target, fn) {
  const ref = new WeakRef(target)
  ref.fn = fn
  live.add(ref)
  registry.register(target, ref)
  if (!hooked) {
    hooked = true
    process.on('exit', () => {
      for (const r of live) {
        const t = r.deref()
        if (t) {
          try {
            r.fn(t)
          } catch {
            // Exiting: nothing is left to report to. Readers rebuild a stale index.
          }
        }
      }
    })
  }
}

module.exports = { onExit }
