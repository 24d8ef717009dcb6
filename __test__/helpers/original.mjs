// Loads the published original (@claude-flow/guidance persistence.js and ledger.js) from
// <repo>/.original, unpacking it there first if it is missing. Parity tests and benchmarks run
// it side by side with ours.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const originalDir = join(repoRoot, '.original')
const fetchScript = join(repoRoot, '..', 'shared', 'tools', 'fetch-original.sh')
const modulePath = (name) => join(originalDir, 'dist', `${name}.js`)

function unpack() {
  if (existsSync(modulePath('persistence')) && existsSync(modulePath('ledger'))) return
  if (!existsSync(fetchScript)) throw new Error(`the original is missing and ${fetchScript} is not there to fetch it`)
  // Unpack beside, then rename into place: test files run in parallel and may all get here;
  // the first rename wins and nobody sees a half-extracted directory.
  const staging = mkdtempSync(join(repoRoot, '.original-staging-'))
  try {
    const r = spawnSync('bash', [fetchScript, staging], { stdio: ['ignore', 'ignore', 'inherit'] })
    if (r.status !== 0) throw new Error(`${fetchScript} failed (${r.status ?? r.signal})`)
    try {
      renameSync(staging, originalDir)
    } catch (err) {
      if (!existsSync(modulePath('ledger'))) throw err
    }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

let loading
/** @returns {Promise<{ persistence: object, ledger: object }>} the original's module namespaces */
export function loadOriginal() {
  loading ??= (async () => {
    unpack()
    const [persistence, ledger] = await Promise.all([
      import(pathToFileURL(modulePath('persistence')).href),
      import(pathToFileURL(modulePath('ledger')).href),
    ])
    return { persistence, ledger }
  })()
  return loading
}
