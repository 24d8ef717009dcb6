import type { RunEvent } from './types'

export interface StorageStats {
  eventCount: number
  storageSizeBytes: number
  oldestEvent: number | null
  newestEvent: number | null
}

/**
 * Low-level NDJSON event storage in one directory: `events.ndjson`, `index.json`, `.lock`.
 * The original's API and files; appends are written before the returned promise settles.
 */
export declare class EventStore {
  /** @throws TypeError when `storagePath` is not a string. */
  constructor(storagePath: string)
  /** Writes `JSON.stringify(event) + "\n"`; rejects with a TypeError if it cannot be serialized. */
  append(event: RunEvent): Promise<void>
  /** Every well-formed line, in file order; blank and malformed lines are skipped. */
  readAll(): Promise<RunEvent[]>
  /** Events with `startTime <= timestamp <= endTime`, in file order. */
  readRange(startTime: number, endTime: number): Promise<RunEvent[]>
  /** Keeps the `maxEvents` newest by timestamp; resolves to how many were evicted. */
  compact(maxEvents: number): Promise<number>
  /** Atomically replaces all events. */
  writeAll(events: RunEvent[]): Promise<void>
  getStats(): Promise<StorageStats>
  /** Rejects with `Storage is locked by another process ...` while another live holder has it. */
  acquireLock(): Promise<void>
  releaseLock(): Promise<void>
  /** Removes the three files, not the directory. */
  destroy(): Promise<void>
}

export declare function createEventStore(path: string): EventStore
