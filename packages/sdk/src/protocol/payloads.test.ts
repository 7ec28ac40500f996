import { TEST_PROPOSAL, WALLET_META } from '@pairline/testkit/protocol'
import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8 } from './bytes.js'
import { decodeHello, decodeProposal, encodeHello, encodeProposal } from './payloads.js'

fc.configureGlobal({ seed: propertySeed(import.meta.url) })

const code = (c: string) => expect.objectContaining({ code: c })

describe('handshake payloads', () => {
  it('round-trip', () => {
    const hello = { v: 1 as const, wallet: { ...WALLET_META, icons: ['https://wallet.example/i.png'] } }
    expect(decodeHello(encodeHello(hello))).toEqual(hello)
    expect(decodeProposal(encodeProposal(TEST_PROPOSAL))).toEqual(TEST_PROPOSAL)
  })

  it('round-trips any valid metadata (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 64 })
    fc.assert(
      fc.property(name, fc.webUrl({ validSchemes: ['https'] }), (n, url) => {
        fc.pre(url.length <= 256 && /^[\x21-\x7e]+$/.test(url))
        const hello = { v: 1 as const, wallet: { name: n, url } }
        expect(decodeHello(encodeHello(hello))).toEqual(hello)
      }),
    )
  })

  it.each([
    ['not UTF-8', new Uint8Array([0xff, 0xfe])],
    ['not JSON', utf8('{')],
    ['an array', utf8('[]')],
    ['wrong version', utf8('{"v":2,"wallet":{"name":"a","url":"https://a"}}')],
    ['unknown field', utf8('{"v":1,"wallet":{"name":"a","url":"https://a"},"x":1}')],
    ['missing wallet', utf8('{"v":1}')],
    ['empty name', utf8('{"v":1,"wallet":{"name":"","url":"https://a"}}')],
    ['long name', utf8(`{"v":1,"wallet":{"name":"${'a'.repeat(65)}","url":"https://a"}}`)],
    ['javascript: url', utf8('{"v":1,"wallet":{"name":"a","url":"javascript:alert(1)"}}')],
    ['icons not a list', utf8('{"v":1,"wallet":{"name":"a","url":"https://a","icons":"x"}}')],
  ])('rejects a hello that is %s', (_, bytes) => {
    expect(() => decodeHello(bytes)).toThrowError(code('PAYLOAD_MALFORMED'))
  })

  it('counts string lengths in code points and refuses lone surrogates', () => {
    const hello = (name: string) => utf8(JSON.stringify({ v: 1, wallet: { name, url: 'https://w.example' } }))
    expect(decodeHello(hello('😀'.repeat(64))).wallet.name).toBe('😀'.repeat(64)) // 128 UTF-16 units
    for (const name of ['😀'.repeat(65), 'a\\ud800b', '\\udc00']) {
      const text = `{"v":1,"wallet":{"name":"${name}","url":"https://w.example"}}`
      expect(() => decodeHello(utf8(text))).toThrowError(
        expect.objectContaining({
          code: 'PAYLOAD_MALFORMED',
          details: 'hello.wallet.name must be a non-empty string of at most 64 characters',
        }),
      )
    }
  })

  it('names the bad field', () => {
    expect(() =>
      decodeHello(utf8('{"v":1,"wallet":{"name":"a","url":"ftp://x"}}')),
    ).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: The wallet hello is malformed.

      Details: hello.wallet.url must be a non-empty string of at most 256 characters matching /^https?:\\/\\/[\\x21-\\x7e]+$/
      Code: PAYLOAD_MALFORMED]
    `)
  })

  it.each([
    [
      'chain outside its namespace',
      { required: { eip155: { chains: ['solana:abc'], methods: [], events: [] } } },
    ],
    ['bad chain id', { required: { eip155: { chains: ['eip155'], methods: [], events: [] } } }],
    ['duplicate method', { required: { eip155: { chains: [], methods: ['a', 'a'], events: [] } } }],
    ['bad expiry', { expiresAt: -1 }],
    ['non-integer expiry', { expiresAt: 1.5 }],
  ])('rejects a proposal with %s', (_, change) => {
    expect(() => encodeProposal({ ...TEST_PROPOSAL, ...change } as typeof TEST_PROPOSAL)).toThrowError(
      code('PAYLOAD_MALFORMED'),
    )
  })
})
