import {
  createWallet,
  pairingUriFromLink,
  redirectTarget,
  type Wallet,
  type WalletProposal,
  type WalletRequest,
  type WalletSession,
} from '@pairline/sdk/wallet'
import { http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { loadConfig, type PageConfig } from './config.js'
import { decodeQrImage } from './qrImage.js'
import { readable } from './readable.js'

/**
 * anvil's first default dev account. Its key is public (every anvil and hardhat node funds it):
 * this example wallet is for local development only.
 */
const DEV_PRIVATE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const account = privateKeyToAccount(DEV_PRIVATE_KEY)

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id)
  if (!found) throw new Error(`The page has no #${id}.`)
  return found as T
}

const ui = {
  status: byId('status'),
  account: byId('wallet-account'),
  pairPanel: byId('pair-panel'),
  pasteLink: byId<HTMLDetailsElement>('paste-link'),
  uriInput: byId<HTMLTextAreaElement>('uri-input'),
  pair: byId<HTMLButtonElement>('pair'),
  qrFile: byId<HTMLInputElement>('qr-file'),
  proposal: byId('proposal'),
  dappName: byId('dapp-name'),
  dappUrl: byId('dapp-url'),
  dappDescription: byId('dapp-description'),
  proposalChains: byId('proposal-chains'),
  signIn: byId('sign-in'),
  signInMessage: byId('sign-in-message'),
  sas: byId('sas'),
  approveSession: byId<HTMLButtonElement>('approve-session'),
  rejectSession: byId<HTMLButtonElement>('reject-session'),
  session: byId('session'),
  sessionDapp: byId('session-dapp'),
  sessionChain: byId('session-chain'),
  sessionUrl: byId('session-url'),
  sessionRelay: byId('session-relay'),
  sessionExpires: byId('session-expires'),
  returnBox: byId('return'),
  returnLink: byId<HTMLAnchorElement>('return-link'),
  disconnect: byId<HTMLButtonElement>('disconnect'),
  request: byId('request'),
  requestDapp: byId('request-dapp'),
  requestMethod: byId('request-method'),
  requestChain: byId('request-chain'),
  requestSummary: byId('request-summary'),
  requestDetails: byId('request-details'),
  approveRequest: byId<HTMLButtonElement>('approve-request'),
  rejectRequest: byId<HTMLButtonElement>('reject-request'),
  history: byId('history'),
}

type State =
  | 'loading'
  | 'idle'
  | 'pairing'
  | 'proposal'
  | 'waiting'
  | 'connected'
  | 'burned'
  | 'ended'
  | 'disconnected'
  | 'error'

function setStatus(state: State, text: string): void {
  ui.status.dataset.state = state
  ui.status.textContent = text
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; shortMessage?: unknown; message?: unknown }
  const message = typeof e?.shortMessage === 'string' ? e.shortMessage : String(e?.message ?? err)
  return e?.code !== undefined ? `${message} (${String(e.code)})` : message
}

const chainNumber = (caip2: string) => Number(caip2.split(':')[1])

let config: PageConfig
let wallet: Wallet
let proposal: WalletProposal | null = null
let current: WalletSession | null = null
/** Requests waiting for the user, oldest first; the first one is shown. */
const queue: { session: WalletSession; request: WalletRequest }[] = []

function chainLabel(caip2: string): string {
  const id = chainNumber(caip2)
  const c = config.chains.find((x) => x.id === id)
  return c ? `${id} (${c.name})` : caip2
}

function addHistory(outcome: 'approved' | 'rejected' | 'failed' | 'info', text: string): void {
  const li = document.createElement('li')
  li.dataset.outcome = outcome
  li.textContent = text
  ui.history.prepend(li)
}

// ---- pairing ------------------------------------------------------------------------------------

/** The relay each session was paired through (shown under "Connection details" only). */
const relayOf = new Map<string, string>()
let pairingRelay = ''

async function pair(uri: string): Promise<void> {
  if (!uri) return
  pairingRelay = new URLSearchParams(uri.slice(uri.indexOf('?') + 1)).get('r') ?? ''
  ui.pair.disabled = true
  ui.qrFile.disabled = true
  setStatus('pairing', 'Contacting the dApp…')
  try {
    const p = await wallet.pair(uri)
    proposal = p
    ui.dappName.textContent = p.peer.name
    ui.dappUrl.textContent = p.peer.url
    ui.dappDescription.textContent = p.peer.description ?? ''
    const required = p.namespaces.required.eip155?.chains ?? []
    const optional = p.namespaces.optional.eip155?.chains ?? []
    ui.proposalChains.textContent = [
      ...required.map((c) => `${chainLabel(c)} (required)`),
      ...optional.map((c) => `${chainLabel(c)} (optional)`),
    ].join(', ')
    // Sign-in at connect: the exact message approve() signs, shown with the proposal.
    ui.signInMessage.textContent = p.signIn?.message() ?? ''
    ui.signIn.hidden = !p.signIn
    ui.sas.textContent = p.sas
    ui.proposal.hidden = false
    ui.uriInput.value = ''
    setStatus('proposal', 'Compare the code with the dApp’s screen, then approve or reject.')
    // The pairing can end before this user answers (burned, cancelled, rejected on the dApp).
    p.verified.catch((err) => {
      if (proposal === p) {
        proposal = null
        ui.proposal.hidden = true
      }
      if (!decided.has(p)) showEnded(err)
    })
  } catch (err) {
    setStatus('error', `Pairing failed: ${errorText(err)}`)
  } finally {
    ui.pair.disabled = false
    ui.qrFile.disabled = false
  }
}

/** Proposals this user answered: their outcome is shown by decide(). */
const decided = new WeakSet<WalletProposal>()

function showEnded(err: unknown): void {
  const code = (err as { code?: unknown }).code
  setStatus(code === 'PAIRING_BURNED' ? 'burned' : 'ended', `Not connected: ${errorText(err)}`)
  addHistory('failed', `Pairing ended: ${errorText(err)}`)
}

async function decide(approve: boolean): Promise<void> {
  const p = proposal
  if (!p) return
  proposal = null
  decided.add(p)
  ui.proposal.hidden = true
  try {
    if (approve) {
      const verified = p.approve()
      setStatus('waiting', 'Approved. Now confirm the same code on the dApp’s screen…')
      const session = await verified
      relayOf.set(session.id, pairingRelay)
      watch(session)
      show(session)
      // Same device: offer the way back, only on the dApp's own origin (PROTOCOL.md §3.4).
      const back = redirectTarget(p.peer)
      ui.returnBox.hidden = back === undefined
      if (back) {
        ui.returnLink.href = back
        ui.returnLink.textContent = `Back to ${p.peer.name}`
      }
      addHistory('info', `Connected to ${p.peer.name} (${p.peer.url}).`)
    } else {
      await p.reject('The user rejected the connection.')
      setStatus(current ? 'connected' : 'idle', 'Connection rejected.')
      addHistory('rejected', `Rejected the connection from ${p.peer.name}.`)
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('PAIRING_')) showEnded(err)
    else if (code === 'USER_REJECTED') showEnded(err)
    else setStatus('error', `Could not answer the dApp: ${errorText(err)}`)
  }
}

// ---- sessions -----------------------------------------------------------------------------------

function show(session: WalletSession): void {
  if (current !== session) ui.returnBox.hidden = true
  current = session
  ui.session.hidden = false
  ui.pairPanel.hidden = true
  ui.sessionDapp.textContent = session.peer.name
  ui.sessionChain.textContent = chainLabel(session.chainId)
  ui.sessionUrl.textContent = session.peer.url
  ui.sessionRelay.textContent = relayOf.get(session.id) ?? config.relayUrl
  ui.sessionExpires.textContent = new Date(session.expiresAt * 1000).toLocaleString()
  setStatus('connected', `Connected to ${session.peer.name}.`)
}

function watch(session: WalletSession): void {
  session.on('request', (request) => {
    queue.push({ session, request })
    if (queue.length === 1) showRequest()
  })
  session.on('disconnect', ({ message }) => {
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.session === session) queue.splice(i, 1)
    showRequest()
    addHistory('info', `Session with ${session.peer.name} ended: ${message}`)
    if (current !== session) return
    const next = wallet.sessions.at(-1)
    if (next) {
      show(next)
      return
    }
    current = null
    ui.session.hidden = true
    ui.pairPanel.hidden = false
    setStatus('disconnected', `Disconnected: ${message}`)
  })
}

// ---- requests -----------------------------------------------------------------------------------

function showRequest(): void {
  const next = queue[0]
  if (!next) {
    ui.request.hidden = true
    delete ui.request.dataset.requestId
    return
  }
  const { request } = next
  const { summary, details } = readable(request, chainLabel)
  ui.requestDapp.textContent = request.peer.name
  ui.requestMethod.textContent = request.method
  ui.requestChain.textContent = chainLabel(request.chainId)
  ui.requestSummary.textContent = summary
  ui.requestDetails.replaceChildren(
    ...details.flatMap(([k, v]) => {
      const dt = document.createElement('dt')
      dt.textContent = k
      const dd = document.createElement('dd')
      dd.dataset.field = k
      dd.textContent = v
      return [dt, dd]
    }),
  )
  ui.request.dataset.requestId = String(request.id)
  ui.request.dataset.method = request.method
  ui.approveRequest.disabled = false
  ui.rejectRequest.disabled = false
  ui.request.hidden = false
}

async function answer(approve: boolean): Promise<void> {
  const entry = queue.shift()
  ui.approveRequest.disabled = true
  ui.rejectRequest.disabled = true
  if (!entry) return
  const { session, request } = entry
  const { summary } = readable(request, chainLabel)
  showRequest()
  try {
    if (approve) {
      const outcome = await request.approve()
      if (outcome.status === 'executed') {
        const { result } = outcome
        const shown = typeof result === 'string' ? `${result.slice(0, 18)}…` : JSON.stringify(result)
        addHistory('approved', `Approved: ${summary} → ${shown}`)
      } else if (outcome.status === 'rejected') addHistory('rejected', `Rejected: ${summary}`)
      else addHistory('failed', `Failed: ${summary}: ${errorText(outcome.error)}`)
    } else {
      await request.reject()
      addHistory('rejected', `Rejected: ${summary}`)
    }
  } catch (err) {
    addHistory('failed', `Failed: ${summary}: ${errorText(err)}`)
  }
  if (current === session && !session.ended) ui.sessionChain.textContent = chainLabel(session.chainId)
}

// ---- start --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  ui.account.textContent = account.address
  config = await loadConfig()
  wallet = createWallet({
    metadata: {
      name: 'Pairline Example Wallet',
      url: location.origin,
      description: 'Development wallet of the Pairline browser examples.',
    },
    accounts: [account],
    chains: config.chains.map((c) => c.id),
    transports: Object.fromEntries(config.chains.map((c) => [c.id, http(c.rpcUrl)])),
  })

  ui.pair.addEventListener('click', () => void pair(ui.uriInput.value.trim()))
  ui.qrFile.addEventListener('change', async () => {
    const file = ui.qrFile.files?.[0]
    ui.qrFile.value = ''
    if (!file) return
    try {
      await pair(await decodeQrImage(file))
    } catch (err) {
      setStatus('error', `Could not read the QR code: ${errorText(err)}`)
    }
  })
  ui.approveSession.addEventListener('click', () => void decide(true))
  ui.rejectSession.addEventListener('click', () => void decide(false))
  ui.approveRequest.addEventListener('click', () => void answer(true))
  ui.rejectRequest.addEventListener('click', () => void answer(false))
  ui.disconnect.addEventListener('click', () => {
    ui.disconnect.disabled = true
    void current?.disconnect('The wallet ended the session.').finally(() => {
      ui.disconnect.disabled = false
    })
  })

  const restored = await wallet.restoreSessions()
  for (const s of restored) watch(s)
  const latest = restored.at(-1)
  ui.pair.disabled = false
  ui.qrFile.disabled = false
  if (latest) show(latest)
  else setStatus('idle', 'Not connected. Scan a dApp’s QR code, or paste its pairing link.')
  // Opened with a pairing link on this device (`#uri=`, PROTOCOL.md §3.4): pair it, and take it
  // out of the address bar and the history.
  const fromLink = () => {
    const uri = pairingUriFromLink(location.href)
    if (!uri) return
    history.replaceState(null, '', location.pathname + location.search)
    void pair(uri)
  }
  window.addEventListener('hashchange', fromLink)
  fromLink()
}

main().catch((err) => setStatus('error', `The wallet could not start: ${errorText(err)}`))
