// A program that uses a PersistentLedger with a short compaction interval and then simply
// ends: it must exit by itself, the timer must not keep it alive.
//   node ledger-timer.mjs <storagePath> <mode>
// mode 'plain': init, log one event, done.
// mode 'after-compaction': waits until the timer has compacted once (so the timer is known to
// be running), then is done.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { createPersistentLedger } from '../../index.js'
import { makeEvent } from '../helpers/events.mjs'

const [dir, mode] = process.argv.slice(2)
const ledger = createPersistentLedger({ storagePath: dir, compactIntervalMs: 50, maxEvents: 1 })
await ledger.init()
if (mode === 'plain') {
  ledger.logEvent(makeEvent(0, { eventId: false }))
  console.log('logged')
} else {
  for (let i = 0; i < 3; i++) ledger.logEvent(makeEvent(i, { eventId: false }))
  const file = join(dir, 'events.ndjson')
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0)
  const deadline = Date.now() + 10_000
  while (lines() !== 1 || ledger.eventCount !== 1) {
    if (Date.now() > deadline) throw new Error(`the timer did not compact: ${lines()} lines, ${ledger.eventCount} in memory`)
    await delay(10)
  }
  console.log('compacted')
}
