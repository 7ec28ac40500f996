import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { createPublicClient, http } from 'viem'
import { type Account, privateKeyToAccount, toAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDapp, type DappOptions } from '../index.js'
import { signInMessage } from '../protocol/signIn.js'
import { siweVerifier } from '../siwe/index.js'
import { memoryStorage } from '../storage/memory.js'
import { createWallet } from '../wallet/index.js'
import { checkSignIn, signInRequest } from './signIn.js'

/** Issue 13: sign-in at connect (EIP-4361), verified on the dApp (docs/PROTOCOL.md §14.7). */

const alice = privateKeyToAccount(ANVIL_KEYS[0])
const relay = useRelay()
const { cleanup } = relay
let chain: Anvil
beforeAll(async () => {
  chain = await startAnvil({ chainId: 31337 })
})
afterAll(async () => {
  await chain?.stop()
})

const NOW = 1_900_000_000
const dappMetadata = { name: 'SIWE dApp', url: 'https://dapp.example/app' }

function sides(o: Partial<DappOptions> = {}, account: Account = alice) {
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: dappMetadata,
    chains: [31337],
    now: () => NOW,
    signInVerifier: siweVerifier({ client: createPublicClient({ transport: http(chain.rpcUrl) }) }),
    ...o,
  })
  const wallet = createWallet({
    metadata: { name: 'SIWE Wallet', url: 'https://wallet.example' },
    accounts: [account],
    chains: [31337],
    now: () => NOW,
  })
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  return { dapp, wallet }
}

describe('sign-in at connect', () => {
  it('the wallet shows the message with the proposal; the dApp gets the session with the verified sign-in', async () => {
    const { dapp, wallet } = sides()
    const pairing = await dapp.pair({ signIn: { statement: 'Sign in to SIWE dApp.' } })
    const proposal = await wallet.pair(pairing.uri)
    const message = proposal.signIn?.message() ?? ''
    expect(message).toMatch(
      /^dapp\.example wants you to sign in with your Ethereum account:\n0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\n\nSign in to SIWE dApp\.\n\nURI: https:\/\/dapp\.example\/app\nVersion: 1\nChain ID: 31337\nNonce: [0-9a-f]{24}\nIssued At: 2030-03-17T17:46:40\.000Z\nExpiration Time: 2030-03-17T17:51:40\.000Z$/,
    )
    const [, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    expect(session.signIn).toEqual({
      message,
      signature: await alice.signMessage({ message }),
      address: alice.address,
      chainId: 31337,
    })
  })

  it('the verified sign-in is stored with the session: a restarted dApp restores it', async () => {
    const storage = memoryStorage()
    const { dapp, wallet } = sides({ storage })
    const pairing = await dapp.pair({ signIn: { statement: 'Stay signed in.' } })
    const [, session] = await Promise.all([(await wallet.pair(pairing.uri)).approve(), pairing.confirm()])
    const signIn = session.signIn
    expect(signIn?.message).toContain('\nStay signed in.\n')
    await dapp.close()
    const again = sides({ storage }).dapp
    const [restored] = await again.restoreSessions()
    expect(restored?.signIn).toEqual(signIn)
  })

  it('a signer that throws rejects approve() with its error, nothing sent; the user can approve again', async () => {
    let refuse = true
    const once = toAccount({
      address: alice.address,
      signMessage: async ({ message }) => {
        if (refuse) {
          refuse = false
          throw new Error('the user closed the signing prompt')
        }
        return alice.signMessage({ message })
      },
      signTransaction: (tx) => alice.signTransaction(tx),
      signTypedData: (td) => alice.signTypedData(td as never),
    })
    const { dapp, wallet } = sides({}, once)
    const pairing = await dapp.pair({ signIn: {} })
    const proposal = await wallet.pair(pairing.uri)
    await expect(proposal.approve()).rejects.toThrow('the user closed the signing prompt')
    expect(proposal.state).toBe('handshakeDone')
    const [, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    expect(session.signIn?.address).toBe(alice.address)
  })

  it('the message is the one viem’s createSiweMessage writes', () => {
    const r = {
      domain: 'localhost:5173',
      uri: 'http://localhost:5173/',
      statement: 'Hi.',
      nonce: 'abcdef0123456789',
      issuedAt: '2030-01-01T00:00:00.000Z',
      expirationTime: '2030-01-01T00:05:00.000Z',
      notBefore: '2029-12-31T23:59:00.000Z',
      requestId: 'r-1',
      resources: ['https://a.example/x', 'ipfs://bafy'],
    }
    const dates = {
      issuedAt: new Date(r.issuedAt),
      expirationTime: new Date(r.expirationTime),
      notBefore: new Date(r.notBefore),
    }
    expect(signInMessage(r, alice.address, 10)).toBe(
      createSiweMessage({ ...r, ...dates, address: alice.address, chainId: 10, version: '1' }),
    )
    const { statement: _, resources: __, notBefore: ___, requestId: ____, ...bare } = r
    expect(signInMessage(bare, alice.address, 1)).toBe(
      createSiweMessage({
        ...bare,
        issuedAt: dates.issuedAt,
        expirationTime: dates.expirationTime,
        address: alice.address,
        chainId: 1,
        version: '1',
      }),
    )
  })

  it('a tampered message fails the approval (SIGN_IN_FAILED) on both sides', async () => {
    // a wallet whose signer signs in to another dApp than the one shown
    const tampering = toAccount({
      address: alice.address,
      signMessage: ({ message }) =>
        alice.signMessage({ message: String(message).replace('dapp.example', 'evil.example') }),
      signTransaction: (tx) => alice.signTransaction(tx),
      signTypedData: (td) => alice.signTypedData(td as never),
    })
    const { dapp, wallet } = sides({}, tampering)
    const pairing = await dapp.pair({ signIn: {} })
    const proposal = await wallet.pair(pairing.uri)
    void proposal.approve().catch(() => {})
    await expect(pairing.confirm()).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      shortMessage: 'The wallet’s sign-in did not verify: nothing was connected.',
      details:
        'the signature is not the account’s, checked through chain 31337 (ecrecover, ERC-1271, ERC-6492)',
    })
    // the wallet is told why (abort reason sign-in-failed), not just that the dApp cancelled
    await expect(proposal.verified).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      shortMessage: 'The dApp could not verify the sign-in: nothing was connected.',
      details:
        'the dApp sent abort reason sign-in-failed (docs/PROTOCOL.md §14.7); which check failed only the dApp knows',
    })
    expect(proposal.state).toBe('failed')
    expect(dapp.sessions).toEqual([])
    expect(wallet.sessions).toEqual([])
  })

  it('a wrong domain fails the approval; so does a message signed after it expired', async () => {
    // the dApp asks for its domain; the verifier is told another: as if the page ran elsewhere
    const verifier = siweVerifier()
    const { dapp, wallet } = sides({
      signInVerifier: (c) => verifier({ ...c, domain: 'other.example' }),
    })
    const pairing = await dapp.pair({ signIn: { domain: 'dapp.example' } })
    const proposal = await wallet.pair(pairing.uri)
    void proposal.approve().catch(() => {})
    await expect(pairing.confirm()).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      details:
        'the message is not valid now (EIP-4361: expired, not yet valid, or another domain, nonce or address)',
    })

    let now = NOW
    const late = sides({ now: () => now, signInVerifier: siweVerifier() })
    const p2 = await late.dapp.pair({ signIn: { expirationSeconds: 60 } })
    const proposal2 = await late.wallet.pair(p2.uri)
    now += 61 // the user took longer than the message allows
    void proposal2.approve().catch(() => {})
    await expect(p2.confirm()).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      details:
        'the message is not valid now (EIP-4361: expired, not yet valid, or another domain, nonce or address)',
    })
  })

  it('a message for another domain, correctly signed, is not the one asked for', async () => {
    const r = signInRequest(
      { domain: 'dapp.example' },
      dappMetadata.url,
      () => new Uint8Array(12).fill(1),
      NOW,
      300,
    )
    const approve = (message: string, signature: string) => ({
      t: 'approve' as const,
      accounts: [`eip155:31337:${alice.address}`],
      chains: ['eip155:31337'],
      methods: [],
      events: [],
      chainId: 'eip155:31337',
      expiresAt: NOW + 600,
      signIn: { message, signature },
    })
    const evil = signInMessage({ ...r, domain: 'evil.example' }, alice.address, 31337)
    const verify = siweVerifier()
    await expect(
      checkSignIn(r, approve(evil, await alice.signMessage({ message: evil })), verify, NOW),
    ).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      details: 'the signed message is not the one the dApp asked for',
    })
    const good = signInMessage(r, alice.address, 31337)
    await expect(
      checkSignIn(r, approve(good, await alice.signMessage({ message: good })), verify, NOW),
    ).resolves.toMatchObject({ address: alice.address, chainId: 31337 })
    // a verifier of your own: false refuses with the generic details, { failed } with its own
    const signed = approve(good, await alice.signMessage({ message: good }))
    await expect(checkSignIn(r, signed, async () => false, NOW)).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      details: 'the signature does not verify for the account, or the message is not valid now',
    })
    await expect(
      checkSignIn(r, signed, async () => ({ failed: 'the server has used this nonce' }), NOW),
    ).rejects.toMatchObject({ code: 'SIGN_IN_FAILED', details: 'the server has used this nonce' })
    const { signIn: _, ...unsigned } = approve(good, '0x00')
    await expect(checkSignIn(r, unsigned, verify, NOW)).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      details: 'the wallet approved without signing in',
    })
  })

  it('pair({ signIn }) without a verifier is refused at once', async () => {
    const { signInVerifier: _, ...withoutVerifier } = { signInVerifier: siweVerifier() }
    const dapp = createDapp({
      relayUrl: relay.url,
      metadata: dappMetadata,
      chains: [31337],
      ...withoutVerifier,
    })
    cleanup.push(() => dapp.close())
    await expect(dapp.pair({ signIn: {} })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      shortMessage:
        'pair({ signIn }) needs signInVerifier in createDapp’s options (siweVerifier() from @pairline/sdk/siwe).',
    })
  })

  it('a server’s nonce is the one signed', async () => {
    const { dapp, wallet } = sides()
    const pairing = await dapp.pair({ signIn: { nonce: 'fromTheServer42' } })
    const proposal = await wallet.pair(pairing.uri)
    expect(proposal.signIn?.request.nonce).toBe('fromTheServer42')
    const [, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    expect(session.signIn?.message).toContain('\nNonce: fromTheServer42\n')
  })

  it('bad sign-in options are refused at pair(), before a QR code exists (INVALID_ARGUMENT)', async () => {
    const { dapp } = sides()
    await expect(dapp.pair({ signIn: { statement: 'two\nlines' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      shortMessage: 'pair({ signIn }) has a field EIP-4361 does not allow.',
      details: 'signIn.statement must be a non-empty string of at most 512 characters matching /^[ -~]+$/',
    })
    await expect(dapp.pair({ signIn: { domain: 'https://dapp.example' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: expect.stringContaining('signIn.domain'),
    })
    await expect(dapp.pair({ signIn: { nonce: 'short' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details:
        'signIn.nonce must be a non-empty string of at most 64 characters matching /^[A-Za-z0-9]{8,64}$/',
    })
    await expect(dapp.pair({ signIn: { expirationSeconds: 0 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      shortMessage: 'signIn.expirationSeconds must be 1 to 604800 (7 days).',
      details: 'got 0',
    })
  })
})
