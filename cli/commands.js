'use strict'
// stats, tail, compact, export, import: the library's own operations (and so its guarantees:
// the lock, atomic rewrites), plus reading lines where the API has no call for it.
const fs = require('node:fs')
const path = require('node:path')
const { createEventStore, createLedger, createAppendLog } = require('../index.js')
const { UsageError, resolveTarget, requireLedger, readLines, parseLine, startOfLastLines, followFile } = require('./source.js')
const { metricView, isRun, iso, formatEvent, csvHeader, csvRow } = require('./runs.js')
const { progress } = require('./progress.js')

function parseCount(text, flag) {
  if (!/^\d+$/.test(text ?? '') || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} wants a whole number >= 0, got '${text}'`)
  }
  return Number(text)
}

function parseTime(text, flag) {
  const ms = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text)
  if (!Number.isFinite(ms)) throw new UsageError(`${flag} wants milliseconds since the epoch or a date, got '${text}'`)
  return ms
}

const kB = (n) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} kB` : `${(n / (1 << 20)).toFixed(1)} MB`)

// Paged writes that wait for the pipe to drain, so a large export never piles up in memory.
async function writeOut(text) {
  if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve))
}

async function stats(p, opts) {
  const target = resolveTarget(p)
  let out
  if (target.kind === 'ledger') {
    const store = createEventStore(target.dir)
    const s = await store.getStats()
    const events = await store.readAll()
    const tasks = new Set(events.filter(isRun).map((e) => e.taskId))
    const metrics = createLedger().computeMetrics(events.map(metricView))
    out = { path: target.dir, ...s, taskCount: tasks.size, metrics }
    if (!opts.json) {
      const rows = [
        ['ledger', target.dir],
        ['events', String(s.eventCount)],
        ['size', kB(s.storageSizeBytes)],
        ['oldest', s.oldestEvent === null ? '-' : iso(s.oldestEvent)],
        ['newest', s.newestEvent === null ? '-' : iso(s.newestEvent)],
        ['tasks', String(tasks.size)],
        ['violationRate', `${round(metrics.violationRate)} per 10 runs`],
        ['selfCorrectionRate', String(round(metrics.selfCorrectionRate))],
        ['reworkLines', `${round(metrics.reworkLines)} per run`],
        ['clarifyingQuestions', String(metrics.clarifyingQuestions)],
      ]
      return print(rows)
    }
  } else {
    const log = createAppendLog(target.file)
    try {
      const [first] = await log.read({ limit: 1 })
      const [last] = await log.read({ reverse: true, limit: 1 })
      // Seqs rise by 1 and truncation only removes a prefix, so the ends give the count.
      const entries = first ? last.seq - first.seq + 1 : 0
      out = {
        path: target.file,
        entries,
        sizeBytes: fs.statSync(target.file).size,
        firstSeq: first?.seq ?? null,
        lastSeq: last?.seq ?? null,
        oldest: first?.ts ?? null,
        newest: last?.ts ?? null,
      }
    } finally {
      await log.close()
    }
    if (!opts.json) {
      return print([
        ['appendlog', out.path],
        ['entries', String(out.entries)],
        ['size', kB(out.sizeBytes)],
        ['seqs', out.entries ? `${out.firstSeq}..${out.lastSeq}` : '-'],
        ['oldest', out.oldest === null ? '-' : iso(out.oldest)],
        ['newest', out.newest === null ? '-' : iso(out.newest)],
      ])
    }
  }
  console.log(JSON.stringify(out, null, 2))
  return 0
}

const round = (x) => Math.round(x * 1000) / 1000

function print(rows) {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2
  console.log(rows.map(([k, v]) => k.padEnd(width) + v).join('\n'))
  return 0
}

async function tail(p, opts) {
  const target = resolveTarget(p)
  const n = opts.lines === undefined ? 10 : parseCount(opts.lines, '-n')
  return target.kind === 'ledger' ? tailLedger(target.file, n, opts) : tailAppendLog(target.file, n, opts)
}

async function tailLedger(file, n, opts) {
  const show = (text) => {
    const parsed = parseLine(text)
    if (parsed.error) return // not an event: readAll skips it too; `verify` reports it
    process.stdout.write((opts.json ? text.trim() : formatEvent(parsed.value)) + '\n')
  }
  const start = n === 0 ? (fs.existsSync(file) ? fs.statSync(file).size : 0) : startOfLastLines(file, n)
  const r = readLines(file, { start, onLine: show })
  if (!opts.follow) return 0
  await new Promise(() => {
    const follow = (offset, ino) =>
      followFile(file, {
        offset,
        ino,
        onLines: (lines) => lines.forEach(({ text }) => show(text)),
        onReset: () => {
          // Rewritten (compacted): what it holds now was seen already, so go on from its end.
          console.error(`native-ledger: ${file} was rewritten; following its new end`)
          const st = fs.statSync(file, { throwIfNoEntry: false })
          follow(st?.size ?? 0, st?.ino)
        },
      })
    follow(r.offset, r.ino)
  })
}

async function tailAppendLog(file, n, opts) {
  const log = createAppendLog(file)
  const show = (entry) =>
    process.stdout.write(
      (opts.json ? JSON.stringify(entry) : `#${entry.seq}  ${isRun(entry.data) ? formatEvent(entry.data) : `${iso(entry.ts)}  ${JSON.stringify(entry.data)}`}`) + '\n',
    )
  const recent = n === 0 ? [] : (await log.read({ reverse: true, limit: n })).reverse()
  recent.forEach(show)
  if (!opts.follow) {
    await log.close()
    return 0
  }
  const [last] = recent.length ? recent.slice(-1) : await log.read({ reverse: true, limit: 1 })
  log.subscribe({ sinceSeq: last?.seq ?? 0 }, show)
  // Subscribers never keep a process alive: this does, until the user interrupts.
  setInterval(() => {}, 1 << 30)
  await new Promise(() => {})
}

async function compact(p, opts) {
  const target = resolveTarget(p)
  requireLedger(target, 'compact')
  if (opts.keep === undefined) throw new UsageError('compact: --keep N is required')
  const keep = parseCount(opts.keep, '--keep')
  const store = createEventStore(target.dir)
  const bar = progress('compacting')
  let evicted
  try {
    evicted = await store.compact(keep)
  } finally {
    bar.end()
  }
  const { eventCount } = await store.getStats()
  console.log(`evicted ${evicted} event${evicted === 1 ? '' : 's'}; ${eventCount} kept in ${target.dir}`)
  return 0
}

async function exportEvents(p, opts) {
  const target = resolveTarget(p)
  requireLedger(target, 'export')
  const format = opts.format ?? 'ndjson'
  if (format !== 'ndjson' && format !== 'csv') throw new UsageError(`--format is ndjson or csv, not '${format}'`)
  const since = opts.since === undefined ? undefined : parseTime(opts.since, '--since')
  const until = opts.until === undefined ? undefined : parseTime(opts.until, '--until')
  const store = createEventStore(target.dir)
  // Without bounds, every event, those without a numeric timestamp included.
  const events =
    since === undefined && until === undefined
      ? await store.readAll()
      : await store.readRange(since ?? -Number.MAX_VALUE, until ?? Number.MAX_VALUE)
  const line = format === 'csv' ? csvRow : (e) => JSON.stringify(e)
  if (format === 'csv') await writeOut(csvHeader() + '\n')
  for (let i = 0; i < events.length; i += 1000) {
    await writeOut(events.slice(i, i + 1000).map(line).join('\n') + '\n')
  }
  return 0
}

async function importEvents(p, file, _opts) {
  let dir
  try {
    const target = resolveTarget(p)
    requireLedger(target, 'import')
    dir = target.dir
  } catch (err) {
    // A new ledger: the store creates the directory on its first write.
    if (fs.existsSync(p) || !fs.existsSync(path.dirname(path.resolve(p)))) throw err
    dir = path.resolve(p)
  }
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`${file}: no such file`)
  const events = []
  const problems = []
  const r = readLines(file, {
    onLine: (text, lineNo) => {
      if (text.trim() === '') return
      const { value, error } = parseLine(text)
      if (error) problems.push(`${file}:${lineNo}: ${error}`)
      else if (value === null || typeof value !== 'object' || Array.isArray(value)) problems.push(`${file}:${lineNo}: not an object`)
      else events.push(value)
    },
  })
  if (r.tail.trim() !== '') {
    const { value, error } = parseLine(r.tail)
    if (error) problems.push(`${file}:${r.lineNo}: ${error}`)
    else events.push(value)
  }
  if (problems.length) {
    console.error(problems.slice(0, 20).join('\n') + (problems.length > 20 ? `\n... and ${problems.length - 20} more` : ''))
    console.error(`native-ledger import: nothing imported (${problems.length} bad line${problems.length > 1 ? 's' : ''})`)
    return 1
  }
  const store = createEventStore(dir)
  const bar = progress('importing', events.length)
  try {
    for (let i = 0; i < events.length; i += 1000) {
      await Promise.all(events.slice(i, i + 1000).map((e) => store.append(e)))
      bar.update(i + 1000)
    }
  } finally {
    bar.end()
  }
  console.log(`imported ${events.length} event${events.length === 1 ? '' : 's'} into ${dir}`)
  return 0
}

module.exports = { stats, tail, compact, exportEvents, importEvents, parseCount }
