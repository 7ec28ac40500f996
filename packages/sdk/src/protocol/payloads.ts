import { check, decodeJsonObject, encodeJson, malformed } from './json.js'
import { type SignInRequest, validateSignIn } from './signIn.js'

/** Self-declared app metadata. Nobody verifies it: UIs must label it "unverified". */
export type Metadata = {
  name: string
  url: string
  icons?: readonly string[]
  description?: string
  /**
   * Where a wallet on the same device may send its user back after approving (§3.4); followed
   * only when on the very origin of `url` (see `redirectTarget`).
   */
  redirect?: string
}

/** CAIP-25 style namespace: CAIP-2 chains, methods and events. */
export type Namespace = {
  chains: readonly string[]
  methods: readonly string[]
  events: readonly string[]
}
export type Namespaces = Record<string, Namespace>

/** Handshake message 1 payload (wallet -> dApp). Replayable: it must never change state. */
export type Hello = { v: 1; wallet: Metadata }

/** Handshake message 2 payload (dApp -> wallet): the session proposal. */
export type Proposal = {
  v: 1
  dapp: Metadata
  required: Namespaces
  optional: Namespaces
  /** Session expiry the dApp proposes, unix seconds. */
  expiresAt: number
  /** The dApp's device public key (P-256, SEC1 uncompressed, base64url): resumes are signed by it (§8.3). */
  device?: string
  /** Sign-in at connect (EIP-4361): the wallet signs this with its approval (§14.7). */
  signIn?: SignInRequest
}

/**
 * Message 2's other payload: the dApp refuses this wallet. Sent to the wallet whose message 1
 * burned the pairing (§4.4), so it learns at once, authenticated by the handshake, that the QR code
 * was seen by someone else.
 */
export type Refusal = { v: 1; refused: 'burned' }

/** A device public key as JSON carries it: 65 bytes (0x04 ‖ x ‖ y) in 87 characters of base64url. */
export const DEVICE_KEY_TEXT = /^B[A-P][A-Za-z0-9_-]{85}$/

export const CAIP2 = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/
export const NAMESPACE = /^[-a-z0-9]{3,8}$/
export const METHOD = /^[A-Za-z0-9_]{1,64}$/
/** Event names follow the method-name rule. */
export const EVENT = METHOD
const HTTP_URL = /^https?:\/\/[\x21-\x7e]+$/

export function validateMetadata(v: unknown, path: string, what: string): Metadata {
  const o = check.object(v, path, what)
  check.keys(o, path, what, ['name', 'url', 'icons', 'description', 'redirect'])
  const out: Metadata = {
    name: check.string(o.name, `${path}.name`, what, 64),
    url: check.string(o.url, `${path}.url`, what, 256, HTTP_URL),
  }
  if (o.icons !== undefined) {
    out.icons = check.list(o.icons, `${path}.icons`, what, 4, (x, p) =>
      check.string(x, p, what, 512, HTTP_URL),
    )
  }
  if (o.description !== undefined)
    out.description = check.string(o.description, `${path}.description`, what, 256)
  if (o.redirect !== undefined)
    out.redirect = check.string(o.redirect, `${path}.redirect`, what, 256, HTTP_URL)
  return out
}

export function validateNamespaces(v: unknown, path: string, what: string): Namespaces {
  const o = check.object(v, path, what)
  const keys = Object.keys(o)
  if (keys.length > 8) throw malformed(what, `${path} has more than 8 namespaces`)
  const out: Namespaces = {}
  for (const ns of keys) {
    check.string(ns, `${path} key`, what, 8, NAMESPACE)
    const n = check.object(o[ns], `${path}.${ns}`, what)
    check.keys(n, `${path}.${ns}`, what, ['chains', 'methods', 'events'])
    const chains = check.list(n.chains, `${path}.${ns}.chains`, what, 32, (x, p) =>
      check.string(x, p, what, 41, CAIP2),
    )
    for (const c of chains) {
      if (!c.startsWith(`${ns}:`))
        throw malformed(what, `${path}.${ns}.chains has ${c}, outside namespace ${ns}`)
    }
    out[ns] = {
      chains,
      methods: check.list(n.methods, `${path}.${ns}.methods`, what, 64, (x, p) =>
        check.string(x, p, what, 64, METHOD),
      ),
      events: check.list(n.events, `${path}.${ns}.events`, what, 32, (x, p) =>
        check.string(x, p, what, 64, EVENT),
      ),
    }
  }
  return out
}

export function encodeHello(hello: Hello): Uint8Array {
  return encodeJson(decodeHelloObject({ ...hello }))
}

export function decodeHello(bytes: Uint8Array): Hello {
  return decodeHelloObject(decodeJsonObject(bytes, 'wallet hello'))
}

function decodeHelloObject(o: Record<string, unknown>): Hello {
  const what = 'wallet hello'
  check.keys(o, 'hello', what, ['v', 'wallet'])
  check.integer(o.v, 'hello.v', what, 1, 1)
  return { v: 1, wallet: validateMetadata(o.wallet, 'hello.wallet', what) }
}

export function encodeProposal(p: Proposal): Uint8Array {
  return encodeJson(decodeProposalObject({ ...p }))
}

export function decodeProposal(bytes: Uint8Array): Proposal {
  return decodeProposalObject(decodeJsonObject(bytes, 'session proposal'))
}

export function encodeRefusal(r: Refusal): Uint8Array {
  return encodeJson(decodeRefusalObject({ ...r }))
}

/** Message 2's payload: a proposal, or a refusal (it has `refused` instead of `dapp`). */
export function decodeAnswer(bytes: Uint8Array): { proposal: Proposal } | { refusal: Refusal } {
  const o = decodeJsonObject(bytes, 'session proposal')
  return 'refused' in o ? { refusal: decodeRefusalObject(o) } : { proposal: decodeProposalObject(o) }
}

function decodeRefusalObject(o: Record<string, unknown>): Refusal {
  const what = 'pairing refusal'
  check.keys(o, 'refusal', what, ['v', 'refused'])
  check.integer(o.v, 'refusal.v', what, 1, 1)
  if (o.refused !== 'burned') throw malformed(what, 'refusal.refused must be "burned"')
  return { v: 1, refused: 'burned' }
}

function decodeProposalObject(o: Record<string, unknown>): Proposal {
  const what = 'session proposal'
  check.keys(o, 'proposal', what, ['v', 'dapp', 'required', 'optional', 'expiresAt', 'device', 'signIn'])
  check.integer(o.v, 'proposal.v', what, 1, 1)
  const p: Proposal = {
    v: 1,
    dapp: validateMetadata(o.dapp, 'proposal.dapp', what),
    required: validateNamespaces(o.required, 'proposal.required', what),
    optional: validateNamespaces(o.optional, 'proposal.optional', what),
    expiresAt: check.integer(o.expiresAt, 'proposal.expiresAt', what, 1, 2 ** 40),
  }
  if (o.device !== undefined) p.device = check.string(o.device, 'proposal.device', what, 87, DEVICE_KEY_TEXT)
  if (o.signIn !== undefined) p.signIn = validateSignIn(o.signIn, 'proposal.signIn', what)
  return p
}
