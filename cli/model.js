'use strict'
// What the dashboard shows, kept in the server: every run of the ledger with its evaluator
// results, followed as any process appends, and the aggregates over them (cached until the
// next append), so the page only ever receives a few hundred rows and a few hundred points.
const { createLedger } = require('../index.js')
const { readLines, parseLine, followFile } = require('./source.js')
const { num, violationsOf, metricView, isRun, outcomeOf } = require('./runs.js')

class LedgerModel {
  constructor(file) {
    this.file = file
    // Only for its metrics and evaluators, over views of the runs: never saved anywhere.
    this.ledger = createLedger()
    this.listeners = new Set()
    this.stopFollowing = null
    this.queue = Promise.resolve()
  }

  /** Reads the whole file, then follows it. */
  async open() {
    const records = []
    const r = readLines(this.file, {
      onLine: (text, _n, end) => {
        const { value } = parseLine(text)
        if (isRun(value)) records.push({ cursor: end, event: value })
      },
    })
    await this.#evaluate(records)
    // A stream id names the file it points into (its inode, which a rewrite changes), so a
    // client resuming across a compaction is told to start over rather than skip or repeat.
    this.gen = String(r.ino ?? 0)
    this.records = records
    this.views = records.map((rec) => metricView(rec.event))
    this.cache = new Map()
    this.stopFollowing = followFile(this.file, {
      offset: r.offset,
      ino: r.ino,
      onLines: (lines) => this.#then(() => this.#add(lines)),
      onReset: () => this.#then(() => this.#reopen()),
    })
  }

  close() {
    this.stopFollowing?.()
  }

  // Changes apply one at a time, in file order; one that fails is reported and does not stop
  // the ones after it.
  #then(change) {
    this.queue = this.queue.then(change).catch((err) => console.error(`native-ledger serve: ${err.message}`))
  }

  async #evaluate(records) {
    for (let i = 0; i < records.length; i += 2000) {
      await Promise.all(records.slice(i, i + 2000).map(async (rec) => (rec.row = await this.#row(rec))))
    }
  }

  async #row({ cursor, event: e }) {
    let results
    try {
      results = (await this.ledger.evaluate(e)).map(({ name, passed, details }) => ({ name, passed, details }))
    } catch (err) {
      results = [{ name: 'evaluate', passed: false, details: `could not evaluate: ${err.message}` }]
    }
    const v = violationsOf(e)
    return {
      id: cursor, // made a stream id with the generation when sent
      eventId: e.eventId ?? null,
      taskId: e.taskId,
      intent: e.intent ?? null,
      timestamp: num(e.timestamp),
      durationMs: num(e.durationMs),
      outcome: outcomeOf(e),
      violations: v.length,
      rules: [...new Set(v.map((x) => x.ruleId))],
      passed: results.every((r) => r.passed),
      results,
    }
  }

  async #add(lines) {
    const fresh = []
    for (const { text, end } of lines) {
      const { value } = parseLine(text)
      if (isRun(value)) fresh.push({ cursor: end, event: value })
    }
    if (!fresh.length) return
    await this.#evaluate(fresh)
    for (const rec of fresh) {
      this.records.push(rec)
      this.views.push(metricView(rec.event))
    }
    this.cache.clear()
    for (const fn of this.listeners) fn({ type: 'rows', records: fresh })
  }

  async #reopen() {
    this.close()
    await this.open()
    for (const fn of this.listeners) fn({ type: 'reset' })
  }

  /** Records after stream id `id` ("<gen>-<cursor>"), or null when it is not of this file. */
  after(id) {
    const m = /^(\d+)-(\d+)$/.exec(id ?? '')
    if (!m || m[1] !== this.gen) return null
    const cursor = Number(m[2])
    let lo = 0
    let hi = this.records.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.records[mid].cursor <= cursor) lo = mid + 1
      else hi = mid
    }
    return this.records.slice(lo)
  }

  streamId(rec) {
    return `${this.gen}-${rec.cursor}`
  }

  #cached(key, compute) {
    if (!this.cache.has(key)) this.cache.set(key, compute())
    return this.cache.get(key)
  }

  summary() {
    return this.#cached('summary', () => {
      let oldest = null
      let newest = null
      let passed = 0
      const tasks = new Set()
      for (const { row } of this.records) {
        tasks.add(row.taskId)
        if (row.passed) passed++
        if (row.timestamp !== null) {
          if (oldest === null || row.timestamp < oldest) oldest = row.timestamp
          if (newest === null || row.timestamp > newest) newest = row.timestamp
        }
      }
      return {
        file: this.file,
        runs: this.records.length,
        tasks: tasks.size,
        oldest,
        newest,
        passRate: this.records.length ? passed / this.records.length : null,
        metrics: this.ledger.computeMetrics(this.views),
        ranking: this.ledger.rankViolations(this.views).slice(0, 20),
      }
    })
  }

  /** Per interval: runs, pass rate, violations per 10 runs, duration p50/p90/p99. */
  series(maxBuckets = 60) {
    return this.#cached(`series:${maxBuckets}`, () => {
      const { oldest, newest } = this.summary()
      if (oldest === null) return { intervalMs: null, t: [], runs: [], passRate: [], violationRate: [], p50: [], p90: [], p99: [] }
      const span = newest - oldest
      const intervalMs = INTERVALS.find((ms) => span / ms < maxBuckets) ?? Math.ceil(span / maxBuckets)
      const first = Math.floor(oldest / intervalMs) * intervalMs
      const n = Math.floor((newest - first) / intervalMs) + 1
      const buckets = Array.from({ length: n }, () => ({ runs: 0, passed: 0, views: [], durations: [] }))
      this.records.forEach(({ row }, i) => {
        if (row.timestamp === null) return
        const b = buckets[Math.floor((row.timestamp - first) / intervalMs)]
        b.runs++
        if (row.passed) b.passed++
        b.views.push(this.views[i])
        if (row.durationMs !== null) b.durations.push(row.durationMs)
      })
      const out = { intervalMs, t: [], runs: [], passRate: [], violationRate: [], p50: [], p90: [], p99: [] }
      buckets.forEach((b, i) => {
        out.t.push((first + i * intervalMs) / 1000) // uPlot's x: seconds
        out.runs.push(b.runs)
        out.passRate.push(b.runs ? (100 * b.passed) / b.runs : null)
        out.violationRate.push(b.runs ? this.ledger.computeMetrics(b.views).violationRate : null)
        b.durations.sort((x, y) => x - y)
        for (const [key, q] of [['p50', 0.5], ['p90', 0.9], ['p99', 0.99]]) out[key].push(percentile(b.durations, q))
      })
      return out
    })
  }

  /** A task's runs, newest first. */
  task(taskId, limit = 200) {
    const rows = []
    let passed = 0
    const views = []
    this.records.forEach(({ row }, i) => {
      if (row.taskId !== taskId) return
      rows.push(row)
      views.push(this.views[i])
      if (row.passed) passed++
    })
    return {
      taskId,
      runs: rows.length,
      passRate: rows.length ? passed / rows.length : null,
      metrics: this.ledger.computeMetrics(views),
      rows: rows.reverse().slice(0, limit),
    }
  }
}

const S = 1000
const INTERVALS = [S, 5 * S, 10 * S, 30 * S, 60 * S, 300 * S, 900 * S, 3600 * S, 6 * 3600 * S, 86400 * S, 7 * 86400 * S, 30 * 86400 * S]

// Nearest rank: a duration that some run really took.
function percentile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : null
}

module.exports = { LedgerModel }
