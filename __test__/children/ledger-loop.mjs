// Logs events in a loop, forever, and after each batch of returned logEvent calls writes the
// number of events logged so far to stdout, synchronously: a printed count has left the process.
// The parent kills it with SIGKILL at some moment (or asks it to kill itself right after a given
// batch) and then checks the disk.
//   node ledger-loop.mjs <storagePath> <batchSize> <pauseEvery> [killAfterBatch]
// Every `pauseEvery` batches it pauses and flushes, as a program between bursts would: the
// store's worker then writes the index and releases its locks, the moments when an append could
// be held back instead of written at once.
import { writeSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { PersistentLedger } from '../../index.js'
import { makeEvent } from '../helpers/events.mjs'

const [dir, batchArg, pauseArg, killArg = '0'] = process.argv.slice(2)
const [batch, pauseEvery, killAfter] = [Number(batchArg), Number(pauseArg), Number(killArg)]
const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
await ledger.init()
let seq = 0
for (let round = 1; ; round++) {
  for (let i = 0; i < batch; i++) {
    ledger.logEvent({ ...makeEvent(seq, { eventId: false }), seq })
    seq++
  }
  writeSync(1, `${seq}\n`)
  if (round === killAfter) process.kill(process.pid, 'SIGKILL')
  if (round % pauseEvery === 0) {
    // Longer than the store's index delay, so that its worker goes idle.
    await delay(25)
    await ledger.flush()
  } else if (round % 2 === 0) {
    await new Promise((resolve) => setImmediate(resolve))
  }
}
