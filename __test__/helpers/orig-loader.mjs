// Private stand-in for helpers/original.mjs (being written elsewhere): loads the published
// original from <repo>/.original/dist, which scripts/test.mjs unpacks before the suites run.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const originalDist = join(root, '.original', 'dist')

export async function loadOriginal() {
  const persistencePath = join(originalDist, 'persistence.js')
  if (!existsSync(persistencePath)) {
    throw new Error(`${persistencePath} is missing: run bash ../shared/tools/fetch-original.sh .original`)
  }
  const persistence = await import(pathToFileURL(persistencePath).href)
  const ledger = await import(pathToFileURL(join(originalDist, 'ledger.js')).href)
  return { persistence, ledger }
}
