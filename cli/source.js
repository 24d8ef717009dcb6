'use strict'
// What a PATH on the command line names, and reading its lines. A ledger directory is read
// through the library where it has the operation; line positions (for `verify`, `tail -f` and
// the dashboard's resumable stream) are not in its API, so events.ndjson is read here directly,
// read-only, in the documented format: one JSON text per line.
const fs = require('node:fs')
const path = require('node:path')

class UsageError extends Error {}

/**
 * { kind: 'ledger', dir, file } for a ledger directory (or its events.ndjson), or
 * { kind: 'appendlog', file } for any other file. Throws a UsageError for a missing path.
 */
function resolveTarget(p) {
  if (typeof p !== 'string' || p === '') throw new UsageError('missing PATH')
  let st
  try {
    st = fs.statSync(p)
  } catch (err) {
    throw new UsageError(`${p}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`)
  }
  const abs = path.resolve(p)
  if (st.isDirectory()) return { kind: 'ledger', dir: abs, file: path.join(abs, 'events.ndjson') }
  if (!st.isFile()) throw new UsageError(`${p}: not a directory or a regular file`)
  if (path.basename(abs) === 'events.ndjson') return { kind: 'ledger', dir: path.dirname(abs), file: abs }
  return { kind: 'appendlog', file: abs }
}

/** The commands that rewrite, import or aggregate runs work on ledger directories only. */
function requireLedger(target, command) {
  if (target.kind !== 'ledger') {
    throw new UsageError(`${command}: ${target.file} is not a ledger directory (an AppendLog file?)`)
  }
}

const CHUNK = 4 << 20

/**
 * Calls onLine(text, lineNo, endOffset) for every newline-terminated line of `file` in
 * [start, end), with lineNo counted from `firstLine`. Returns { offset, lineNo, tail }: where
 * the last complete line ended, the next line's number, and the unterminated rest (a torn write
 * or one still in flight), never passed to onLine. onProgress(bytesDone) after each chunk.
 */
function readLines(file, { start = 0, end = Infinity, firstLine = 1, onLine, onProgress } = {}) {
  let fd
  try {
    fd = fs.openSync(file, 'r')
  } catch (err) {
    if (err.code === 'ENOENT') return { offset: start, lineNo: firstLine, tail: '', ino: undefined }
    throw err
  }
  try {
    const st = fs.fstatSync(fd)
    const stop = Math.min(end, st.size)
    let pos = start
    let lineNo = firstLine
    let carry = Buffer.alloc(0)
    let lineStart = start // file offset of carry[0]
    while (pos < stop) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, stop - pos))
      const n = fs.readSync(fd, chunk, 0, chunk.length, pos)
      if (n === 0) break
      pos += n
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n)
      let from = 0
      for (let nl = buf.indexOf(10, from); nl !== -1; nl = buf.indexOf(10, from)) {
        // Decoded per line, so a multi-byte character split by a chunk boundary stays whole.
        onLine(buf.toString('utf8', from, nl), lineNo++, lineStart + nl + 1)
        from = nl + 1
      }
      lineStart += from
      carry = Buffer.from(buf.subarray(from))
      onProgress?.(pos - start)
    }
    return { offset: lineStart, lineNo, tail: carry.toString('utf8'), ino: st.ino }
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * A line as the EventStore's readAll sees it: `trim()` then `JSON.parse`. Returns
 * { value } or { error } (blank lines are an error 'blank line').
 */
function parseLine(text) {
  const t = text.trim()
  if (t === '') return { error: 'blank line' }
  try {
    return { value: JSON.parse(t) }
  } catch (err) {
    return { error: `not JSON: ${err.message}` }
  }
}

/** The offsets at which the last `n` lines of `file` start (reading backwards), or 0. */
function startOfLastLines(file, n) {
  let fd
  try {
    fd = fs.openSync(file, 'r')
  } catch (err) {
    if (err.code === 'ENOENT') return 0
    throw err
  }
  try {
    const size = fs.fstatSync(fd).size
    let pos = size
    let seen = 0
    const buf = Buffer.allocUnsafe(64 << 10)
    // The final newline ends the last line rather than starting one after it.
    let skipFirst = true
    while (pos > 0) {
      const len = Math.min(buf.length, pos)
      pos -= len
      fs.readSync(fd, buf, 0, len, pos)
      for (let i = len - 1; i >= 0; i--) {
        if (buf[i] !== 10) continue
        if (skipFirst && pos + i === size - 1) continue
        if (++seen === n) return pos + i + 1
      }
      skipFirst = false
    }
    return 0
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Follows `file` from `offset`: onLines([{ text, end }]) for each batch of new complete lines,
 * from any writer; onReset() when the file was replaced or shortened (a compaction rewrote it),
 * after which nothing more is read. Wakes on fs.watch of the directory (which sees the
 * file appear and be renamed over) and, since watches can miss events, a 1 s poll.
 * Returns stop().
 */
function followFile(file, { offset, ino, onLines, onReset, keepAlive = true }) {
  let stopped = false
  let busy = false
  let again = false
  const check = () => {
    if (stopped) return
    if (busy) {
      again = true
      return
    }
    busy = true
    try {
      let st
      try {
        st = fs.statSync(file)
      } catch {
        return // not there (yet, or for a moment): wait for it
      }
      if ((ino !== undefined && st.ino !== ino) || st.size < offset) {
        stop()
        onReset()
        return
      }
      ino = st.ino
      if (st.size === offset) return
      const batch = []
      const r = readLines(file, { start: offset, end: st.size, onLine: (text, _n, end) => batch.push({ text, end }) })
      offset = r.offset
      if (batch.length) onLines(batch)
    } finally {
      busy = false
      if (again && !stopped) {
        again = false
        setImmediate(check)
      }
    }
  }
  let watcher = null
  try {
    watcher = fs.watch(path.dirname(file), { persistent: false }, check)
    watcher.on('error', () => {}) // the poll goes on
  } catch {
    // no watch support here: the poll alone
  }
  const timer = setInterval(check, 1000)
  if (!keepAlive) timer.unref()
  function stop() {
    stopped = true
    clearInterval(timer)
    watcher?.close()
  }
  setImmediate(check)
  return stop
}

module.exports = { UsageError, resolveTarget, requireLedger, readLines, parseLine, startOfLastLines, followFile }
