'use strict'
// AppendLog (SPEC §5): a seq-numbered log of JSON entries, in a file or in memory. The native
// core assigns seqs, writes and indexes records; this layer turns entries into JSON text and
// back (V8's JSON, byte for byte the seed's) and feeds subscribers.
const fs = require('node:fs')
const path = require('node:path')
const { NativeAppendLog, prepareAppendLogIndex } = require('./native.js')

// A subscriber catching up reads this many entries at a time, so replaying a large log does
// not hold all of it in memory at once...
const REPLAY_PAGE = 1024
// ...and is given at most this many pages per turn of the event loop, so replaying a large log
// to one subscriber does not stall everything else.
const PAGES_PER_TURN = 16

// File logs with subscribers, by file: an append through any instance in this process wakes
// every subscriber of that file at once. Other processes' appends arrive through fs.watch.
const subscribedLogs = new Map()

class AppendLog {
  #native
  #file
  #subscribers = new Set()
  #watcher = null
  #draining = false
  #drainAgain = false
  #drainLater = null
  #truncating = Promise.resolve()
  #closed = false
  /** While the file's first index is built off the event loop, calls wait here, in order. */
  #queue = null

  /**
   * @param {string} [file] the log file; without one, the log lives in memory.
   */
  constructor(file) {
    if (file === undefined || file === null) {
      this.#file = null
      this.#native = NativeAppendLog.openMemory()
    } else {
      this.#file = path.resolve(checkFile(file))
      this.#native = NativeAppendLog.openFile(this.#file)
      // Indexing a large log takes long enough to matter: done on a worker thread, and the
      // first calls wait for it rather than index on the event loop.
      this.#queue = prepareAppendLogIndex(this.#file).then(
        (prepared) => this.#native.adoptPrepared(prepared),
        () => {}, // the log indexes by itself
      )
    }
  }

  /** `call()` now, or, while the first index is being built, after it and the calls before. */
  #inOrder(call) {
    if (this.#queue === null) return call()
    const run = this.#queue.then(() => {
      this.#checkOpen()
      return call()
    })
    const settled = run.then(
      () => {},
      () => {},
    )
    this.#queue = settled
    settled.then(() => {
      if (this.#queue === settled) this.#queue = null
    })
    return run
  }

  /** The absolute path of the log file, or null for a memory log. */
  get file() {
    return this.#file
  }

  async append(entries) {
    this.#checkOpen()
    if (!Array.isArray(entries)) {
      throw new TypeError(`AppendLog.append: entries must be an array, got ${describe(entries)}`)
    }
    const count = entries.length
    let lastSeq
    if (stringifiesAsData(entries)) {
      // One stringify of the whole batch is about twice as fast as one per entry.
      const array = JSON.stringify(entries)
      lastSeq = await this.#inOrder(() => this.#native.appendArray(array, count, Date.now()))
    } else {
      const texts = new Array(count)
      for (let i = 0; i < count; i++) {
        // Stringified as the value of `data`, as the seed's JSON.stringify({ seq, ts, data })
        // does: toJSON sees the key "data", and undefined leaves `data` out.
        const wrapped = JSON.stringify({ data: entries[i] })
        // '{"data":' + text + '}', or '{}'.
        texts[i] = wrapped.length === 2 ? '' : wrapped.slice(8, -1)
      }
      const datas = texts.join('\n')
      lastSeq = await this.#inOrder(() => this.#native.append(datas, count, Date.now()))
    }
    if (count > 0) this.#notify()
    return { lastSeq }
  }

  async read(options) {
    this.#checkOpen()
    const { sinceSeq, limit, reverse } = readOptions(options, 'AppendLog.read')
    return JSON.parse(await this.#inOrder(() => this.#native.read(sinceSeq ?? 0, limit ?? -1, reverse, true)))
  }

  subscribe(options, fn) {
    this.#checkOpen()
    const { sinceSeq } = readOptions(options, 'AppendLog.subscribe')
    if (typeof fn !== 'function') {
      throw new TypeError(`AppendLog.subscribe: fn must be a function, got ${describe(fn)}`)
    }
    const subscriber = {
      fn,
      // Live-only starts after everything already in the log, in this process or others.
      lastSent: sinceSeq ?? this.#native.head(),
      active: true,
    }
    this.#subscribers.add(subscriber)
    if (this.#subscribers.size === 1) this.#startWatching()
    // The replay runs after subscribe returns, so fn may use the unsubscribe function.
    if (sinceSeq != null) queueMicrotask(() => this.#drain())
    return () => {
      if (!subscriber.active) return
      subscriber.active = false
      this.#subscribers.delete(subscriber)
      if (this.#subscribers.size === 0) this.#stopWatching()
    }
  }

  async truncateBefore(seq) {
    this.#checkOpen()
    checkNumber(seq, 'AppendLog.truncateBefore', 'seq')
    // One truncate at a time per instance; appends go on meanwhile.
    const run = this.#truncating.then(async () => {
      this.#checkOpen()
      const begun = await this.#inOrder(() => this.#native.truncateBegin(seq))
      if (typeof begun === 'number') return { removed: begun }
      try {
        // The entries to keep are copied on a worker thread, the event loop free.
        await begun.copy()
        this.#checkOpen()
        return { removed: this.#native.truncateCommit(begun) }
      } finally {
        begun.discard()
      }
    })
    this.#truncating = run.catch(() => {})
    return run
  }

  async close() {
    if (this.#closed) return
    this.#closed = true
    for (const subscriber of this.#subscribers) subscriber.active = false
    this.#subscribers.clear()
    this.#stopWatching()
    if (this.#drainLater) clearImmediate(this.#drainLater)
    this.#drainLater = null
    this.#native.close()
  }

  #checkOpen() {
    if (this.#closed) throw new Error(`AppendLog is closed${this.#file ? `: ${this.#file}` : ''}`)
  }

  #notify() {
    const peers = this.#file ? subscribedLogs.get(this.#file) : undefined
    if (peers) for (const log of peers) log.#drain()
    else if (this.#subscribers.size > 0) this.#drain()
  }

  #startWatching() {
    if (!this.#file) return
    let peers = subscribedLogs.get(this.#file)
    if (!peers) subscribedLogs.set(this.#file, (peers = new Set()))
    peers.add(this)
    const dir = path.dirname(this.#file)
    const name = path.basename(this.#file)
    try {
      // The directory is watched, not the file: truncateBefore renames a new file over it.
      fs.mkdirSync(dir, { recursive: true })
      this.#watcher = fs.watch(dir, { persistent: false }, (_event, filename) => {
        if (filename == null || filename === name) this.#drain()
      })
      this.#watcher.on('error', (err) => {
        warn('APPEND_LOG_WATCH_FAILED', `AppendLog: stopped watching ${dir}`, err)
        this.#watcher = null
      })
    } catch (err) {
      warn('APPEND_LOG_WATCH_FAILED', `AppendLog: cannot watch ${dir}; appends by other processes reach subscribers only with this process's own appends`, err)
    }
  }

  #stopWatching() {
    if (this.#file) {
      const peers = subscribedLogs.get(this.#file)
      peers?.delete(this)
      if (peers?.size === 0) subscribedLogs.delete(this.#file)
    }
    this.#watcher?.close()
    this.#watcher = null
  }

  // Brings every subscriber up to the head of the log, in seq order, each entry once: a
  // subscriber is only a cursor (the last seq it was given), so nothing can be missed or
  // repeated whatever arrives meanwhile. A drain requested during a drain (a subscriber that
  // appends) runs once the current one ends.
  #drain() {
    if (this.#draining) {
      this.#drainAgain = true
      return
    }
    this.#draining = true
    try {
      do {
        this.#drainAgain = false
        if (this.#closed || this.#subscribers.size === 0) return
        let head
        try {
          head = this.#native.head()
        } catch (err) {
          warn('APPEND_LOG_READ_FAILED', 'AppendLog: cannot read new entries for subscribers', err)
          return
        }
        // Subscribers at the same cursor share one read.
        const pages = new Map()
        let behind = false
        for (const subscriber of this.#subscribers) {
          for (let turn = 0; subscriber.active && subscriber.lastSent < head; turn++) {
            if (turn === PAGES_PER_TURN) {
              behind = true
              break
            }
            const since = subscriber.lastSent
            let page = pages.get(since)
            if (!page) {
              try {
                page = JSON.parse(this.#native.read(since, REPLAY_PAGE, false, false))
              } catch (err) {
                if (!this.#closed) warn('APPEND_LOG_READ_FAILED', 'AppendLog: cannot read new entries for subscribers', err)
                return
              }
              pages.set(since, page)
            }
            if (page.length === 0) break
            for (const entry of page) {
              if (!subscriber.active) break
              subscriber.lastSent = entry.seq
              try {
                subscriber.fn(entry)
              } catch (err) {
                warn('APPEND_LOG_SUBSCRIBER_THREW', `AppendLog: a subscriber threw on seq ${entry.seq}; it stays subscribed`, err)
              }
            }
          }
        }
        if (behind && !this.#drainLater) {
          // Unref'd: a replay does not keep the process alive on its own either.
          this.#drainLater = setImmediate(() => {
            this.#drainLater = null
            this.#drain()
          }).unref()
        }
      } while (this.#drainAgain)
    } finally {
      this.#draining = false
    }
  }
}

const dateToJSON = Date.prototype.toJSON

// Whether each entry stringifies as an array element exactly as it does as the value of a
// `data` member: true unless an entry becomes undefined (undefined, a function, a symbol) or
// has a toJSON of its own, which may look at its key. A BigInt or a cycle throws either way.
function stringifiesAsData(entries) {
  if (entries.toJSON !== undefined) return false
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    const type = typeof e
    if (type === 'object') {
      if (e !== null && e.toJSON !== undefined && e.toJSON !== dateToJSON) return false
    } else if (type === 'undefined' || type === 'function' || type === 'symbol') {
      return false
    }
  }
  return true
}

function createAppendLog(file) {
  return new AppendLog(checkFile(file))
}

function createMemoryAppendLog() {
  return new AppendLog()
}

function checkFile(file) {
  if (typeof file !== 'string' || file === '') {
    throw new TypeError(`AppendLog: file must be a non-empty string path, got ${describe(file)}`)
  }
  return file
}

function readOptions(options, where) {
  if (options === undefined || options === null) return { reverse: false }
  if (typeof options !== 'object') {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`)
  }
  const { sinceSeq, limit, reverse } = options
  if (sinceSeq != null) checkNumber(sinceSeq, where, 'sinceSeq')
  if (limit != null) {
    checkNumber(limit, where, 'limit')
    if (limit < 0) throw new RangeError(`${where}: limit must not be negative, got ${limit}`)
  }
  return { sinceSeq, limit, reverse: Boolean(reverse) }
}

function checkNumber(value, where, name) {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${where}: ${name} must be a number, got ${describe(value)}`)
  }
}

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 40))})`
  if (typeof value === 'number') return String(value)
  return typeof value
}

function warn(code, message, cause) {
  const warning = new Error(message, { cause })
  warning.name = 'AppendLogWarning'
  warning.code = code
  if (cause instanceof Error) warning.message += `: ${cause.message}`
  process.emitWarning(warning)
}

module.exports = { AppendLog, createAppendLog, createMemoryAppendLog }
