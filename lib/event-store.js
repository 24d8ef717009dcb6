'use strict'
// EventStore: the original's API over the native engine (src/store). Events cross the boundary
// as JSON text made and parsed by V8, so the bytes on disk and the objects read back are the
// original's.
const { NativeEventStore } = require('./native.js')
const { requireString, requireNumber, requireCount, requireObject, toJsonLine } = require('./args.js')
const { onExit } = require('./exit.js')
const { withErrno } = require('./errors.js')
const { ChunkDecoder } = require('./chunk-decoder.js')

/** How often a synchronous burst retries writing its backlog itself. */
const RETRY_MS = 0.5

// Lines cross to the engine as one text, joined by '\n', without the last line's '\n' (the
// engine adds it: a string with a '\n' glued on would cost V8 a copy to flatten it); '' = none.

/** Texts of lines as one such text. */
const joinTexts = (texts) => texts.filter((t) => t !== '').join('\n')

/** The lines of backlog entries `{ lines, resolve, reject }`, as one text. */
const joinLines = (batch) => joinTexts(batch.map((b) => b.lines))

/** Settles every backlog entry: resolved, or rejected with `err`. */
function settleAll(batch, err) {
  for (const b of batch) err ? b.reject(err) : b.resolve()
}

function toStats(s) {
  return {
    eventCount: s.eventCount,
    storageSizeBytes: s.storageSizeBytes,
    oldestEvent: s.oldestEvent ?? null,
    newestEvent: s.newestEvent ?? null,
  }
}

class EventStore {
  #native
  #path
  /** Appends of the current synchronous burst: `{ lines, promise, settle }`, or null. */
  #burst = null
  /** Lines waiting behind a batch that could not be written at once, or null. */
  #backlog = null
  /** When a burst may next try to write its backlog itself (performance.now() ms). */
  #retryAt = 0
  /** A batch of the backlog is in the engine's queue: later lines must wait behind it. */
  #draining = false

  /** @param {string} storagePath */
  constructor(storagePath) {
    requireString(storagePath, 'storagePath')
    this.#path = storagePath
    this.#native = new NativeEventStore(storagePath)
    onExit(this.#native, (n) => n.writeIndexIfDirty())
  }

  append(event) {
    let line
    try {
      requireObject(event, 'event')
      line = toJsonLine(event, 'event')
    } catch (err) {
      return Promise.reject(err)
    }
    // Appends made in one synchronous burst share one write, at the end of the burst, and one
    // promise, settled once their lines are written.
    if (this.#burst === null) {
      let settle
      const promise = new Promise((resolve, reject) => {
        settle = { resolve, reject }
      })
      this.#burst = { lines: [], promise, settle }
      queueMicrotask(() => this.#writeBurst())
    }
    this.#burst.lines.push(line)
    return this.#burst.promise
  }

  #writeBurst() {
    const { lines, settle } = this.#burst
    this.#burst = null
    try {
      const queued = this._writeLines(lines.length === 1 ? lines[0] : lines.join('\n'))
      if (queued === null) settle.resolve()
      else queued.then(settle.resolve, settle.reject)
    } catch (err) {
      settle.reject(err)
    }
  }

  /**
   * Writes already-serialized lines (see `joinTexts`). Returns `null` when they were written before
   * returning (the common case), or a promise settled once they are written, in order, after
   * whatever holds the store now; throws what a write at the call threw.
   * @internal also used by PersistentLedger
   */
  _writeLines(lines) {
    if (this.#backlog === null) {
      const written = this.#tryAppend(lines)
      if (written !== false) return written
      this.#backlog = []
      this.#retryAt = performance.now() + RETRY_MS
      queueMicrotask(() => this.#drainBacklog())
    } else if (this.#backlog.length > 0 && !this.#draining && performance.now() >= this.#retryAt) {
      // The store may be free again (a lock holder is gone, or the engine's pause for waiters
      // is over): write what waits and these lines now, so a long synchronous burst does not
      // keep accepted events in memory until it ends.
      this.#retryAt = performance.now() + RETRY_MS
      const waiting = this.#backlog
      let written
      try {
        written = this.#tryAppend(joinTexts([joinLines(waiting), lines]))
      } catch (err) {
        this.#backlog = []
        settleAll(waiting, err)
        throw err
      }
      if (written !== false) {
        this.#backlog = []
        if (written === null) settleAll(waiting)
        else written.then(() => settleAll(waiting), (err) => settleAll(waiting, err))
        return written
      }
    }
    // Once one batch has to wait, later ones wait behind it, so the file keeps call order.
    return new Promise((resolve, reject) => this.#backlog.push({ lines, resolve, reject }))
  }

  /**
   * Writes lines now if the store is free: `null` once written, `false` when they must wait
   * (nothing written), or a promise when they were written as a holder that takes no OS lock
   * (the original) took `.lock`, resolved once they are known to be in the file.
   */
  #tryAppend(lines) {
    let done
    try {
      done = this.#native.tryAppend(lines)
    } catch (err) {
      throw withErrno(err, this.#path)
    }
    return done === 1 ? null : done === 0 ? false : this.#call(this.#native.settled())
  }

  /** A native promise whose rejection carries err.code as fs errors do. */
  #call(promise) {
    return promise.catch((err) => {
      throw withErrno(err, this.#path)
    })
  }

  // Writes the backlog in as few batches as possible: one thread hop per batch, not per event.
  async #drainBacklog() {
    while (this.#backlog.length > 0) {
      const batch = this.#backlog
      this.#backlog = []
      const text = joinLines(batch)
      try {
        const written = this.#tryAppend(text)
        if (written !== null) {
          this.#draining = true
          await (written || this.#call(this.#native.appendQueued(text)))
        }
        settleAll(batch)
      } catch (err) {
        settleAll(batch, err)
      } finally {
        this.#draining = false
      }
    }
    this.#backlog = null
  }

  /** @internal a promise settled once every line written or queued so far is on stable storage */
  _sync() {
    return this.#backlog === null
      ? this.#call(this.#native.sync())
      : this._writeLines('').then(() => this.#call(this.#native.sync()))
  }

  async readAll() {
    // Chunks are parsed as they arrive while the engine checks the next ones; the event loop
    // gets a turn between chunks rather than waiting for one parse of the whole file.
    try {
      return await this.#readAllChunks()
    } catch (err) {
      throw withErrno(err, this.#path)
    }
  }

  async #readAllChunks(reader = this.#native.readAll(false)) {
    const events = []
    const decoder = new ChunkDecoder()
    let since = performance.now()
    for (;;) {
      const chunk = reader.take()
      if (chunk === null) break
      if (chunk === undefined) {
        await reader.wait()
        since = performance.now()
        continue
      }
      decoder.decode(chunk, events)
      if (performance.now() - since > 8) {
        await new Promise(setImmediate)
        since = performance.now()
      }
    }
    return events
  }

  /**
   * @internal For a ledger that reloads memory from disk while it keeps logging: resolves once
   * this store's backlog is written, so that lines accepted before a following `_snapshot`
   * call are in its snapshot and lines accepted after it are not.
   */
  async _drained() {
    while (this.#backlog !== null) await this._writeLines('')
  }

  /**
   * @internal `readAll()` (`maxEvents === undefined`) or `compact(maxEvents)` and then
   * `readAll()` of the result, as one step of the engine: this store's appends made after the
   * call land after the snapshot. Resolves to `{ evicted, events }`.
   */
  async _snapshot(maxEvents) {
    const reader =
      maxEvents === undefined ? this.#native.readAll(true) : this.#native.compactAndReadAll(maxEvents)
    try {
      const events = await this.#readAllChunks(reader)
      return { evicted: reader.count(), events }
    } catch (err) {
      throw withErrno(err, this.#path)
    }
  }

  async readRange(startTime, endTime) {
    requireNumber(startTime, 'startTime')
    requireNumber(endTime, 'endTime')
    // The engine preselects by numeric timestamp; the original's comparison decides.
    const candidates = JSON.parse(await this.#call(this.#native.readRange(startTime, endTime)))
    return candidates.filter((e) => e.timestamp >= startTime && e.timestamp <= endTime)
  }

  async compact(maxEvents) {
    requireCount(maxEvents, 'maxEvents')
    return this.#call(this.#native.compact(maxEvents))
  }

  async writeAll(events) {
    if (!Array.isArray(events)) throw new TypeError('events must be an array')
    const lines = new Array(events.length)
    for (let i = 0; i < events.length; i++) {
      requireObject(events[i], `events[${i}]`)
      lines[i] = toJsonLine(events[i], `events[${i}]`)
    }
    return this.#call(this.#native.writeAll(lines.length > 0 ? lines.join('\n') + '\n' : ''))
  }

  getStats() {
    const now = this.#native.statsNow()
    if (now) return Promise.resolve(toStats(now))
    return this.#call(this.#native.stats()).then(toStats)
  }

  acquireLock() {
    return this.#call(this.#native.acquireLock())
  }

  async releaseLock() {
    try {
      this.#native.releaseLock()
    } catch (err) {
      throw withErrno(err, this.#path)
    }
  }

  destroy() {
    return this.#call(this.#native.destroy())
  }

}

function createEventStore(path) {
  return new EventStore(path)
}

module.exports = { EventStore, createEventStore }
