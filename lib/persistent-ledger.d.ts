import { RunLedger } from './run-ledger'
import type { RunEvent } from './types'
import type { EventStore, StorageStats } from './event-store'

export interface PersistenceConfig {
  /** Directory of events.ndjson, index.json and .lock. Default '.claude-flow/guidance'. */
  storagePath: string
  /** Events kept by compact(). Default 10000. */
  maxEvents: number
  /** Interval of automatic compaction; 0 = none. The timer never keeps the process alive. Default 3600000. */
  compactIntervalMs: number
  /** Write every accepted event (logEvent, finalizeEvent, importEvents) before the call returns. Default true. */
  enableWAL: boolean
}

/** A RunLedger whose events are kept in an EventStore. */
export declare class PersistentLedger extends RunLedger {
  constructor(config?: Partial<PersistenceConfig>)
  /** Loads the stored events and starts the compaction timer; idempotent. */
  init(): Promise<void>
  /** @throws TypeError when the event cannot be serialized; nothing is stored then. */
  logEvent(event: RunEvent | Omit<RunEvent, 'eventId'>): RunEvent
  importEvents(events: RunEvent[]): void
  /** Resolves once every accepted event is on stable storage; rejects with the cause of a failed write. */
  flush(): Promise<void>
  /** Atomically replaces the stored events with the in-memory ones. */
  save(): Promise<void>
  /** Replaces the in-memory events with the stored ones. */
  load(): Promise<void>
  /** Keeps the newest `maxEvents` on disk and reloads memory; resolves to how many were evicted. */
  compact(): Promise<number>
  getStorageStats(): Promise<StorageStats>
  /** Stops the timer and releases the lock; the files stay. */
  destroy(): Promise<void>
  getEventStore(): EventStore
}

export declare function createPersistentLedger(config?: Partial<PersistenceConfig>): PersistentLedger
export type { StorageStats } from './event-store'
