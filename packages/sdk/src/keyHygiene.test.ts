import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { type ManualTimers, manualTimers } from '@pairline/testkit/timers'
import { EventEmitter } from 'eventemitter3'
import { privateKeyToAccount } from 'viem/accounts'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createDapp, type DappSession, memoryStorage, type Storage } from './index.js'
import { decodeRecord } from './records/record.js'
import { createWallet, type WalletSession } from './wallet/index.js'

/**
 * Key hygiene (issue 15): every secret buffer the SDK's cryptography touches (AEAD keys, HKDF
 * chaining keys, inputs and outputs, DH private keys and shared secrets) is recorded by reference
 * as it is used, and must read back as zero once the session is disconnected, has expired, or
 * the client was closed; so must every buffer the SDK handed to storage or got back from it. A
 * full session's events, errors and console output never contain a secret in hex, base64 or
 * base64url.
 */
const used = vi.hoisted(() => ({ buffers: new Set<Uint8Array>(), values: [] as Uint8Array[] }))
const keep = (b: Uint8Array): Uint8Array => {
  if (b.length >= 16 && !used.buffers.has(b) && b.some((x) => x !== 0)) {
    used.buffers.add(b)
    used.values.push(b.slice())
  }
  return b
}

vi.mock('./protocol/noise/suite.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('./protocol/noise/suite.js')>()
  return {
    ...m,
    noiseHkdf: (h: never, ck: Uint8Array, ikm: Uint8Array, n: 2 | 3) => {
      keep(ck)
      if (n === 3) keep(ikm) // MixKeyAndHash(psk); MixKey's input is a DH output (kept below) or, in psk handshakes, the public `e`
      return keep(m.noiseHkdf(h, ck, ikm, n))
    },
    aeadEncrypt: (key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, pt: Uint8Array, out?: Uint8Array) =>
      m.aeadEncrypt(keep(key), nonce, ad, pt, out),
    aeadDecrypt: (key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ct: Uint8Array) =>
      m.aeadDecrypt(keep(key), nonce, ad, ct),
  }
})
vi.mock('./protocol/noise/dh.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('./protocol/noise/dh.js')>()
  return { ...m, dh: (priv: Uint8Array, pub: Uint8Array) => keep(m.dh(keep(priv), pub)) }
})

const account = privateKeyToAccount(ANVIL_KEYS[0])
const relay = useRelay({ ignoreCleanupErrors: true })
const { cleanup } = relay
beforeEach(() => {
  used.buffers.clear()
  used.values.length = 0
})

/** A memory storage that keeps every buffer it was handed and every buffer it handed back. */
function watchedStorage() {
  const inner = memoryStorage()
  const handed: Uint8Array[] = []
  const storage: Storage = {
    get: async (k) => {
      const v = await inner.get(k)
      if (v) handed.push(v)
      return v
    },
    set: async (k, v) => {
      handed.push(v)
      await inner.set(k, v)
    },
    delete: (k) => inner.delete(k),
    keys: (p) => inner.keys(p),
  }
  return { storage, handed }
}

async function paired(o: { sessionTtlSeconds?: number; clock?: ManualTimers } = {}) {
  const d = watchedStorage()
  const w = watchedStorage()
  const { clock, ...rest } = o
  // On a manual clock both sides read one time, in seconds, that moves only when the test says.
  const t0 = Date.now() / 1000
  const time = clock ? { timers: clock, now: () => t0 + clock.now / 1000 } : {}
  const dappOptions = {
    relayUrl: relay.url,
    metadata: { name: 'Hygiene dApp', url: 'https://dapp.example' },
    chains: [1],
    storage: d.storage,
    ...time,
    ...rest,
  }
  const dapp = createDapp(dappOptions)
  const wallet = createWallet({
    metadata: { name: 'Hygiene Wallet', url: 'https://wallet.example' },
    accounts: [account],
    chains: [1],
    storage: w.storage,
    ...time,
  })
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  const pairing = await dapp.pair()
  const [ws, ds] = await Promise.all([(await wallet.pair(pairing.uri)).approve(), pairing.confirm()])
  ws.on('request', (req) => void (req.method === 'personal_sign' ? req.approve() : req.reject()))
  const now = () => t0 + (clock?.now ?? 0) / 1000
  return { dapp, wallet, ds, ws, stores: [d, w], uri: pairing.uri, dappOptions, now }
}

const sign = (s: DappSession, message: string) =>
  s.provider.request({ method: 'personal_sign', params: [message, account.address] })

/** The recorded buffers that still hold something: none may, once everything is wiped. */
function unwiped(): string[] {
  return [...used.buffers].flatMap((b, i) =>
    b.some((x) => x !== 0) ? [`buffer ${i} (${b.length} bytes)`] : [],
  )
}
const nonZero = (bufs: Uint8Array[]) => bufs.filter((b) => b.some((x) => x !== 0)).length

describe('key hygiene: secret buffers read back as zero', () => {
  it('after disconnect(): every key, chaining key and DH secret of the session, and every buffer handed to or from storage', async () => {
    const { ds, ws, stores } = await paired()
    await expect(sign(ds, 'one')).resolves.toBe(await account.signMessage({ message: 'one' }))
    const ended = new Promise((r) => ws.once('disconnect', r))
    await ds.disconnect()
    await expect(ended).resolves.toMatchObject({ code: 4900 })
    expect(used.buffers.size).toBeGreaterThan(10)
    expect(unwiped()).toEqual([])
    const handed = stores.flatMap((s) => s.handed)
    expect(handed.length).toBeGreaterThan(2)
    expect(nonZero(handed)).toBe(0)
  })

  it('after expiry: the same, on both sides', async () => {
    const clock = manualTimers()
    const { ds, ws, stores, now } = await paired({ sessionTtlSeconds: 1, clock })
    const ended = Promise.all([
      new Promise((r) => ds.once('disconnect', r)),
      new Promise((r) => ws.once('disconnect', r)),
    ])
    expect([ds.ended, ws.ended]).toEqual([false, false])
    // Both expiry timers wait on the app's clock (not setTimeout): the sessions end when it moves.
    const left = (ds.expiresAt - now()) * 1000
    expect(ws.expiresAt).toBe(ds.expiresAt)
    expect(clock.pending().filter((ms) => ms === left)).toHaveLength(2)
    clock.advance(1_000) // the sessions' 1 s is up (both expiry timers fire)
    await expect(ended).resolves.toMatchObject([{ code: 4900 }, { code: 4900 }])
    expect(unwiped()).toEqual([])
    expect(nonZero(stores.flatMap((s) => s.handed))).toBe(0)
  })

  it('after close(), also of a session restored from storage (its resume psk included)', async () => {
    const { dapp, wallet, ds, stores, dappOptions } = await paired()
    await expect(sign(ds, 'two')).resolves.toBeTypeOf('string')
    await dapp.close()
    const again = createDapp(dappOptions)
    cleanup.push(() => again.close())
    const [restored] = await again.restoreSessions() // reads the record: resume psk, NNpsk0 (§8)
    await expect(sign(restored!, 'three')).resolves.toBe(await account.signMessage({ message: 'three' }))
    await Promise.all([again.close(), wallet.close()])
    expect(unwiped()).toEqual([])
    const handed = stores.flatMap((s) => s.handed)
    expect(handed.length).toBeGreaterThan(4)
    expect(nonZero(handed)).toBe(0)
    expect(await stores[0]!.storage.keys('pairline/dapp/')).toHaveLength(1) // still there to restore
  })

  it('the wallet’s handshake state is wiped on close() while its proposal waits for the user', async () => {
    const dapp = createDapp({
      relayUrl: relay.url,
      metadata: { name: 'Hygiene dApp', url: 'https://dapp.example' },
      chains: [1],
    })
    const wallet = createWallet({
      metadata: { name: 'Hygiene Wallet', url: 'https://wallet.example' },
      accounts: [account],
      chains: [1],
    })
    cleanup.push(() => dapp.close())
    const pairing = await dapp.pair()
    const proposal = await wallet.pair(pairing.uri)
    expect(proposal.state).toBe('handshakeDone')
    const walletUsed = [...used.buffers]
    expect(walletUsed.length).toBeGreaterThan(5)
    await wallet.close()
    await dapp.close()
    expect(unwiped()).toEqual([])
  })
})

/** Every way a secret could be spelled in text. */
function spellings(secret: Uint8Array): string[] {
  const b = Buffer.from(secret)
  return [b.toString('hex'), b.toString('base64'), b.toString('base64url')]
}

/** Everything readable in a value: strings, error messages, details, stacks, causes, bytes as hex. */
function text(v: unknown, seen = new Set<unknown>()): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v !== 'object' && typeof v !== 'function') return String(v)
  if (seen.has(v)) return ''
  seen.add(v)
  if (v instanceof Uint8Array) return `${Buffer.from(v).toString('hex')} ${Buffer.from(v).toString('base64')}`
  const parts: string[] = []
  if (v instanceof Error) parts.push(v.message, v.stack ?? '', text((v as { cause?: unknown }).cause, seen))
  for (const key of Object.getOwnPropertyNames(v)) {
    try {
      parts.push(key, text((v as Record<string, unknown>)[key], seen))
    } catch {}
  }
  return parts.join(' ')
}

describe('key hygiene: no secret in what the app sees', () => {
  it('a full session’s events, errors and console lines contain no secret in hex, base64 or base64url', async () => {
    const captured: string[] = []
    const emit = EventEmitter.prototype.emit
    const spy = vi.spyOn(EventEmitter.prototype, 'emit').mockImplementation(function (
      this: EventEmitter,
      event: string | symbol,
      ...args: unknown[]
    ) {
      captured.push(`${String(event)} ${args.map((a) => text(a)).join(' ')}`)
      return emit.call(this, event, ...args)
    })
    const consoles = (['log', 'info', 'warn', 'error', 'debug'] as const).map((k) =>
      vi.spyOn(console, k).mockImplementation((...args: unknown[]) => {
        captured.push(args.map((a) => text(a)).join(' '))
      }),
    )
    const errors: unknown[] = []
    try {
      const { ds, ws, uri, stores } = await paired()
      for (const s of [ds, ws] as (DappSession | WalletSession)[])
        (s as DappSession).on('error', (e) => errors.push(e))
      await expect(sign(ds, 'a secretless session')).resolves.toBeTypeOf('string')
      const rejected = await ds.provider
        .request({ method: 'eth_sendTransaction', params: [{ from: account.address, to: account.address }] })
        .catch((e: unknown) => e)
      errors.push(rejected)
      await expect(ds.provider.request({ method: 'eth_nope' })).rejects.toMatchObject({ code: 4200 })
      // The resume psks, from the stored records (u32be n ‖ JSON ‖ psk, §14.4), are secrets too.
      for (const { storage } of stores) {
        const [key] = await storage.keys('pairline/')
        const record = await storage.get(key!)
        used.values.push(decodeRecord(record!).secret)
      }
      const ended = new Promise((r) => ws.once('disconnect', r))
      await ds.disconnect()
      await ended
      captured.push(...errors.map((e) => text(e)))
      const all = captured.join('\n')
      // The pairing URI carries the psk by design (it is the QR); it must appear nowhere else.
      const psk = new URL(uri).searchParams.get('k') ?? ''
      expect(captured.length).toBeGreaterThan(20)
      expect(used.values.length).toBeGreaterThan(10)
      const found = used.values.flatMap((secret, i) =>
        spellings(secret)
          .filter((s) => all.includes(s))
          .map((s) => `secret ${i}: ${s.slice(0, 8)}…`),
      )
      expect(found).toEqual([])
      if (psk) expect(all.includes(psk)).toBe(false)
    } finally {
      spy.mockRestore()
      for (const c of consoles) c.mockRestore()
    }
  })
})
