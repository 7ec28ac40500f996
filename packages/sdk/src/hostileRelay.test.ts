import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { FAULTS, type Fault, HostileNetwork, type HostileRates } from '@pairline/testkit/hostile'
import { useRelay } from '@pairline/testkit/relay'
import { http } from 'viem'
import { type LocalAccount, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDapp, type DappSession } from './dapp/index.js'
import { ProviderRpcError } from './errors/index.js'
import { memoryStorage } from './storage/index.js'
import { createWallet, type WalletSession } from './wallet/index.js'

/**
 * Issue 15's hostile relay (`@pairline/testkit/hostile`): the real relay, and every socket of the
 * dApp and the wallet a man in the middle that, per delivery and per publish, drops, delays,
 * duplicates, reorders, replays later, reflects to the sender, moves to another session's topic,
 * splices in another session's frames, flips bits, truncates, extends or injects junk, from one
 * seeded generator (the seed printed first; FUZZ_SEED replays it). The SDK's timers (`timers`
 * option: resends, resume retries, acks) run on the network's virtual clock, which moves only
 * when nothing else can happen (`net.run`): nothing here waits for wall time.
 */
const base = privateKeyToAccount(ANVIL_KEYS[0])
const seed = Number(process.env.FUZZ_SEED ?? 20_261_201)
/** What a caller may see instead of its result (PROTOCOL.md §14.3, §14.5), never anything else. */
const DOCUMENTED = new Set([4001, 4900, 8000, 8001, -32603])

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
beforeAll(() => {
  console.log(`hostile relay seed ${seed} (FUZZ_SEED replays it)`)
  process.on('unhandledRejection', onUnhandled)
})
// Registered before useRelay's hooks, so these run after its clean-ups and relay close (after-hooks run last first).
afterEach(() => {
  expect(unhandled).toEqual([]) // no test leaks an unhandled rejection, whatever the relay did
})
afterAll(() => {
  process.off('unhandledRejection', onUnhandled)
})
// The relay's per-connection rates and storage caps are not under test: 1,000 answers and their
// resends, which run on the network's virtual clock (a resend round as soon as the network is
// quiet, not 2 s later), would spend them and turn into RATE_LIMITED and TOPIC_FULL errors.
const relay = useRelay({
  limits: {
    publishRate: 100_000,
    publishBurst: 100_000,
    frameRate: 100_000,
    frameBurst: 100_000,
    maxMessagesPerTopic: 100_000,
    maxStoredMessagesPerConnection: 100_000,
    maxStoredMessagesPerIp: 100_000,
    maxBytesPerTopic: 1024 ** 3,
    maxStoredBytesPerConnection: 1024 ** 3,
    maxStoredBytesPerIp: 1024 ** 3,
  },
  ignoreCleanupErrors: true,
})
const { cleanup } = relay

/** The account, counting every signature it makes. */
function counted() {
  let signed = 0
  const account: LocalAccount = {
    ...base,
    signMessage: (a) => {
      signed++
      return base.signMessage(a)
    },
  }
  return { account, signed: () => signed }
}

type Clock = { offset: number; now: () => number }
const clock = (): Clock => {
  const c: Clock = { offset: 0, now: () => Date.now() / 1000 + c.offset }
  return c
}

/**
 * One dApp and one wallet over `net` (both sockets hostile, no fault until the test sets rates),
 * with `n` verified sessions. Counts how often each request id is shown; collects app errors.
 */
async function open(net: HostileNetwork, n: number, o: { storage?: unknown } = {}) {
  const signer = counted()
  const dappClock = clock()
  const walletClock = clock()
  const dappOptions = {
    relayUrl: relay.url,
    metadata: { name: 'Hostile dApp', url: 'https://dapp.example' },
    chains: [1],
    now: dappClock.now,
    timers: net.clock,
    relay: { WebSocket: net.socketClass('dapp') as never },
    ...(o.storage ? { storage: o.storage as never } : {}),
  }
  const dapp = createDapp(dappOptions)
  const wallet = createWallet({
    metadata: { name: 'Hostile Wallet', url: 'https://wallet.example' },
    accounts: [signer.account],
    chains: [1],
    // a wallet offers eth_sendTransaction only with a transport (§14.6); the tests here reject
    // every transaction, so nothing is ever sent through it
    transports: { 1: http('http://127.0.0.1:1') },
    now: walletClock.now,
    timers: net.clock,
    relay: { WebSocket: net.socketClass('wallet') as never },
  })
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  const shown = new Map<string, number>()
  const methods = new Map<string, string>()
  const errors: unknown[] = []
  const pairs: { dapp: DappSession; wallet: WalletSession }[] = []
  const answer = { mode: 'approve' as 'approve' | 'reject' }
  for (let i = 0; i < n; i++) {
    const pairing = await dapp.pair()
    const [w, d] = await Promise.all([(await wallet.pair(pairing.uri)).approve(), pairing.confirm()])
    w.on('request', (req) => {
      shown.set(req.id, (shown.get(req.id) ?? 0) + 1)
      methods.set(req.id, req.method)
      void (answer.mode === 'approve' ? req.approve() : req.reject())
    })
    w.on('error', (e) => errors.push(e))
    d.on('error', (e) => errors.push(e))
    pairs.push({ dapp: d, wallet: w })
  }
  return { dapp, wallet, pairs, shown, methods, errors, answer, dappClock, walletClock, dappOptions, signer }
}

/** A personal_sign through `net`, its resends and acks on the network's clock. */
const sign = (net: HostileNetwork, s: DappSession, message: string) =>
  net.run(s.provider.request({ method: 'personal_sign', params: [message, base.address] }))

type Outcome = { result: unknown } | { error: unknown }

/**
 * Sends `count` personal_sign requests spread over the sessions, at most `window` in flight at a
 * time (as an app would; a lost frame waits for the resend timer, on the network's clock), and
 * checks every outcome.
 */
async function storm(
  net: HostileNetwork,
  pairs: { dapp: DappSession }[],
  count: number,
  tag: string,
  window = 64,
) {
  const messages = Array.from({ length: count }, (_, i) => `${tag} ${i}`)
  const outcomes: Outcome[] = new Array(count)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      outcomes[i] = await sign(net, pairs[i % pairs.length]!.dapp, messages[i]!).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      )
    }
  }
  await net.run(Promise.all(Array.from({ length: Math.min(window, count) }, worker)))
  const failed: Record<number, number> = {}
  let completed = 0
  for (const [i, o] of outcomes.entries()) {
    if ('result' in o) {
      expect(o.result).toBe(await base.signMessage({ message: messages[i]! }))
      completed++
    } else {
      expect(o.error).toBeInstanceOf(ProviderRpcError)
      const code = (o.error as ProviderRpcError).code
      expect(DOCUMENTED.has(code), `code ${code}`).toBe(true)
      failed[code] = (failed[code] ?? 0) + 1
    }
  }
  return { completed, failed }
}

describe('a hostile relay: every fault at 10 %', () => {
  const REQUESTS = 1000
  it(`${REQUESTS} requests over two sessions: each completes once or fails with a documented code; none is signed twice; both sessions stay usable`, async () => {
    const net = new HostileNetwork({ seed })
    const { pairs, shown, errors, signer } = await open(net, 2)
    net.rates = Object.fromEntries(FAULTS.map((f) => [f, 0.1])) as HostileRates
    const { completed, failed } = await storm(net, pairs, REQUESTS, 'hostile relay request')
    net.rates = {}
    // The spec ends a session only on close, disconnect or expiry: both still sign.
    for (const p of pairs) {
      expect(p.dapp.ended).toBe(false)
      await expect(sign(net, p.dapp, `after the storm ${p.dapp.id}`)).resolves.toBe(
        await base.signMessage({ message: `after the storm ${p.dapp.id}` }),
      )
    }
    const epoch = Math.max(...net.epochs.values())
    console.log(
      `hostile relay: ${REQUESTS} requests, ${completed} completed, failed ${JSON.stringify(failed)}; ` +
        `${shown.size} ids shown, at most ${Math.max(...shown.values())} times each; ${signer.signed()} signatures; ` +
        `highest epoch ${epoch}; app errors ${errors.length}; faults ${JSON.stringify(net.counts)}; ` +
        `${net.ticks} timers fired, ${Math.round(net.clock.now / 1000)} s of virtual time`,
    )
    expect(completed + Object.values(failed).reduce((a, b) => a + b, 0)).toBe(REQUESTS)
    expect(shown.size).toBe(REQUESTS + pairs.length)
    expect([...shown.values()].every((n) => n === 1)).toBe(true)
    expect(signer.signed()).toBe(completed + pairs.length) // each request signed once, or not at all
    expect(errors).toEqual([])
    expect(epoch).toBeGreaterThan(0) // frames were replayed across a rekey
    for (const f of FAULTS) expect(net.counts[f], f).toBeGreaterThan(0)
  }, 300_000) // a hang guard, not a time bound
})

/** Each fault alone, at a high rate, with the property it would break as the test's name. */
const ALONE: { fault: Fault; rate: number; name: string }[] = (
  [
    [
      'drop',
      0.1,
      'requests and answers the relay drops are sent again until acknowledged: each answered once',
    ],
    ['delay', 0.5, 'delayed frames are each delivered once, with the right answer'],
    ['duplicate', 0.5, 'a duplicated request is shown to the user once and signed once'],
    ['reorder', 0.5, 'reordered frames: every caller gets its own answer, never another request’s'],
    ['replay', 0.5, 'a request replayed later in the session is not shown to the user again'],
    ['reflect', 0.5, 'a frame reflected to its sender is never taken for the peer’s'],
    ['move', 0.1, 'a frame moved to another session’s topic is not delivered in that session'],
    ['splice', 0.5, 'frames spliced in from another session are not shown in this one'],
    ['flip', 0.5, 'a bit-flipped frame never reaches the app; the genuine one is delivered once'],
    ['truncate', 0.5, 'a truncated frame never reaches the app; the genuine one is delivered once'],
    ['extend', 0.5, 'an extended frame never reaches the app; the genuine one is delivered once'],
    ['inject', 0.5, 'random frames injected by the relay never reach the app'],
  ] as const
).map(([fault, rate, name]) => ({ fault, rate, name }))

describe('a hostile relay: each attack alone', () => {
  it.each(ALONE)('$name ($fault)', async ({ fault, rate }) => {
    const net = new HostileNetwork({ seed: seed + FAULTS.indexOf(fault) + 1 })
    const { pairs, shown, errors, signer } = await open(net, 2)
    net.rates = { [fault]: rate }
    // Lost frames wait for the resend timer (2 s, doubling): fewer requests where frames are lost.
    const n = fault === 'drop' || fault === 'move' ? 16 : 20
    const { completed, failed } = await storm(net, pairs, n, fault)
    net.rates = {}
    expect({ completed, failed }).toEqual({ completed: n, failed: {} })
    expect(shown.size).toBe(n)
    expect([...shown.values()].every((v) => v === 1)).toBe(true)
    expect(signer.signed()).toBe(n)
    expect(errors).toEqual([])
    expect(net.counts[fault]).toBeGreaterThan(0)
  })
})

const TX = { from: base.address, to: '0x0000000000000000000000000000000000000001', value: '0x1' }
const sendTx = (s: DappSession) => s.provider.request({ method: 'eth_sendTransaction', params: [TX] })
/** The transport frames (§7.2) labelled `from` published so far: version 1, type 0x10. */
const transportFrames = (net: HostileNetwork, from: string) =>
  net.published.filter((f) => f.from === from && f.payload[0] === 1 && f.payload[1] === 0x10)

/**
 * Replays at the wallet, on its receive topic and on every topic it reads now, each frame the
 * dApp sent so far; then one more request, which the wallet handles after the replays.
 */
async function replayToWallet(net: HostileNetwork, frames: { topic: string; payload: Uint8Array }[]) {
  let delivered = 0
  const topics = net.subscriptions('wallet')
  for (const f of frames) {
    delivered += net.deliver(f.topic, f.payload, 'wallet')
    for (const t of topics) if (t !== f.topic) delivered += net.deliver(t, f.payload, 'wallet')
  }
  return delivered
}

describe('a hostile relay: replays later', () => {
  async function rejectedTx(o: { storage?: unknown } = {}) {
    const net = new HostileNetwork({ seed, record: true })
    const opened = await open(net, 1, o)
    opened.answer.mode = 'reject' // the user declines: nothing to sign or broadcast, still shown once
    const d = opened.pairs[0]!.dapp
    await expect(sendTx(d)).rejects.toMatchObject({
      code: 4001,
      shortMessage: 'The user rejected the request.',
    })
    opened.answer.mode = 'approve'
    const txIds = () => [...opened.methods].filter(([, m]) => m === 'eth_sendTransaction').map(([id]) => id)
    expect(txIds()).toHaveLength(1)
    return { net, ...opened, d, txIds }
  }

  it('a replayed eth_sendTransaction, minutes later, is not shown to the user again', async () => {
    const { net, d, shown, txIds, errors, dappClock, walletClock } = await rejectedTx()
    dappClock.offset += 120
    walletClock.offset += 120 // the request (expiring after 300 s) is still live
    const frames = transportFrames(net, 'dapp')
    expect(frames.length).toBeGreaterThanOrEqual(2) // confirm, the request (and acks)
    expect(await replayToWallet(net, frames)).toBe(frames.length)
    await expect(sign(net, d, 'after the replay')).resolves.toBe(
      await base.signMessage({ message: 'after the replay' }),
    )
    expect(shown.get(txIds()[0]!)).toBe(1)
    expect(shown.size).toBe(2)
    expect(errors).toEqual([])
  })

  it('a replayed eth_sendTransaction after a rekey is not shown to the user (within and after the grace period)', async () => {
    const { net, d, shown, txIds, errors, dappClock, walletClock } = await rejectedTx()
    const before = transportFrames(net, 'dapp')
    const topic = before[0]!.topic
    dappClock.offset += 601 // the dApp's sender rekeys before its next frame (600 s, §7.6)
    await expect(sign(net, d, 'epoch 1')).resolves.toBe(await base.signMessage({ message: 'epoch 1' }))
    expect(net.epochs.get(topic)).toBe(1)
    await replayToWallet(net, before) // the wallet still holds epoch 0's key (grace period)
    await expect(sign(net, d, 'in the grace period')).resolves.toBeTypeOf('string')
    walletClock.offset += 61 // grace over: epoch 0's key is gone
    await replayToWallet(net, before)
    await expect(sign(net, d, 'after the grace period')).resolves.toBeTypeOf('string')
    expect(shown.get(txIds()[0]!)).toBe(1)
    expect(shown.size).toBe(4)
    expect(errors).toEqual([])
  })

  it('a replayed eth_sendTransaction after a resume is not shown to the user; a replayed resume message 1 breaks nothing', async () => {
    const storage = memoryStorage()
    const { net, d, dapp, shown, txIds, errors, dappOptions } = await rejectedTx({ storage })
    const before = transportFrames(net, 'dapp')
    await dapp.close() // the page reloads; its session resumes with fresh keys and topics (§8)
    const again = createDapp(dappOptions)
    cleanup.push(() => again.close())
    const [restored] = await again.restoreSessions()
    expect(restored!.id).toBe(d.id)
    await expect(sign(net, restored!, 'after the resume')).resolves.toBeTypeOf('string')
    // New topics; the old one stays subscribed as a retired generation, to recognise a clone (§8.4).
    expect(net.subscriptions('wallet')).toContain(before[0]!.topic)
    expect(net.subscriptions('wallet').length).toBeGreaterThan(1)
    expect(await replayToWallet(net, before)).toBeGreaterThan(before.length)
    await expect(sign(net, restored!, 'after the replay')).resolves.toBeTypeOf('string')
    // The resume's own message 1, replayed: the session keeps working.
    const inits = net.published.filter(
      (f) => f.from === 'dapp' && f.payload[0] === 1 && f.payload[1] === 0x03,
    )
    expect(inits.length).toBeGreaterThan(0)
    await replayToWallet(net, inits)
    await expect(sign(net, restored!, 'after the resume replay')).resolves.toBeTypeOf('string')
    expect(shown.get(txIds()[0]!)).toBe(1)
    expect(shown.size).toBe(4)
    expect(errors).toEqual([])
  })

  it('a replayed eth_sendTransaction after the session ended is not shown, and raises nothing', async () => {
    const { net, d, dapp, wallet, pairs, shown, errors } = await rejectedTx()
    const before = transportFrames(net, 'dapp')
    const ended = new Promise((r) => pairs[0]!.wallet.once('disconnect', r))
    await d.disconnect()
    await expect(ended).resolves.toMatchObject({ code: 4900 })
    expect(wallet.sessions).toHaveLength(0)
    expect(net.deliver(before[0]!.topic, before[0]!.payload, 'wallet')).toBe(1)
    await replayToWallet(net, before)
    // The wallet still pairs and signs: the replays cost it nothing.
    const pairing = await dapp.pair()
    const [w, again] = await Promise.all([(await wallet.pair(pairing.uri)).approve(), pairing.confirm()])
    w.on('request', (req) => void req.approve())
    await expect(sign(net, again, 'new session')).resolves.toBe(
      await base.signMessage({ message: 'new session' }),
    )
    expect(shown.size).toBe(1)
    expect(errors).toEqual([])
  })
})

describe('a hostile relay: reordered state changes', () => {
  it('a reordered accountsChanged, chainChanged or extend never leaves the dApp with the older state', async () => {
    const other = privateKeyToAccount(ANVIL_KEYS[1])
    const net = new HostileNetwork({ seed })
    const dapp = createDapp({
      relayUrl: relay.url,
      metadata: { name: 'Hostile dApp', url: 'https://dapp.example' },
      chains: [1],
      optionalChains: [10],
      timers: net.clock,
      relay: { WebSocket: net.socketClass('dapp') as never },
    })
    const wallet = createWallet({
      metadata: { name: 'Hostile Wallet', url: 'https://wallet.example' },
      accounts: [base, other],
      chains: [1, 10],
      timers: net.clock,
      relay: { WebSocket: net.socketClass('wallet') as never },
    })
    cleanup.push(
      () => dapp.close(),
      () => wallet.close(),
    )
    const pairing = await dapp.pair()
    const [w, d] = await Promise.all([(await wallet.pair(pairing.uri)).approve(), pairing.confirm()])
    w.on('request', (req) => void req.approve())
    const seen: string[] = []
    d.on('accountsChanged', (a) => seen.push(`accounts ${a.join()}`))
    d.on('chainChanged', (c) => seen.push(`chain ${c}`))
    d.on('extended', (x) => seen.push(`extended ${x}`))
    /** Until the dApp has seen `n` changes (the held frames are released on the network's clock). */
    const ack = (n: number) =>
      net.run(
        new Promise<void>((resolve) => {
          const check = () => seen.length >= n && resolve()
          for (const e of ['accountsChanged', 'chainChanged', 'extended'] as const) d.on(e, check)
          check()
        }),
      )
    // Each first change is held back by the relay and delivered after the second (reorder at 100 %).
    net.rates = { reorder: 1 }
    await w.setAccounts([other.address])
    await w.setAccounts([base.address])
    await ack(1)
    await w.switchChain(10)
    await w.switchChain(1)
    await ack(2)
    await w.extend(3600)
    await w.extend(7200)
    await ack(3)
    net.rates = {}
    await expect(sign(net, d, 'in order again')).resolves.toBeTypeOf('string') // everything delivered
    expect(net.counts.reorder).toBeGreaterThanOrEqual(3)
    expect(d.accounts).toEqual([base.address])
    expect(d.chainId).toBe('eip155:1')
    expect(d.expiresAt).toBe(w.expiresAt)
    expect(seen).toEqual([`accounts ${base.address}`, 'chain eip155:1', `extended ${w.expiresAt}`])
  })
})
