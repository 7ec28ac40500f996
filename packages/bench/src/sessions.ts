/**
 * Pairing and round-trip rows: a real dApp and wallet (createDapp, createWallet with a viem local
 * account) in this process, talking through the real relay in a child process (relay CPU is not
 * ours to count here: bench:relay measures it). This process runs the SDK on node:crypto (what it
 * runs in Node); the pure-JS pairing (noble, as browsers run it) is measured the same way in a child
 * started with `--conditions=pairline-pure-js` (pureJsChild.ts). Floors in the same run:
 * WalletConnect's pairing key work (@walletconnect/utils: both key pairs, both deriveSymKey, the
 * topic hashes) and, for the round trip, two echoes through a bare `ws` echo server in a child
 * process plus viem's signing.
 */

import { setTimeout as sleep } from 'node:timers/promises'
import { x25519 } from '@noble/curves/ed25519'
import { memoryStorage, type Storage } from '@pairline/sdk'
import { writeCountingSocket } from '@pairline/testkit/transport'
import { deriveSymKey, generateKeyPair, generateRandomBytes32, hashKey } from '@walletconnect/utils'
import { privateKeyToAccount } from 'viem/accounts'
import { WebSocket } from 'ws'
import { Child } from '../../relay/bench/run.js'
import * as native from '../../sdk/src/protocol/noise/primitives.node.js'
import { absoluteGoal, alternate, cpuPerAsyncOp, cpuPerOp, median, type Row, ratioGoal } from './measure.js'
import { apps, KEY, pairOnce, type WebSocketConstructor } from './pairingApps.js'
import { protocolPairing } from './pairingCore.js'
import { startPureJs } from './pureJs.js'

/** Memory storage that counts writes: each is one sealed session record (core/side.ts `save`). */
function countingStorage(): { storage: Storage; writes: () => number } {
  const inner = memoryStorage()
  let writes = 0
  const storage: Storage = {
    get: (k) => inner.get(k),
    keys: (p) => inner.keys(p),
    delete: (k) => inner.delete(k),
    set: (k, v) => {
      writes++
      return inner.set(k, v)
    },
  }
  return { storage, writes: () => writes }
}

/** ws that counts the writes to its TCP socket (a corked batch of frames is one): each is a syscall, and a wake-up of the relay. */
function countingSocket(): { WebSocket: WebSocketConstructor; writes: () => number } {
  const { seen, WebSocket } = writeCountingSocket()
  return { WebSocket: WebSocket as unknown as WebSocketConstructor, writes: () => seen.writes }
}

const X_PRIV = crypto.getRandomValues(new Uint8Array(32))
const X_PEER = x25519.getPublicKey(crypto.getRandomValues(new Uint8Array(32)))
function x25519Seven(): void {
  for (let i = 0; i < 3; i++) x25519.getPublicKey(X_PRIV)
  for (let i = 0; i < 4; i++) x25519.getSharedSecret(X_PRIV, X_PEER)
}
/** The same 7 as the SDK runs them in Node (node:crypto, keys imported from DER). */
function x25519SevenNative(): void {
  for (let i = 0; i < 3; i++) native.scalarMultBase(X_PRIV)
  for (let i = 0; i < 4; i++) native.scalarMult(X_PRIV, X_PEER)
}

function wcPairingKeys(): void {
  // dApp: the pairing's symKey and topic, its key pair; wallet: its key pair, the session key and
  // topic; dApp: the same session key and topic.
  const pairingKey = generateRandomBytes32()
  hashKey(pairingKey)
  const d = generateKeyPair()
  const w = generateKeyPair()
  hashKey(deriveSymKey(w.privateKey, d.publicKey))
  hashKey(deriveSymKey(d.privateKey, w.publicKey))
}

function echoServer(): Child {
  return new Child('floor', 'echo', new URL('./echoServer.ts', import.meta.url).pathname)
}

async function echoClient(url: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const payload = new Uint8Array(600)
  const echo = () =>
    new Promise<void>((resolve) => {
      ws.once('message', () => resolve())
      ws.send(payload)
    })
  const twice = async () => {
    await echo()
    await echo()
  }
  return { twice, close: () => ws.close() }
}

/**
 * Round trips per p50, each side of the ratio. With 60 the round's first, colder requests and the
 * scheduling hiccups of this shared machine moved it: ours 1.43-2.24 ms in six runs at load 2-4;
 * with 300, 1.16-1.28 ms in three, for about half a second more a round.
 */
const RT_SAMPLES = 300

const wallMs = async (fn: () => Promise<unknown>, n: number): Promise<number[]> => {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn()
    out.push(performance.now() - t0)
  }
  return out
}

export async function sessionRows(): Promise<Row[]> {
  const relay = new Child('relay', 'sessions')
  const echo = echoServer()
  const [pure] = await Promise.all([startPureJs(), relay.ready(), echo.ready()])
  const account = privateKeyToAccount(KEY)
  try {
    const dappStore = countingStorage()
    const walletStore = countingStorage()
    const dappSocket = countingSocket()
    const walletSocket = countingSocket()
    const existing = apps(
      relay.url,
      { storage: dappStore.storage, socket: dappSocket.WebSocket },
      { storage: walletStore.storage, socket: walletSocket.WebSocket },
    )
    // its relay connections open, the code paths warm; the round trip runs on this session
    const { wsession, session } = await pairOnce(existing)
    // Writes per pairing, each side: pairOnce settles only after both sides' writes (the dApp sends
    // its confirm once written, the wallet is verified once written).
    let paired = 0
    const written = [dappStore.writes(), walletStore.writes(), dappSocket.writes(), walletSocket.writes()]
    const pairing = await alternate({
      pure: () => pure.measure('pairing', 10, relay.url),
      ours: () =>
        cpuPerAsyncOp(
          async () => {
            await pairOnce(existing)
            paired++
          },
          10,
          2,
        ),
      withApps: () =>
        cpuPerAsyncOp(
          async () => {
            const a = apps(relay.url)
            await pairOnce(a)
            await Promise.all([a.dapp.close(), a.wallet.close()])
          },
          6,
          1,
        ),
      core: () => cpuPerOp(protocolPairing, 30),
      pureCore: () => pure.measure('core', 30),
      // the 7 X25519 operations of a pairing (3 key generations, 4 exchanges)
      x25519: () => cpuPerOp(x25519Seven, 30),
      x25519Native: () => cpuPerOp(x25519SevenNative, 30),
      wc: () => cpuPerOp(wcPairingKeys, 30),
    })
    const pairingWrites = [
      (dappStore.writes() - written[0]!) / paired,
      (walletStore.writes() - written[1]!) / paired,
      (dappSocket.writes() - written[2]!) / paired,
      (walletSocket.writes() - written[3]!) / paired,
    ]
    await pure.measure('close', 0)
    wsession.on('request', (req) => void req.approve().catch(() => {}))
    const address = session.accounts[0]!
    const sign = () =>
      session.provider.request({ method: 'personal_sign', params: ['0x68656c6c6f', address] })
    const client = await echoClient(echo.url)
    const rt = await alternate({
      ours: async () => median(await wallMs(sign, RT_SAMPLES)),
      floor: async () => {
        const echoes = median(await wallMs(client.twice, RT_SAMPLES))
        const signing = median(await wallMs(() => account.signMessage({ message: 'hello' }), RT_SAMPLES))
        return echoes + signing
      },
    })
    client.close()
    // Sealed writes per request, each side: K requests, then a moment for any write they left queued
    // (a bench, not a test: the settle time only bounds what is counted; an ack alone is not written).
    const K = 20
    // Socket writes are counted right after the K requests: in a stream of requests each side's ACKs
    // ride with its next request; the last ones, held up to 50 ms, are not a request's.
    const counters = [dappStore.writes, walletStore.writes, dappSocket.writes, walletSocket.writes]
    const before = counters.map((c) => c())
    const perRequest = (c: () => number, i: number) => (c() - before[i]!) / K
    for (let i = 0; i < K; i++) await sign()
    const [dappSends, walletSends] = counters.slice(2).map((c, i) => perRequest(c, i + 2))
    await sleep(300)
    const [dappWrites, walletWrites] = counters.slice(0, 2).map(perRequest)
    await Promise.all([existing.dapp.close(), existing.wallet.close()])
    const section = 'pairing and requests'
    return [
      absoluteGoal(
        {
          section,
          quantity:
            'full pairing CPU, both sides, pure JS (the SDK on noble, as browsers run it: a pairline-pure-js child; existing dApp and wallet: QR to both sessions; real relay in a child)',
          unit: 'ms',
          ours: pairing.pure.map((us) => us / 1000),
          baselineName: "WalletConnect's pairing key work (@walletconnect/utils)",
          baseline: pairing.wc.map((us) => us / 1000),
        },
        8,
      ),
      {
        section,
        quantity: 'the same in Node (the SDK on node:crypto, what it runs there)',
        unit: 'ms',
        ours: pairing.ours.map((us) => us / 1000),
        baselineName: "WalletConnect's pairing key work (@walletconnect/utils)",
        baseline: pairing.wc.map((us) => us / 1000),
      },
      {
        section,
        quantity:
          'the same in Node with createDapp + createWallet, their relay connections and close() in each pairing',
        unit: 'ms',
        ours: pairing.withApps.map((us) => us / 1000),
        baselineName: "WalletConnect's pairing key work (@walletconnect/utils)",
        baseline: pairing.wc.map((us) => us / 1000),
      },
      {
        section,
        quantity: 'pairing CPU of the protocol alone, both sides (handshake, SAS, topics), pure JS',
        unit: 'ms',
        ours: pairing.pureCore.map((us) => us / 1000),
        baselineName: "WalletConnect's pairing key work (@walletconnect/utils)",
        baseline: pairing.wc.map((us) => us / 1000),
      },
      {
        section,
        quantity: 'pairing CPU of the protocol alone, both sides, in Node (node:crypto)',
        unit: 'ms',
        ours: pairing.core.map((us) => us / 1000),
        baselineName: "WalletConnect's pairing key work (@walletconnect/utils)",
        baseline: pairing.wc.map((us) => us / 1000),
      },
      {
        section,
        quantity: "of which X25519: a pairing's 7 operations in pure JS (noble)",
        unit: 'ms',
        ours: pairing.x25519.map((us) => us / 1000),
        baselineName: 'the same 7 in Node (the SDK on node:crypto, keys imported from DER)',
        baseline: pairing.x25519Native.map((us) => us / 1000),
        note: 'the floor of a pure-JS pairing; WebCrypto does one in about a fifth, but asynchronously (crypto rows)',
      },
      {
        section,
        quantity:
          'sealed writes per pairing, dApp side (the verified session: its receipt and confirm in one)',
        unit: 'writes',
        ours: [pairingWrites[0]!],
      },
      {
        section,
        quantity: 'sealed writes per pairing, wallet side (the verified session)',
        unit: 'writes',
        ours: [pairingWrites[1]!],
      },
      ...(['dApp', 'wallet'] as const).map((side, i) => ({
        section,
        quantity: `socket writes per pairing, ${side} side`,
        unit: 'writes',
        ours: [pairingWrites[i + 2]!],
        note: 'counted at the TCP socket; an ACK rides, corked, with the next request or leaves after 50 ms (§13.9)',
      })),
      ratioGoal(
        {
          section,
          quantity: '`personal_sign` round trip p50, one process (relay in a child)',
          unit: 'ms',
          ours: rt.ours,
          baselineName: '2 bare ws echoes (child echo server) + viem signMessage, p50s added',
          baseline: rt.floor,
        },
        1.6,
      ),
      absoluteGoal(
        {
          section,
          quantity: 'sealed writes per `personal_sign`, dApp side',
          unit: 'writes',
          ours: [dappWrites!],
        },
        2,
      ),
      absoluteGoal(
        {
          section,
          quantity: 'sealed writes per `personal_sign`, wallet side',
          unit: 'writes',
          ours: [walletWrites!],
        },
        2,
      ),
      ...(['dApp', 'wallet'] as const).map((side, i) => ({
        section,
        quantity: `socket writes per \`personal_sign\`, ${side} side`,
        unit: 'writes',
        ours: [[dappSends, walletSends][i]!],
        note: "an ACK rides, corked, with the next request (§13.9); the floor's client: 2 per round trip",
      })),
    ]
  } finally {
    await Promise.all([relay.stop(), echo.stop(), pure.stop()])
  }
}
