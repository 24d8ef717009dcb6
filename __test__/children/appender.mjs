// Appends `count` distinct events (ids `<prefix>-<i>`) one at a time ({"go": true} starts it), then answers {done}.
import { EventStore, storagePath, rest, say, onCommands } from './child-common.mjs'

const count = Number(rest[0])
const prefix = rest[1] ?? 'appended'
const store = new EventStore(storagePath)

onCommands(async (cmd) => {
  if (!('go' in cmd)) return
  for (let i = 0; i < count; i++) {
    await store.append({ eventId: `${prefix}-${i}`, taskId: `task-${i % 10}`, timestamp: 1_700_000_000_000 + i, seq: i })
  }
  say({ done: true, count })
})
say({ ready: true, pid: process.pid })
