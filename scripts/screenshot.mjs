// Remakes docs/dashboard.png: a demo ledger of 2,000 runs, `native-ledger serve` on it, and a
// screenshot of the page in headless chromium.   node scripts/screenshot.mjs [out.png]
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createEventStore } from '../index.mjs'
import { makeEvents } from '../__test__/helpers/events.mjs'
import { repoRoot, startServe, launchChromium } from '../__test__/helpers/dashboard.mjs'

const out = process.argv[2] ?? join(repoRoot, 'docs', 'dashboard.png')
const dir = join(repoRoot, '.tmp', 'screenshot-ledger')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
// The seeded generator: the same picture every time, bar the clock in the table.
await createEventStore(dir).writeAll(makeEvents(2000, 7, { taskIdCount: 12 }))

const server = await startServe(dir)
const chromium = await launchChromium()
try {
  const page = await chromium.context.newPage()
  await page.setViewportSize({ width: 1200, height: 820 })
  await page.goto(server.url)
  await page.waitForSelector('body[data-ready="true"]')
  await page.waitForSelector('#runs-table tbody tr')
  await page.screenshot({ path: out })
  console.log(`wrote ${out}`)
} finally {
  await chromium.close()
  await server.stop()
}
