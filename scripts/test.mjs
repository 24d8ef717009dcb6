// `npm test`: the Rust core's tests, the JS suites in __test__/ (Node's test runner), and the
// type checks. The parity suites need the original module; it is unpacked into .original/.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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
run('cargo', ['test', '--release', '--quiet'])
const tests = readdirSync(join(root, '__test__'))
  .filter((f) => /\.test\.(mjs|cjs|js)$/.test(f))
  .map((f) => join('__test__', f))
run(process.execPath, ['--test', '--test-concurrency=2', ...tests])
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '__test__/tsconfig.json'])
