// `npm run bench`: every workload in benchmark/workloads/, on the original and on native-ledger,
// each in a fresh child process with its own temp directory; prints the table and, on a full
// run, writes it to BENCHMARKS.md with the machine it ran on.
//   --only <substring>   only workloads whose file name or title contains it
//   --quick              reduced sizes, for smoke runs (never written to BENCHMARKS.md)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { makeEvents } from './events.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..')
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null
const CHILD_TIMEOUT_MS = 180_000

const log = (msg) => process.stderr.write(msg + '\n')

// ---- the original, unpacked beside the repository's sources --------------------------------
const fetchOriginal = join(repo, '..', 'shared', 'tools', 'fetch-original.sh')
const fetched = spawnSync('bash', [fetchOriginal, join(repo, '.original')], { stdio: ['ignore', 'inherit', 'inherit'] })
const originalAvailable = fetched.status === 0
if (!originalAvailable) log(`could not unpack the original with ${fetchOriginal}: its column will be n/a`)

// ---- workloads -----------------------------------------------------------------------------
const workloads = []
for (const file of readdirSync(join(here, 'workloads')).filter((f) => f.endsWith('.mjs')).sort()) {
  const id = file.slice(0, -4)
  const mod = await import(pathToFileURL(join(here, 'workloads', file)).href)
  if (only && !id.includes(only) && !mod.title.includes(only)) continue
  workloads.push({ id, ...mod, impls: mod.impls ?? ['original', 'native'] })
}
if (workloads.length === 0) {
  log(`no workload matches --only ${only}`)
  process.exit(1)
}

/** Runs one phase of worker.mjs in a fresh process; returns its JSON line or { error }. */
function child(phase, w, impl, dir) {
  const argv = [join(here, 'worker.mjs'), phase, w.id, impl, dir, ...(quick ? ['--quick'] : [])]
  let cmd = process.execPath
  let cmdArgs = argv
  if (phase === 'run' && w.openFileLimit) {
    // `exec` so that the timeout's kill reaches node itself.
    cmd = 'bash'
    cmdArgs = ['-c', `ulimit -n ${w.openFileLimit} && exec "$0" "$@"`, process.execPath, ...argv]
  }
  const r = spawnSync(cmd, cmdArgs, {
    cwd: repo,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 16 << 20,
  })
  const line = (r.stdout || '').trim().split('\n').pop()
  try {
    return JSON.parse(line)
  } catch {
    if (r.error?.code === 'ETIMEDOUT') return { error: `timed out after ${CHILD_TIMEOUT_MS / 1000} s` }
    const why = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`
    return { error: `${why}: ${(r.stderr || '').trim().split('\n').slice(-1)[0] || 'no output'}` }
  }
}

function measure(w, impl) {
  if (impl === 'original' && !originalAvailable) return { error: 'original unavailable' }
  const dir = mkdtempSync(join(os.tmpdir(), `native-ledger-bench-${w.id}-${impl}-`))
  try {
    if (w.setup) {
      const s = child('setup', w, impl, dir)
      if (s.error) return { error: `setup: ${s.error}` }
    }
    return child('run', w, impl, dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---- formatting ----------------------------------------------------------------------------
const num = (x, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const UNITS = { 'events/s': 'ev/s', 'entries/s': 'entries/s', 'calls/s': 'calls/s', ms: 'ms', 'MB/s': 'MB/s' }
function fmtValue(r) {
  const v = r.value
  const digits = r.unit === 'ms' ? (v < 1 ? 3 : v < 10 ? 2 : v < 100 ? 1 : 0) : v < 100 ? 1 : 0
  return `${num(v, digits)} ${UNITS[r.unit] ?? r.unit}`
}
const fmtRatio = (x) => (x >= 100 ? `${num(x)}x` : x >= 10 ? `${num(x, 1)}x` : `${num(x, 2)}x`)
const fmtMs = (x) => (x == null ? '—' : x < 10 ? num(x, 1) : num(x))
// The raw gap is shown too where waiting for a CPU made up much of it.
const fmtStall = (s) => (s == null ? '—' : s.rawMs - s.ms > 5 ? `${fmtMs(s.ms)} (raw ${fmtMs(s.rawMs)})` : fmtMs(s.ms))
const short = (s, max = 80) => (s.length > max ? s.slice(0, max - 1) + '…' : s)

function cell(r, impl, w) {
  if (!w.impls.includes(impl)) return '—'
  if (!r) return ''
  if (r.error) return impl === 'native' ? 'n/a (not implemented)' : 'n/a'
  if (r.failed) return r.failed
  return fmtValue(r)
}
const usable = (r) => r && !r.error && !r.failed

function row(w, res) {
  const o = res.original
  const n = res.native
  let ratio = null
  if (usable(o) && usable(n)) ratio = n.better === 'higher' ? n.value / o.value : o.value / n.value
  let met = 'n/a'
  if (w.target && usable(n) && (ratio !== null || !w.impls.includes('original') || !usable(o))) {
    try {
      met = w.target.met({ ratio: ratio ?? NaN, original: o ?? {}, native: n }) ? 'yes' : 'NO'
    } catch {
      met = 'n/a'
    }
  } else if (w.target && n?.failed) {
    met = 'NO'
  }
  const pair = (f) =>
    w.impls
      .filter((i) => i !== 'machine')
      .map((i) => (res[i] && !res[i].error ? f(res[i]) : '—'))
      .join(' / ')
  const notes = []
  for (const impl of w.impls) {
    const r = res[impl]
    if (!r) continue
    const label = impl === 'native' ? 'native' : 'orig'
    if (r.error) notes.push(`${label}: ${short(r.error, 60)}`)
    else if (r.check) notes.push(`${label}: ${r.check}${r.ok === false ? ' (WRONG)' : ''}`)
  }
  return [
    w.title,
    cell(o, 'original', w),
    cell(n, 'native', w),
    ratio === null ? '—' : fmtRatio(ratio),
    w.target?.text ?? '',
    met,
    pair((r) => num(r.peakRssMB)),
    pair((r) => fmtStall(r.stall)),
    notes.join('; '),
  ]
}

function markdownTable(header, rows) {
  const esc = (s) => String(s).replaceAll('|', '\\|')
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => esc(r[i]).length)))
  const line = (cells) => `| ${cells.map((c, i) => esc(c).padEnd(widths[i])).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

// ---- run -----------------------------------------------------------------------------------
const started = Date.now()
const loadBefore = os.loadavg()[0]
const mainRows = []
const limitRows = []
for (const w of workloads) {
  const res = {}
  for (const impl of w.impls) {
    const t0 = Date.now()
    res[impl] = measure(w, impl)
    const r = res[impl]
    const shown = r.error ? `error: ${r.error}` : r.failed ? r.failed : fmtValue(r)
    log(`  ${w.id} [${impl}] ${shown} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  }
  if (w.impls.includes('machine')) {
    const r = res.machine
    limitRows.push([w.title, r.error ? `error: ${r.error}` : fmtValue(r), r.check ?? ''])
  } else {
    mainRows.push(row(w, res))
  }
}
const elapsedS = (Date.now() - started) / 1000

const sh = (cmd) => spawnSync('bash', ['-c', cmd], { encoding: 'utf8' }).stdout?.trim() ?? ''
const gitDirty = sh(`git -C ${JSON.stringify(repo)} status --porcelain -- lib src index.js`) !== ''
const cpus = os.cpus()
const machine = [
  `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores; RAM ${num(os.totalmem() / 2 ** 30, 1)} GiB`,
  `- OS: ${os.type()} ${os.release()} (${os.arch()}); Node ${process.version}`,
  `- temp directory ${os.tmpdir()} on ${sh(`stat -f -c %T ${JSON.stringify(os.tmpdir())}`)}; open-file limit ${sh('ulimit -n')}`,
  `- 1-minute load average ${num(loadBefore, 1)} before the run, ${num(os.loadavg()[0], 1)} after it (other work on the machine shows up as noise)`,
  `- commit ${sh(`git -C ${JSON.stringify(repo)} rev-parse --short HEAD`)}${gitDirty ? ' (lib/src with uncommitted changes)' : ''}; run took ${num(elapsedS)} s${quick ? '; --quick sizes' : ''}`,
]

const header = ['workload', 'original', 'native-ledger', 'ratio', 'target', 'met?', 'peak RSS MB (orig / native)', 'max stall ms (orig / native)', 'notes']
const tables = [markdownTable(header, mainRows)]
if (limitRows.length) tables.push(markdownTable(['machine limit, same events', 'value', 'notes'], limitRows))

console.log('')
console.log(tables.join('\n\n'))
console.log('')
console.log(machine.join('\n'))

const sample = makeEvents(1_000)
const lineBytes = Math.round(sample.reduce((sum, e) => sum + JSON.stringify(e).length + 1, 0) / sample.length)

if (quick || only) {
  log('\n(partial or --quick run: BENCHMARKS.md left as it is)')
} else {
  const md = `# Benchmarks

Latest full run of \`npm run bench\` (\`node benchmark/run.mjs\`), ${new Date().toISOString().slice(0, 10)}.
Each cell comes from a fresh Node process running one workload on one implementation, in its own
temp directory; "original" is \`@claude-flow/guidance@3.0.0-alpha.3\`
(\`../shared/tools/fetch-original.sh\`), "native-ledger" is this repository's \`index.js\`.

${tables[0]}

Ratio = how many times better native-ledger is (throughput: native / original; time: original /
native). Events are RunEvent-shaped, ${lineBytes} bytes per NDJSON line on average, generated
deterministically (\`benchmark/events.mjs\`); fixtures are written as the original would have left
them, before the measured phase, by a separate process. Peak RSS is the measuring process's
\`maxRSS\`. Max stall is the longest gap between two ticks of a 1 ms interval timer during the
measured phase (an idle event loop shows about 1 ms), less the time the main thread spent
waiting for a CPU within that gap (\`/proc/thread-self/schedstat\`): on a busy machine a tick is
also late when the thread is merely runnable while worker threads or other processes hold the
CPUs. "(raw N)" shows the undiscounted gap where the two differ by more than 5 ms. Loops of
calls let the event loop turn every 0.5 ms (as a server does between requests), so a loop over
already-settled promises is not itself counted as a stall. "n/a (not implemented)": the native
worker failed (see notes). Where the original loses events, the cell says how many instead of a
rate.

How each row is measured:

${workloads.map((w) => `- ${w.title}: ${w.how ?? ''}`).join('\n')}

The limits of this machine for the same data:

${tables[1] ?? '(not measured)'}

Machine:

${machine.join('\n')}

Reproduce: \`npm install && npm run bench\` (about ${Math.max(1, Math.round(elapsedS / 60))} min; needs \`../shared\` beside the
checkout for the original). \`node benchmark/run.mjs --only <substring>\` runs some workloads,
\`--quick\` runs reduced sizes; neither rewrites this file. Timings are not asserted by \`npm test\`.
`
  writeFileSync(join(repo, 'BENCHMARKS.md'), md)
  log('\nwrote BENCHMARKS.md')
}
