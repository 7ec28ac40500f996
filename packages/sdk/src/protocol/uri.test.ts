import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { fromUtf8, toBase64Url, utf8 } from './bytes.js'
import {
  DEFAULT_PAIRING_TTL_SECONDS,
  encodePairingUri,
  type PairingUri,
  pairingPrologue,
  URI_VERSION,
} from './uri.js'
import { parsePairingUri } from './uriParse.js'

fc.configureGlobal({ seed: propertySeed(import.meta.url) })

// ---------------------------------------------------------------------------------------------
// Fixtures

const S_BYTES = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1)
const K_BYTES = Uint8Array.from({ length: 32 }, (_, i) => 255 - i * 3)
const S = toBase64Url(S_BYTES)
const K = toBase64Url(K_BYTES)
const RELAY = 'wss://relay.pairline.dev'
const R = encodeURIComponent(RELAY)
const EXPIRY = 1767225600
const X = String(EXPIRY)

const TYPICAL: PairingUri = {
  version: 1,
  responderStatic: S_BYTES,
  psk: K_BYTES,
  relayUrl: RELAY,
  expiresAt: EXPIRY,
  chains: ['eip155:1'],
}

/** Builds `pairline:1?` + the given `key=value` components joined by `&`. */
function uriOf(...parts: string[]): string {
  return `pairline:1?${parts.join('&')}`
}
const VALID = uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=${X}`)

/** Flips a low bit of the last base64url character: same alphabet and length, non-zero unused bits. */
function withTrailingBits(b64: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = alphabet.indexOf(b64.at(-1) ?? '')
  return b64.slice(0, -1) + alphabet[last ^ 1]
}

function catchError(fn: () => unknown): PairlineError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(PairlineError)
    return err as PairlineError
  }
  throw new Error('expected a PairlineError, nothing was thrown')
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const PATH_CHARS = [...Array(0x7e - 0x21 + 1).keys()]
  .map((i) => String.fromCharCode(0x21 + i))
  .filter((c) => c !== '#')
const relayUrlArb = fc
  .tuple(
    fc.constantFrom('ws://', 'wss://'),
    fc.constantFrom('relay.pairline.dev', 'localhost:8080', '127.0.0.1:9000', '[::1]:443', 'a.b'),
    fc.option(fc.string({ unit: fc.constantFrom(...PATH_CHARS), maxLength: 40 }), { nil: undefined }),
  )
  .map(([scheme, host, path]) => (path === undefined ? scheme + host : `${scheme + host}/${path}`))

const chainArb = fc.stringMatching(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/)
const methodArb = fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/)
const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 })

const pairingUriArb: fc.Arbitrary<PairingUri> = fc
  .record({
    responderStatic: keyArb,
    psk: keyArb,
    relayUrl: relayUrlArb,
    expiresAt: fc.integer({ min: 1, max: 2 ** 40 }),
    chains: fc.option(fc.uniqueArray(chainArb, { minLength: 1, maxLength: 16 }), { nil: undefined }),
    methods: fc.option(fc.uniqueArray(methodArb, { minLength: 1, maxLength: 32 }), { nil: undefined }),
  })
  .map(({ chains, methods, ...rest }) => {
    const uri: PairingUri = { version: 1, ...rest }
    if (chains !== undefined) uri.chains = chains
    if (methods !== undefined) uri.methods = methods
    return uri
  })

// ---------------------------------------------------------------------------------------------

describe('constants', () => {
  it('exposes the version and default TTL', () => {
    expect(URI_VERSION).toBe(1)
    expect(DEFAULT_PAIRING_TTL_SECONDS).toBe(300)
  })
})

describe('encodePairingUri / parsePairingUri round trip', () => {
  it('parse(encode(uri)) deep-equals uri, and encode(parse(text)) === text', () => {
    fc.assert(
      fc.property(pairingUriArb, (uri) => {
        const text = encodePairingUri(uri)
        const parsed = parsePairingUri(text)
        expect(parsed).toStrictEqual(uri)
        expect(encodePairingUri(parsed)).toBe(text)
        expect(parsePairingUri(text, { nowSeconds: uri.expiresAt - 1 })).toStrictEqual(uri)
      }),
    )
  })

  it('encodes the typical URI canonically', () => {
    expect(encodePairingUri(TYPICAL)).toBe(`${VALID}&c=eip155:1`)
    expect(encodePairingUri({ ...TYPICAL, methods: ['eth_sendTransaction', 'personal_sign'] })).toBe(
      `${VALID}&c=eip155:1&m=eth_sendTransaction,personal_sign`,
    )
  })

  it('omits absent optional fields instead of setting them to undefined', () => {
    const parsed = parsePairingUri(VALID)
    expect(Object.keys(parsed).sort()).toEqual(['expiresAt', 'psk', 'relayUrl', 'responderStatic', 'version'])
    expect(parsePairingUri(uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=${X}`, 'm=a'))).not.toHaveProperty('chains')
  })

  it('returns fresh key arrays', () => {
    const a = parsePairingUri(VALID)
    const b = parsePairingUri(VALID)
    expect(a.psk).not.toBe(b.psk)
    expect(a.psk.buffer).not.toBe(a.responderStatic.buffer)
    a.psk.fill(0)
    expect(b.psk).toEqual(K_BYTES)
  })

  it('accepts the boundary values', () => {
    const relay256 = `wss://${'a'.repeat(250)}`
    expect(relay256).toHaveLength(256)
    const chains16 = Array.from({ length: 16 }, (_, i) => `eip155:${i + 1}`)
    const methods32 = Array.from({ length: 32 }, (_, i) => `m${i}`)
    for (const uri of [
      { ...TYPICAL, relayUrl: relay256 },
      { ...TYPICAL, relayUrl: 'ws://x' },
      { ...TYPICAL, expiresAt: 1 },
      { ...TYPICAL, expiresAt: 2 ** 40 },
      { ...TYPICAL, chains: chains16, methods: methods32 },
      { ...TYPICAL, chains: [`abc:${'Z'.repeat(32)}`, `a-b-c-d-:-_`], methods: ['x'.repeat(64)] },
      { ...TYPICAL, responderStatic: new Uint8Array(32) },
    ]) {
      expect(parsePairingUri(encodePairingUri(uri))).toStrictEqual(uri)
    }
  })
})

describe('parsePairingUri rejects hostile input', () => {
  const huge = `${VALID}&m=${'a'.repeat(3000)}`
  const tooManyChains = Array.from({ length: 17 }, (_, i) => `eip155:${i + 1}`).join(',')
  const tooManyMethods = Array.from({ length: 33 }, (_, i) => `m${i}`).join(',')
  const { UriMalformed, UriNonCanonical, UriUnsupportedVersion } = ErrorCode

  it.each<[string, unknown, ErrorCode]>([
    // types and size
    ['a number', 42, UriMalformed],
    ['null', null, UriMalformed],
    ['undefined', undefined, UriMalformed],
    ['an object', { toString: () => VALID }, UriMalformed],
    ['a String object', new String(VALID), UriMalformed],
    ['the empty string', '', UriMalformed],
    ['a 3000-character string', huge, UriMalformed],
    ['2049 characters', `${VALID}&m=${'a'.repeat(2049 - VALID.length - 3)}`, UriMalformed],
    // scheme and version
    ['another scheme', VALID.replace('pairline:', 'wc:'), UriMalformed],
    ['an upper-case scheme', VALID.replace('pairline:', 'PAIRLINE:'), UriMalformed],
    ['leading whitespace', ` ${VALID}`, UriMalformed],
    ['version 2', VALID.replace('pairline:1?', 'pairline:2?'), UriUnsupportedVersion],
    ['version 10', VALID.replace('pairline:1?', 'pairline:10?'), UriUnsupportedVersion],
    ['version 2 without a query', 'pairline:2', UriUnsupportedVersion],
    ['version 01', VALID.replace('pairline:1?', 'pairline:01?'), UriMalformed],
    ['version 0', VALID.replace('pairline:1?', 'pairline:0?'), UriMalformed],
    ['no version', VALID.replace('pairline:1?', 'pairline:?'), UriMalformed],
    ['version 1.0', VALID.replace('pairline:1?', 'pairline:1.0?'), UriMalformed],
    ['a // authority', VALID.replace('pairline:1?', 'pairline://1?'), UriMalformed],
    ['no query', 'pairline:1', UriMalformed],
    ['an empty query', 'pairline:1?', UriMalformed],
    // structure
    ['missing s', uriOf(`k=${K}`, `r=${R}`, `x=${X}`), UriMalformed],
    ['missing k', uriOf(`s=${S}`, `r=${R}`, `x=${X}`), UriMalformed],
    ['missing r', uriOf(`s=${S}`, `k=${K}`, `x=${X}`), UriMalformed],
    ['missing x', uriOf(`s=${S}`, `k=${K}`, `r=${R}`), UriMalformed],
    ['a duplicated field', uriOf(`s=${S}`, `s=${S}`, `k=${K}`, `r=${R}`, `x=${X}`), UriMalformed],
    ['a duplicated field later on', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=${X}`, `k=${K}`), UriMalformed],
    ['a duplicated optional field', `${VALID}&c=eip155:1&c=eip155:2`, UriMalformed],
    ['swapped s and k', uriOf(`k=${K}`, `s=${S}`, `r=${R}`, `x=${X}`), UriMalformed],
    ['m before c', `${VALID}&m=a&c=eip155:1`, UriMalformed],
    ['an unknown field', `${VALID}&z=1`, UriMalformed],
    ['an unknown field in the middle', uriOf(`s=${S}`, `k=${K}`, 'v=1', `r=${R}`, `x=${X}`), UriMalformed],
    ['an upper-case key', uriOf(`S=${S}`, `k=${K}`, `r=${R}`, `x=${X}`), UriMalformed],
    ['a component without =', `${VALID}&c`, UriMalformed],
    ['an empty value', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, 'x='), UriMalformed],
    ['an empty optional value', `${VALID}&c=`, UriMalformed],
    ['a trailing &', `${VALID}&`, UriMalformed],
    ['a doubled &', uriOf(`s=${S}`, `k=${K}`, '', `r=${R}`, `x=${X}`), UriMalformed],
    ['a fragment', `${VALID}#x`, UriMalformed],
    ['an empty fragment', `${VALID}#`, UriMalformed],
    ['a fragment in the middle', uriOf(`s=${S}`, `k=${K}#`, `r=${R}`, `x=${X}`), UriMalformed],
    // keys
    [
      's with non-zero trailing bits',
      uriOf(`s=${withTrailingBits(S)}`, `k=${K}`, `r=${R}`, `x=${X}`),
      UriNonCanonical,
    ],
    [
      'k with non-zero trailing bits',
      uriOf(`s=${S}`, `k=${withTrailingBits(K)}`, `r=${R}`, `x=${X}`),
      UriNonCanonical,
    ],
    ['padded s', uriOf(`s=${S}=`, `k=${K}`, `r=${R}`, `x=${X}`), UriMalformed],
    ['padded k', uriOf(`s=${S}`, `k=${K}=`, `r=${R}`, `x=${X}`), UriMalformed],
    ['s with +', uriOf(`s=+${S.slice(1)}`, `k=${K}`, `r=${R}`, `x=${X}`), UriMalformed],
    ['k with /', uriOf(`s=${S}`, `k=${K.slice(0, -2)}/A`, `r=${R}`, `x=${X}`), UriMalformed],
    ['a percent-encoded s', uriOf(`s=%41${S.slice(1)}`, `k=${K}`, `r=${R}`, `x=${X}`), UriMalformed],
    [
      'a 31-byte s',
      uriOf(`s=${toBase64Url(new Uint8Array(31))}`, `k=${K}`, `r=${R}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'a 33-byte s',
      uriOf(`s=${toBase64Url(new Uint8Array(33))}`, `k=${K}`, `r=${R}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'a 31-byte k',
      uriOf(`s=${S}`, `k=${toBase64Url(new Uint8Array(31))}`, `r=${R}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'a 33-byte k',
      uriOf(`s=${S}`, `k=${toBase64Url(new Uint8Array(33))}`, `r=${R}`, `x=${X}`),
      UriMalformed,
    ],
    ['a 44-character k (impossible length)', uriOf(`s=${S}`, `k=${K}A`, `r=${R}`, `x=${X}`), UriMalformed],
    // relay
    [
      'an https relay',
      uriOf(`s=${S}`, `k=${K}`, `r=${encodeURIComponent('https://relay.x')}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'an upper-case WSS relay',
      uriOf(`s=${S}`, `k=${K}`, `r=${encodeURIComponent('WSS://x')}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'a relay without host',
      uriOf(`s=${S}`, `k=${K}`, `r=${encodeURIComponent('wss:///x')}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'a relay with a fragment',
      uriOf(`s=${S}`, `k=${K}`, `r=${encodeURIComponent('wss://x/#a')}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'a relay with a space',
      uriOf(`s=${S}`, `k=${K}`, `r=${encodeURIComponent('wss://x/a b')}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'a non-ASCII relay',
      uriOf(`s=${S}`, `k=${K}`, `r=${encodeURIComponent('wss://é.x')}`, `x=${X}`),
      UriMalformed,
    ],
    [
      'a 257-character relay',
      uriOf(`s=${S}`, `k=${K}`, `r=${encodeURIComponent(`wss://${'a'.repeat(251)}`)}`, `x=${X}`),
      UriMalformed,
    ],
    ['a relay with a bad % escape', uriOf(`s=${S}`, `k=${K}`, 'r=wss%3A%2F%2Fx%', `x=${X}`), UriMalformed],
    [
      'a relay with an invalid UTF-8 escape',
      uriOf(`s=${S}`, `k=${K}`, 'r=wss%3A%2F%2Fx%FF', `x=${X}`),
      UriMalformed,
    ],
    ['a raw (unencoded) relay', uriOf(`s=${S}`, `k=${K}`, 'r=wss://x', `x=${X}`), UriNonCanonical],
    [
      'a relay with lower-case escapes',
      uriOf(`s=${S}`, `k=${K}`, 'r=wss%3a%2f%2fx', `x=${X}`),
      UriNonCanonical,
    ],
    [
      'a relay with an over-encoded letter',
      uriOf(`s=${S}`, `k=${K}`, 'r=wss%3A%2F%2F%78', `x=${X}`),
      UriNonCanonical,
    ],
    // expiry
    ['an expiry with a leading zero', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=0${X}`), UriMalformed],
    ['a negative expiry', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=-${X}`), UriMalformed],
    ['a signed expiry', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=+${X}`), UriMalformed],
    ['a hexadecimal expiry', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, 'x=0x69556d00'), UriMalformed],
    ['an exponent expiry', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, 'x=1e9'), UriMalformed],
    ['a fractional expiry', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=${X}.5`), UriMalformed],
    ['expiry 0', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, 'x=0'), UriMalformed],
    ['expiry 2^40 + 1', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=${2 ** 40 + 1}`), UriMalformed],
    ['a 400-digit expiry', uriOf(`s=${S}`, `k=${K}`, `r=${R}`, `x=${'9'.repeat(400)}`), UriMalformed],
    // chains and methods
    ['a chain without reference', `${VALID}&c=eip155`, UriMalformed],
    ['an upper-case chain namespace', `${VALID}&c=EIP155:1`, UriMalformed],
    ['a too-short chain namespace', `${VALID}&c=ab:1`, UriMalformed],
    ['a 33-character chain reference', `${VALID}&c=eip155:${'1'.repeat(33)}`, UriMalformed],
    ['a percent-encoded chain', `${VALID}&c=eip155%3A1`, UriMalformed],
    ['a duplicate chain', `${VALID}&c=eip155:1,eip155:1`, UriMalformed],
    ['an empty chain item', `${VALID}&c=eip155:1,,eip155:2`, UriMalformed],
    ['a trailing comma in chains', `${VALID}&c=eip155:1,`, UriMalformed],
    ['17 chains', `${VALID}&c=${tooManyChains}`, UriMalformed],
    ['a method with a dash', `${VALID}&m=eth-sign`, UriMalformed],
    ['a method with a space', `${VALID}&m=eth sign`, UriMalformed],
    ['a 65-character method', `${VALID}&m=${'a'.repeat(65)}`, UriMalformed],
    ['a duplicate method', `${VALID}&m=personal_sign,personal_sign`, UriMalformed],
    ['33 methods', `${VALID}&m=${tooManyMethods}`, UriMalformed],
  ])('%s', (_, input, code) => {
    const err = catchError(() => parsePairingUri(input as string))
    expect(err.code).toBe(code)
    expect(err.message).not.toContain(K)
  })

  it('accepts the base fixture (sanity check for the table)', () => {
    expect(parsePairingUri(VALID).relayUrl).toBe(RELAY)
    expect(parsePairingUri(`${VALID}&c=eip155:1,eip155:2&m=personal_sign`).methods).toEqual(['personal_sign'])
  })

  it('rejects an expired URI only when nowSeconds is given', () => {
    expect(catchError(() => parsePairingUri(VALID, { nowSeconds: EXPIRY })).code).toBe(ErrorCode.UriExpired)
    expect(catchError(() => parsePairingUri(VALID, { nowSeconds: EXPIRY + 1e6 })).code).toBe(
      ErrorCode.UriExpired,
    )
    expect(parsePairingUri(VALID, { nowSeconds: EXPIRY - 1 }).expiresAt).toBe(EXPIRY)
    expect(parsePairingUri(VALID, { nowSeconds: EXPIRY - 0.5 }).expiresAt).toBe(EXPIRY)
    expect(parsePairingUri(VALID, {}).expiresAt).toBe(EXPIRY)
    expect(parsePairingUri(VALID, { nowSeconds: undefined }).expiresAt).toBe(EXPIRY)
  })

  it('reports other problems before expiry', () => {
    const err = catchError(() => parsePairingUri(`${VALID}&c=bad`, { nowSeconds: EXPIRY + 1 }))
    expect(err.code).toBe(ErrorCode.UriMalformed)
  })

  it('rejects a nowSeconds that is not a finite number', () => {
    for (const nowSeconds of [Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) {
      expect(catchError(() => parsePairingUri(VALID, { nowSeconds })).code).toBe(ErrorCode.InvalidArgument)
    }
  })

  it('explains failures in clear sentences', () => {
    expect(catchError(() => parsePairingUri(42 as unknown as string)).message).toMatchInlineSnapshot(`
      "The pairing URI must be a string.

      Details: got number
      Code: URI_MALFORMED"
    `)
    expect(
      catchError(() => parsePairingUri(VALID.replace('pairline:1?', 'pairline:2?'))).message,
    ).toMatchInlineSnapshot(`
      "The pairing URI uses protocol version 2, but this SDK only supports version 1.

      Details: the wallet or the dApp needs an update
      Code: URI_UNSUPPORTED_VERSION"
    `)
    expect(
      catchError(() => parsePairingUri(uriOf(`s=${S}`, `r=${R}`, `x=${X}`))).message,
    ).toMatchInlineSnapshot(`
      "The pairing URI is missing the required field "k".

      Details: required fields: s, k, r, x
      Code: URI_MALFORMED"
    `)
    expect(
      catchError(() =>
        parsePairingUri(uriOf(`s=${S}`, `k=${toBase64Url(new Uint8Array(31))}`, `r=${R}`, `x=${X}`)),
      ).message,
    ).toMatchInlineSnapshot(`
      "The pairing URI field "k" has the wrong length.

      Details: field "k" must be 32 bytes of unpadded base64url (43 characters of A-Z a-z 0-9 - _); got 31 bytes
      Code: URI_MALFORMED"
    `)
    expect(
      catchError(() => parsePairingUri(uriOf(`s=${S}`, `k=${withTrailingBits(K)}`, `r=${R}`, `x=${X}`)))
        .message,
    ).toMatchInlineSnapshot(`
      "The pairing URI is not in canonical form.

      Details: field "k" has non-zero unused bits in its last base64url character
      Code: URI_NON_CANONICAL"
    `)
    expect(
      catchError(() => parsePairingUri(uriOf(`s=${S}`, `k=${K}`, 'r=wss://x', `x=${X}`))).message,
    ).toMatchInlineSnapshot(`
      "The pairing URI is not in canonical form.

      Details: field "r" must be percent-encoded exactly as encodeURIComponent() encodes it
      Code: URI_NON_CANONICAL"
    `)
    expect(catchError(() => parsePairingUri(`${VALID}&c=eip155:1,eip155:1`)).message).toMatchInlineSnapshot(`
      "The pairing URI chain list is invalid.

      Details: field "c" lists the same chain id twice (position 2)
      Code: URI_MALFORMED"
    `)
    expect(catchError(() => parsePairingUri(VALID, { nowSeconds: EXPIRY })).message).toMatchInlineSnapshot(`
      "The pairing URI has expired; show a fresh QR code.

      Details: it expired at 1767225600; now is 1767225600
      Code: URI_EXPIRED"
    `)
  })

  it('does not echo unknown keys that could be pieces of the psk', () => {
    const err = catchError(() => parsePairingUri(uriOf(`s=${S}`, `k=${K.slice(0, 20)}`, `${K.slice(20)}=1`)))
    expect(err.message).not.toContain(K.slice(20))
    expect(err.details).toBe('a field with a 23-character name is not part of version 1')
    expect(catchError(() => parsePairingUri(`${VALID}&z=1`)).details).toBe(
      'field "z" is not part of version 1',
    )
  })
})

describe('error messages never contain the psk', () => {
  type Mutation = (parts: string[]) => string[]
  const set =
    (index: number, value: string): Mutation =>
    (parts) =>
      parts.map((p, i) => (i === index ? value : p))
  const mutations: [string, Mutation][] = [
    ['bad s', set(0, `s=${'A'.repeat(42)}`)],
    ['non-canonical s', (p) => set(0, `s=${withTrailingBits((p[0] ?? '').slice(2))}`)(p)],
    ['bad r', set(2, 'r=https%3A%2F%2Fx')],
    ['raw r', set(2, 'r=wss://x')],
    ['bad x', set(3, 'x=01')],
    ['missing x', (p) => p.filter((_, i) => i !== 3)],
    ['k moved last', (p) => [...p.filter((_, i) => i !== 1), p[1] ?? '']],
    ['k duplicated', (p) => [...p, p[1] ?? '']],
    ['unknown field', (p) => [...p, 'q=1']],
    ['bad chain', (p) => [...p.slice(0, 4), 'c=NOPE']],
    ['bad method', (p) => [...p.slice(0, 4), 'm=a-b']],
    ['trailing &', (p) => [...p, '']],
    ['version 3', (p) => p],
    ['non-canonical k', (p) => set(1, `k=${withTrailingBits((p[1] ?? '').slice(2))}`)(p)],
    ['33-byte k', (p) => set(1, `k=${(p[1] ?? '').slice(2)}AA`)(p)],
    ['padded k', (p) => set(1, `${p[1] ?? ''}=`)(p)],
  ]

  it('for any URI invalid in some field', () => {
    fc.assert(
      fc.property(pairingUriArb, fc.constantFrom(...mutations), (uri, [name, mutate]) => {
        const text = encodePairingUri(uri)
        const kText = toBase64Url(uri.psk)
        const parts = text.slice('pairline:1?'.length).split('&')
        let broken = `pairline:1?${mutate(parts).join('&')}`
        if (name === 'version 3') broken = broken.replace('pairline:1?', 'pairline:3?')
        const err = catchError(() => parsePairingUri(broken, { nowSeconds: uri.expiresAt }))
        expect(err.message).not.toContain(kText)
        expect(err.details ?? '').not.toContain(kText)
        // Also not the mutated psk text, nor a long piece of it.
        const brokenK = mutate(parts)[1]?.slice(2) ?? ''
        if (brokenK.length > 0) expect(err.message).not.toContain(brokenK.slice(0, 8))
        expect(err.message).not.toContain(kText.slice(0, 8))
      }),
    )
  })

  it('for an expired URI', () => {
    fc.assert(
      fc.property(pairingUriArb, (uri) => {
        const err = catchError(() => parsePairingUri(encodePairingUri(uri), { nowSeconds: uri.expiresAt }))
        expect(err.code).toBe(ErrorCode.UriExpired)
        expect(err.message).not.toContain(toBase64Url(uri.psk))
      }),
    )
  })
})

describe('encodePairingUri validates its input', () => {
  const { InvalidArgument, InvalidKey } = ErrorCode
  it.each<[string, unknown, ErrorCode]>([
    ['null', null, InvalidArgument],
    ['a string', VALID, InvalidArgument],
    ['version 2', { ...TYPICAL, version: 2 }, InvalidArgument],
    ['a 31-byte responderStatic', { ...TYPICAL, responderStatic: new Uint8Array(31) }, InvalidKey],
    ['a 33-byte psk', { ...TYPICAL, psk: new Uint8Array(33) }, InvalidKey],
    ['a psk as a plain array', { ...TYPICAL, psk: [...K_BYTES] }, InvalidKey],
    ['a missing relayUrl', { ...TYPICAL, relayUrl: undefined }, InvalidArgument],
    ['an https relayUrl', { ...TYPICAL, relayUrl: 'https://relay.x' }, InvalidArgument],
    ['a relayUrl with a space', { ...TYPICAL, relayUrl: 'wss://a b' }, InvalidArgument],
    ['a relayUrl with a fragment', { ...TYPICAL, relayUrl: 'wss://a/#b' }, InvalidArgument],
    ['a relayUrl with a lone surrogate', { ...TYPICAL, relayUrl: 'wss://a/\ud800' }, InvalidArgument],
    ['a 257-character relayUrl', { ...TYPICAL, relayUrl: `wss://${'a'.repeat(251)}` }, InvalidArgument],
    ['expiresAt 0', { ...TYPICAL, expiresAt: 0 }, InvalidArgument],
    ['a fractional expiresAt', { ...TYPICAL, expiresAt: 1.5 }, InvalidArgument],
    ['expiresAt above 2^40', { ...TYPICAL, expiresAt: 2 ** 40 + 1 }, InvalidArgument],
    ['expiresAt as a string', { ...TYPICAL, expiresAt: X }, InvalidArgument],
    ['empty chains', { ...TYPICAL, chains: [] }, InvalidArgument],
    ['chains as a string', { ...TYPICAL, chains: 'eip155:1' }, InvalidArgument],
    ['a bad chain', { ...TYPICAL, chains: ['eip155'] }, InvalidArgument],
    ['a chain with a comma', { ...TYPICAL, chains: ['eip155:1,eip155:2'] }, InvalidArgument],
    ['a duplicate chain', { ...TYPICAL, chains: ['eip155:1', 'eip155:1'] }, InvalidArgument],
    ['a non-string method', { ...TYPICAL, methods: [1] }, InvalidArgument],
    ['a bad method', { ...TYPICAL, methods: ['eth-sign'] }, InvalidArgument],
    ['33 methods', { ...TYPICAL, methods: Array.from({ length: 33 }, (_, i) => `m${i}`) }, InvalidArgument],
    [
      'a result over 2048 characters',
      {
        ...TYPICAL,
        relayUrl: `wss://${'%'.repeat(250)}`,
        chains: Array.from(
          { length: 16 },
          (_, i) => `abcdefgh:${'x'.repeat(30)}${String(i).padStart(2, '0')}`,
        ),
        methods: Array.from({ length: 32 }, (_, i) => `${'m'.repeat(60)}${String(i).padStart(4, '0')}`),
      },
      InvalidArgument,
    ],
  ])('rejects %s', (_, input, code) => {
    const err = catchError(() => encodePairingUri(input as PairingUri))
    expect(err.code).toBe(code)
    expect(err.message).not.toContain(K)
  })

  it('rejects the same values in pairingPrologue', () => {
    expect(catchError(() => pairingPrologue({ ...TYPICAL, relayUrl: 'https://x' })).code).toBe(
      ErrorCode.InvalidArgument,
    )
    expect(catchError(() => pairingPrologue({ ...TYPICAL, psk: new Uint8Array(31) })).code).toBe(
      ErrorCode.InvalidKey,
    )
  })
})

describe('pairingPrologue', () => {
  const textOf = (bytes: Uint8Array): string => fromUtf8(bytes) ?? ''

  it('is the canonical URI text without the &k= component', () => {
    expect(textOf(pairingPrologue(TYPICAL))).toBe(uriOf(`s=${S}`, `r=${R}`, `x=${X}`, 'c=eip155:1'))
    fc.assert(
      fc.property(pairingUriArb, (uri) => {
        const text = encodePairingUri(uri)
        const kText = toBase64Url(uri.psk)
        const prologue = pairingPrologue(uri)
        expect(prologue).toEqual(utf8(text.replace(`&k=${kText}`, '')))
        expect(textOf(prologue)).not.toContain(kText)
        expect(textOf(prologue)).not.toContain('k=')
      }),
    )
  })

  it('does not change when only the psk changes', () => {
    fc.assert(
      fc.property(pairingUriArb, keyArb, (uri, psk) => {
        expect(pairingPrologue({ ...uri, psk })).toEqual(pairingPrologue(uri))
      }),
    )
  })

  it('changes when any other field changes', () => {
    const base = textOf(pairingPrologue(TYPICAL))
    const variants: PairingUri[] = [
      { ...TYPICAL, responderStatic: K_BYTES },
      { ...TYPICAL, relayUrl: 'wss://relay.pairline.dev/' },
      { ...TYPICAL, relayUrl: 'ws://relay.pairline.dev' },
      { ...TYPICAL, expiresAt: EXPIRY + 1 },
      { ...TYPICAL, chains: ['eip155:10'] },
      { ...TYPICAL, chains: ['eip155:1', 'eip155:137'] },
      { version: 1, responderStatic: S_BYTES, psk: K_BYTES, relayUrl: RELAY, expiresAt: EXPIRY },
      { ...TYPICAL, methods: ['personal_sign'] },
    ]
    const seen = new Set([base])
    for (const uri of variants) seen.add(textOf(pairingPrologue(uri)))
    expect(seen.size).toBe(variants.length + 1)

    fc.assert(
      fc.property(pairingUriArb, pairingUriArb, (a, b) => {
        const same =
          toBase64Url(a.responderStatic) === toBase64Url(b.responderStatic) &&
          a.relayUrl === b.relayUrl &&
          a.expiresAt === b.expiresAt &&
          a.chains?.join(',') === b.chains?.join(',') &&
          a.methods?.join(',') === b.methods?.join(',')
        expect(textOf(pairingPrologue(a)) === textOf(pairingPrologue(b))).toBe(same)
      }),
    )
  })
})

describe('QR size of a typical URI', () => {
  const text = encodePairingUri(TYPICAL)

  it('is 159 characters long', () => {
    expect(text).toHaveLength(159)
  })

  it('fits a QR code of version <= 10 at ECC level M', () => {
    expect(QRCode.create(text, { errorCorrectionLevel: 'M' }).version).toBeLessThanOrEqual(10)
    fc.assert(
      fc.property(keyArb, keyArb, (responderStatic, psk) => {
        const uri = encodePairingUri({ ...TYPICAL, responderStatic, psk })
        expect(QRCode.create(uri, { errorCorrectionLevel: 'M' }).version).toBeLessThanOrEqual(10)
      }),
      { numRuns: 50 },
    )
  })

  it('measures exactly version 9 at level M and version 8 at level L (notice any growth)', () => {
    expect(QRCode.create(text, { errorCorrectionLevel: 'M' }).version).toBe(9)
    expect(QRCode.create(text, { errorCorrectionLevel: 'L' }).version).toBe(8)
  })
})
