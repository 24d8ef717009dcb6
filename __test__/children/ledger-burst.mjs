// Logs <count> events in one synchronous burst, awaits flush(), and prints what the parent needs
// to check the disk: the open-file limit it ran under and a digest of the lines it expects.
//   node ledger-burst.mjs <storagePath> <count>
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { PersistentLedger } from '../../index.js'
import { makeEvent } from '../helpers/events.mjs'

const [dir, countArg] = process.argv.slice(2)
const count = Number(countArg)
const limits = readFileSync('/proc/self/limits', 'utf8')
const openFiles = Number(/^Max open files\s+(\d+)/m.exec(limits)[1])

const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
await ledger.init()
const digest = createHash('sha256')
for (let seq = 0; seq < count; seq++) {
  const logged = ledger.logEvent({ ...makeEvent(seq, { eventId: false }), seq })
  digest.update(JSON.stringify(logged) + '\n')
}
await ledger.flush()
console.log(JSON.stringify({ openFiles, logged: ledger.eventCount, sha256: digest.digest('hex') }))
