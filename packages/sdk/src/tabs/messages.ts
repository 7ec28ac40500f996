import type { DappPairingState } from '../dapp/types.js'
import type { Metadata } from '../protocol/payloads.js'

/** What a tab needs to show a session it does not hold (no key, no secret: the public face). */
export type SessionSnapshot = {
  id: string
  peer: Metadata
  accounts: `0x${string}`[]
  chains: string[]
  methods: string[]
  events: string[]
  chainId: string
  expiresAt: number
}

export type WireError = { code: string | number; message: string; data?: unknown }

/** The session events the leader relays to every tab, with their one argument. */
export type RelayedEvent = 'accountsChanged' | 'chainChanged' | 'disconnect' | 'extended' | 'response'

/**
 * The BroadcastChannel messages between the tabs of one dApp (docs/PROTOCOL.md §3.5). Followers
 * send `hello`, `req`, `end`, `pair` and `pact`; the leader sends the rest.
 */
export type TabMessage =
  | { t: 'hello' }
  | { t: 'leader' }
  | { t: 'sessions'; list: SessionSnapshot[] }
  | { t: 'req'; rid: string; id: string; method: string; params: unknown }
  | { t: 'res'; rid: string; result?: unknown; error?: WireError }
  | { t: 'end'; id: string; message?: string }
  | { t: 'ev'; id: string; name: RelayedEvent; arg: unknown; snap: SessionSnapshot }
  | { t: 'pair'; pid: string }
  | { t: 'pairing'; pid: string; uri: string; expiresAt: number }
  | { t: 'pstate'; pid: string; state: DappPairingState }
  | { t: 'psas'; pid: string; sas: string }
  | { t: 'pok'; pid: string; snap: SessionSnapshot }
  | { t: 'perr'; pid: string; error: WireError }
  | { t: 'pact'; pid: string; act: 'confirm' | 'reject' | 'cancel' }

type SessionFace = {
  readonly [K in keyof SessionSnapshot]: SessionSnapshot[K] extends (infer T)[]
    ? readonly T[]
    : SessionSnapshot[K]
}

export function snapshot(s: SessionFace): SessionSnapshot {
  return {
    id: s.id,
    peer: s.peer,
    accounts: [...s.accounts],
    chains: [...s.chains],
    methods: [...s.methods],
    events: [...s.events],
    chainId: s.chainId,
    expiresAt: s.expiresAt,
  }
}

export function wireError(err: unknown): WireError {
  const e = err as { code?: unknown; shortMessage?: unknown; message?: unknown; data?: unknown }
  const code = typeof e?.code === 'number' || typeof e?.code === 'string' ? e.code : 'INTERNAL_ERROR'
  const message = typeof e?.shortMessage === 'string' ? e.shortMessage : String(e?.message ?? err)
  return e?.data === undefined ? { code, message } : { code, message, data: e.data }
}
