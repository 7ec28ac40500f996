import type { Storage } from '@pairline/sdk'

/**
 * What a storage write does: go through, fail (the adapter throws), freeze (it never completes:
 * the tab or app died mid-write, nothing is stored), or kill the process (SIGKILL, for child
 * processes) before writing or right after the write completed.
 */
export type WriteFate = 'ok' | 'fail' | 'freeze' | 'kill' | 'kill-after'

/** The fate of write `n` (counted from 1) of `value` under `key`. */
export type Fate = (n: number, key: string, value: Uint8Array) => WriteFate

export type CrashStorage = Storage & {
  /** The real storage underneath (what a restarted process reads). */
  readonly inner: Storage
  /** Writes attempted so far (including failed and frozen ones). */
  readonly writes: number
  /** Decides the fate of each later write: `n` counts from 1 across the adapter's life. */
  setFate(fate: Fate): void
  /** Every later write freezes (the process is gone): nothing more reaches the inner storage. */
  freeze(): void
}

/**
 * A storage adapter for crash-consistency tests: wraps real storage and fails, freezes or kills
 * the process at a chosen write, deterministically (by count, never by timing).
 */
export function crashStorage(inner: Storage, fate: Fate = () => 'ok'): CrashStorage {
  let decide: Fate = fate
  let frozen = false
  let writes = 0
  const never = new Promise<never>(() => {})
  return {
    inner,
    get: (key) => inner.get(key),
    keys: (prefix) => inner.keys(prefix),
    async delete(key) {
      if (frozen) return never
      await inner.delete(key)
    },
    async set(key, value) {
      writes++
      if (frozen) return never
      const f = decide(writes, key, value)
      if (f === 'kill') process.kill(process.pid, 'SIGKILL')
      if (f === 'fail') throw new Error(`write ${writes} failed (test)`)
      if (f === 'freeze') {
        frozen = true
        return never
      }
      await inner.set(key, value)
      if (f === 'kill-after') process.kill(process.pid, 'SIGKILL')
    },
    get writes() {
      return writes
    },
    setFate(f) {
      decide = f
    },
    freeze() {
      frozen = true
    },
  }
}
