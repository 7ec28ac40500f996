import { createRelay, type Relay, type RelayOptions } from '@pairline/relay'
import { afterAll, afterEach, beforeAll } from 'vitest'

/** The in-process relay of a test file and the clean-ups its tests push, from `useRelay()`. */
export interface RelayFixture {
  /** The relay's ws:// URL (once beforeAll ran). */
  readonly url: string
  /** The relay itself (once beforeAll ran). */
  readonly relay: Relay
  /** Run after each test, last pushed first (close dApps and wallets here). */
  readonly cleanup: (() => Promise<unknown>)[]
}

export interface UseRelayOptions {
  /** Passed to createRelay beside port 0. */
  limits?: RelayOptions['limits']
  /** A clean-up that fails is ignored (the test already closed what it pushed), instead of failing the test. */
  ignoreCleanupErrors?: boolean
}

/**
 * A real relay on 127.0.0.1 port 0 for every test in the file: started in beforeAll, closed in
 * afterAll; after each test the pushed clean-ups run, last first. Call it at the file's top level.
 */
export function useRelay(o: UseRelayOptions = {}): RelayFixture {
  let relay: Relay | undefined
  const cleanup: (() => Promise<unknown>)[] = []
  beforeAll(async () => {
    relay = await createRelay({ port: 0, ...(o.limits ? { limits: o.limits } : {}) })
  })
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await (o.ignoreCleanupErrors ? f().catch(() => {}) : f())
  })
  afterAll(async () => {
    await relay?.close()
  })
  const started = (): Relay => {
    if (!relay) throw new Error('useRelay: the relay starts in beforeAll; read it inside a test or hook.')
    return relay
  }
  return {
    get url() {
      return started().url
    },
    get relay() {
      return started()
    },
    cleanup,
  }
}
