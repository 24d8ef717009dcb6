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

const fetchOriginal = join(root, '..', 'shared', 'tools', 'fetch-original.sh')
if (!existsSync(fetchOriginal)) {
  console.error(`parity tests need ${fetchOriginal} (../shared beside the checkout)`)
  process.exit(1)
}
run('bash', [fetchOriginal, join(root, '.original')])
run('cargo', ['test', '--release', '--quiet'])
const tests = readdirSync(join(root, '__test__'))
  .filter((f) => /\.test\.(mjs|cjs|js)$/.test(f))
  .map((f) => join('__test__', f))
run(process.execPath, ['--test', '--test-concurrency=2', ...tests])
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '__test__/tsconfig.json'])
