import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { wipe } from '../protocol/bytes.js'
import { MessageType, peekMessageType } from '../protocol/envelope.js'
import { createDappHandshake, type DappHandshake } from '../protocol/handshake.js'
import { generateKeyPair } from '../protocol/noise/dh.js'
import { type Metadata, type Proposal, validateMetadata } from '../protocol/payloads.js'
import { getRandomSource, type RandomBytes } from '../protocol/random.js'
import { pairingTopics } from '../protocol/topics.js'
import { DEFAULT_PAIRING_TTL_SECONDS, encodePairingUri } from '../protocol/uri.js'
import { type Approve, asApprove, asReject, toCaip2 } from '../session/bodies.js'
import { Channel, type ChannelOptions } from '../session/channel.js'
import type { SessionMessage } from '../session/messages.js'
import { encodeRecord } from '../session/record.js'
import { SessionList, storedSessions } from '../session/store.js'
import { defaultStorage, type Storage } from '../storage/index.js'
import { lazyStorage } from '../storage/lazy.js'
import {
  createRelayClient,
  type RelayClient,
  type RelayMessage,
  type WebSocketConstructor,
} from '../transport/index.js'
import { relayDeadline, softTimeout } from '../util/timers.js'
import { createProvider, WALLET_METHODS } from './provider.js'
import { DappSession, type DappSessionRecord } from './session.js'

export type DappOptions = {
  /** The relay both sides use, e.g. wss://relay.example */
  relayUrl: string
  /** Shown to the user in the wallet, marked as self-declared. */
  metadata: Metadata
  /** Chains the session must have: CAIP-2 ids (`eip155:1`) or EVM chain numbers. */
  chains: readonly (number | string)[]
  optionalChains?: readonly (number | string)[]
  /** Wallet methods to ask for; default all of WALLET_METHODS. */
  methods?: readonly string[]
  events?: readonly string[]
  /** Read-only JSON-RPC endpoints per chain, for eth_call, eth_getBalance, ... */
  rpcUrls?: Record<string | number, string>
  /**
   * Where sessions persist. Default: in a browser, IndexedDB sealed with a non-extractable
   * WebCrypto key; elsewhere, memory (pass a sealed fileStorage to persist in Node).
   */
  storage?: Storage
  pairingTtlSeconds?: number
  sessionTtlSeconds?: number
  requestTtlSeconds?: number
  /** How long the wallet's user has to compare the code and approve, after the handshake. */
  approvalTimeoutSeconds?: number
  /** How long pair() waits for the relay before failing with RELAY_UNAVAILABLE (ms, default 10,000). */
  connectTimeoutMs?: number
  WebSocket?: WebSocketConstructor
  /** Clock in unix milliseconds (tests). */
  now?: () => number
}

export type Pairing = {
  /** The pairing URI: show it as a QR code (`@pairline/sdk/qr`) and as a copyable link. */
  uri: string
  /** unix seconds */
  expiresAt: number
  /** The 6-digit code to show once a wallet has answered; the user compares it with the wallet's. */
  sas: Promise<string>
  /** Resolves when the wallet's user approved; rejects on rejection, expiry, cancel or a burned QR. */
  approved: Promise<DappSession>
  cancel(): void
}

export type Dapp = {
  pair(): Promise<Pairing>
  /** Sessions stored by an earlier run, resumed with a fresh handshake each. */
  restoreSessions(): Promise<DappSession[]>
  readonly sessions: readonly DappSession[]
  readonly relay: RelayClient
  close(): Promise<void>
}

const KEY_PREFIX = 'pairline/dapp/'
const DEFAULT_SESSION_TTL = 7 * 24 * 3600

function fail(
  code: (typeof ErrorCode)[keyof typeof ErrorCode],
  message: string,
  details?: string,
): PairlineError {
  return new PairlineError(code, message, details ? { details } : {})
}

/** Creates the dApp side. Throws at once on bad options; the relay connection opens in the background. */
export function createDapp(options: DappOptions): Dapp {
  const metadata = validateMetadata(options.metadata, 'metadata', 'dApp options')
  const chains = options.chains.map(toCaip2)
  if (chains.length === 0) throw fail(ErrorCode.InvalidArgument, 'createDapp needs at least one chain.')
  const optionalChains = (options.optionalChains ?? []).map(toCaip2).filter((c) => !chains.includes(c))
  const methods = [...(options.methods ?? WALLET_METHODS)]
  const events = [...(options.events ?? ['accountsChanged', 'chainChanged'])]
  const rpcUrls = Object.fromEntries(
    Object.entries(options.rpcUrls ?? {}).map(([k, v]) => [toCaip2(/^\d+$/.test(k) ? Number(k) : k), v]),
  )
  const storage = options.storage ?? lazyStorage(defaultStorage)
  const nowMs = options.now ?? Date.now
  const now = () => nowMs() / 1000
  const random: RandomBytes = getRandomSource()
  const relay = createRelayClient({
    url: options.relayUrl,
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
  })
  relay.on('error', () => {}) // surfaced per session; the client reconnects by itself
  const sessions = new SessionList<DappSession>()
  const requestTtlSeconds = options.requestTtlSeconds ?? 300
  let closed = false
  /** Pairings still listening for a (racing) wallet hello; released on close(). */
  const openPairings = new Set<() => void>()
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000

  const sessionContext = {
    now,
    requestTtlSeconds,
    rpcUrls,
    forget: (id: string) => storage.delete(KEY_PREFIX + id),
  }

  function channelOptions(getSession: () => DappSession | null): ChannelOptions {
    return {
      relay,
      randomBytes: random,
      now,
      save: async (state, psk) => {
        const s = getSession()
        if (!s || s.ended) return
        await storage.set(KEY_PREFIX + s.id, encodeRecord({ ...s.record(), channel: state }, psk))
      },
    }
  }

  async function pair(): Promise<Pairing> {
    if (closed) throw fail(ErrorCode.SessionClosed, 'This dApp client is closed.')
    const s = generateKeyPair(random)
    const psk = random(32)
    const expiresAt = Math.floor(now()) + (options.pairingTtlSeconds ?? DEFAULT_PAIRING_TTL_SECONDS)
    const uriFields = {
      version: 1 as const,
      responderStatic: s.publicKey,
      psk,
      relayUrl: options.relayUrl,
      expiresAt,
      chains: chains.slice(0, 16),
    }
    const uri = encodePairingUri(uriFields)
    const hs: DappHandshake = createDappHandshake({
      uri: uriFields,
      staticPrivateKey: s.privateKey,
      randomBytes: random,
    })
    const topics = pairingTopics(psk)
    wipe(s.privateKey, psk)

    const proposal: Proposal = {
      v: 1,
      dapp: metadata,
      required: { eip155: { chains, methods, events } },
      optional: optionalChains.length ? { eip155: { chains: optionalChains, methods, events } } : {},
      expiresAt: Math.floor(now()) + (options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL),
    }

    let resolveSas!: (s: string) => void
    let rejectSas!: (e: unknown) => void
    let resolveApproved!: (s: DappSession) => void
    let rejectApproved!: (e: unknown) => void
    const sas = new Promise<string>((res, rej) => {
      resolveSas = res
      rejectSas = rej
    })
    const approved = new Promise<DappSession>((res, rej) => {
      resolveApproved = res
      rejectApproved = rej
    })
    // The app may await only one of them: never leave the other as an unhandled rejection.
    sas.catch(() => {})
    approved.catch(() => {})

    let channel: Channel | null = null
    let session: DappSession | null = null
    let settled = false
    let approvalTimer: ReturnType<typeof setTimeout> | null = null

    const finish = () => {
      relay.off('message', onMessage)
      clearTimeout(expiryTimer)
      if (approvalTimer) clearTimeout(approvalTimer)
      hs.destroy()
      relay.unsubscribe([topics.w2d]).catch(() => {})
    }
    const abort = (err: PairlineError) => {
      if (!settled) {
        settled = true
        rejectSas(err)
        rejectApproved(err)
      }
      finish()
      if (session && !session.ended)
        void session.disconnect('The pairing was cancelled: the QR code was used twice.')
      else void channel?.close()
    }

    const onApproval = (m: SessionMessage) => {
      if (settled || !channel) return
      try {
        if (m.t === 'reject') {
          const r = asReject(m)
          settled = true
          rejectApproved(fail(ErrorCode.UserRejected, 'The wallet rejected the session.', r.message))
          void channel.close()
          return
        }
        if (m.t !== 'approve') return
        const a: Approve = asApprove(m)
        const problem = checkApproval(a, proposal)
        if (problem) {
          settled = true
          rejectApproved(
            fail(ErrorCode.PayloadMalformed, 'The wallet’s approval does not match the proposal.', problem),
          )
          void channel.send({ t: 'close', code: 4900, message: problem }).finally(() => channel?.close())
          return
        }
        settled = true
        if (approvalTimer) clearTimeout(approvalTimer)
        session = sessions.add(
          new DappSession(channel, { peer: helloPeer as Metadata, approve: a }, sessionContext, (x) =>
            createProvider(x, rpcUrls),
          ),
        )
        void channel.persist()
        resolveApproved(session)
      } catch (err) {
        if (err instanceof PairlineError) rejectApproved(err)
      }
    }

    let helloPeer: Metadata | null = null
    const onMessage = (m: RelayMessage) => {
      if (m.topic !== topics.w2d) return
      relay.ack(m.topic, m.id)
      try {
        if (peekMessageType(m.payload) !== MessageType.Hello) return
        const { hello } = hs.readHello(m.payload, now())
        helloPeer = hello.wallet
        const { message2, result } = hs.writeProposal(proposal, now())
        relay
          .publish(topics.d2w, message2, { ttlSeconds: Math.max(1, expiresAt - Math.floor(now())) })
          .catch(() => {})
        resolveSas(result.sas)
        void Channel.fromHandshake(
          result,
          channelOptions(() => session),
          (c) => {
            channel = c
            c.on('message', onApproval)
          },
        ).then((c) => {
          if (settled && !session) void c.close()
        })
        approvalTimer = softTimeout(
          () => abort(fail(ErrorCode.PairingExpired, 'The wallet did not approve in time.')),
          (options.approvalTimeoutSeconds ?? 300) * 1000,
        )
      } catch (err) {
        if (!(err instanceof PairlineError)) return
        if (err.code === ErrorCode.PairingBurned) abort(err)
        // Anything else (forged, replayed, malformed) is dropped: the real wallet can still pair.
      }
    }

    const expiryTimer = softTimeout(
      () => {
        // After expiry no hello is accepted any more; a pending approval may still arrive.
        if (!helloPeer)
          abort(fail(ErrorCode.PairingExpired, 'The pairing QR code expired before a wallet answered.'))
        else {
          relay.off('message', onMessage)
          hs.destroy()
          relay.unsubscribe([topics.w2d]).catch(() => {})
        }
      },
      (expiresAt - now()) * 1000,
    )

    relay.on('message', onMessage)
    const release = () => {
      if (!settled) abort(fail(ErrorCode.SessionClosed, 'The dApp client was closed.'))
      else finish()
    }
    openPairings.add(release)
    approved.then(
      () => {},
      () => openPairings.delete(release),
    )
    try {
      await relayDeadline(relay.subscribe([topics.w2d]), connectTimeoutMs, 'show a pairing code')
    } catch (err) {
      abort(err as PairlineError)
      throw err
    }
    return {
      uri,
      expiresAt,
      sas,
      approved,
      cancel: () => abort(fail(ErrorCode.SessionClosed, 'The pairing was cancelled.')),
    }
  }

  async function restoreSessions(): Promise<DappSession[]> {
    const out: DappSession[] = []
    for await (const { json, secret } of storedSessions<DappSessionRecord>(storage, KEY_PREFIX, now(), (id) =>
      sessions.has(id),
    )) {
      let session: DappSession | null = null
      await Channel.restore(
        json.channel,
        secret,
        channelOptions(() => session),
        (channel) => {
          session = sessions.add(
            new DappSession(
              channel,
              {
                peer: json.peer,
                approve: json.approve,
                chainId: json.chainId,
                expiresAt: json.expiresAt,
                nextId: json.nextId,
              },
              sessionContext,
              (x) => createProvider(x, rpcUrls),
            ),
          )
        },
      )
      wipe(secret)
      if (session) out.push(session)
    }
    return out
  }

  return {
    pair,
    restoreSessions,
    get sessions() {
      return sessions.all
    },
    relay,
    async close() {
      closed = true
      for (const release of openPairings) release()
      openPairings.clear()
      await Promise.all(sessions.all.map((s) => s.suspend()))
      await relay.close()
    },
  }
}

/** A reason the approval is unacceptable, or null. The wallet may narrow, never widen. */
function checkApproval(a: Approve, p: Proposal): string | null {
  const required = p.required.eip155
  const allowedChains = new Set([...(required?.chains ?? []), ...(p.optional.eip155?.chains ?? [])])
  if (a.accounts.length === 0) return 'no accounts approved'
  for (const c of required?.chains ?? []) if (!a.chains.includes(c)) return `required chain ${c} not approved`
  for (const c of a.chains) if (!allowedChains.has(c)) return `chain ${c} was not proposed`
  for (const m of a.methods) if (!required?.methods.includes(m)) return `method ${m} was not proposed`
  if (!a.chains.includes(a.chainId)) return 'the current chain is not among the approved chains'
  for (const acc of a.accounts)
    if (!a.chains.some((c) => acc.startsWith(`${c}:`))) return 'an account is on an unapproved chain'
  if (a.expiresAt > p.expiresAt) return 'the approved expiry is later than proposed'
  return null
}
