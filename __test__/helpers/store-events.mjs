// RunEvents for the EventStore suites: the shared generator's varied events (helpers/events.mjs),
// with what these tests need to control on top: timestamps that rise by exactly 1 s from a
// fixed base unless given, seven task ids unless given, and any extra fields.
import { makeEvent } from './events.mjs'

const BASE_TS = 1_700_000_000_000

export function runEvent(i, { timestamp = BASE_TS + i * 1000, taskId = `task-${i % 7}`, ...extra } = {}) {
  return { ...makeEvent(i, { seed: 7 }), taskId, timestamp, ...extra }
}

export function runEvents(n, opts) {
  return Array.from({ length: n }, (_, i) => runEvent(i, typeof opts === 'function' ? opts(i) : opts))
}

/** A small seeded PRNG (mulberry32), so shuffled inputs are the same on every run. */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
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
