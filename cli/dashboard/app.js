'use strict'
// The dashboard page. The server does all aggregation; the page draws what it is sent and
// keeps at most MAX_ROWS rows, so a ledger of any size costs the browser the same.
const MAX_ROWS = 500
const $ = (sel) => document.querySelector(sel)

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props)
  for (const c of children) node.append(c)
  return node
}

const fmtTime = (ms) => (ms === null ? '-' : new Date(ms).toLocaleString())
const fmtPct = (x) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`)
const fmtNum = (x, digits = 2) => (x === null || x === undefined ? '-' : String(Math.round(x * 10 ** digits) / 10 ** digits))

function evaluatorCells(row) {
  const td = el('td')
  for (const r of row.results) td.append(el('span', { className: r.passed ? 'ev' : 'ev bad', title: `${r.name}: ${r.details}` }))
  return td
}

function runRow(row, withTask) {
  const tr = el('tr')
  tr.dataset.id = row.id
  tr.dataset.eventId = row.eventId ?? ''
  tr.append(el('td', { textContent: fmtTime(row.timestamp) }))
  if (withTask) {
    const a = el('a', { className: 'task', textContent: row.taskId, href: '#' })
    a.addEventListener('click', (e) => {
      e.preventDefault()
      showTask(row.taskId)
    })
    tr.append(el('td', {}, a))
  }
  tr.append(
    el('td', { textContent: row.intent ?? '-' }),
    el('td', { textContent: row.outcome }),
    el('td', { className: 'num', textContent: row.durationMs === null ? '-' : `${Math.round(row.durationMs)} ms` }),
    el('td', { className: row.violations ? 'bad' : '', textContent: row.violations ? `${row.violations} (${row.rules.join(', ')})` : '0' }),
    evaluatorCells(row),
  )
  tr.classList.add(row.passed ? 'ok' : 'bad')
  return tr
}

// --- live table ----------------------------------------------------------------------------

function connect() {
  const status = $('#status')
  const tbody = $('#runs-table tbody')
  // EventSource reconnects by itself and sends the last id it saw as Last-Event-ID; the
  // server answers with exactly the runs after it.
  const source = new EventSource('/api/stream')
  source.onopen = () => {
    status.dataset.state = 'live'
    status.textContent = 'live'
  }
  source.onerror = () => {
    status.dataset.state = 'reconnecting'
    status.textContent = 'reconnecting'
  }
  source.addEventListener('reset', () => {
    // The ledger was rewritten (compacted): the rows that follow are its newest runs.
    tbody.replaceChildren()
    refreshSoon()
  })
  source.onmessage = (msg) => {
    const tr = runRow(JSON.parse(msg.data), true)
    if (document.readyState === 'complete') tr.classList.add('new')
    tbody.prepend(tr)
    while (tbody.rows.length > MAX_ROWS) tbody.lastElementChild.remove()
    refreshSoon()
  }
  window.dashboardSource = source // for tests and the curious
}

// --- figures and charts --------------------------------------------------------------------

let refreshTimer = null
function refreshSoon() {
  // A burst of appends redraws the charts once.
  if (refreshTimer === null) refreshTimer = setTimeout(() => ((refreshTimer = null), refresh()), 1000)
}

const charts = {}

// Durations and counts on an axis: 430000 → 430k, so labels fit.
const compact = (u, values) => values.map((v) => (v === null ? '' : Math.abs(v) >= 1000 ? `${+(v / 1000).toFixed(1)}k` : String(+v.toFixed(2))))

function chartOptions(id, series, { bars = false, range } = {}) {
  const target = $(id)
  return {
    width: target.clientWidth,
    height: target.clientHeight,
    // The captions name the series, in their colours: a legend would change the chart's height.
    legend: { show: false },
    scales: { x: { time: true }, y: range ? { range } : {} },
    axes: [{}, { size: 50, values: compact }],
    series: [
      {},
      ...series.map(([label, stroke]) => ({
        label,
        stroke,
        width: 1.5,
        spanGaps: false,
        ...(bars ? { fill: stroke + '66', paths: uPlot.paths.bars({ size: [0.8, 40] }), points: { show: false } } : {}),
      })),
    ],
  }
}

function draw(id, data, series, opts) {
  if (charts[id]) return charts[id].setData(data)
  charts[id] = new uPlot(chartOptions(id, series, opts), data, $(id))
}

// Counts and rates start at zero, so a bar's height means what it looks like.
const fromZero = (u, min, max) => [0, Math.max(1, max * 1.1)]

async function refresh() {
  const [summary, series] = await Promise.all([fetch('/api/summary').then((r) => r.json()), fetch('/api/series').then((r) => r.json())])
  $('#file').textContent = summary.file
  $('#runs').textContent = summary.runs
  $('#tasks').textContent = summary.tasks
  $('#pass').textContent = fmtPct(summary.passRate)
  $('#vrate').textContent = fmtNum(summary.metrics.violationRate)
  $('#selfcorr').textContent = fmtPct(summary.metrics.selfCorrectionRate)
  $('#rework').textContent = fmtNum(summary.metrics.reworkLines)
  drawRanking(summary.ranking)
  document.querySelectorAll('.interval').forEach((n) => (n.textContent = intervalName(series.intervalMs)))
  draw('#chart-runs', [series.t, series.runs], [['runs', '#2563eb']], { bars: true, range: fromZero })
  draw('#chart-pass', [series.t, series.passRate], [['pass rate', '#15803d']], { range: [0, 100] })
  draw('#chart-violations', [series.t, series.violationRate], [['violations / 10 runs', '#b91c1c']], { range: fromZero })
  draw('#chart-duration', [series.t, series.p50, series.p90, series.p99], [['p50', '#0891b2'], ['p90', '#ca8a04'], ['p99', '#9333ea']], { range: fromZero })
  document.body.dataset.ready = 'true'
}

function intervalName(ms) {
  if (!ms) return 'interval'
  const units = [[86400000, 'day'], [3600000, 'hour'], [60000, 'minute'], [1000, 'second']]
  const [size, name] = units.find(([u]) => ms % u === 0) ?? [1, 'ms']
  return ms === size ? name : `${ms / size} ${name}s`
}

function drawRanking(ranking) {
  const top = ranking[0]?.score || 1
  $('#ranking tbody').replaceChildren(
    ...ranking.map((r) =>
      el(
        'tr',
        {},
        el('td', {}, el('div', { textContent: r.ruleId }), el('div', { className: 'bar', style: `width:${(100 * r.score) / top}%` })),
        el('td', { className: 'num', textContent: r.frequency }),
        el('td', { className: 'num', textContent: fmtNum(r.cost) }),
        el('td', { className: 'num', textContent: fmtNum(r.score) }),
      ),
    ),
  )
  if (!ranking.length) $('#ranking tbody').append(el('tr', {}, el('td', { colSpan: 4, textContent: 'no violations' })))
}

async function showTask(taskId) {
  const t = await fetch(`/api/task?id=${encodeURIComponent(taskId)}`).then((r) => r.json())
  $('#task-id').textContent = taskId
  $('#task-summary').textContent =
    `${t.runs} runs, ${fmtPct(t.passRate)} pass, ${fmtNum(t.metrics.violationRate)} violations / 10 runs` +
    (t.rows.length < t.runs ? ` (newest ${t.rows.length} shown)` : '')
  $('#task-table tbody').replaceChildren(...t.rows.map((row) => runRow(row, false)))
  $('#task-panel').hidden = false
}

$('#task-close').addEventListener('click', () => ($('#task-panel').hidden = true))
window.addEventListener('resize', () => {
  for (const [id, chart] of Object.entries(charts)) chart.setSize({ width: $(id).clientWidth, height: $(id).clientHeight })
})

connect()
refresh()
