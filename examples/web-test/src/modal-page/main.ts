/**
 * The connect modal's test page: a dApp (createDapp) and `connectModal()` from @pairline/sdk/modal.
 * Query: `relay` (default the /config.json relay), `approval` (approvalTimeoutSeconds).
 * Every state the modal enters is pushed to `window.modalStates`; the outcome lands in #result.
 */
import { createDapp, isPairlineError, memoryStorage } from '@pairline/sdk'
import { connectModal, type ModalStateDetail } from '@pairline/sdk/modal'

declare global {
  interface Window {
    modalStates: string[]
  }
}

const query = new URLSearchParams(location.search)
const config = (await (await fetch('/config.json')).json()) as { relayUrl: string }
const approval = Number(query.get('approval') ?? 300)
const dapp = createDapp({
  relayUrl: query.get('relay') ?? config.relayUrl,
  metadata: { name: 'Modal Test dApp', url: location.origin },
  chains: [31337],
  storage: memoryStorage(),
  approvalTimeoutSeconds: approval,
  relay: { connectTimeoutMs: 1500 },
})
const modal = connectModal({ closeOnConnect: false })
const result = document.getElementById('result')!
window.modalStates = []
document.addEventListener(
  'state',
  (e) => window.modalStates.push((e as CustomEvent<ModalStateDetail>).detail.state),
  true,
)

document.getElementById('connect')!.addEventListener('click', () => {
  result.dataset.status = 'pending'
  modal
    .open(() => dapp.pair())
    .then(
      (session) => {
        result.dataset.status = 'connected'
        result.textContent = session.accounts.join(',')
      },
      (err: unknown) => {
        result.dataset.status = 'closed'
        result.textContent = isPairlineError(err) ? String(err.code) : String(err)
      },
    )
})
