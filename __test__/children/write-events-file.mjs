// Writes <count> RunEvents in a seeded shuffled timestamp order to <file>, in chunks. Run as a
// child so that the test process's heap holds none of the garbage this makes (a GC pause there
// would be charged to the store under test).
import { closeSync, openSync, writeSync } from 'node:fs'
import { runEvent, shuffled } from '../helpers/store-events.mjs'

const [file, count, seed, base] = process.argv.slice(2)
const order = shuffled(Array.from({ length: Number(count) }, (_, i) => i), Number(seed))
const fd = openSync(file, 'w')
for (let i = 0; i < order.length; i += 5000) {
  writeSync(fd, order.slice(i, i + 5000).map((k) => JSON.stringify(runEvent(k, { timestamp: Number(base) + k })) + '\n').join(''))
}
closeSync(fd)
