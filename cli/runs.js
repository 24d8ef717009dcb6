'use strict'
// Run events as the command line and the dashboard show them. A ledger can hold any JSON, so
// nothing here assumes a field is there or has its type.

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** The violations of `e` that name a rule, so RunLedger's metrics never meet a null. */
function violationsOf(e) {
  return Array.isArray(e?.violations) ? e.violations.filter((v) => v !== null && typeof v === 'object') : []
}

/** What computeMetrics() and rankViolations() read of an event, made safe for any event. */
function metricView(e) {
  return { violations: violationsOf(e), reworkLines: num(e?.reworkLines) ?? 0 }
}

const isRun = (e) => e !== null && typeof e === 'object' && !Array.isArray(e) && typeof e.taskId === 'string'

function outcomeOf(e) {
  return e?.outcomeAccepted === true ? 'accepted' : e?.outcomeAccepted === false ? 'rejected' : 'pending'
}

const iso = (ms) => (num(ms) !== null && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms))

/** One line of `tail`. */
function formatEvent(e) {
  if (!isRun(e)) return JSON.stringify(e)
  const tests = e.testResults?.ran
    ? `tests ${e.testResults.passed ?? 0}/${(e.testResults.passed ?? 0) + (e.testResults.failed ?? 0)}`
    : 'no tests'
  const v = violationsOf(e)
  const viol = v.length ? `${v.length} violation${v.length > 1 ? 's' : ''} (${[...new Set(v.map((x) => x.ruleId))].join(', ')})` : 'no violations'
  const dur = num(e.durationMs) !== null ? `${Math.round(e.durationMs)} ms` : '- ms'
  return [iso(e.timestamp), e.taskId, e.intent ?? '-', dur, tests, viol, outcomeOf(e)].join('  ')
}

const CSV_COLUMNS = [
  ['eventId', (e) => e.eventId],
  ['taskId', (e) => e.taskId],
  ['intent', (e) => e.intent],
  ['timestamp', (e) => e.timestamp],
  ['time', (e) => (num(e.timestamp) !== null ? iso(e.timestamp) : '')],
  ['durationMs', (e) => e.durationMs],
  ['outcome', outcomeOf],
  ['testsRan', (e) => e.testResults?.ran],
  ['testsPassed', (e) => e.testResults?.passed],
  ['testsFailed', (e) => e.testResults?.failed],
  ['testsSkipped', (e) => e.testResults?.skipped],
  ['violations', (e) => violationsOf(e).length],
  ['violatedRules', (e) => violationsOf(e).map((v) => v.ruleId).join(';')],
  ['reworkLines', (e) => e.reworkLines],
  ['linesAdded', (e) => e.diffSummary?.linesAdded],
  ['linesRemoved', (e) => e.diffSummary?.linesRemoved],
  ['filesChanged', (e) => e.diffSummary?.filesChanged],
  ['guidanceHash', (e) => e.guidanceHash],
  ['sessionId', (e) => e.sessionId],
]

// RFC 4180: quote a field holding a comma, quote or line break; double its quotes.
function csvField(v) {
  if (v === undefined || v === null) return ''
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const csvHeader = () => CSV_COLUMNS.map(([name]) => name).join(',')
const csvRow = (e) => CSV_COLUMNS.map(([, get]) => csvField(e !== null && typeof e === 'object' ? get(e) : undefined)).join(',')

module.exports = { num, violationsOf, metricView, isRun, outcomeOf, iso, formatEvent, csvHeader, csvRow }
