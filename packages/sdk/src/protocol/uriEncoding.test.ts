import { testPairing } from '@pairline/testkit/protocol'
import { describe, expect, it } from 'vitest'
import { encodePairingUri } from './uri.js'
import { parsePairingUri } from './uriParse.js'

/** PROTOCOL.md §3.1: the exact percent-encoding of `r`, written out instead of "encodeURIComponent". */
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]$/
const specEncode = (url: string) =>
  [...url]
    .map((c) => (UNRESERVED.test(c) ? c : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`))
    .join('')
const rOf = (uri: string) => /&r=([^&]*)/.exec(uri)?.[1]

describe('relay URL percent-encoding (§3.1)', () => {
  it('every printable ASCII character is encoded as the spec says, and only that spelling parses', () => {
    const { uri } = testPairing()
    let unreserved = 0
    for (let code = 0x21; code <= 0x7e; code++) {
      const c = String.fromCharCode(code)
      if (c === '#') continue // never allowed in the relay URL
      const relayUrl = `wss://relay.example/${c}`
      const text = encodePairingUri({ ...uri, relayUrl })
      expect(rOf(text)).toBe(specEncode(relayUrl))
      expect(parsePairingUri(text).relayUrl).toBe(relayUrl)
      if (UNRESERVED.test(c)) unreserved++
    }
    expect(unreserved).toBe(71)
  })

  it.each([
    ['lower-case hex', (r: string) => r.replace('%3A', '%3a')],
    ['a bare colon', (r: string) => r.replace('%3A', ':')],
    ['an encoded unreserved character', (r: string) => r.replace('relay', '%72elay')],
  ])('%s is URI_NON_CANONICAL', (_, respell) => {
    const text = encodePairingUri(testPairing().uri)
    const r = rOf(text)!
    expect(() => parsePairingUri(text.replace(`&r=${r}`, `&r=${respell(r)}`))).toThrowError(
      expect.objectContaining({ code: 'URI_NON_CANONICAL' }),
    )
  })
})
