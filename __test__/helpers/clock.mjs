import { afterEach } from 'node:test'

let realNow = Date.now
afterEach(() => {
  Date.now = realNow
})

/** Makes Date.now() return `ms` until the end of the current test. */
export function freezeClock(ms) {
  realNow = Date.now
  Date.now = () => ms
}

/** The real clock, also while it is frozen (deadlines of waits). */
export const realDateNow = () => realNow()
