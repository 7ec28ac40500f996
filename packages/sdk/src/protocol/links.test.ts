import { describe, expect, it } from 'vitest'
import { pairingUriFromLink, redirectTarget, universalLink } from './links.js'
import { decodeProposal, encodeProposal } from './payloads.js'

const URI = 'pairline:1?s=AAAA&k=BBBB&r=wss%3A%2F%2Frelay.example&x=1900000000'
const meta = (url: string, redirect?: string) => ({
  name: 'D',
  url,
  ...(redirect === undefined ? {} : { redirect }),
})

describe('universalLink / pairingUriFromLink (§3.4)', () => {
  it('a pairline: URI is its own link', () => {
    expect(pairingUriFromLink(URI)).toBe(URI)
  })

  it('puts the URI in the universal link fragment, and reads it back', () => {
    const link = universalLink(URI, 'https://wallet.example/pair')
    expect(link).toBe(`https://wallet.example/pair#uri=${encodeURIComponent(URI)}`)
    expect(new URL(link).search).toBe('') // never in the query: the wallet's server never sees it
    expect(pairingUriFromLink(link)).toBe(URI)
    // a development wallet on this machine
    const local = universalLink(URI, 'http://127.0.0.1:5174/')
    expect(pairingUriFromLink(local)).toBe(URI)
  })

  it('refuses a non-https universal link, one with a fragment, and a non-pairline URI', () => {
    for (const base of [
      'http://wallet.example/pair',
      'https://wallet.example/pair#x',
      'wallet://pair',
      'nope',
    ])
      expect(() => universalLink(URI, base)).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          shortMessage: 'A universal link must be an https URL without a fragment.',
        }),
      )
    expect(() => universalLink('https://x.example', 'https://wallet.example/pair')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        shortMessage: 'universalLink needs a pairline: URI.',
      }),
    )
  })

  it('finds no pairing URI in other links', () => {
    for (const link of [
      'https://wallet.example/pair',
      `https://wallet.example/pair?uri=${encodeURIComponent(URI)}`,
      `http://wallet.example/pair#uri=${encodeURIComponent(URI)}`,
      'https://wallet.example/pair#uri=https%3A%2F%2Fevil.example',
      'javascript:alert(1)',
      '',
    ])
      expect(pairingUriFromLink(link), link).toBeUndefined()
  })
})

describe('redirectTarget (§3.4): only on the metadata URL’s origin', () => {
  it('accepts https on the same origin (path, query and fragment kept)', () => {
    expect(redirectTarget(meta('https://dapp.example', 'https://dapp.example/back?x=1#y'))).toBe(
      'https://dapp.example/back?x=1#y',
    )
    expect(redirectTarget(meta('https://dapp.example/app/', 'https://DAPP.example:443/'))).toBe(
      'https://dapp.example/',
    )
    expect(redirectTarget(meta('http://localhost:5173', 'http://localhost:5173/done'))).toBe(
      'http://localhost:5173/done',
    )
  })

  it('refuses every other origin, scheme and spelling', () => {
    const refused = [
      ['https://dapp.example', 'https://evil.example/'],
      ['https://dapp.example', 'https://dapp.example.evil.example/'],
      ['https://dapp.example', 'https://sub.dapp.example/'],
      ['https://dapp.example', 'http://dapp.example/'],
      ['https://dapp.example', 'https://dapp.example:8443/'],
      ['https://dapp.example', 'https://user:pw@dapp.example/'],
      ['https://dapp.example', 'javascript:alert(1)'],
      ['https://dapp.example', 'dapp://open'],
      ['https://dapp.example', '//evil.example/'],
      ['https://dapp.example', '/relative'],
      ['http://dapp.example', 'http://dapp.example/'], // plain http only on localhost
    ] as const
    for (const [url, redirect] of refused)
      expect(redirectTarget(meta(url, redirect)), redirect).toBeUndefined()
    expect(redirectTarget(meta('https://dapp.example'))).toBeUndefined()
  })
})

describe('metadata.redirect on the wire', () => {
  it('is carried by the proposal, and refused when not an http(s) URL or too long', () => {
    const proposal = (redirect: string) => ({
      v: 1 as const,
      dapp: { name: 'D', url: 'https://dapp.example', redirect },
      required: { eip155: { chains: ['eip155:1'], methods: ['personal_sign'], events: [] } },
      optional: {},
      expiresAt: 1_900_000_000,
    })
    const ok = proposal('https://dapp.example/back')
    expect(decodeProposal(encodeProposal(ok)).dapp.redirect).toBe('https://dapp.example/back')
    for (const bad of [
      'javascript:alert(1)',
      `https://dapp.example/${'a'.repeat(256)}`,
      'https://dapp.example/ x',
    ])
      expect(() => decodeProposal(encodeProposal(proposal(bad))), bad).toThrow(
        expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }),
      )
  })
})
