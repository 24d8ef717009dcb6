// RunEvents for the EventStore suites: the shared generator's varied events (helpers/events.mjs),
// with what these tests need to control on top: timestamps that rise by exactly 1 s from a
// fixed base unless given, seven task ids unless given, and any extra fields.
import { makeEvent } from './events.mjs'
import { prng } from './prng.mjs'
export { prng }

const BASE_TS = 1_700_000_000_000

export function runEvent(i, { timestamp = BASE_TS + i * 1000, taskId = `task-${i % 7}`, ...extra } = {}) {
  return { ...makeEvent(i, { seed: 7 }), taskId, timestamp, ...extra }
}

export function runEvents(n, opts) {
  return Array.from({ length: n }, (_, i) => runEvent(i, typeof opts === 'function' ? opts(i) : opts))
}


export function shuffled(array, seed) {
  const rnd = prng(seed)
  const a = array.slice()
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}
