import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { pairSessions } from '@pairline/testkit/session'
import { connect, createConfig, disconnect, getConnection, injected } from '@wagmi/core'
import { http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { describe, expect, it, vi } from 'vitest'

const account = privateKeyToAccount(ANVIL_KEYS[0])
const relay = useRelay()
const { cleanup } = relay

async function connected() {
  const { wsession, session } = await pairSessions(relay, {
    dapp: { metadata: { name: 'Perm dApp', url: 'https://perm.example' }, chains: [31337] },
    wallet: { metadata: { name: 'W', url: 'https://w.example' }, accounts: [account], chains: [31337] },
  })
  return { wsession, session }
}

describe('EIP-2255 permissions on a session', () => {
  it('get and request return eth_accounts with the approved accounts; nothing reaches the wallet', async () => {
    const { wsession, session } = await connected()
    const shown: string[] = []
    wsession.on('request', (r) => shown.push(r.method))
    const expected = [
      {
        parentCapability: 'eth_accounts',
        invoker: 'https://perm.example',
        caveats: [{ type: 'restrictReturnedAccounts', value: [account.address] }],
      },
    ]
    const p = session.provider
    expect(await p.request({ method: 'wallet_getPermissions' })).toEqual(expected)
    expect(await p.request({ method: 'wallet_requestPermissions', params: [{ eth_accounts: {} }] })).toEqual(
      expected,
    )
    await expect(
      p.request({ method: 'wallet_requestPermissions', params: [{ eth_accounts: {}, snap_dialog: {} }] }),
    ).rejects.toMatchObject({
      code: 4200,
      shortMessage: 'The wallet cannot grant the permission snap_dialog.',
    })
    await expect(p.request({ method: 'wallet_revokePermissions', params: [] })).rejects.toMatchObject({
      code: -32602,
      shortMessage: 'wallet_revokePermissions needs [{ eth_accounts: {} }].',
    })
    expect(session.ended).toBe(false)
    expect(shown).toEqual([])
  })

  it("wagmi core's disconnect() (wallet_revokePermissions) ends the Pairline session on both sides", async () => {
    const { wsession, session } = await connected()
    // wagmi's injected connector finds no provider without a `window` (it is browser code); the
    // target below hands it ours, so any object will do.
    vi.stubGlobal('window', {})
    cleanup.push(async () => vi.unstubAllGlobals())
    const config = createConfig({
      chains: [foundry],
      connectors: [
        injected({ target: { id: 'pairline', name: 'Pairline', provider: session.provider as never } }),
      ],
      transports: { [foundry.id]: http('http://127.0.0.1:1') },
      storage: null,
      multiInjectedProviderDiscovery: false,
    })
    const connector = config.connectors[0]!
    const result = await connect(config, { connector })
    expect(result.accounts).toEqual([account.address])
    expect(getConnection(config).status).toBe('connected')
    const onWallet = new Promise<{ code: number; message: string }>((r) => wsession.once('disconnect', r))
    await disconnect(config, { connector })
    expect(await onWallet).toEqual({
      code: 4900,
      message: 'The dApp revoked its permissions (wallet_revokePermissions).',
    })
    expect(session.ended).toBe(true)
    expect(wsession.ended).toBe(true)
    expect(getConnection(config).status).toBe('disconnected')
    await expect(session.provider.request({ method: 'eth_accounts' })).rejects.toMatchObject({ code: 4900 })
  })
})
