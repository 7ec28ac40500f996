import type { Account, Transport } from 'viem'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { wipe } from '../protocol/bytes.js'
import { MessageType, peekMessageType } from '../protocol/envelope.js'
import { type HandshakeResult, startWalletHandshake } from '../protocol/handshake.js'
import { type Metadata, type Namespaces, type Proposal, validateMetadata } from '../protocol/payloads.js'
import { getRandomSource, type RandomBytes } from '../protocol/random.js'
import { pairingTopics } from '../protocol/topics.js'
import { parsePairingUri } from '../protocol/uri.js'
import { toCaip2 } from '../session/bodies.js'
import { Channel, type ChannelOptions } from '../session/channel.js'
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
import { WalletSession, type WalletSessionRecord } from './session.js'

export type WalletOptions = {
  /** Shown to the dApp (self-declared). */
  metadata: Metadata
  /** The wallet's viem Account. Pairline asks it to sign; it never sees a private key. */
  account: Account
  /** Chains this wallet can serve: CAIP-2 ids or EVM chain numbers. */
  chains: readonly (number | string)[]
  /** viem transports per chain, used to fill and broadcast eth_sendTransaction. */
  transports?: Record<string | number, Transport>
  storage?: Storage
  /** How long pair() waits for the relay before failing with RELAY_UNAVAILABLE (ms, default 10,000). */
  connectTimeoutMs?: number
  WebSocket?: WebSocketConstructor
  /** Clock in unix milliseconds (tests). */
  now?: () => number
}

/** A dApp's session proposal, after the handshake: show `dapp`, the SAS and the chains, then decide. */
export type WalletProposal = {
  /** Self-declared by the dApp: nothing verifies it. Say so in the UI. */
  dapp: Metadata
  /** The 6-digit code: the user must check it matches the dApp's screen before approving. */
  sas: string
  namespaces: { required: Namespaces; optional: Namespaces }
  /** The session expiry the dApp proposes (unix seconds). */
  expiresAt: number
  approve(options?: {
    accounts?: readonly `0x${string}`[]
    chains?: readonly (number | string)[]
    chainId?: number | string
  }): Promise<WalletSession>
  /** Declines (e.g. the codes differ). The dApp's `approved` rejects with USER_REJECTED. */
  reject(reason?: string): Promise<void>
}

export type Wallet = {
  pair(uri: string): Promise<WalletProposal>
  restoreSessions(): Promise<WalletSession[]>
  readonly sessions: readonly WalletSession[]
  close(): Promise<void>
}

const KEY_PREFIX = 'pairline/wallet/'

export function createWallet(options: WalletOptions): Wallet {
  const metadata = validateMetadata(options.metadata, 'metadata', 'wallet options')
  const account = options.account
  if (!account || typeof account.address !== 'string') {
    throw new PairlineError(ErrorCode.InvalidArgument, 'createWallet needs a viem Account.')
  }
  const chains = options.chains.map(toCaip2)
  const transports = Object.fromEntries(
    Object.entries(options.transports ?? {}).map(([k, v]) => [toCaip2(/^\d+$/.test(k) ? Number(k) : k), v]),
  )
  const storage = options.storage ?? lazyStorage(defaultStorage)
  const nowMs = options.now ?? Date.now
  const now = () => nowMs() / 1000
  const random: RandomBytes = getRandomSource()
  const relays = new Map<string, RelayClient>()
  const sessions = new SessionList<WalletSession>()

  const relayFor = (url: string): RelayClient => {
    let r = relays.get(url)
    if (!r) {
      r = createRelayClient({ url, ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}) })
      r.on('error', () => {})
      relays.set(url, r)
    }
    return r
  }

  const context = {
    account,
    transports,
    now,
    forget: (id: string) => storage.delete(KEY_PREFIX + id),
  }

  function channelOptions(
    relay: RelayClient,
    relayUrl: string,
    get: () => WalletSession | null,
  ): ChannelOptions {
    return {
      relay,
      randomBytes: random,
      now,
      save: async (state, psk) => {
        const s = get()
        if (!s || s.ended) return
        await storage.set(KEY_PREFIX + s.id, encodeRecord({ ...s.record(), channel: state, relayUrl }, psk))
      },
    }
  }

  async function handshake(
    uriText: string,
  ): Promise<{ proposal: Proposal; result: HandshakeResult; relayUrl: string }> {
    const uri = parsePairingUri(uriText, { nowSeconds: now() })
    const relay = relayFor(uri.relayUrl)
    const topics = pairingTopics(uri.psk)
    const hs = startWalletHandshake({
      uri,
      hello: { v: 1, wallet: metadata },
      nowSeconds: now(),
      randomBytes: random,
    })
    wipe(uri.psk)
    return new Promise((resolve, reject) => {
      const done = (err?: PairlineError) => {
        clearTimeout(timer)
        relay.off('message', onMessage)
        relay.unsubscribe([topics.d2w]).catch(() => {})
        if (err) {
          hs.destroy()
          reject(err)
        }
      }
      const onMessage = (m: RelayMessage) => {
        if (m.topic !== topics.d2w) return
        relay.ack(m.topic, m.id)
        try {
          if (peekMessageType(m.payload) !== MessageType.Proposal) return
          const out = hs.readProposal(m.payload, now())
          done()
          resolve({ ...out, relayUrl: uri.relayUrl })
        } catch (err) {
          // A message 2 meant for someone else (a racer) fails here; keep waiting for ours.
          if (err instanceof PairlineError && err.code === ErrorCode.PayloadMalformed) done(err)
        }
      }
      const timer = softTimeout(
        () =>
          done(
            new PairlineError(
              ErrorCode.PairingExpired,
              'The dApp did not answer before the QR code expired.',
            ),
          ),
        Math.max(0, (uri.expiresAt - now()) * 1000),
      )
      relay.on('message', onMessage)
      relayDeadline(
        relay.subscribe([topics.d2w]).then(() =>
          relay.publish(topics.w2d, hs.message1, {
            ttlSeconds: Math.max(1, Math.ceil(uri.expiresAt - now())),
          }),
        ),
        options.connectTimeoutMs ?? 10_000,
        'answer the pairing code',
      ).catch((err: PairlineError) => done(err))
    })
  }

  async function pair(uriText: string): Promise<WalletProposal> {
    const { proposal, result, relayUrl } = await handshake(uriText)
    const relay = relayFor(relayUrl)
    const sas = result.sas
    let session: WalletSession | null = null
    const channel = await Channel.fromHandshake(
      result,
      channelOptions(relay, relayUrl, () => session),
    )
    let decided = false
    const decide = () => {
      if (decided)
        throw new PairlineError(ErrorCode.HandshakeWrongState, 'This proposal was already answered.')
      decided = true
    }
    const proposed = [
      ...(proposal.required.eip155?.chains ?? []),
      ...(proposal.optional.eip155?.chains ?? []),
    ]
    return {
      dapp: proposal.dapp,
      sas,
      namespaces: { required: proposal.required, optional: proposal.optional },
      expiresAt: proposal.expiresAt,
      async approve(o = {}) {
        decide()
        const required = proposal.required.eip155?.chains ?? []
        const missing = required.filter((c) => !chains.includes(c))
        if (missing.length) {
          await channel.send({ t: 'reject', code: 5100, message: `unsupported chains: ${missing.join(',')}` })
          await channel.close()
          throw new PairlineError(
            ErrorCode.UnsupportedMethod,
            'The dApp requires chains this wallet does not serve.',
            {
              details: missing.join(', '),
            },
          )
        }
        const approvedChains = (o.chains?.map(toCaip2) ?? proposed).filter(
          (c) => chains.includes(c) && proposed.includes(c),
        )
        const addresses = o.accounts ?? [account.address]
        const chainId =
          o.chainId !== undefined ? toCaip2(o.chainId) : (required[0] ?? approvedChains[0] ?? '')
        const approve = {
          t: 'approve' as const,
          accounts: approvedChains.flatMap((c) => addresses.map((a) => `${c}:${a}`)),
          chains: approvedChains,
          methods: [...(proposal.required.eip155?.methods ?? [])],
          events: [...(proposal.required.eip155?.events ?? [])],
          chainId,
          expiresAt: proposal.expiresAt,
        }
        session = sessions.add(new WalletSession(channel, { dapp: proposal.dapp, approve }, context))
        await channel.send(approve)
        return session
      },
      async reject(reason = 'The user rejected the session.') {
        decide()
        await channel.send({ t: 'reject', code: 4001, message: reason })
        await channel.close()
      },
    }
  }

  async function restoreSessions(): Promise<WalletSession[]> {
    const out: WalletSession[] = []
    type Stored = WalletSessionRecord & { relayUrl: string }
    for await (const { json, secret } of storedSessions<Stored>(storage, KEY_PREFIX, now(), (id) =>
      sessions.has(id),
    )) {
      const relay = relayFor(json.relayUrl)
      let session: WalletSession | null = null
      await Channel.restore(
        json.channel,
        secret,
        channelOptions(relay, json.relayUrl, () => session),
        (channel) => {
          session = sessions.add(
            new WalletSession(
              channel,
              {
                dapp: json.dapp,
                approve: json.approve,
                chainId: json.chainId,
                expiresAt: json.expiresAt,
                pending: json.pending,
              },
              context,
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
    async close() {
      await Promise.all(sessions.all.map((s) => s.suspend()))
      await Promise.all([...relays.values()].map((r) => r.close()))
    },
  }
}
