// Run under a file-size limit (`ulimit -S -f 64`): logs events in batches, each followed by
// flush(), until a write fails, and reports on stdout (one JSON object a line) every batch that
// was acknowledged and the error it got. Then it waits for a line on stdin (the parent lifts the
// limit meanwhile), logs a few more events, flushes and reports again.
//   node ledger-efbig.mjs <storagePath>
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { PersistentLedger } from '../../index.js'
import { makeEvent } from '../helpers/events.mjs'

const [dir] = process.argv.slice(2)
const say = (obj) => console.log(JSON.stringify(obj))
const describe = (err) => ({ name: err?.constructor?.name, message: String(err?.message), code: err?.code })
const limits = readFileSync('/proc/self/limits', 'utf8')
say({ fileSizeLimit: /^Max file size\s+(\S+)/m.exec(limits)[1] })

const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
await ledger.init()
let seq = 0
const logBatch = async (n) => {
  for (let i = 0; i < n; i++) {
    try {
      ledger.logEvent({ ...makeEvent(seq, { eventId: false }), seq })
    } catch (err) {
      return { threw: describe(err), returned: seq, inMemory: ledger.eventCount }
    }
    seq++
  }
  try {
    await ledger.flush()
  } catch (err) {
    return { rejected: describe(err), returned: seq, inMemory: ledger.eventCount }
  }
  return { ok: seq }
}

for (let batch = 0; batch < 1000; batch++) {
  const r = await logBatch(10)
  say(r)
  if (!r.ok) break
}
// A flush after the failure: what it says is reported too (it must not hide the failure by
// resolving for events that are not on disk: the parent checks).
try {
  await ledger.flush()
  say({ flushAfter: 'resolved', returned: seq })
} catch (err) {
  say({ flushAfter: 'rejected', error: describe(err), returned: seq })
}

say({ waiting: true })
const rl = createInterface({ input: process.stdin })
for await (const _ of rl) break
rl.close()
say({ resumed: await logBatch(5) })
