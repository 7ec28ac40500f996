/**
 * `@pairline/sdk/modal`: the connect dialog as a framework-free custom element, `<pairline-connect>`.
 * Importable anywhere; it registers itself only when `defineConnectModal()` or `connectModal()` runs
 * in a browser.
 */
import type { DappSession } from '../dapp/types.js'
import { type ConnectModalOptions, PairlineConnectElement, type StartPairing } from './element.js'

export { universalLink } from '../protocol/links.js'
export {
  type ConnectModalOptions,
  type ModalStateDetail,
  PairlineConnectElement,
  type StartPairing,
} from './element.js'
export type { ModalState } from './messages.js'

export const CONNECT_MODAL_TAG = 'pairline-connect'

/** Registers `<pairline-connect>` (once; a no-op outside a browser or when already defined). */
export function defineConnectModal(tag: string = CONNECT_MODAL_TAG): void {
  if (typeof customElements === 'undefined' || customElements.get(tag)) return
  customElements.define(tag, class extends PairlineConnectElement {})
}

/** What the wagmi connector's `ui` option takes: runs pairings until one connects. */
export type PairingUi = { open(start: StartPairing): Promise<DappSession> }

/**
 * A connect dialog on demand: each `open(start)` adds a `<pairline-connect>` to `document.body`,
 * runs it and removes it once it settles. Pass it as `pairline({ ui: connectModal() })`, or call
 * `open(() => dapp.pair())` yourself.
 */
export function connectModal(options: ConnectModalOptions & { theme?: 'light' | 'dark' } = {}): PairingUi {
  return {
    async open(start) {
      defineConnectModal()
      const el = document.createElement(CONNECT_MODAL_TAG) as PairlineConnectElement
      if (options.theme) el.setAttribute('theme', options.theme)
      document.body.append(el)
      try {
        return await el.open(start, options)
      } finally {
        if (options.closeOnConnect !== false) el.remove()
      }
    },
  }
}
