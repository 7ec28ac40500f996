import { createDapp, type Dapp, type DappSession, type Pairing } from '@pairline/sdk'
import { toSvg } from '@pairline/sdk/qr'
import { siweVerifier } from '@pairline/sdk/siwe'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  http,
  parseEther,
  verifyMessage,
  verifyTypedData,
} from 'viem'
import { type ChainConfig, loadConfig, type PageConfig } from './config.js'

/** anvil's second default dev account: the recipient of the example transaction. */
const RECIPIENT: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const AMOUNT = '0.01'

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id)
  if (!found) throw new Error(`The page has no #${id}.`)
  return found as T
}

const ui = {
  status: byId('status'),
  relayStatus: byId('relay-status'),
  connect: byId<HTMLButtonElement>('connect'),
  connectPanel: byId('connect-panel'),
  pairing: byId('pairing'),
  qr: byId('qr'),
  uri: byId('uri'),
  copyUri: byId<HTMLButtonElement>('copy-uri'),
  sasBox: byId('sas-box'),
  sas: byId('sas'),
  sasAnswer: byId('sas-answer'),
  confirmCode: byId<HTMLButtonElement>('confirm-code'),
  rejectCode: byId<HTMLButtonElement>('reject-code'),
  cancelPairing: byId<HTMLButtonElement>('cancel-pairing'),
  session: byId('session'),
  peerName: byId('peer-name'),
  account: byId('account'),
  signedIn: byId('signed-in'),
  chain: byId('chain'),
  switchChain: byId<HTMLButtonElement>('switch-chain'),
  disconnect: byId<HTMLButtonElement>('disconnect'),
}

type State =
  | 'loading'
  | 'idle'
  | 'pairing'
  | 'confirming'
  | 'confirmed'
  | 'connected'
  | 'burned'
  | 'rejected'
  | 'disconnected'
  | 'error'

function setStatus(state: State, text: string): void {
  ui.status.dataset.state = state
  ui.status.textContent = text
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; shortMessage?: unknown; message?: unknown; details?: unknown }
  const message = typeof e?.shortMessage === 'string' ? e.shortMessage : String(e?.message ?? err)
  return e?.code !== undefined ? `${message} (${String(e.code)})` : message
}

/** EIP-1193 4001, or Pairline's USER_REJECTED, possibly wrapped by viem. */
function isRejection(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 4001 || e.code === 'USER_REJECTED') return true
  }
  return false
}

const chainNumber = (caip2: string) => Number(caip2.split(':')[1])

let config: PageConfig
let dapp: Dapp
let pairing: Pairing | null = null
let current: DappSession | null = null

function chainConfig(id: number): ChainConfig | undefined {
  return config.chains.find((c) => c.id === id)
}

function chainLabel(id: number): string {
  const c = chainConfig(id)
  return c ? `${id} (${c.name})` : String(id)
}

async function showQr(uri: string): Promise<void> {
  const svg = await toSvg(uri, { margin: 4, errorCorrectionLevel: 'M' })
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml')
  ui.qr.replaceChildren(document.importNode(doc.documentElement, true))
  ui.uri.textContent = uri
}

function clearPairing(): void {
  ui.pairing.hidden = true
  ui.sasBox.hidden = true
  ui.qr.replaceChildren()
  ui.uri.textContent = ''
  ui.sas.textContent = ''
}

/** This page's user said the wallet shows another code (or none). */
let saidDifferent = false

/** The user's answer to "does your wallet show this code?": both screens must confirm (§5.1). */
function answerCode(same: boolean): void {
  const p = pairing
  if (!p) return
  ui.sasAnswer.hidden = true
  if (!same) {
    saidDifferent = true
    void p.reject()
    return
  }
  if (p.state !== 'verified') setStatus('confirmed', 'Confirmed here. Waiting for the wallet’s approval…')
  void p.confirm().catch(() => {}) // the outcome arrives through `approved`
}

async function connect(): Promise<void> {
  saidDifferent = false
  const previous = pairing
  pairing = null
  previous?.cancel()
  ui.connect.disabled = true
  // Sign-in at connect (EIP-4361): the wallet's approval also signs the user in to this page.
  const p = await dapp.pair({
    signIn: { statement: 'Sign in to the Pairline example dApp.', domain: location.host },
  })
  pairing = p
  await showQr(p.uri)
  ui.pairing.hidden = false
  setStatus('pairing', 'Scan the QR code with your wallet, or paste the link into it.')

  p.sas.then(
    (sas) => {
      if (pairing !== p) return
      ui.sas.textContent = sas
      ui.sasBox.hidden = false
      ui.sasAnswer.hidden = false
      setStatus('confirming', 'Does your wallet show the same code? Confirm here, and approve in the wallet.')
    },
    () => {},
  )
  try {
    const session = await p.approved
    if (pairing !== p) return
    pairing = null
    // One wallet at a time in this example: end any older session.
    for (const other of dapp.sessions)
      if (other !== session) void other.disconnect('Replaced by a new connection.')
    adopt(session, 'Connected.')
  } catch (err) {
    if (pairing !== p) return
    pairing = null
    clearPairing()
    ui.connect.disabled = false
    const code = (err as { code?: unknown }).code
    if (code === 'PAIRING_BURNED') setStatus('burned', errorText(err))
    else if (saidDifferent) setStatus('rejected', 'You said the codes differ: nothing was connected.')
    else if (isRejection(err)) setStatus('rejected', 'The wallet rejected the connection.')
    else setStatus('error', `Not connected: ${errorText(err)}`)
  }
}

function renderSession(session: DappSession): void {
  ui.peerName.textContent = `${session.peer.name} — ${session.peer.url}`
  ui.account.textContent = session.accounts[0] ?? '(no account)'
  const s = session.signIn
  ui.signedIn.textContent = s ? `Signed in as ${s.address} (EIP-4361, verified)` : 'Not signed in'
  const id = chainNumber(session.chainId)
  ui.chain.textContent = chainLabel(id)
  ui.chain.dataset.chainId = String(id)
  const other = session.chains.map(chainNumber).find((c) => c !== id)
  ui.switchChain.disabled = other === undefined
  ui.switchChain.textContent = other === undefined ? 'Switch chain' : `Switch to ${other}`
}

function resetResults(): void {
  for (const out of Array.from(ui.session.querySelectorAll('output'))) {
    out.textContent = ''
    delete out.dataset.status
  }
}

function adopt(session: DappSession, how: string): void {
  current = session
  clearPairing()
  resetResults()
  ui.connectPanel.hidden = true
  ui.session.hidden = false
  renderSession(session)
  setStatus('connected', how)
  const rerender = () => current === session && renderSession(session)
  session.on('chainChanged', rerender)
  session.on('accountsChanged', rerender)
  // The wallet answered a request sent before this page was reloaded: nobody awaits it any more.
  session.on('response', ({ id, error }) => {
    if (current !== session) return
    setStatus(
      'connected',
      `The wallet answered request #${id}, sent before this page reloaded${error ? `: ${error.message}` : ''}.`,
    )
  })
  session.on('disconnect', ({ message }) => {
    if (current !== session) return
    current = null
    ui.session.hidden = true
    ui.connectPanel.hidden = false
    ui.connect.disabled = false
    setStatus('disconnected', `Disconnected: ${message}`)
  })
}

type Outcome = { ok: boolean; text: string }

/** Runs one action against the current session and shows its outcome in `#result-<name>`. */
function action(name: string, run: (session: DappSession, account: Address) => Promise<Outcome>): void {
  const button = byId<HTMLButtonElement>(name)
  const out = byId<HTMLOutputElement>(`result-${name}`)
  button.addEventListener('click', async () => {
    const session = current
    const account = session?.accounts[0]
    if (!session || !account) return
    button.disabled = true
    out.dataset.status = 'pending'
    out.textContent = 'Waiting for the wallet…'
    try {
      const { ok, text } = await run(session, account)
      out.dataset.status = ok ? 'ok' : 'failed'
      out.textContent = text
    } catch (err) {
      out.dataset.status = isRejection(err) ? 'rejected' : 'error'
      out.textContent = isRejection(err) ? 'Rejected in the wallet.' : `Failed: ${errorText(err)}`
    } finally {
      button.disabled = false
      if (current === session) renderSession(session)
    }
  })
}

const walletClient = (session: DappSession) => createWalletClient({ transport: custom(session.provider) })
const short = (hex: string) => `${hex.slice(0, 10)}…${hex.slice(-8)}`

action('sign-message', async (session, account) => {
  const message = `Hello from the Pairline example dApp (${new Date().toISOString()})`
  const signature = await walletClient(session).signMessage({ account, message })
  const valid = await verifyMessage({ address: account, message, signature })
  return {
    ok: valid,
    text: valid
      ? `Signature verified: ${short(signature)} is ${account}'s signature of “${message}”.`
      : `Signature INVALID: ${short(signature)} does not match ${account}.`,
  }
})

action('sign-typed-data', async (session, account) => {
  const typedData = {
    domain: {
      name: 'Pairline Example',
      version: '1',
      chainId: chainNumber(session.chainId),
      verifyingContract: '0x0000000000000000000000000000000000000001',
    },
    types: {
      Mail: [
        { name: 'from', type: 'address' },
        { name: 'to', type: 'address' },
        { name: 'contents', type: 'string' },
      ],
    },
    primaryType: 'Mail',
    message: { from: account, to: RECIPIENT, contents: 'Hello, Bob!' },
  } as const
  const signature = await walletClient(session).signTypedData({ account, ...typedData })
  const valid = await verifyTypedData({ address: account, ...typedData, signature })
  return {
    ok: valid,
    text: valid
      ? `Typed data signature verified: ${short(signature)} (Mail from ${account}).`
      : `Typed data signature INVALID: ${short(signature)}.`,
  }
})

action('send-transaction', async (session, account) => {
  const id = chainNumber(session.chainId)
  const rpcUrl = chainConfig(id)?.rpcUrl
  if (!rpcUrl) throw new Error(`No RPC URL for chain ${id}.`)
  const hash = await walletClient(session).sendTransaction({
    account,
    to: RECIPIENT,
    value: parseEther(AMOUNT),
    chain: null,
  })
  const out = byId('result-send-transaction')
  out.textContent = `Sent ${short(hash)}; waiting for the receipt…`
  const publicClient = createPublicClient({ transport: http(rpcUrl), pollingInterval: 250 })
  const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 })
  return {
    ok: receipt.status === 'success',
    text: `${AMOUNT} ETH to ${RECIPIENT}: mined in block ${receipt.blockNumber} on chain ${id} (${receipt.status}), tx ${hash}`,
  }
})

action('switch-chain', async (session) => {
  const from = chainNumber(session.chainId)
  const target = session.chains.map(chainNumber).find((c) => c !== from)
  if (target === undefined) throw new Error('The wallet approved only one chain.')
  await walletClient(session).switchChain({ id: target })
  const now = chainNumber(session.chainId)
  return { ok: now === target, text: `Switched from ${from} to ${now}.` }
})

async function main(): Promise<void> {
  config = await loadConfig()
  const [first, ...rest] = config.chains
  dapp = createDapp({
    relayUrl: config.relayUrl,
    metadata: {
      name: 'Pairline Example dApp',
      url: location.origin,
      description: 'The browser example of the Pairline SDK.',
    },
    chains: [first!.id],
    optionalChains: rest.map((c) => c.id),
    rpcUrls: Object.fromEntries(config.chains.map((c) => [c.id, c.rpcUrl])),
    // checks the sign-in's signature through the first chain (contract accounts too: ERC-1271/6492)
    signInVerifier: siweVerifier({ client: createPublicClient({ transport: http(first!.rpcUrl) }) }),
  })

  // Pairing, restoring and requests wait (and retry) while the relay is unreachable: say so.
  const showRelay = (state: string, text: string) => {
    ui.relayStatus.dataset.state = state
    ui.relayStatus.textContent = text
  }
  showRelay(
    dapp.relay.status,
    `Relay ${config.relayUrl}: ${dapp.relay.status === 'open' ? 'connected' : 'connecting…'}`,
  )
  dapp.relay.on('open', () => showRelay('open', `Relay ${config.relayUrl}: connected`))
  dapp.relay.on('reconnecting', ({ attempt, delayMs }) =>
    showRelay(
      'reconnecting',
      `Relay ${config.relayUrl}: unreachable, retrying in ${Math.ceil(delayMs / 1000)} s (attempt ${attempt})`,
    ),
  )

  ui.connect.addEventListener('click', () => {
    connect().catch((err) => {
      ui.connect.disabled = false
      setStatus('error', `Could not start pairing: ${errorText(err)}`)
    })
  })
  ui.confirmCode.addEventListener('click', () => answerCode(true))
  ui.rejectCode.addEventListener('click', () => answerCode(false))
  ui.cancelPairing.addEventListener('click', () => {
    const p = pairing
    pairing = null
    p?.cancel()
    clearPairing()
    ui.connect.disabled = false
    setStatus('idle', 'Not connected.')
  })
  ui.copyUri.addEventListener('click', () => {
    void navigator.clipboard?.writeText(ui.uri.textContent ?? '').then(
      () => {
        ui.copyUri.textContent = 'Copied'
      },
      () => {
        ui.copyUri.textContent = 'Select and copy'
      },
    )
  })
  ui.disconnect.addEventListener('click', () => {
    ui.disconnect.disabled = true
    void current?.disconnect('The dApp ended the session.').finally(() => {
      ui.disconnect.disabled = false
    })
  })

  // A session stored by an earlier visit resumes without a new QR code (fresh handshake with the wallet).
  setStatus('loading', 'Looking for a stored session…')
  const restored = await dapp.restoreSessions()
  const latest = restored.reduce<DappSession | null>(
    (best, s) => (best && best.expiresAt >= s.expiresAt ? best : s),
    null,
  )
  ui.connect.disabled = false
  if (latest) adopt(latest, 'Connected (session restored).')
  else setStatus('idle', 'Not connected.')
}

main().catch((err) => setStatus('error', `The page could not start: ${errorText(err)}`))
