/** One entry of an {@link AppendLog}, as stored: one `{"seq":N,"ts":T,"data":D}` line. */
export type LogEntry<T = unknown> = {
  /** 1 for the first entry of a log, then rising by 1; never reused. */
  seq: number
  /** `Date.now()` when the entry was appended (one value for a whole `append` call). */
  ts: number
  /** The appended value after a `JSON.stringify`/`JSON.parse` round trip. */
  data: T
}

export type AppendLogReadOptions = {
  /** Only entries with `seq > sinceSeq` (exclusive). */
  sinceSeq?: number
  /** At most this many entries, taken after `reverse`. */
  limit?: number
  /** Newest first. */
  reverse?: boolean
}

export type AppendLogSubscribeOptions = {
  /** Replay every entry with `seq > sinceSeq`, then go on live. Without it: live only. */
  sinceSeq?: number
}

export type Unsubscribe = () => void

/**
 * A log of JSON entries numbered by seq: in a file (one line per entry, shared safely with
 * other instances and processes) or in memory. Both drivers store entries as JSON text, so
 * `read` and subscribers get fresh objects (`JSON.parse`), never the appended ones.
 */
export declare class AppendLog {
  /** A log in `file` (created with its directories on the first append); without, in memory. */
  constructor(file?: string)
  /** The absolute path of the log file, or `null` for a memory log. */
  readonly file: string | null
  /**
   * Appends the entries in order, with one write. Rejects with a TypeError, writing nothing,
   * when an entry cannot be serialized (a BigInt, a cycle).
   */
  append<T = unknown>(entries: T[]): Promise<{ lastSeq: number }>
  read<T = unknown>(opts?: AppendLogReadOptions): Promise<LogEntry<T>[]>
  /**
   * Calls `fn` with each entry after `opts.sinceSeq` (or, without it, each entry appended from
   * now on), in seq order, each once, including entries appended by other instances and other
   * processes. A subscriber that throws is reported through `process.emitWarning` and stays
   * subscribed. Subscribers never keep the process alive.
   */
  subscribe<T = unknown>(opts: AppendLogSubscribeOptions | undefined, fn: (entry: LogEntry<T>) => void): Unsubscribe
  /** Removes every entry with `seq <= seq`, atomically. */
  truncateBefore(seq: number): Promise<{ removed: number }>
  /** Releases the file, the watcher and every subscriber; later calls reject. */
  close(): Promise<void>
}

/** A log in `file`, e.g. `.meta/history.jsonl`. */
export declare function createAppendLog(file: string): AppendLog
/** A log in memory. */
export declare function createMemoryAppendLog(): AppendLog
