import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { TEST_PROPOSAL } from '@pairline/testkit/protocol'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { checkSignIn } from '../dapp/signIn.js'
import { siweVerifier } from '../siwe/index.js'
import { decodeProposal } from './payloads.js'
import { type SignInRequest, signInMessage } from './signIn.js'

/*
 * Sign-in at connect (docs/PROTOCOL.md §14.7) attacked as a malicious dApp (what the wallet shows)
 * and a malicious wallet (what the dApp accepts). Pure: no relay, no chain.
 */

const alice = privateKeyToAccount(ANVIL_KEYS[0])
const bob = privateKeyToAccount(ANVIL_KEYS[1])
const NOW = 1_900_000_000
const request: SignInRequest = {
  domain: 'dapp.example',
  uri: 'https://dapp.example/app',
  statement: 'Sign in to the dApp.',
  nonce: 'n0nce0123456789abc',
  issuedAt: new Date(NOW * 1000).toISOString(),
  expirationTime: new Date((NOW + 300) * 1000).toISOString(),
}
const proposal = (signIn: unknown) => new TextEncoder().encode(JSON.stringify({ ...TEST_PROPOSAL, signIn }))

describe('what the wallet shows is the message it signs, line for line', () => {
  // A character that renders as a line break, or reorders text, would let a dApp draw a fake
  // "URI:" or "Chain ID:" line above the real ones in the wallet's view of the message.
  const tricks: [string, string][] = [
    ['U+2028 line separator', 'Sign in\u2028URI: https://bank.example'],
    ['U+2029 paragraph separator', 'Sign in\u2029Chain ID: 1'],
    ['U+0085 next line', 'Sign in\u0085URI: https://bank.example'],
    ['a vertical tab', 'Sign in\u000bURI: https://bank.example'],
    ['a form feed', 'Sign in\u000cURI: https://bank.example'],
    ['a right-to-left override', 'Sign in to \u202eelpmaxe.knab'],
    ['a NUL', 'Sign in\u0000'],
    ['a non-ASCII letter (EIP-4361: a human-readable ASCII assertion)', 'Sign in to dАpp'],
  ]
  for (const [what, statement] of tricks) {
    it(`a sign-in statement or request id with ${what} is PAYLOAD_MALFORMED on the wallet`, () => {
      expect(() => decodeProposal(proposal({ ...request, statement }))).toThrow(
        expect.objectContaining({
          code: 'PAYLOAD_MALFORMED',
          shortMessage: 'The session proposal is malformed.',
          details:
            'proposal.signIn.statement must be a non-empty string of at most 512 characters matching /^[ -~]+$/',
        }),
      )
      expect(() => decodeProposal(proposal({ ...request, requestId: statement }))).toThrow(
        expect.objectContaining({
          code: 'PAYLOAD_MALFORMED',
          details:
            'proposal.signIn.requestId must be a non-empty string of at most 128 characters matching /^[ -~]+$/',
        }),
      )
    })
  }

  it('a printable ASCII statement is shown as exactly one line', () => {
    const p = decodeProposal(
      proposal({ ...request, statement: 'Sign in: terms at https://x.example/#a?b=c&d' }),
    )
    const lines = signInMessage(p.signIn as SignInRequest, alice.address, 1).split('\n')
    expect(lines[3]).toBe('Sign in: terms at https://x.example/#a?b=c&d')
    expect(lines[5]).toBe('URI: https://dapp.example/app')
  })

  it('oversized or nested sign-in fields are PAYLOAD_MALFORMED, each naming its field', () => {
    const cases: [unknown, string][] = [
      [{ ...request, statement: 'x'.repeat(513) }, 'proposal.signIn.statement must be'],
      [{ ...request, uri: `https://dapp.example/${'a'.repeat(500)}` }, 'proposal.signIn.uri must be'],
      [{ ...request, nonce: 'a'.repeat(65) }, 'proposal.signIn.nonce must be'],
      [{ ...request, resources: Array(9).fill('https://dapp.example/r') }, 'proposal.signIn.resources'],
      [{ ...request, statement: { nested: { deeper: 'x' } } }, 'proposal.signIn.statement must be'],
      [{ ...request, resources: [['https://dapp.example/r']] }, 'proposal.signIn.resources[0] must be'],
      [{ ...request, extra: 1 }, 'proposal.signIn'],
      [{ ...request, issuedAt: '2030-02-30T00:00:00.000Z' }, 'proposal.signIn.issuedAt'],
    ]
    for (const [signIn, details] of cases)
      expect(() => decodeProposal(proposal(signIn))).toThrow(
        expect.objectContaining({ code: 'PAYLOAD_MALFORMED', details: expect.stringContaining(details) }),
      )
    const deep = JSON.parse(`${'{"a":'.repeat(80)}1${'}'.repeat(80)}`)
    expect(() => decodeProposal(proposal({ ...request, statement: deep }))).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }),
    )
  })
})

describe('the dApp accepts only the sign-in it asked for (a malicious wallet)', () => {
  const approve = (accounts: string[], chainId: string, signIn?: { message: string; signature: string }) => ({
    t: 'approve' as const,
    accounts,
    chains: ['eip155:1', 'eip155:31337'],
    methods: [],
    events: [],
    chainId,
    expiresAt: NOW + 600,
    ...(signIn ? { signIn } : {}),
  })
  const verify = siweVerifier()
  const notAsked = { code: 'SIGN_IN_FAILED', details: 'the signed message is not the one the dApp asked for' }

  it('a sign-in is bound to the first approved account: another approved account’s sign-in is not the one asked for', async () => {
    const accounts = [`eip155:1:${alice.address}`, `eip155:1:${bob.address}`]
    const asBob = signInMessage(request, bob.address, 1)
    await expect(
      checkSignIn(
        request,
        approve(accounts, 'eip155:1', {
          message: asBob,
          signature: await bob.signMessage({ message: asBob }),
        }),
        verify,
        NOW,
      ),
    ).rejects.toMatchObject(notAsked)
    // the first account's message signed by the second account's key: the signature fails
    const asAlice = signInMessage(request, alice.address, 1)
    await expect(
      checkSignIn(
        request,
        approve(accounts, 'eip155:1', {
          message: asAlice,
          signature: await bob.signMessage({ message: asAlice }),
        }),
        verify,
        NOW,
      ),
    ).rejects.toMatchObject({ code: 'SIGN_IN_FAILED' })
  })

  it('a sign-in is bound to the approved chain and this pairing’s nonce', async () => {
    const accounts = [`eip155:1:${alice.address}`]
    const otherChain = signInMessage(request, alice.address, 31337)
    await expect(
      checkSignIn(
        request,
        approve(accounts, 'eip155:1', {
          message: otherChain,
          signature: await alice.signMessage({ message: otherChain }),
        }),
        verify,
        NOW,
      ),
    ).rejects.toMatchObject(notAsked)
    // a sign-in captured from an earlier pairing (another nonce), replayed
    const earlier = signInMessage({ ...request, nonce: 'earlierNonce12345' }, alice.address, 1)
    await expect(
      checkSignIn(
        request,
        approve(accounts, 'eip155:1', {
          message: earlier,
          signature: await alice.signMessage({ message: earlier }),
        }),
        verify,
        NOW,
      ),
    ).rejects.toMatchObject(notAsked)
    const good = signInMessage(request, alice.address, 1)
    await expect(
      checkSignIn(
        request,
        approve(accounts, 'eip155:1', {
          message: good,
          signature: await alice.signMessage({ message: good }),
        }),
        verify,
        NOW,
      ),
    ).resolves.toMatchObject({ address: alice.address, chainId: 1 })
  })
})
