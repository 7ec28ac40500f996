import { Channel } from '../channel/channel.js'
import type { ChannelOptions } from '../channel/options.js'
import type { ChannelState } from '../channel/state.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { defaultDeviceKey } from '../keys/default.js'
import type { DeviceKey } from '../keys/device.js'
import { toCaip2 } from '../messages/caip.js'
import { wipe } from '../protocol/bytes.js'
import { type Metadata, validateMetadata } from '../protocol/payloads.js'
import { getRandomSource, type RandomBytes } from '../protocol/random.js'
import { encodeRecord } from '../records/record.js'
import { storedSessions } from '../records/stored.js'
import { defaultStorage } from '../storage/index.js'
import { lazyStorage } from '../storage/lazy.js'
import type { Storage } from '../storage/types.js'
import { createRelayClient, type RelayClient } from '../transport/index.js'
import { systemTimers, type Timers } from '../util/timers.js'
import type { RelayOptions, SideOptions } from './options.js'
import { SessionList } from './sessionList.js'

/** What the skeleton needs of a live session (a dApp's or a wallet's). */
export type LiveSession = {
  readonly id: string
  /** Ended for good: never stored again (a suspended session still finishes its writes). */
  readonly gone: boolean
  /** The JSON part of the stored record, without the channel state (added here). */
  record(): object
  suspend(): Promise<void>
  on(event: 'disconnect', fn: () => void): unknown
}

/** A stored record as the skeleton reads it back. */
export type StoredSession = { expiresAt: number; channel: ChannelState }

/**
 * The skeleton of both sides: options checked once, the clock, randomness, storage, one relay
 * client per relay URL, channel options that persist the owning session, restoring stored
 * sessions, and closing. `createDapp` and `createWallet` add only what differs.
 */
export type Side<S extends LiveSession> = {
  readonly metadata: Metadata
  readonly chains: readonly string[]
  readonly now: () => number
  readonly random: RandomBytes
  readonly timers: Timers
  readonly relayOptions: RelayOptions
  readonly connectTimeoutMs: number
  readonly sessions: SessionList<S>
  readonly relays: ReadonlyMap<string, RelayClient>
  relay(url: string): RelayClient
  /** This installation's device key (§8.3): resolved once, on first use. */
  device(): Promise<DeviceKey>
  channelOptions(relay: RelayClient, owner: () => S | null): Promise<ChannelOptions>
  restore<R extends StoredSession>(
    relayOf: (record: R) => RelayClient,
    open: (record: R, channel: Channel) => S,
  ): Promise<S[]>
  /** Deletes a session's stored record. */
  forget(id: string): Promise<void>
  /**
   * Runs `fn` when the side closes, before its sessions are suspended (awaited: a pairing tells its
   * peer it is cancelled before the relay client closes). Returns the remover.
   */
  onClose(fn: () => void | Promise<void>): () => void
  assertOpen(): void
  close(): Promise<void>
}

export function createSide<S extends LiveSession>(role: 'dapp' | 'wallet', o: SideOptions): Side<S> {
  const name = role === 'dapp' ? 'dApp' : 'wallet'
  const what = `${name} options`
  const metadata = validateMetadata(o.metadata, 'metadata', what)
  const chains = (o.chains ?? []).map(toCaip2)
  if (chains.length === 0) throw invalid(`${what} need at least one chain.`)
  if (o.now !== undefined && typeof o.now !== 'function') throw invalid('now must be a function.')
  if (
    o.timers !== undefined &&
    (typeof o.timers?.setTimeout !== 'function' || typeof o.timers.clearTimeout !== 'function')
  )
    throw invalid('timers must have setTimeout and clearTimeout.')
  const prefix = `pairline/${role}/`
  const storage = o.storage ?? lazyStorage(defaultStorage)
  const now = o.now ?? (() => Date.now() / 1000)
  const random = getRandomSource()
  const relayOptions = o.relay ?? {}
  const sessions = new SessionList<S>()
  const closers = new Set<() => void | Promise<void>>()
  let closed = false

  const { relays, relay } = relayPool(relayOptions, o.timers)

  let deviceKey: Promise<DeviceKey> | null = null
  const device = () => {
    deviceKey ??= Promise.resolve(o.deviceKey ?? defaultDeviceKey(storage))
    return deviceKey
  }

  const channelOptions = async (r: RelayClient, owner: () => S | null): Promise<ChannelOptions> => ({
    relay: r,
    randomBytes: random,
    now,
    device: await device(),
    ...(o.resumeRetryMs ? { resumeRetryMs: o.resumeRetryMs } : {}),
    ...(o.timers ? { timers: o.timers } : {}),
    ...(relayOptions.messageTtlSeconds ? { ttlSeconds: relayOptions.messageTtlSeconds } : {}),
    save: async (state, secrets) => {
      const s = owner()
      if (!s || s.gone) return
      // The record holds the resume psks: wiped once stored (a Storage stores a copy).
      const bytes = encodeRecord({ ...s.record(), channel: state }, secrets)
      try {
        await storage.set(prefix + s.id, bytes)
      } finally {
        wipe(bytes)
      }
    },
  })

  const restore = <R extends StoredSession>(
    relayOf: (record: R) => RelayClient,
    open: (record: R, channel: Channel) => S,
  ) => restoreStored({ storage, prefix, now, sessions, channelOptions }, relayOf, open)

  return {
    metadata,
    chains,
    now,
    random,
    timers: o.timers ?? systemTimers,
    relayOptions,
    connectTimeoutMs: relayOptions.connectTimeoutMs ?? 10_000,
    sessions,
    relays,
    relay,
    device,
    channelOptions,
    restore,
    forget: (id) => storage.delete(prefix + id),
    onClose(fn) {
      closers.add(fn)
      return () => closers.delete(fn)
    },
    assertOpen() {
      if (closed) throw new PairlineError(ErrorCode.SessionClosed, `This ${name} client is closed.`)
    },
    async close() {
      closed = true
      const closing = [...closers].map((fn) => fn())
      closers.clear()
      await Promise.all(closing)
      await Promise.all(sessions.all.map((s) => s.suspend()))
      await Promise.all([...relays.values()].map((r) => r.close()))
    },
  }
}

/** One relay client per relay URL, created on first use with the side's relay options. */
function relayPool(o: RelayOptions, timers: Timers | undefined) {
  const relays = new Map<string, RelayClient>()
  const relay = (url: string): RelayClient => {
    let r = relays.get(url)
    if (!r) {
      const { WebSocket, reconnect, requestTimeoutMs, pingIntervalMs, allowInsecureRelay } = o
      r = createRelayClient({
        url,
        WebSocket,
        reconnect,
        requestTimeoutMs,
        pingIntervalMs,
        allowInsecureRelay,
        timers,
      })
      r.on('error', () => {}) // surfaced per session; the client reconnects by itself
      relays.set(url, r)
    }
    return r
  }
  return { relays, relay }
}

type RestoreContext<S extends LiveSession> = {
  storage: Storage
  prefix: string
  now: () => number
  sessions: SessionList<S>
  channelOptions: (relay: RelayClient, owner: () => S | null) => Promise<ChannelOptions>
}

/** Restores every stored, unexpired session not already live, each with a fresh resume handshake. */
async function restoreStored<S extends LiveSession, R extends StoredSession>(
  c: RestoreContext<S>,
  relayOf: (record: R) => RelayClient,
  open: (record: R, channel: Channel) => S,
): Promise<S[]> {
  const out: S[] = []
  let refused: unknown = null
  const isLive = (id: string) => c.sessions.has(id)
  for await (const { json, secret } of storedSessions<R>(c.storage, c.prefix, c.now(), isLive)) {
    let session: S | null = null
    try {
      await Channel.restore(
        json.channel,
        secret,
        await c.channelOptions(relayOf(json), () => session),
        (channel) => {
          session = c.sessions.add(open(json, channel))
        },
      )
    } catch (err) {
      // A record that cannot resume here (another device's copy, one from before device binding)
      // is left in place and reported once every other session is restored.
      refused ??= err
      continue
    } finally {
      wipe(secret)
    }
    if (session) out.push(session)
  }
  if (refused && out.length === 0) throw refused
  return out
}

function invalid(message: string): PairlineError {
  return new PairlineError(ErrorCode.InvalidArgument, message)
}
