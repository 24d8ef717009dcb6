import { appendBatches } from './13-appendlog-append.mjs'

// The seed's own entries are small edits ({ kind, file }), not whole RunEvents: with those,
// JSON.stringify no longer bounds the rate and the engine's own cost shows.
export const title = 'AppendLog append of 100 entries per call, sustained (seed-sized entries)'
export const how =
  'As the row above, with entries like the seed\'s: `{ kind, file, turn }` (about 50 bytes of JSON).'
export const impls = ['native']
export const target = { text: '>= 500,000 entries/s', met: ({ native }) => native.ok && native.value >= 500_000 }

export const run = (args) =>
  appendBatches(args, (pool) => pool.map((e, i) => ({ kind: 'tweak', file: e.filesTouched[0] ?? 'a', turn: i })))
