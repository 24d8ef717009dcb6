'use strict'
// `verify PATH`: reads the files as the library would and reports what it would skip, cut or
// distrust, each as `file:line: what`. Read-only.
const fs = require('node:fs')
const path = require('node:path')
const { resolveTarget, readLines, parseLine } = require('./source.js')
const { progress } = require('./progress.js')

// A .lock without a pid is judged by age, as the original does.
const LOCK_STALE_MS = 30_000

async function verify(p, opts) {
  const target = resolveTarget(p)
  const problems = []
  const notes = []
  if (target.kind === 'ledger') verifyLedger(target, problems, notes)
  else verifyAppendLog(target.file, problems, notes)
  if (!opts.quiet) for (const n of notes) console.log(n)
  for (const pr of problems) console.log(pr)
  console.log(problems.length ? `${problems.length} problem${problems.length > 1 ? 's' : ''} found` : 'clean')
  return problems.length ? 1 : 0
}

/** Every line of `file` through check(value, lineNo) → problem text or undefined; the torn tail. */
function scan(file, problems, check) {
  const rel = path.basename(file)
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0
  // Only large files draw a bar; a small one is done before anyone could read it.
  const bar = size > 16 << 20 ? progress(`verifying ${rel}`, size) : { update() {}, end() {} }
  let r
  try {
    r = readLines(file, {
      onLine: (text, lineNo) => {
        const { value, error } = parseLine(text)
        const problem = error ?? check(value, lineNo)
        if (problem) problems.push(`${file}:${lineNo}: ${problem}`)
      },
      onProgress: (done) => bar.update(done),
    })
  } finally {
    bar.end()
  }
  if (r.tail !== '') {
    const what = parseLine(r.tail).error ? 'not JSON' : 'valid JSON'
    problems.push(`${file}:${r.lineNo}: unterminated last line, ${what} (a torn write, or one still in flight)`)
  }
  return { lines: r.lineNo - 1, bytes: r.offset + Buffer.byteLength(r.tail) }
}

function verifyLedger({ dir, file }, problems, notes) {
  // What index.json should say, built as the store builds it.
  let count = 0
  let oldest = null
  let newest = null
  const taskIds = new Set()
  const { lines, bytes } = scan(file, problems, (e) => {
    count++
    const isObject = e !== null && typeof e === 'object' && !Array.isArray(e)
    const ts = isObject ? e.timestamp : undefined
    if (typeof ts === 'number' && !Number.isNaN(ts)) {
      if (oldest === null || ts < oldest) oldest = ts
      if (newest === null || ts > newest) newest = ts
    }
    taskIds.add(JSON.stringify(isObject ? (e.taskId ?? null) : null))
    if (!isObject) return 'not an object (kept by readAll, but not an event)'
    if (typeof ts !== 'number') return `timestamp is ${JSON.stringify(ts) ?? 'missing'}, not a number (compact sorts it as the oldest; readRange never returns it)`
    return undefined
  })
  notes.push(`${file}: ${lines} line${lines === 1 ? '' : 's'}, ${count} event${count === 1 ? '' : 's'}, ${bytes} bytes`)
  if (!fs.existsSync(file)) notes.push(`${file}: no events file (an empty ledger)`)
  checkIndex(path.join(dir, 'index.json'), { count, oldest, newest, taskIds, bytes }, problems, notes)
  checkLock(path.join(dir, '.lock'), problems, notes)
}

function checkIndex(file, actual, problems, notes) {
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if (err.code !== 'ENOENT') throw err
    if (actual.count > 0) problems.push(`${file}: missing (the original's getStats() reads it; native-ledger rebuilds it on open)`)
    return
  }
  let index
  try {
    index = JSON.parse(text)
  } catch (err) {
    problems.push(`${file}:1: not JSON: ${err.message}`)
    return
  }
  if (index === null || typeof index !== 'object') {
    problems.push(`${file}:1: not an object`)
    return
  }
  const wrong = []
  if (index.eventCount !== actual.count) wrong.push(`eventCount is ${index.eventCount}, the events file has ${actual.count}`)
  if (index.oldestTimestamp !== actual.oldest) wrong.push(`oldestTimestamp is ${index.oldestTimestamp}, the oldest event's is ${actual.oldest}`)
  if (index.newestTimestamp !== actual.newest) wrong.push(`newestTimestamp is ${index.newestTimestamp}, the newest event's is ${actual.newest}`)
  const listed = Array.isArray(index.taskIds) ? new Set(index.taskIds.map((t) => JSON.stringify(t))) : null
  if (listed === null) wrong.push('taskIds is not an array')
  else if (listed.size !== actual.taskIds.size || [...actual.taskIds].some((t) => !listed.has(t))) {
    wrong.push(`taskIds lists ${listed.size} tasks, the events have ${actual.taskIds.size}`)
  }
  if ('ndjsonBytes' in index && index.ndjsonBytes !== actual.bytes) {
    wrong.push(`ndjsonBytes is ${index.ndjsonBytes}, events.ndjson has ${actual.bytes} (stale: native-ledger rebuilds it on open)`)
  }
  for (const w of wrong) problems.push(`${file}: ${w}`)
  if (!wrong.length) notes.push(`${file}: agrees with the events`)
}

function checkLock(file, problems, notes) {
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if (err.code !== 'ENOENT') throw err
    notes.push(`${file}: not held`)
    return
  }
  let lock
  try {
    lock = JSON.parse(text)
  } catch (err) {
    problems.push(`${file}:1: not JSON: ${err.message}`)
    return
  }
  const age = Date.now() - Number(lock?.timestamp)
  if (Number.isSafeInteger(lock?.pid)) {
    if (pidAlive(lock.pid)) notes.push(`${file}: held by pid ${lock.pid} (${lock.holder}), refreshed ${Math.round(age / 1000)} s ago`)
    else problems.push(`${file}: stale: pid ${lock.pid} is not running (native-ledger takes it over at once)`)
  } else if (!(age < LOCK_STALE_MS)) {
    problems.push(`${file}: stale: no pid, ${Number.isFinite(age) ? `${Math.round(age / 1000)} s old` : 'no timestamp'}`)
  } else {
    notes.push(`${file}: held (no pid), ${Math.round(age / 1000)} s old`)
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM' // alive, someone else's
  }
}

function verifyAppendLog(file, problems, notes) {
  let lastSeq = null
  const { lines } = scan(file, problems, (r) => {
    if (r === null || typeof r !== 'object' || !Number.isSafeInteger(r.seq) || typeof r.ts !== 'number' || !('data' in r)) {
      return 'not an AppendLog record {"seq","ts","data"}'
    }
    const problem = lastSeq !== null && r.seq <= lastSeq ? `seq ${r.seq} after seq ${lastSeq}: seqs must rise` : undefined
    lastSeq = r.seq
    return problem
  })
  notes.push(`${file}: ${lines} line${lines === 1 ? '' : 's'}${lastSeq === null ? '' : `, last seq ${lastSeq}`}`)
}

module.exports = { verify }
