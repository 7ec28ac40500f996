import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { manualTimers } from '@pairline/testkit/timers'
import { writeCountingSocket } from '@pairline/testkit/transport'
import { Op } from '@pairline/wire'
import { verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDapp, type DappSession, memoryStorage } from './index.js'
import { createWallet } from './wallet/index.js'

/**
 * Issue 16: what a `personal_sign` costs on the wire, counted at each side's TCP socket. The ACK
 * of what a side received rides with its next request (PROTOCOL §13.9), corked into one write.
 * Both sides' timers are manual and never advanced: no held ACK or lone session ack goes out by
 * its timer, so every frame seen here left with a request.
 */

const account = privateKeyToAccount(ANVIL_KEYS[0])
let relay: Relay
beforeAll(async () => {
  relay = await createRelay({ port: 0 })
})
afterAll(() => relay.close())

describe('a personal_sign on the wire (PROTOCOL §13.9, §14.5)', () => {
  it('costs each side one socket write, its ACK and its PUBLISH together', async () => {
    const dappSocket = writeCountingSocket()
    const walletSocket = writeCountingSocket()
    const dapp = createDapp({
      relayUrl: relay.url,
      metadata: { name: 'Writes dApp', url: 'https://dapp.example' },
      chains: [31337],
      storage: memoryStorage(),
      timers: manualTimers(),
      relay: { WebSocket: dappSocket.WebSocket },
    })
    const wallet = createWallet({
      metadata: { name: 'Writes Wallet', url: 'https://wallet.example' },
      accounts: [account],
      chains: [31337],
      storage: memoryStorage(),
      timers: manualTimers(),
      relay: { WebSocket: walletSocket.WebSocket },
    })
    try {
      const pairing = await dapp.pair()
      const proposal = await wallet.pair(pairing.uri)
      const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
      wsession.on('request', (req) => void req.approve())
      const sign = (s: DappSession, text: string) =>
        s.provider.request({
          method: 'personal_sign',
          params: [text, account.address],
        }) as Promise<`0x${string}`>
      await sign(session, '0x01') // the first one also carries the pairing's held ACKs
      const from = [dappSocket, walletSocket].map((s) => ({
        frames: s.seen.sent.length,
        writes: s.seen.writes,
      }))
      const N = 3
      for (let i = 0; i < N; i++) {
        const signature = await sign(session, `0x0${i + 2}`)
        expect(
          await verifyMessage({ address: account.address, message: { raw: `0x0${i + 2}` }, signature }),
        ).toBe(true)
      }
      // per request and side: [ACK, PUBLISH] sent before the same write, then that one write
      const expected = (writes: number) =>
        Array.from({ length: N }, (_, i) => [
          [Op.Ack, writes + i],
          [Op.Publish, writes + i],
        ]).flat()
      for (const [i, s] of [dappSocket, walletSocket].entries()) {
        const sent = s.seen.sent.slice(from[i]!.frames).map((f) => [f.op, f.write])
        expect(sent).toEqual(expected(from[i]!.writes))
        expect(s.seen.writes - from[i]!.writes).toBe(N)
      }
    } finally {
      await Promise.all([dapp.close(), wallet.close()])
    }
  })
})
