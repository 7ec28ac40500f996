import { check, malformed } from '../protocol/json.js'
import { CAIP2, DEVICE_KEY_TEXT, EVENT, METHOD } from '../protocol/payloads.js'
import { CAIP10 } from './caip.js'
import type { SessionMessage } from './envelope.js'
import { REQUEST_HASH, REQUEST_ID } from './requestId.js'

const what = 'session message'

export type Approve = {
  t: 'approve'
  accounts: string[]
  chains: string[]
  methods: string[]
  events: string[]
  chainId: string
  expiresAt: number
  /** The wallet's device public key (base64url), which signs its resumes (§8.3). */
  device?: string
  /** sign-in at connect (§14.7): the EIP-4361 message and the first account's signature */
  signIn?: { message: string; signature: string }
}
export type RpcRequest = {
  t: 'req'
  /** 16 random bytes, base64url (§14.5) */
  id: string
  method: string
  params: unknown
  chainId: string
  expiresAt: number
}
export type RpcErrorBody = { code: number; message: string; data?: unknown }
/** `req`: the hash of the request it answers (§14.5); a response whose hash differs is never delivered. */
export type RpcResponse = { t: 'res'; id: string; req: string; result?: unknown; error?: RpcErrorBody }
export type EventBody = { t: 'event'; name: 'accountsChanged' | 'chainChanged'; data: unknown }
/** `reason: 'taken-over'`: the session ends because someone resumed it with copied secrets (§8.4). */
export type Close = { t: 'close'; code: number; message: string; reason?: 'taken-over' }
export type Extend = { t: 'extend'; expiresAt: number }
export type Reject = { t: 'reject'; code: number; message: string }
/**
 * dApp -> wallet, before verification: the pairing ends, nothing was connected (§5.1).
 * `sign-in-failed`: the wallet's sign-in at connect did not verify on the dApp (§14.7).
 */
export const ABORT_REASONS = ['burned', 'rejected', 'cancelled', 'expired', 'sign-in-failed'] as const
export type AbortReason = (typeof ABORT_REASONS)[number]
export type Abort = { t: 'abort'; reason: AbortReason }

const chainList = (v: unknown, p: string) =>
  check.list(v, p, what, 64, (x, q) => check.string(x, q, what, 41, CAIP2))

export function asApprove(m: SessionMessage): Approve {
  const a: Approve = {
    t: 'approve',
    accounts: check.list(m.accounts, 'accounts', what, 64, (x, p) => check.string(x, p, what, 90, CAIP10)),
    chains: chainList(m.chains, 'chains'),
    methods: check.list(m.methods, 'methods', what, 64, (x, p) => check.string(x, p, what, 64, METHOD)),
    events: check.list(m.events, 'events', what, 32, (x, p) => check.string(x, p, what, 64, EVENT)),
    chainId: check.string(m.chainId, 'chainId', what, 41, CAIP2),
    expiresAt: check.integer(m.expiresAt, 'expiresAt', what, 1, 2 ** 40),
  }
  if (m.device !== undefined) a.device = check.string(m.device, 'device', what, 87, DEVICE_KEY_TEXT)
  if (m.signIn !== undefined) a.signIn = signInOf(m.signIn)
  return a
}

/** A signature: hex, up to 8 KiB (a contract account's ERC-6492 signature is longer than 65 bytes). */
const SIGNATURE = /^0x([0-9a-fA-F]{2})+$/

function signInOf(v: unknown): { message: string; signature: string } {
  const o = check.object(v, 'signIn', what)
  check.keys(o, 'signIn', what, ['message', 'signature'])
  return {
    message: check.string(o.message, 'signIn.message', what, 4096),
    signature: check.string(o.signature, 'signIn.signature', what, 16_386, SIGNATURE),
  }
}

export function asRequest(m: SessionMessage): RpcRequest {
  return {
    t: 'req',
    id: check.string(m.id, 'id', what, 22, REQUEST_ID),
    method: check.string(m.method, 'method', what, 64, METHOD),
    params: m.params ?? [],
    chainId: check.string(m.chainId, 'chainId', what, 41, CAIP2),
    expiresAt: check.integer(m.expiresAt, 'expiresAt', what, 1, 2 ** 40),
  }
}

export function asResponse(m: SessionMessage): RpcResponse {
  const id = check.string(m.id, 'id', what, 22, REQUEST_ID)
  const req = check.string(m.req, 'req', what, 43, REQUEST_HASH)
  if (m.error !== undefined) {
    const e = check.object(m.error, 'error', what)
    const error: RpcErrorBody = {
      code: check.integer(e.code, 'error.code', what, -(2 ** 31), 2 ** 31),
      message: check.string(e.message, 'error.message', what, 1024),
    }
    if (e.data !== undefined) error.data = e.data
    return { t: 'res', id, req, error }
  }
  if (!('result' in m)) throw malformed(what, 'a response needs result or error')
  return { t: 'res', id, req, result: m.result }
}

export function asEvent(m: SessionMessage): EventBody {
  if (m.name !== 'accountsChanged' && m.name !== 'chainChanged') throw malformed(what, 'unknown event name')
  return { t: 'event', name: m.name, data: m.data }
}

export function asClose(m: SessionMessage): Close {
  return {
    t: 'close',
    code: check.integer(m.code, 'code', what, 0, 65535),
    message: check.string(m.message, 'message', what, 256),
    ...(m.reason === 'taken-over' ? { reason: 'taken-over' as const } : {}),
  }
}

export function asExtend(m: SessionMessage): Extend {
  return { t: 'extend', expiresAt: check.integer(m.expiresAt, 'expiresAt', what, 1, 2 ** 40) }
}

export function asReject(m: SessionMessage): Reject {
  return {
    t: 'reject',
    code: check.integer(m.code, 'code', what, 0, 65535),
    message: check.string(m.message, 'message', what, 256),
  }
}

export function asAbort(m: SessionMessage): Abort {
  const reason = m.reason
  if (typeof reason !== 'string' || !(ABORT_REASONS as readonly string[]).includes(reason))
    throw malformed(what, `reason must be one of ${ABORT_REASONS.join(', ')}`)
  return { t: 'abort', reason: reason as AbortReason }
}
