'use strict'
// EventStore: the original's API over the native engine (src/store). Events cross the boundary
// as JSON text made and parsed by V8, so the bytes on disk and the objects read back are the
// original's.
const { NativeEventStore } = require('./native.js')
const { requireString, requireNumber, requireCount, requireObject, toJsonLine } = require('./args.js')
const { onExit } = require('./exit.js')

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

  /** @param {string} storagePath */
  constructor(storagePath) {
    requireString(storagePath, 'storagePath')
    this.#native = new NativeEventStore(storagePath)
    onExit(this.#native, (n) => n.writeIndexIfDirty())
  }

  append(event) {
    let line
    try {
      requireObject(event, 'event')
      line = toJsonLine(event, 'event') + '\n'
    } catch (err) {
      return Promise.reject(err)
    }
    return this._appendLines(line)
  }

  /**
   * Appends already-serialized complete lines: written before this returns when nothing stands
   * in the way (the promise is then already settled), else queued in order.
   */
  _appendLines(lines) {
    try {
      if (this._tryAppendLines(lines)) return Promise.resolve()
    } catch (err) {
      return Promise.reject(err)
    }
    return this._queueAppendLines(lines)
  }

  /** @internal true when written now; throws what the write threw. Used by PersistentLedger. */
  _tryAppendLines(lines) {
    return this.#native.tryAppend(lines)
  }

  /** @internal written in order after whatever holds the store now. */
  _queueAppendLines(lines) {
    return this.#native.appendQueued(lines)
  }

  async readAll() {
    return JSON.parse(await this.#native.readAll())
  }

  async readRange(startTime, endTime) {
    requireNumber(startTime, 'startTime')
    requireNumber(endTime, 'endTime')
    // The engine preselects by numeric timestamp; the original's comparison decides.
    const candidates = JSON.parse(await this.#native.readRange(startTime, endTime))
    return candidates.filter((e) => e.timestamp >= startTime && e.timestamp <= endTime)
  }

  async compact(maxEvents) {
    requireCount(maxEvents, 'maxEvents')
    return this.#native.compact(maxEvents)
  }

  async writeAll(events) {
    if (!Array.isArray(events)) throw new TypeError('events must be an array')
    const lines = new Array(events.length)
    for (let i = 0; i < events.length; i++) {
      requireObject(events[i], `events[${i}]`)
      lines[i] = toJsonLine(events[i], `events[${i}]`)
    }
    return this.#native.writeAll(lines.length > 0 ? lines.join('\n') + '\n' : '')
  }

  getStats() {
    const now = this.#native.statsNow()
    if (now) return Promise.resolve(toStats(now))
    return this.#native.stats().then(toStats)
  }

  acquireLock() {
    return this.#native.acquireLock()
  }

  async releaseLock() {
    this.#native.releaseLock()
  }

  destroy() {
    return this.#native.destroy()
  }

  /** @internal everything appended so far on stable storage */
  _sync() {
    return this.#native.sync()
  }
}

function createEventStore(path) {
  return new EventStore(path)
}

module.exports = { EventStore, createEventStore }
