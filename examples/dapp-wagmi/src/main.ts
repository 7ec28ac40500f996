/**
 * A dApp on wagmi (`@wagmi/core`): the Pairline connector with the connect modal. Connect shows
 * the modal (QR, copy, "Open in wallet" on phones, the code to compare); then sign, send and switch
 * chain through wagmi's actions. A reload reconnects from the stored session without a new code.
 * Open it in several tabs: they share the session (createTabDapp), whichever tab connects.
 */
import { connectModal } from '@pairline/sdk/modal'
import { createTabDapp } from '@pairline/sdk/tabs'
import { type PairlineConnectorProperties, pairline } from '@pairline/sdk/wagmi'
import {
  type Config,
  connect,
  createConfig,
  disconnect,
  type GetConnectionReturnType,
  getConnection,
  http,
  reconnect,
  sendTransaction,
  signMessage,
  switchChain,
  waitForTransactionReceipt,
  watchConnection,
} from '@wagmi/core'
import { type Address, type Chain, defineChain, parseEther, verifyMessage } from 'viem'
import { loadConfig } from './config.js'

/** anvil's second default dev account: the recipient of the example transaction. */
const RECIPIENT: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id)
  if (!found) throw new Error(`The page has no #${id}.`)
  return found as T
}
const ui = {
  status: byId('status'),
  connect: byId<HTMLButtonElement>('connect'),
  chip: byId('account-chip'),
  account: byId('account'),
  chain: byId('chain'),
  disconnect: byId<HTMLButtonElement>('disconnect'),
  session: byId('session'),
  intro: byId('intro'),
  peerName: byId('peer-name'),
  switchChain: byId<HTMLButtonElement>('switch-chain'),
}

function setStatus(state: string, text: string): void {
  ui.status.dataset.state = state
  ui.status.textContent = text
}

const errorText = (err: unknown): string => {
  const e = err as { shortMessage?: unknown; message?: unknown; code?: unknown }
  const text = typeof e?.shortMessage === 'string' ? e.shortMessage : String(e?.message ?? err)
  return e?.code !== undefined ? `${text} (${String(e.code)})` : text
}
/** 4001 anywhere in the cause chain (viem wraps the provider's error). */
const isRejection = (err: unknown): boolean => {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    if (e.code === 4001) return true
  return false
}
const short = (hex: string) => `${hex.slice(0, 6)}…${hex.slice(-4)}`

let config: Config
let leaving = false

function render(c: GetConnectionReturnType): void {
  const connected = c.status === 'connected' && c.address !== undefined
  ui.connect.hidden = connected
  ui.chip.hidden = !connected
  ui.session.hidden = !connected
  ui.intro.hidden = connected
  if (!connected) return
  ui.account.textContent = c.address!
  ui.account.title = c.address!
  ui.chain.textContent = c.chain?.name ?? `Chain ${c.chainId}`
  ui.chain.dataset.chainId = String(c.chainId)
  const other = config.chains.find((x) => x.id !== c.chainId)
  ui.switchChain.textContent = other ? `Switch to ${other.name}` : 'Switch chain'
  const props = c.connector as unknown as PairlineConnectorProperties
  ui.peerName.textContent = props.getSession?.()?.peer.name ?? ''
}

type Outcome = { ok: boolean; text: string }

/** Runs one action and shows its outcome in `#result-<name>`. */
function action(name: string, run: (account: Address) => Promise<Outcome>): void {
  const button = byId<HTMLButtonElement>(name)
  const out = byId<HTMLOutputElement>(`result-${name}`)
  button.addEventListener('click', async () => {
    const account = getConnection(config).address
    if (!account) return
    button.disabled = true
    out.dataset.status = 'pending'
    out.textContent = 'Confirm in your wallet…'
    try {
      const { ok, text } = await run(account)
      out.dataset.status = ok ? 'ok' : 'failed'
      out.textContent = text
    } catch (err) {
      out.dataset.status = isRejection(err) ? 'rejected' : 'error'
      out.textContent = isRejection(err) ? 'Rejected in the wallet.' : `Failed: ${errorText(err)}`
    } finally {
      button.disabled = false
    }
  })
}

action('sign-message', async (account) => {
  const message = `Sign in to Pairline Swap (${new Date().toISOString()})`
  const signature = await signMessage(config, { message })
  const valid = await verifyMessage({ address: account, message, signature })
  return { ok: valid, text: valid ? `Signed in: ${short(signature)} verified.` : 'Signature INVALID.' }
})

action('send-transaction', async () => {
  const hash = await sendTransaction(config, { to: RECIPIENT, value: parseEther('0.01') })
  byId('result-send-transaction').textContent = `Sent ${short(hash)}; waiting for the receipt…`
  const chainId = getConnection(config).chainId
  const receipt = await waitForTransactionReceipt(config, { hash, pollingInterval: 250 })
  return {
    ok: receipt.status === 'success',
    text: `0.01 ETH to ${RECIPIENT}: mined in block ${receipt.blockNumber} on chain ${chainId} (${receipt.status})`,
  }
})

action('switch-chain', async () => {
  const from = getConnection(config).chainId
  const target = config.chains.find((c) => c.id !== from)
  if (!target) throw new Error('Only one chain is configured.')
  const chain = await switchChain(config, { chainId: target.id })
  return { ok: getConnection(config).chainId === chain.id, text: `Switched from ${from} to ${chain.id}.` }
})

async function main(): Promise<void> {
  const page = await loadConfig()
  const chains = page.chains.map(
    (c): Chain =>
      defineChain({
        id: c.id,
        name: c.name,
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        rpcUrls: { default: { http: [c.rpcUrl] } },
      }),
  ) as [Chain, ...Chain[]]
  config = createConfig({
    chains,
    transports: Object.fromEntries(chains.map((c) => [c.id, http()])),
    connectors: [
      pairline({
        relayUrl: page.relayUrl,
        metadata: {
          name: 'Pairline Swap',
          url: location.origin,
          description: 'The wagmi example of the Pairline SDK.',
          redirect: `${location.origin}/`,
        },
        ui: connectModal(),
        // every tab of this dApp shares one session and one relay connection
        createDapp: createTabDapp,
      }),
    ],
  })
  watchConnection(config, {
    onChange(c, previous) {
      render(c)
      if (c.status === 'disconnected' && previous.status === 'connected') {
        setStatus('disconnected', leaving ? 'Disconnected.' : 'Disconnected: the wallet ended the session.')
        leaving = false
      }
    },
  })

  ui.connect.addEventListener('click', async () => {
    ui.connect.disabled = true
    setStatus('connecting', 'Connecting…')
    try {
      await connect(config, { connector: config.connectors[0]! })
      setStatus('connected', 'Connected.')
    } catch (err) {
      if (isRejection(err)) setStatus('idle', `Not connected: ${errorText(err)}`)
      else setStatus('error', `Not connected: ${errorText(err)}`)
    } finally {
      ui.connect.disabled = false
    }
  })
  ui.disconnect.addEventListener('click', () => {
    leaving = true
    void disconnect(config)
  })

  // A session stored by an earlier visit: wagmi's reconnect resumes it, no new code.
  setStatus('loading', 'Looking for a stored session…')
  const restored = await reconnect(config)
  ui.connect.disabled = false
  render(getConnection(config))
  if (restored.length > 0) setStatus('connected', 'Connected (session restored).')
  else setStatus('idle', 'Not connected.')
}

main().catch((err) => setStatus('error', `The page could not start: ${errorText(err)}`))
