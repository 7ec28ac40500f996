import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { crashStorage } from '@pairline/testkit/crash'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createDapp } from '../dapp/createDapp.js'
import { ErrorCode } from '../errors/codes.js'
import { decodeRecord } from '../records/record.js'
import { memoryStorage } from '../storage/memory.js'
import type { Storage } from '../storage/types.js'
import { createWallet } from './createWallet.js'
import type { WalletRequest } from './types.js'

/**
 * Issue 10, the crash harness's `wallet:receive` hang: the verified session must be on disk
 * before anything that follows the dApp's confirm, and a request is shown only once it is.
 */

const account = privateKeyToAccount(ANVIL_KEYS[0])
let relay: Relay
const cleanup: (() => Promise<unknown>)[] = []
beforeAll(async () => {
  relay = await createRelay({ port: 0 })
})
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {})
})
afterAll(() => relay.close())

const MESSAGE = 0x83
const PUBLISH = 0x03
const bytes = (raw: unknown) => new Uint8Array(raw instanceof ArrayBuffer ? raw : (raw as Buffer))

/**
 * The dApp's frames reach the wallet in one burst (as when they arrive in one TCP read): once
 * armed, the wallet's socket keeps every delivery until it holds as many as the dApp's socket
 * published since, with the request among them, then hands them over in one go (`order` can swap
 * the last two).
 */
function burst(order: 'as-sent' | 'last-two-swapped') {
  let armed = false
  let published = 0
  let requested = false
  let held: unknown[][] = []
  let deliver: (() => void) | null = null
  const flush = () => {
    if (!armed || !requested || held.length === 0 || held.length < published) return
    armed = false
    const out = held
    held = []
    if (order === 'last-two-swapped') out.push(...out.splice(-2, 1))
    for (const args of out) deliver?.call(null, ...(args as []))
  }
  class Dapp extends WebSocket {
    override send(data: never, ...rest: never[]): void {
      if (armed && bytes(data)[0] === PUBLISH) published++
      super.send(data, ...rest)
    }
  }
  class Wallet extends WebSocket {
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'message' || !armed || bytes(args[0])[0] !== MESSAGE) return super.emit(event, ...args)
      deliver = (...a: unknown[]) => super.emit('message', ...a)
      held.push(args)
      flush()
      return true
    }
  }
  return {
    Dapp,
    Wallet,
    arm: () => {
      armed = true
    },
    requested: () => {
      requested = true
      flush()
    },
  }
}

/** Memory storage that records what each wallet write held (and, if `broken`, fails them all). */
function recorded(o: { broken?: boolean } = {}) {
  const inner = memoryStorage()
  const writes: { requests: number }[] = []
  const storage: Storage = crashStorage(inner, (_n, key, value) => {
    if (!key.startsWith('pairline/wallet/')) return 'ok'
    const json = decodeRecord<{ requests?: unknown[] }>(value).json
    writes.push({ requests: json.requests?.length ?? 0 })
    return o.broken ? 'fail' : 'ok'
  })
  return { inner, storage, writes }
}

async function pairInBurst(order: 'as-sent' | 'last-two-swapped', store = recorded()) {
  const b = burst(order)
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: { name: 'Burst dApp', url: 'https://dapp.example' },
    chains: [31337],
    relay: { WebSocket: b.Dapp as never },
  })
  const wallet = createWallet({
    metadata: { name: 'Burst Wallet', url: 'https://wallet.example' },
    accounts: [account],
    chains: [31337],
    storage: store.storage,
    relay: { WebSocket: b.Wallet as never },
  })
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  const pairing = await dapp.pair()
  const proposal = await wallet.pair(pairing.uri)
  b.arm() // from here the dApp's frames (its confirm, then its request) arrive in one burst
  const approved = proposal.approve()
  const session = await pairing.confirm()
  const answer = session.provider.request({ method: 'personal_sign', params: ['burst', account.address] })
  b.requested()
  return { approved, answer, session, wallet, ...store }
}

describe('the wallet stores the verified session first (issue 10, crash harness wallet:receive)', () => {
  it('a request that arrives with the confirm is not in the session’s first write; verified means stored', async () => {
    const { approved, answer, writes } = await pairInBurst('as-sent')
    const wsession = await approved
    expect(writes[0], 'the first write is the session alone').toEqual({ requests: 0 })
    const request = await new Promise<WalletRequest>((r) => wsession.on('request', r))
    expect(
      writes.some((w) => w.requests === 1),
      'shown once its own write landed',
    ).toBe(true)
    await request.approve()
    expect(await answer).toMatch(/^0x[0-9a-f]{130}$/)
  })

  it('a request that overtook the confirm is written with the session before it is shown', async () => {
    const { approved, answer, writes, inner } = await pairInBurst('last-two-swapped')
    const wsession = await approved
    const shownAfter = writes.length
    expect(await inner.keys('pairline/wallet/'), 'verified: the session is on disk').toEqual([
      `pairline/wallet/${wsession.id}`,
    ])
    const request = await new Promise<WalletRequest>((r) => wsession.on('request', r))
    expect(shownAfter, 'a write happened before the session was handed out').toBeGreaterThan(0)
    expect(writes[0], 'the session’s first write holds the early request').toEqual({ requests: 1 })
    await request.approve()
    expect(await answer).toMatch(/^0x[0-9a-f]{130}$/)
  })

  it('a session that cannot be stored is not verified, and the dApp is told', async () => {
    const { approved, answer, session } = await pairInBurst('as-sent', recorded({ broken: true }))
    const unanswered = answer.catch((e: { code: number }) => e.code)
    const ended = new Promise((r) => session.on('disconnect', r))
    await expect(approved).rejects.toMatchObject({
      code: ErrorCode.StorageFailed,
      shortMessage: 'The session could not be stored on this wallet: nothing was connected.',
    })
    expect(await ended).toEqual({ code: 4900, message: 'The wallet could not store the session.' })
    expect(await unanswered, 'sent, never acknowledged: outcome unknown to the dApp').toBe(8001)
  })
})
