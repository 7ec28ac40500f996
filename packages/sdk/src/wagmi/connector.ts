import type { CreateConnectorFn } from '@wagmi/core'
import { createDapp } from '../dapp/createDapp.js'
import type { Eip1193Provider } from '../dapp/eip1193.js'
import type { Dapp, DappOptions, DappSession, Pairing } from '../dapp/types.js'
import { ErrorCode } from '../errors/codes.js'
import { isPairlineError } from '../errors/is.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { chainNumber } from '../messages/caip.js'
import { createForwardingProvider, type ForwardingProvider } from './forwarding.js'

type Address = `0x${string}`

/**
 * What the app does with a new pairing: show `pairing.uri` (QR code, copy, open-in-wallet link),
 * then `await pairing.sas` and let its user compare the code and call `confirm()` or `reject()`.
 * `showPairing` from `@pairline/sdk/modal` does all of it. Whatever it returns is awaited alongside
 * `pairing.approved`; connect() settles with `approved`.
 */
export type OnPairing = (pairing: Pairing) => void | Promise<void>

/**
 * A connect UI that runs pairings itself (with retries) until one connects: `connectModal()` from
 * `@pairline/sdk/modal`. Its rejection (the user closed it) rejects connect().
 */
export type PairingUi = { open(start: () => Promise<Pairing>): Promise<DappSession> }

export type PairlineConnectorOptions = Omit<DappOptions, 'chains' | 'optionalChains' | 'rpcUrls'> &
  (
    | {
        /** Shows one pairing to the user (the app's own UI); connect() settles with it. */
        onPairing: OnPairing
        ui?: never
      }
    | {
        /** The modal (or any PairingUi): it shows the pairing, retries, and resolves with the session. */
        ui: PairingUi
        onPairing?: never
      }
  ) & {
    /**
     * The chains the wallet must approve; default the wagmi config's first chain. The config's
     * other chains are asked for as optional.
     */
    requiredChains?: readonly number[]
    /** Read-only RPC per chain; default each wagmi chain's `rpcUrls.default.http[0]`. */
    rpcUrls?: Readonly<Record<number, string>>
    /**
     * Creates the dApp side; default `createDapp`. `createTabDapp` from `@pairline/sdk/tabs`
     * shares one session and one relay connection among the tabs of the dApp.
     */
    createDapp?: (options: DappOptions) => DappLike
  }

/**
 * What the connector uses of a Dapp (a TabDapp has it too); `session` events (another tab
 * connected) make the connector connected here too.
 */
export type DappLike = Pick<Dapp, 'pair' | 'restoreSessions' | 'sessions' | 'close'> & {
  on?(event: 'session', fn: (session: DappSession) => void): void
}

export type PairlineConnectorProperties = {
  /** The dApp side behind the connector (created on first use). */
  getDapp(): DappLike
  /** The live session, if any. */
  getSession(): DappSession | undefined
}

type Fn = CreateConnectorFn<ForwardingProvider, PairlineConnectorProperties>
type Config = Parameters<Fn>[0]

/**
 * A wagmi connector (`@wagmi/core` / `wagmi` 3.x) for Pairline: `connect` pairs through
 * `onPairing` (or resumes a restored session), `disconnect` ends the session on both sides, and the
 * wallet's accountsChanged / chainChanged / disconnect reach wagmi as its change and disconnect events.
 */
export function pairline(options: PairlineConnectorOptions): Fn {
  const { onPairing, ui, requiredChains, rpcUrls, createDapp: create = createDapp, ...dappOptions } = options
  return (config: Config) => {
    let dapp: DappLike | undefined
    let session: DappSession | undefined
    let restoring: Promise<DappSession | undefined> | undefined
    const provider = createForwardingProvider(() => session)

    let connecting = false
    const getDapp = (): DappLike => {
      if (dapp) return dapp
      dapp = create({ ...dappOptions, ...chainOptions(config, requiredChains, rpcUrls) })
      // Another tab connected (createTabDapp): this tab's wagmi is connected to the same session.
      dapp.on?.('session', (s) => {
        if (connecting || live() || s.ended || s.accounts.length === 0) return
        attach(s)
        config.emitter.emit('connect', { accounts: [...s.accounts], chainId: chainNumber(s.chainId) })
      })
      return dapp
    }
    const live = () => (session && !session.ended ? session : undefined)

    const onAccounts = (accounts: readonly Address[]) => {
      provider.emit('accountsChanged', [...accounts])
      connector.onAccountsChanged([...accounts])
    }
    const onChain = (chain: string) => {
      provider.emit('chainChanged', `0x${chainNumber(chain).toString(16)}`)
      connector.onChainChanged(String(chainNumber(chain)))
    }
    const onEnd = ({ code, message }: { code: number; message: string }) => {
      provider.emit('disconnect', new ProviderRpcError(code, message))
      connector.onDisconnect()
    }

    function attach(s: DappSession): DappSession {
      if (session === s) return s
      detach()
      session = s
      s.on('accountsChanged', onAccounts).on('chainChanged', onChain).on('disconnect', onEnd)
      return s
    }
    function detach(): void {
      session?.off('accountsChanged', onAccounts).off('chainChanged', onChain).off('disconnect', onEnd)
      session = undefined
    }

    /**
     * The newest stored session that is still live: restored once per page (a second restore would
     * resume the same sessions again), and checked again at each use (it may have ended since).
     */
    async function restore(): Promise<DappSession | undefined> {
      restoring ??= getDapp()
        .restoreSessions()
        .then((all) => all.filter((s) => !s.ended && s.accounts.length > 0).at(-1))
        .catch(() => undefined)
      const s = await restoring
      return s && !s.ended ? s : undefined
    }

    async function pairNew(): Promise<DappSession> {
      try {
        return await (ui ? ui.open(() => getDapp().pair()) : pairOnce(onPairing!))
      } catch (err) {
        // wagmi apps tell "the user said no" by EIP-1193's 4001, as from any wallet.
        if (isPairlineError(err, ErrorCode.UserRejected))
          throw new ProviderRpcError(RpcCode.UserRejected, err.shortMessage, { cause: err })
        throw err
      }
    }

    async function pairOnce(show: OnPairing): Promise<DappSession> {
      const pairing = await getDapp().pair()
      const shown = Promise.resolve()
        .then(() => show(pairing))
        .catch((err: unknown) => {
          pairing.cancel()
          throw err
        })
      const [s] = await Promise.all([pairing.approved, shown])
      return s
    }

    const connector = {
      id: 'pairline',
      name: 'Pairline',
      type: 'pairline',
      getDapp,
      getSession: live,

      /** At createConfig: the dApp side starts (with createTabDapp, this tab joins the others). */
      async setup() {
        getDapp()
      },

      async connect<withCapabilities extends boolean = false>(
        parameters: { chainId?: number | undefined; isReconnecting?: boolean | undefined } = {},
      ) {
        connecting = true
        let s: DappSession
        try {
          const existing = live() ?? (await restore())
          if (!existing && parameters.isReconnecting)
            throw new ProviderRpcError(RpcCode.Disconnected, 'No Pairline session to reconnect.')
          s = attach(existing ?? (await pairNew()))
        } finally {
          connecting = false
        }
        let chainId = chainNumber(s.chainId)
        if (parameters.chainId !== undefined && parameters.chainId !== chainId)
          chainId = (await connector.switchChain({ chainId: parameters.chainId })).id
        const accounts = [...s.accounts] as never as withCapabilities extends true
          ? readonly { address: Address; capabilities: Record<string, unknown> }[]
          : readonly Address[]
        return { accounts, chainId }
      },

      async disconnect() {
        const s = session
        detach()
        if (s && !s.ended) await s.disconnect('The dApp disconnected.')
      },

      async getAccounts() {
        return [...(live()?.accounts ?? [])] as readonly Address[]
      },

      async getChainId() {
        const s = live()
        return s ? chainNumber(s.chainId) : config.chains[0].id
      },

      async getProvider() {
        return provider
      },

      async isAuthorized() {
        return (live() ?? (await restore())) !== undefined
      },

      async switchChain({ chainId }: { chainId: number }) {
        const chain = config.chains.find((c) => c.id === chainId)
        if (!chain)
          throw new ProviderRpcError(
            RpcCode.UnrecognizedChain,
            `Chain ${chainId} is not in the wagmi config.`,
          )
        const s = live()
        if (!s) throw new ProviderRpcError(RpcCode.Disconnected, 'Not connected.')
        const target = `eip155:${chainId}`
        if (s.chainId !== target) {
          const changed = new Promise<void>((resolve) => {
            const on = (c: string) => {
              if (c !== target) return
              s.off('chainChanged', on)
              resolve()
            }
            s.on('chainChanged', on)
          })
          await s.request('wallet_switchEthereumChain', [{ chainId: `0x${chainId.toString(16)}` }])
          if (s.chainId !== target) await changed
        }
        config.emitter.emit('change', { chainId })
        return chain
      },

      onAccountsChanged(accounts: string[]) {
        if (accounts.length === 0) connector.onDisconnect()
        else config.emitter.emit('change', { accounts: accounts as Address[] })
      },

      onChainChanged(chain: string) {
        config.emitter.emit('change', { chainId: Number(chain) })
      },

      onDisconnect() {
        detach()
        config.emitter.emit('disconnect')
      },
    }
    return connector
  }
}

/** The proposal's chains and read-only RPC URLs from the wagmi config. */
function chainOptions(
  config: Config,
  requiredChains: readonly number[] | undefined,
  rpcUrls: Readonly<Record<number, string>> | undefined,
): Pick<DappOptions, 'chains' | 'optionalChains' | 'rpcUrls'> {
  const ids = config.chains.map((c) => c.id)
  const required = requiredChains ?? [ids[0]!]
  const urls: Record<number, string> = {}
  for (const c of config.chains) {
    const url = rpcUrls?.[c.id] ?? c.rpcUrls.default.http[0]
    if (url) urls[c.id] = url
  }
  return { chains: required, optionalChains: ids.filter((id) => !required.includes(id)), rpcUrls: urls }
}

export type { Eip1193Provider }
