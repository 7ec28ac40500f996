import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { assertBytes, toBase64Url, utf8 } from './bytes.js'
import { CAIP2 as CHAIN_ID, METHOD as METHOD_NAME } from './payloads.js'

/**
 * The pairing URI (version 1), shown by the dApp as a QR code and scanned by the wallet:
 *
 *   pairline:1?s=<b64url 32 bytes>&k=<b64url 32 bytes>&r=<relay>&x=<expiry>[&c=<chains>][&m=<methods>]
 *
 * Fields appear in this fixed order, each at most once, and every value has exactly one accepted
 * spelling, so `encodePairingUri(parsePairingUri(text)) === text` for every accepted `text`.
 * Pure code: no I/O and no clock (the caller passes the current time).
 */

export const URI_VERSION = 1
/** How long a freshly shown pairing URI stays valid, in seconds. */
export const DEFAULT_PAIRING_TTL_SECONDS = 300

export type PairingUri = {
  version: 1
  /** `s`: the dApp's X25519 public key for this pairing (Noise responder static), 32 bytes. */
  responderStatic: Uint8Array
  /** `k`: the 32-byte pre-shared key. Secret: never log it. */
  psk: Uint8Array
  /** `r`: WebSocket URL of the relay (ws:// or wss://). */
  relayUrl: string
  /** `x`: unix seconds; the URI is expired when `now >= expiresAt`. */
  expiresAt: number
  /** `c`: CAIP-2 chain ids the dApp asks for. */
  chains?: readonly string[]
  /** `m`: method names the dApp intends to call. */
  methods?: readonly string[]
}

export type ParsePairingUriOptions = {
  /** Current unix time in seconds; when given, an expired URI is rejected with `UriExpired`. */
  nowSeconds?: number | undefined
}

export const SCHEME = 'pairline:'
export const KEY_LENGTH = 32
export const MAX_URI_LENGTH = 2048
const MAX_RELAY_URL_LENGTH = 256
const MAX_EXPIRY = 2 ** 40
const MAX_CHAINS = 16
const MAX_METHODS = 32

export const FIELDS = ['s', 'k', 'r', 'x', 'c', 'm'] as const
export type Field = (typeof FIELDS)[number]
export const REQUIRED_FIELDS = ['s', 'k', 'r', 'x'] as const

export const POSITIVE_DECIMAL = /^[1-9][0-9]*$/
export const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}$/
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/
export const SINGLE_LETTER = /^[A-Za-z]$/

// ---------------------------------------------------------------------------------------------
// Shared field rules. Each returns null when the value is fine, else the end of a sentence that
// starts with the field's name. They never quote the value (it may sit next to the psk).

export function relayUrlProblem(url: string): string | null {
  if (url.length > MAX_RELAY_URL_LENGTH) return `must be at most ${MAX_RELAY_URL_LENGTH} characters long`
  if (!PRINTABLE_ASCII.test(url)) return 'must be printable ASCII without spaces'
  const rest = url.startsWith('wss://') ? url.slice(6) : url.startsWith('ws://') ? url.slice(5) : null
  if (rest === null) return 'must start with ws:// or wss://'
  if (rest === '' || rest.startsWith('/') || rest.startsWith('?')) return 'must name a host after the scheme'
  if (url.includes('#')) return 'must not contain a fragment (#)'
  return null
}

export function expiryProblem(expiresAt: number): string | null {
  if (!Number.isSafeInteger(expiresAt) || expiresAt < 1 || expiresAt > MAX_EXPIRY) {
    return 'must be an integer number of unix seconds from 1 to 2^40'
  }
  return null
}

function listProblem(
  items: readonly unknown[],
  max: number,
  pattern: RegExp,
  itemName: string,
  rule: string,
): string | null {
  if (items.length === 0) return `must list at least one ${itemName}`
  if (items.length > max) return `must list at most ${max} ${itemName}s (got ${items.length})`
  const seen = new Set<string>()
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    if (item === '')
      return `has an empty ${itemName} at position ${i + 1} (look for a doubled or trailing comma)`
    if (typeof item !== 'string' || !pattern.test(item)) {
      return `has an invalid ${itemName} at position ${i + 1}: each must match ${rule}`
    }
    if (seen.has(item)) return `lists the same ${itemName} twice (position ${i + 1})`
    seen.add(item)
  }
  return null
}

const CHAIN_RULE = 'namespace:reference (CAIP-2: 3-8 of [-a-z0-9], a colon, 1-32 of [-_a-zA-Z0-9])'
const METHOD_RULE = '1-64 of [A-Za-z0-9_]'

export function chainsProblem(chains: readonly unknown[]): string | null {
  return listProblem(chains, MAX_CHAINS, CHAIN_ID, 'chain id', CHAIN_RULE)
}

export function methodsProblem(methods: readonly unknown[]): string | null {
  return listProblem(methods, MAX_METHODS, METHOD_NAME, 'method name', METHOD_RULE)
}

// ---------------------------------------------------------------------------------------------
// Encoding

export function invalidArgument(shortMessage: string, details?: string): PairlineError {
  return new PairlineError(ErrorCode.InvalidArgument, shortMessage, { details })
}

function checkList(value: unknown, field: 'chains' | 'methods'): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) {
    throw invalidArgument(
      `The pairing URI field "${field}" must be an array of strings.`,
      `got ${typeOf(value)}`,
    )
  }
  const problem = field === 'chains' ? chainsProblem(value) : methodsProblem(value)
  if (problem !== null) {
    throw invalidArgument(`The pairing URI field "${field}" is invalid.`, `"${field}" ${problem}`)
  }
  return value as readonly string[]
}

/** Validates every field and returns the URI components in wire order (`k=` second). */
function components(uri: PairingUri): string[] {
  if (typeof uri !== 'object' || uri === null) {
    throw invalidArgument('The pairing URI must be an object.', `got ${typeOf(uri)}`)
  }
  if (uri.version !== URI_VERSION) {
    throw invalidArgument(`Only pairing URI version ${URI_VERSION} can be encoded.`, 'set "version" to 1')
  }
  assertBytes(uri.responderStatic, KEY_LENGTH, 'The pairing URI field "responderStatic"')
  assertBytes(uri.psk, KEY_LENGTH, 'The pairing URI field "psk"')
  if (typeof uri.relayUrl !== 'string') {
    throw invalidArgument('The pairing URI relay URL must be a string.', `got ${typeOf(uri.relayUrl)}`)
  }
  const relayProblem = relayUrlProblem(uri.relayUrl)
  if (relayProblem !== null) {
    throw invalidArgument('The pairing URI relay URL is invalid.', `"relayUrl" ${relayProblem}`)
  }
  const expiry = typeof uri.expiresAt === 'number' ? expiryProblem(uri.expiresAt) : 'must be a number'
  if (expiry !== null) throw invalidArgument('The pairing URI expiry is invalid.', `"expiresAt" ${expiry}`)
  const chains = checkList(uri.chains, 'chains')
  const methods = checkList(uri.methods, 'methods')

  const parts = [
    `s=${toBase64Url(uri.responderStatic)}`,
    `k=${toBase64Url(uri.psk)}`,
    `r=${encodeURIComponent(uri.relayUrl)}`,
    `x=${uri.expiresAt}`,
  ]
  if (chains !== undefined) parts.push(`c=${chains.join(',')}`)
  if (methods !== undefined) parts.push(`m=${methods.join(',')}`)
  const length = `${SCHEME}${URI_VERSION}?`.length + parts.reduce((sum, p) => sum + p.length + 1, -1)
  if (length > MAX_URI_LENGTH) {
    throw invalidArgument(
      'The pairing URI would be too long.',
      `it would have ${length} characters; the limit is ${MAX_URI_LENGTH} (shorten the relay URL, chains or methods)`,
    )
  }
  return parts
}

/** Validates `uri` (typed errors: InvalidKey for keys, InvalidArgument otherwise) and emits its canonical text. */
export function encodePairingUri(uri: PairingUri): string {
  return `${SCHEME}${URI_VERSION}?${components(uri).join('&')}`
}

/**
 * Noise prologue: UTF-8 bytes of the canonical URI with the `&k=<psk>` component removed, i.e. every
 * field except the psk. Both sides bind the whole QR content into the handshake hash this way.
 */
export function pairingPrologue(uri: PairingUri): Uint8Array {
  const parts = components(uri)
  parts.splice(1, 1) // drop `k=<psk>`
  return utf8(`${SCHEME}${URI_VERSION}?${parts.join('&')}`)
}

// ---------------------------------------------------------------------------------------------
// Parsing

export function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}
