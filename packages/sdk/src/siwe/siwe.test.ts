import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import {
  ERC1271_MAGIC,
  erc1271AccountAbi,
  erc1271AccountInitCode,
  erc1271AccountRuntime,
} from '@pairline/testkit/contracts/erc1271'
import { useRelay } from '@pairline/testkit/relay'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  hashMessage,
  http,
  type PublicClient,
} from 'viem'
import { type LocalAccount, privateKeyToAccount, toAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDapp, type SignInVerifier } from '../index.js'
import { createWallet } from '../wallet/index.js'
import { siweVerifier } from './index.js'

/**
 * Issue 13: a contract account signs in at connect, verified through its chain (ERC-1271), on a
 * real anvil with a hand-assembled ERC-1271 account (packages/testkit/src/contracts/erc1271.ts).
 */

const owner = privateKeyToAccount(ANVIL_KEYS[0])
const stranger = privateKeyToAccount(ANVIL_KEYS[1])
const relay = useRelay()
const { cleanup } = relay
let chain: Anvil
let client: PublicClient
let contract: Address

beforeAll(async () => {
  chain = await startAnvil({ chainId: 31337 })
  client = createPublicClient({ transport: http(chain.rpcUrl) })
  const deployer = createWalletClient({ account: owner, chain: foundry, transport: http(chain.rpcUrl) })
  const hash = await deployer.sendTransaction({ data: erc1271AccountInitCode(owner.address) })
  const receipt = await client.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  contract = receipt.contractAddress as Address
})
afterAll(async () => {
  await chain?.stop()
})

const NOW = Math.floor(Date.UTC(2030, 0, 1) / 1000)

/** The contract account as a wallet holds it: its address, its owner's key signing for it. */
function contractAccount(signer: LocalAccount = owner) {
  return toAccount({
    address: contract,
    signMessage: ({ message }) => signer.signMessage({ message }),
    signTransaction: (tx) => signer.signTransaction(tx),
    signTypedData: (td) => signer.signTypedData(td as never),
  })
}

function sides(signInVerifier: SignInVerifier, signer: LocalAccount = owner) {
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: { name: 'SIWE dApp', url: 'https://dapp.example/app' },
    chains: [31337],
    now: () => NOW,
    signInVerifier,
  })
  const wallet = createWallet({
    metadata: { name: 'Contract Wallet', url: 'https://wallet.example' },
    accounts: [contractAccount(signer)],
    chains: [31337],
    now: () => NOW,
  })
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  return { dapp, wallet }
}

async function signInOnce(signInVerifier: SignInVerifier, signer?: LocalAccount) {
  const { dapp, wallet } = sides(signInVerifier, signer)
  const pairing = await dapp.pair({ signIn: { statement: 'Sign in with a contract account.' } })
  const proposal = await wallet.pair(pairing.uri)
  const approved = proposal.approve()
  return { dapp, wallet, pairing, proposal, approved }
}

describe('the hand-assembled ERC-1271 account (checked with viem first)', () => {
  it('is deployed with the listed runtime and answers isValidSignature only for its owner', async () => {
    expect(await client.getCode({ address: contract })).toBe(erc1271AccountRuntime(owner.address))
    const hash = hashMessage('hello')
    const isValid = (signature: `0x${string}`) =>
      client.readContract({
        address: contract,
        abi: erc1271AccountAbi,
        functionName: 'isValidSignature',
        args: [hash, signature],
      })
    expect(await isValid(await owner.signMessage({ message: 'hello' }))).toBe(ERC1271_MAGIC)
    expect(await isValid(await stranger.signMessage({ message: 'hello' }))).toBe('0x00000000')
    // the owner's signature over another hash, a short one, garbage: never the magic value
    expect(await isValid(await owner.signMessage({ message: 'bye' }))).toBe('0x00000000')
    expect(await isValid(`0x${'11'.repeat(64)}`)).toBe('0x00000000')
    expect(await isValid(`0x${'00'.repeat(65)}`)).toBe('0x00000000')
    // any other call reverts
    await expect(client.call({ to: contract, data: '0x12345678' })).rejects.toThrow(/revert/i)
  })
})

describe('sign-in at connect by a contract account (ERC-1271, through the chain)', () => {
  it('siweVerifier({ client }) accepts the owner’s signature for the contract account', async () => {
    const { pairing, approved } = await signInOnce(siweVerifier({ client }))
    const [, session] = await Promise.all([approved, pairing.confirm()])
    expect(session.accounts).toEqual([contract])
    expect(session.signIn?.address).toBe(contract)
    expect(session.signIn?.message).toContain(`with your Ethereum account:\n${contract}\n`)
    // the signature is the owner's key's, not the contract's (ecrecover alone would refuse it)
    const message = session.signIn?.message ?? ''
    expect(session.signIn?.signature).toBe(await owner.signMessage({ message }))
  })

  it('a signature by another key fails the approval (SIGN_IN_FAILED); nothing is connected', async () => {
    const { dapp, wallet, pairing, proposal, approved } = await signInOnce(siweVerifier({ client }), stranger)
    void approved.catch(() => {})
    await expect(pairing.confirm()).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      shortMessage: 'The wallet’s sign-in did not verify: nothing was connected.',
      details:
        'the signature is not the account’s, checked through chain 31337 (ecrecover, ERC-1271, ERC-6492)',
    })
    // the wallet is told why (abort reason sign-in-failed): its verified and approve() say so
    const refused = {
      code: 'SIGN_IN_FAILED',
      shortMessage: 'The dApp could not verify the sign-in: nothing was connected.',
      details:
        'the dApp sent abort reason sign-in-failed (docs/PROTOCOL.md §14.7); which check failed only the dApp knows',
    }
    await expect(proposal.verified).rejects.toMatchObject(refused)
    await expect(approved).rejects.toMatchObject(refused)
    expect(proposal.state).toBe('failed')
    expect(dapp.sessions).toEqual([])
    expect(wallet.sessions).toEqual([])
  })

  it('without a client (EOA only) the contract account’s sign-in fails and says it needs one', async () => {
    const { dapp, wallet, pairing, proposal, approved } = await signInOnce(siweVerifier())
    void approved.catch(() => {})
    const err = await pairing.confirm().then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toMatchObject({
      code: 'SIGN_IN_FAILED',
      shortMessage: 'The wallet’s sign-in did not verify: nothing was connected.',
      details:
        'the signature is not by the account’s own key (ecrecover); a contract account’s sign-in (ERC-1271, ERC-6492) verifies only through its chain: siweVerifier({ client })',
    })
    expect((err as Error).message).toContain('siweVerifier({ client })')
    await expect(proposal.verified).rejects.toMatchObject({ code: 'SIGN_IN_FAILED' })
    expect(dapp.sessions).toEqual([])
    expect(wallet.sessions).toEqual([])
  })

  it('a client for another chain than the sign-in’s is refused, not asked', async () => {
    const other = await startAnvil({ chainId: 31338 })
    cleanup.push(() => other.stop())
    const elsewhere = createPublicClient({ transport: http(other.rpcUrl) })
    const { pairing, approved } = await signInOnce(siweVerifier({ client: elsewhere }))
    void approved.catch(() => {})
    await expect(pairing.confirm()).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      details: 'the sign-in is for chain 31337, the verifier’s client is for chain 31338',
    })
  })
})
