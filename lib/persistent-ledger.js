'use strict'
// PersistentLedger: the in-memory RunLedger, with every accepted event written to the
// EventStore before the call that accepted it returns (when the store is free; otherwise queued
// in order, and `flush()` waits for it).
const { RunLedger, kAdmit, kRestore } = require('./run-ledger.js')
const { EventStore } = require('./event-store.js')
const { describe, requireCount, requireString, toJsonLine } = require('./args.js')

const DEFAULTS = Object.freeze({
  storagePath: '.claude-flow/guidance',
  maxEvents: 10_000,
  compactIntervalMs: 60 * 60 * 1000,
  enableWAL: true,
})

/** The longest interval a Node timer keeps. */
const MAX_TIMER_MS = 2 ** 31 - 1

function checkConfig(config) {
  if (config === undefined) return
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(`config must be an object, got ${describe(config)}`)
  }
  const { storagePath, maxEvents, compactIntervalMs, enableWAL } = config
  if (storagePath !== undefined) requireString(storagePath, 'config.storagePath')
  if (maxEvents !== undefined) requireCount(maxEvents, 'config.maxEvents')
  if (compactIntervalMs !== undefined) {
    requireCount(compactIntervalMs, 'config.compactIntervalMs')
    // Node runs a longer interval every 1 ms instead; Infinity means never.
    if (compactIntervalMs > MAX_TIMER_MS && compactIntervalMs !== Infinity) {
      throw new RangeError(`config.compactIntervalMs must be at most ${MAX_TIMER_MS} (about 24.8 days), or Infinity for no timer, got ${compactIntervalMs}`)
    }
  }
  if (enableWAL !== undefined && typeof enableWAL !== 'boolean') {
    throw new TypeError(`config.enableWAL must be a boolean, got ${describe(enableWAL)}`)
  }
}

const isLockBusy = (err) => err instanceof Error && err.message.startsWith('Storage is locked')

class PersistentLedger extends RunLedger {
  #config
  #store
  #timer = null
  #initialized = false
  /** The first write that failed since the last flush(): flush() rejects with it. */
  #failure = null

  constructor(config) {
    super()
    checkConfig(config)
    this.#config = { ...DEFAULTS, ...config }
    this.#store = new EventStore(this.#config.storagePath)
  }

  async init() {
    if (this.#initialized) return
    await this.load()
    this.#startTimer()
    this.#initialized = true
  }

  // Called by RunLedger before it stores events: an event that cannot be serialized, or whose
  // write fails, is refused (the error reaches the caller) and is stored nowhere.
  [kAdmit](events, source) {
    const lines = new Array(events.length)
    for (let i = 0; i < events.length; i++) {
      lines[i] = toJsonLine(events[i], source === 'import' ? `events[${i}]` : 'event')
    }
    if (!this.#config.enableWAL || lines.length === 0) return
    const queued = this.#store._writeLines(lines.length === 1 ? lines[0] : lines.join('\n'))
    queued?.catch((err) => {
      this.#failure ??= err
    })
  }

  /** Resolves once every event accepted so far is on stable storage; rejects with the cause if one could not be written. */
  async flush() {
    await this.#store._sync()
    if (this.#failure) {
      const err = this.#failure
      this.#failure = null
      throw err
    }
  }

  async save() {
    await this.#store.acquireLock()
    try {
      // Memory as it is once the lock is held: an event logged while the lock was awaited is
      // on disk, and must be in what replaces it.
      await this.#store._drained()
      await this.#store.writeAll(this.exportEvents())
    } finally {
      await this.#store.releaseLock()
    }
  }

  async load() {
    await this.#store._drained()
    const accepted = this.events.length
    const { events } = await this.#store._snapshot()
    this.#reload(events, accepted)
  }

  // Memory becomes the snapshot, plus the events accepted while it was taken: those were
  // written after it (the store orders them so) and must stay in memory as they are on disk.
  #reload(snapshot, accepted) {
    const since = this.events.slice(accepted)
    this.clear()
    if (snapshot.length > 0) this[kRestore](snapshot)
    if (since.length > 0) this[kRestore](since)
  }

  async compact() {
    await this.#store.acquireLock()
    try {
      await this.#store._drained()
      const accepted = this.events.length
      const { evicted, events } = await this.#store._snapshot(this.#config.maxEvents)
      if (evicted > 0) this.#reload(events, accepted)
      return evicted
    } finally {
      await this.#store.releaseLock()
    }
  }

  getStorageStats() {
    return this.#store.getStats()
  }

  async destroy() {
    this.#stopTimer()
    await this.#store.releaseLock()
  }

  getEventStore() {
    return this.#store
  }

  #startTimer() {
    const every = this.#config.compactIntervalMs
    if (every > 0 && every !== Infinity && this.#timer === null) {
      this.#timer = setInterval(() => {
        this.compact().catch((err) => {
          // Another holder compacting is not a failure; anything else is reported by flush().
          if (!isLockBusy(err)) this.#failure ??= err
        })
      }, every)
      this.#timer.unref()
    }
  }

  #stopTimer() {
    if (this.#timer !== null) {
      clearInterval(this.#timer)
      this.#timer = null
    }
  }
}

function createPersistentLedger(config) {
  return new PersistentLedger(config)
}

module.exports = { PersistentLedger, createPersistentLedger }
