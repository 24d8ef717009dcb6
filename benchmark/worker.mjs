// One workload, one implementation, one fresh process (spawned by run.mjs):
//   node benchmark/worker.mjs setup <workload> <impl> <dir> [--quick]   writes the fixture
//   node benchmark/worker.mjs run   <workload> <impl> <dir> [--quick]   measures
// The fixture is written by its own process so that `run`'s peak RSS is the workload's alone.
// Prints exactly one JSON line on stdout: the result, or { error }.
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..')

async function loadImpl(impl) {
  if (impl === 'original') {
    const dist = join(repo, '.original', 'dist')
    const persistence = await import(pathToFileURL(join(dist, 'persistence.js')).href)
    const ledger = await import(pathToFileURL(join(dist, 'ledger.js')).href)
    return { ...ledger, ...persistence }
  }
  if (impl === 'native') {
    // BENCH_NATIVE_MODULE: measure another build (or a stand-in) in the native column.
    const other = process.env.BENCH_NATIVE_MODULE
    if (other) {
      const mod = await import(pathToFileURL(resolve(other)).href)
      return { ...mod.default, ...mod }
    }
    return createRequire(import.meta.url)(join(repo, 'index.js'))
  }
  return {}
}

const [phase, workloadId, impl, dir, ...flags] = process.argv.slice(2)
const quick = flags.includes('--quick')

function finish(obj, code) {
  process.stdout.write(JSON.stringify(obj) + '\n')
  // The implementation under test may hold timers or handles; the measurement is over.
  process.exit(code)
}

try {
  const workload = await import(pathToFileURL(join(here, 'workloads', `${workloadId}.mjs`)).href)
  const ctx = { dir, quick, impl }
  if (phase === 'setup') {
    if (workload.setup) await workload.setup(ctx)
    finish({ ok: true }, 0)
  } else {
    ctx.lib = await loadImpl(impl)
    const result = await workload.run(ctx)
    const peakRssMB = process.resourceUsage().maxRSS / 1024
    finish({ ...result, peakRssMB }, 0)
  }
} catch (err) {
  finish({ error: String(err && err.stack ? err.stack.split('\n')[0] : err) }, 1)
}
