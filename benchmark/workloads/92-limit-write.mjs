import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { timed } from '../measure.mjs'

export const title = 'raw sequential write, 64 KiB chunks, then fsync'
export const how =
  '200 MB with `fs.writeSync` in 64 KiB chunks, then `fsync`, in the benchmark\'s temp directory.'
export const impls = ['machine']

export async function run({ dir, quick }) {
  const mb = quick ? 20 : 200
  const chunk = Buffer.alloc(64 * 1024, 'x')
  const fd = openSync(join(dir, 'raw.bin'), 'w')
  const { ms } = await timed(() => {
    for (let i = 0; i < mb * 16; i++) writeSync(fd, chunk)
    fsyncSync(fd)
  })
  closeSync(fd)
  return { value: (mb / ms) * 1000, unit: 'MB/s', better: 'higher', check: `${mb} MB to the benchmark's temp directory` }
}
